//! Embedding tables kept compact: a 30k × 384 vocabulary is 12.5 MB as Q8_0 blocks, 23 MB as
//! f16 and 47 MB as f32, and only the rows of a call's tokens are ever needed in f32. Q8_0
//! tables stay as their blocks and rows are decoded on lookup; f16 tables stay f16.

use crate::error::{Error, Result};
use crate::file::blocks::{BlockFormat, BLOCK};
use crate::file::weights::{to_f32, StoredData, StoredTensor};
use candle_core::{DType, Device, Tensor};

/// Bytes of one Q8_0 block.
const Q8_0_BLOCK_BYTES: usize = BlockFormat::Q8_0.block_bytes();

pub enum EmbeddingTable {
    /// f32 or f16 rows.
    Float(Tensor),
    /// GGUF Q8_0 blocks, row-major, `cols / 32` blocks per row.
    Q8_0 {
        blocks: Vec<u8>,
        rows: usize,
        cols: usize,
    },
}

impl EmbeddingTable {
    /// A stored `[rows, cols]` table: Q8_0 blocks stay Q8_0, f16 stays f16, anything else
    /// becomes f32.
    pub fn from_stored(stored: StoredTensor) -> Result<Self> {
        let &[rows, cols] = &stored.shape[..] else {
            return Err(Error::ModelFormat(format!(
                "embedding `{}` is not a table: shape {:?}",
                stored.name, stored.shape
            )));
        };
        match stored.data {
            StoredData::Blocks { dtype, bytes }
                if BlockFormat::of(dtype) == Some(BlockFormat::Q8_0) =>
            {
                EmbeddingTable::q8_0(bytes.into_owned(), rows, cols)
            }
            StoredData::Float(t) if matches!(t.dtype(), DType::F16 | DType::F32) => {
                Ok(EmbeddingTable::Float(t))
            }
            _ => Ok(EmbeddingTable::Float(stored.to_f32()?)),
        }
    }

    /// A table of `[rows, cols]` Q8_0 blocks (`cols` a multiple of 32).
    pub fn q8_0(blocks: Vec<u8>, rows: usize, cols: usize) -> Result<Self> {
        if cols == 0 || cols % BLOCK != 0 || blocks.len() != rows * cols / BLOCK * Q8_0_BLOCK_BYTES
        {
            return Err(Error::ModelFormat(format!(
                "a Q8_0 embedding of [{rows}, {cols}] needs {} bytes, found {}",
                rows * cols / BLOCK * Q8_0_BLOCK_BYTES,
                blocks.len()
            )));
        }
        Ok(EmbeddingTable::Q8_0 { blocks, rows, cols })
    }

    pub fn rows(&self) -> Result<usize> {
        match self {
            EmbeddingTable::Float(t) => Ok(t.dim(0)?),
            EmbeddingTable::Q8_0 { rows, .. } => Ok(*rows),
        }
    }

    pub fn cols(&self) -> Result<usize> {
        match self {
            EmbeddingTable::Float(t) => Ok(t.dim(1)?),
            EmbeddingTable::Q8_0 { cols, .. } => Ok(*cols),
        }
    }

    /// The rows of `ids`, in f32: `[ids.len(), cols]`.
    pub fn lookup(&self, ids: &[u32]) -> Result<Tensor> {
        let rows = self.rows()?;
        if let Some(&bad) = ids.iter().find(|&&id| id as usize >= rows) {
            return Err(Error::Inference(format!(
                "token id {bad} is outside the embedding table ({rows} rows)"
            )));
        }
        match self {
            EmbeddingTable::Float(t) => {
                let ids = Tensor::from_slice(ids, ids.len(), t.device())?;
                Ok(to_f32(&t.index_select(&ids, 0)?)?)
            }
            EmbeddingTable::Q8_0 { blocks, cols, .. } => {
                let row_bytes = cols / BLOCK * Q8_0_BLOCK_BYTES;
                let mut out = Vec::with_capacity(ids.len() * cols);
                for &id in ids {
                    let row = &blocks[id as usize * row_bytes..(id as usize + 1) * row_bytes];
                    BlockFormat::Q8_0.dequantize_into(row, &mut out);
                }
                Ok(Tensor::from_vec(out, (ids.len(), *cols), &Device::Cpu)?)
            }
        }
    }

    /// Rows `0..n` in f32 (position embeddings).
    pub fn first_rows(&self, n: usize) -> Result<Tensor> {
        let ids: Vec<u32> = (0..n as u32).collect();
        self.lookup(&ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q8_0_rows_decode_as_ggml_dequantizes_them() {
        use candle_core::quantized::{GgmlDType, QTensor};
        let (rows, cols) = (5, 64);
        let values: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        let t = Tensor::from_vec(values, (rows, cols), &Device::Cpu).unwrap();
        let q = QTensor::quantize(&t, GgmlDType::Q8_0).unwrap();
        let table = EmbeddingTable::q8_0(q.data().unwrap().to_vec(), rows, cols).unwrap();
        let want = q.dequantize(&Device::Cpu).unwrap();
        let got = table.lookup(&[3, 0, 3]).unwrap();
        for (i, id) in [3usize, 0, 3].into_iter().enumerate() {
            assert_eq!(
                got.get(i).unwrap().to_vec1::<f32>().unwrap(),
                want.get(id).unwrap().to_vec1::<f32>().unwrap()
            );
        }
        assert_eq!(table.first_rows(2).unwrap().dims(), &[2, cols]);
        assert!(table.lookup(&[5]).is_err());
        assert!(EmbeddingTable::q8_0(vec![0; 33], 1, 32).is_err());
    }
}
