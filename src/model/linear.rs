//! A linear layer whose weight is either f32 or quantized. This is the only place the
//! quantized path differs from the float path.

use crate::error::Result;
use crate::weights::LinearWeight;
use candle_core::{Module, Tensor};

pub struct Linear {
    weight: LinearWeight,
    bias: Tensor,
}

impl Linear {
    pub fn new(weight: LinearWeight, bias: Tensor) -> Self {
        Linear { weight, bias }
    }

    /// `x[..., in] -> [..., out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims();
        let in_dim = dims[dims.len() - 1];
        let rows = x.elem_count() / in_dim.max(1);
        // Flatten leading dims so one 2-D matmul covers the whole batch.
        let x2 = x.reshape((rows, in_dim))?;
        let y = match &self.weight {
            LinearWeight::Dense(w) => x2.matmul(&w.t()?)?,
            LinearWeight::Quantized(q) => q.forward(&x2)?,
        };
        let y = y.broadcast_add(&self.bias)?;
        let mut out_dims = dims.to_vec();
        let last = out_dims.len() - 1;
        out_dims[last] = self.bias.dim(0)?;
        Ok(y.reshape(out_dims)?)
    }
}
