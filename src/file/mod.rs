//! Model files: where their bytes come from (`source`), what they hold (`weights`), and the
//! layout of their quantized blocks (`blocks`).
//!
//! This code reads and checks files; it does not decide how a tensor is computed with. It hands
//! out tensors as they are stored (name, shape, float values or GGML blocks), and `crate::model`
//! turns them into embedding tables and linear layers, as candle's `quantized_var_builder.rs`
//! hands out stored tensors and its `quantized_nn.rs` builds the layers. So nothing here
//! imports from `crate::model`, and a new storage type is a change here, a new compute form a
//! change there.

pub mod blocks;
pub mod source;
pub mod weights;
