//! Where a model file's bytes come from while a model is built. A GGUF is read tensor by tensor,
//! so the whole file never needs to be in (wasm) memory next to the model built from it: in the
//! browser the file stays in a JavaScript `ArrayBuffer` and each tensor's bytes are copied in
//! when its layer is built (see `wasm::classifiers`), which halves peak memory.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};

/// Random access to a file's bytes.
pub trait ByteSource {
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// `len` bytes at `offset`; errors if they are not all in the file.
    fn read(&self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>>;
}

impl ByteSource for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read(&self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| Some(start..start.checked_add(len)?))
            .and_then(|range| self.get(range))
            .map(Cow::Borrowed)
            .ok_or_else(|| out_of_file(offset, len, ByteSource::len(self)))
    }
}

pub(crate) fn out_of_file(offset: u64, len: usize, file: u64) -> Error {
    Error::ModelFormat(format!(
        "{len} bytes at offset {offset} are past the end of the file ({file} bytes): truncated or corrupt"
    ))
}

/// `Read + Seek` over a source, fetching pages on demand: what candle's GGUF header parser
/// needs, without fetching the tensor data after the header.
pub struct SourceReader<'a> {
    source: &'a dyn ByteSource,
    pos: u64,
    page_start: u64,
    page: Vec<u8>,
}

/// Bytes fetched at a time by `SourceReader`.
const PAGE: u64 = 256 << 10;

impl<'a> SourceReader<'a> {
    pub fn new(source: &'a dyn ByteSource) -> Self {
        SourceReader {
            source,
            pos: 0,
            page_start: 0,
            page: Vec::new(),
        }
    }
}

impl Read for SourceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let end = self.page_start + self.page.len() as u64;
        if self.pos < self.page_start || self.pos >= end {
            let len = PAGE.min(self.source.len().saturating_sub(self.pos));
            if len == 0 {
                return Ok(0);
            }
            self.page = self
                .source
                .read(self.pos, len as usize)
                .map_err(|e| std::io::Error::other(e.to_string()))?
                .into_owned();
            self.page_start = self.pos;
        }
        let at = (self.pos - self.page_start) as usize;
        let n = buf.len().min(self.page.len() - at);
        buf[..n].copy_from_slice(&self.page[at..at + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SourceReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.source.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_pages_through_the_source_like_a_cursor() {
        let bytes: Vec<u8> = (0..(PAGE as usize * 2 + 77))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let slice = &bytes[..];
        let mut r = SourceReader::new(&slice);
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, bytes);
        assert_eq!(r.seek(SeekFrom::End(-5)).unwrap(), bytes.len() as u64 - 5);
        let mut tail = [0u8; 8];
        assert_eq!(r.read(&mut tail).unwrap(), 5);
        assert_eq!(tail[..5], bytes[bytes.len() - 5..]);
        r.seek(SeekFrom::Start(PAGE - 2)).unwrap();
        let mut across = [0u8; 4];
        r.read_exact(&mut across).unwrap();
        assert_eq!(across[..], bytes[PAGE as usize - 2..PAGE as usize + 2]);
        assert!(r.seek(SeekFrom::Current(-(PAGE as i64) * 9)).is_err());
        assert!(ByteSource::read(&slice, u64::MAX, 2).is_err());
        assert!(ByteSource::read(&slice, bytes.len() as u64 - 1, 2).is_err());
    }
}
