//! How one matmul shares its work between threads, over `crate::parallel`'s fork-join: the
//! activations by runs of blocks, the product by output columns. Each output is computed whole
//! by one thread, so the result is the same on any number of threads; small jobs stay on the
//! calling thread, where handing them out would cost more than it saves.

use super::PackedWeight;
use std::ops::Range;

/// Activations smaller than this many values are quantized on one thread (about 45 µs of work).
const PARALLEL_MIN_VALUES: usize = 1 << 15;

/// Runs `f(run)` for runs of `blocks` activation blocks (`values` values in all) that together
/// cover them once, on the threads there are when the activations are large enough.
pub(super) fn for_block_runs(blocks: usize, values: usize, f: impl Fn(Range<usize>) + Sync) {
    let threads = crate::parallel::threads();
    let parts = if threads > 1 && values >= PARALLEL_MIN_VALUES {
        2 * threads
    } else {
        1
    };
    crate::parallel::for_each_part(parts, |p| f(blocks * p / parts..blocks * (p + 1) / parts));
}

/// A slice written by several threads at once, each its own elements: the output matrix (each
/// thread its columns, `for_column_parts`) and the quantized activations (each its blocks,
/// `for_block_runs`).
#[derive(Clone, Copy)]
pub(super) struct SharedMut<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: the threads of one fork write disjoint elements, and the fork returns only after all
// of them have finished (`crate::parallel::for_each_part`).
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    pub(super) fn new(slice: &mut [T]) -> Self {
        SharedMut {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
        }
    }

    /// # Safety
    /// `start..start + len` is within the slice, and no other thread touches it meanwhile.
    pub(super) unsafe fn range(self, start: usize, len: usize) -> &'static mut [T] {
        debug_assert!(start + len <= self.len);
        std::slice::from_raw_parts_mut(self.ptr.add(start), len)
    }
}

/// The output matrix, written by the threads of one matmul: each its own columns.
pub(super) type SharedOut = SharedMut<f32>;

/// Products smaller than this many multiply-adds run on one thread: at about 60 G/s, 2^21 is
/// some 35 µs, about what handing parts to another thread costs.
const PARALLEL_MIN_MACS: usize = 1 << 21;

/// Splits the weight's column-group pairs (8 output columns each) into ranges and runs
/// `columns(range)` for each, on as many threads as `crate::parallel::for_each_part` has. Several
/// ranges per thread, so that a thread that starts late takes fewer.
#[cfg_attr(
    not(any(target_arch = "wasm32", target_arch = "x86_64")),
    allow(dead_code)
)]
pub(super) fn for_column_parts(w: &PackedWeight, m: usize, columns: impl Fn(Range<usize>) + Sync) {
    let pairs = w.groups() / 2;
    let threads = crate::parallel::threads();
    let parts = if threads == 1 || m * w.n * w.k < PARALLEL_MIN_MACS {
        1
    } else {
        pairs.min(4 * threads)
    };
    crate::parallel::for_each_part(parts, |p| {
        columns(pairs * p / parts..pairs * (p + 1) / parts)
    });
}
