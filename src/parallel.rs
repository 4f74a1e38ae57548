//! Fork-join over a few threads, for the int8 matmuls (`model::qgemm`): `for_each_part(parts, f)`
//! calls `f(0) .. f(parts - 1)`, each once, spread over the threads there are, and returns when
//! all have returned.
//!
//! - Natively: rayon's global pool (`RAYON_NUM_THREADS`).
//! - In the threaded wasm build (`+atomics`, shared memory): a pool of our own. The JS side
//!   starts Web Workers on the same module and memory, and each calls `worker_loop`. rayon does
//!   not fit there: its callers block in `memory.atomic.wait32`, which a browser's main thread
//!   may not execute. Here the calling thread never blocks: it takes parts itself and spins
//!   until the workers' parts are done. Workers take parts as they arrive, so a worker that is
//!   slow to wake (or never started) only leaves more parts to the others.
//! - Other wasm builds: in order, on the calling thread.

/// Calls `f(i)` for every `i` in `0..parts`, each once, possibly on several threads at once.
/// `f` must not panic: in the wasm pool a panic on a worker traps that worker, and the caller
/// would wait for its part forever. (The matmul checks every extent before it forks.)
pub fn for_each_part<F: Fn(usize) + Sync>(parts: usize, f: F) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        (0..parts).into_par_iter().for_each(&f);
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
    pool::for_each_part(parts, f);
    #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
    (0..parts).for_each(f);
}

/// Threads that `for_each_part` spreads work over, the caller's included.
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::current_num_threads();
    #[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
    return pool::threads();
    #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
    return 1;
}

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub use pool::worker_loop;

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod pool {
    use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
    use core::hint::spin_loop;
    use std::sync::atomic::{
        AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst,
    };

    /// Workers that have entered `worker_loop`.
    static WORKERS: AtomicUsize = AtomicUsize::new(0);
    /// Bumped once per job; idle workers sleep on it.
    static WAKE: AtomicI32 = AtomicI32::new(0);
    /// The current job, in one word so a part is claimed by one compare-and-swap:
    /// `job number << 32 | next part << 16 | parts`. A claim succeeds only while the word is
    /// unchanged, so a worker holding an old word can never take a part of a newer job.
    static CLAIM: AtomicU64 = AtomicU64::new(0);
    /// Parts of the current job that have returned.
    static DONE: AtomicU32 = AtomicU32::new(0);
    /// The current job's closure: a monomorphic trampoline and the closure's address. Written
    /// only while no part of any job is unclaimed or running (see `for_each_part`).
    static CALL: AtomicUsize = AtomicUsize::new(0);
    static DATA: AtomicUsize = AtomicUsize::new(0);
    /// Set while a job runs: a second caller (a nested call) runs its parts in line.
    static BUSY: AtomicBool = AtomicBool::new(false);
    /// Spins (about 10 ns each) a worker waits for the next job before it sleeps: a linear
    /// layer follows another within tens of microseconds, and waking a sleeping worker costs
    /// about as much.
    const SPINS_BEFORE_SLEEP: u32 = 20_000;

    pub fn threads() -> usize {
        WORKERS.load(SeqCst) + 1
    }

    unsafe fn trampoline<F: Fn(usize)>(data: usize, part: usize) {
        (*(data as *const F))(part)
    }

    pub fn for_each_part<F: Fn(usize) + Sync>(parts: usize, f: F) {
        if parts <= 1 || WORKERS.load(SeqCst) == 0 || parts >= 1 << 16 || BUSY.swap(true, SeqCst) {
            (0..parts).for_each(f);
            return;
        }
        // No part of the previous job is unclaimed or running (we waited for all of them), so
        // no worker reads CALL and DATA now; they read them only after claiming a part.
        let call: unsafe fn(usize, usize) = trampoline::<F>;
        CALL.store(call as usize, SeqCst);
        DATA.store(&f as *const F as usize, SeqCst);
        DONE.store(0, SeqCst);
        let job = (CLAIM.load(SeqCst) >> 32).wrapping_add(1) & 0xffff_ffff;
        CLAIM.store(job << 32 | parts as u64, SeqCst);
        WAKE.fetch_add(1, SeqCst);
        // SAFETY: WAKE is a live, aligned i32 in the shared memory.
        unsafe { memory_atomic_notify(WAKE.as_ptr(), u32::MAX) };
        run_parts();
        while (DONE.load(SeqCst) as usize) < parts {
            spin_loop();
        }
        BUSY.store(false, SeqCst);
    }

    /// Claims and runs parts of the current job until none is left.
    fn run_parts() {
        loop {
            let word = CLAIM.load(SeqCst);
            let (next, parts) = ((word >> 16) & 0xffff, word & 0xffff);
            if next >= parts {
                return;
            }
            if CLAIM
                .compare_exchange(word, word + (1 << 16), SeqCst, SeqCst)
                .is_ok()
            {
                // SAFETY: our part is claimed and not done, so the job's caller is still
                // waiting in `for_each_part`: CALL and DATA are that job's, and its closure
                // is alive.
                unsafe {
                    let call: unsafe fn(usize, usize) = core::mem::transmute(CALL.load(SeqCst));
                    call(DATA.load(SeqCst), next as usize);
                }
                DONE.fetch_add(1, SeqCst);
            }
        }
    }

    /// A pool worker's whole life: run parts of jobs as they come, sleep in between. Called by
    /// the JS pool worker (js/pool-worker.ts) once its instance of the module is up; never
    /// returns. Must not run on a browser's main thread (it sleeps in `memory.atomic.wait32`).
    pub fn worker_loop() {
        WORKERS.fetch_add(1, SeqCst);
        let mut seen = WAKE.load(SeqCst);
        loop {
            run_parts();
            let mut spins = 0;
            while WAKE.load(SeqCst) == seen {
                if spins < SPINS_BEFORE_SLEEP {
                    spins += 1;
                    spin_loop();
                } else {
                    // SAFETY: as in `for_each_part`. Returns at once if WAKE moved on.
                    unsafe { memory_atomic_wait32(WAKE.as_ptr(), seen, -1) };
                }
            }
            seen = WAKE.load(SeqCst);
        }
    }
}
