//! Just enough of the FlatBuffers wire format to read a TensorFlow Lite model: tables
//! with their vtables, vectors of scalars, of tables and strings. Every read is bounds
//! checked, so a damaged file gives an error and never a panic.

use crate::ModelError;

/// A table in a buffer: the buffer and the table's position.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn read<const N: usize>(buf: &[u8], pos: usize) -> Result<[u8; N], ModelError> {
    pos.checked_add(N)
        .and_then(|end| buf.get(pos..end))
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(ModelError::Malformed("read past the end of the file"))
}

fn u16_at(buf: &[u8], pos: usize) -> Result<u16, ModelError> {
    read::<2>(buf, pos).map(u16::from_le_bytes)
}

fn u32_at(buf: &[u8], pos: usize) -> Result<u32, ModelError> {
    read::<4>(buf, pos).map(u32::from_le_bytes)
}

/// Follows an unsigned offset stored at `pos` (relative to `pos`).
fn follow(buf: &[u8], pos: usize) -> Result<usize, ModelError> {
    let offset = u32_at(buf, pos)? as usize;
    pos.checked_add(offset)
        .filter(|&target| target < buf.len())
        .ok_or(ModelError::Malformed("offset points outside the file"))
}

impl<'a> Table<'a> {
    /// The root table of a buffer.
    pub(crate) fn root(buf: &'a [u8]) -> Result<Self, ModelError> {
        Ok(Self {
            buf,
            pos: follow(buf, 0)?,
        })
    }

    /// Where field `index` lives, if the table has it.
    fn field(&self, index: usize) -> Result<Option<usize>, ModelError> {
        let soffset = i32::from_le_bytes(read::<4>(self.buf, self.pos)?);
        let vtable = (self.pos as i64 - i64::from(soffset))
            .try_into()
            .map_err(|_| ModelError::Malformed("vtable outside the file"))?;
        let vtable_len = usize::from(u16_at(self.buf, vtable)?);
        let slot = 4 + 2 * index;
        if slot + 2 > vtable_len {
            return Ok(None);
        }
        match u16_at(self.buf, vtable + slot)? {
            0 => Ok(None),
            offset => Ok(Some(self.pos + usize::from(offset))),
        }
    }

    /// A `u8` field, or `default` when absent.
    pub(crate) fn u8(&self, index: usize, default: u8) -> Result<u8, ModelError> {
        match self.field(index)? {
            Some(pos) => Ok(read::<1>(self.buf, pos)?[0]),
            None => Ok(default),
        }
    }

    /// An `i32` (or `u32`, read as such) field, or `default` when absent.
    pub(crate) fn i32(&self, index: usize, default: i32) -> Result<i32, ModelError> {
        match self.field(index)? {
            Some(pos) => Ok(i32::from_le_bytes(read::<4>(self.buf, pos)?)),
            None => Ok(default),
        }
    }

    /// A `u32` field, or `default` when absent.
    pub(crate) fn u32(&self, index: usize, default: u32) -> Result<u32, ModelError> {
        match self.field(index)? {
            Some(pos) => u32_at(self.buf, pos),
            None => Ok(default),
        }
    }

    /// A sub-table field.
    pub(crate) fn table(&self, index: usize) -> Result<Option<Table<'a>>, ModelError> {
        match self.field(index)? {
            Some(pos) => Ok(Some(Table {
                buf: self.buf,
                pos: follow(self.buf, pos)?,
            })),
            None => Ok(None),
        }
    }

    /// A vector field: its element count and the position of its first element.
    fn vector(&self, index: usize) -> Result<Option<(usize, usize)>, ModelError> {
        let Some(pos) = self.field(index)? else {
            return Ok(None);
        };
        let start = follow(self.buf, pos)?;
        let len = u32_at(self.buf, start)? as usize;
        Ok(Some((len, start + 4)))
    }

    /// A `[ubyte]` (or string) field as a slice; empty when absent.
    pub(crate) fn bytes(&self, index: usize) -> Result<&'a [u8], ModelError> {
        let Some((len, start)) = self.vector(index)? else {
            return Ok(&[]);
        };
        start
            .checked_add(len)
            .and_then(|end| self.buf.get(start..end))
            .ok_or(ModelError::Malformed(
                "vector runs past the end of the file",
            ))
    }

    /// An `[int]` field; empty when absent.
    pub(crate) fn i32s(&self, index: usize) -> Result<Vec<i32>, ModelError> {
        let Some((len, start)) = self.vector(index)? else {
            return Ok(Vec::new());
        };
        if len > self.buf.len() / 4 {
            return Err(ModelError::Malformed("vector longer than the file"));
        }
        (0..len)
            .map(|i| read::<4>(self.buf, start + 4 * i).map(i32::from_le_bytes))
            .collect()
    }

    /// A vector-of-tables field; empty when absent.
    pub(crate) fn tables(&self, index: usize) -> Result<Vec<Table<'a>>, ModelError> {
        let Some((len, start)) = self.vector(index)? else {
            return Ok(Vec::new());
        };
        if len > self.buf.len() / 4 {
            return Err(ModelError::Malformed("vector longer than the file"));
        }
        (0..len)
            .map(|i| {
                Ok(Table {
                    buf: self.buf,
                    pos: follow(self.buf, start + 4 * i)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built buffer: root offset, a vtable with two fields, the table, a vector.
    fn sample() -> Vec<u8> {
        let mut buf = Vec::new();
        buf.extend_from_slice(&12u32.to_le_bytes()); // 0: root table at 12
        // 4: vtable: length 8, table size 12, field 0 at +4, field 1 at +8
        for v in [8u16, 12, 4, 8] {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        buf.extend_from_slice(&8i32.to_le_bytes()); // 12: soffset to vtable (12 - 8 = 4)
        buf.extend_from_slice(&7i32.to_le_bytes()); // 16: field 0 = 7
        buf.extend_from_slice(&4u32.to_le_bytes()); // 20: field 1 -> vector at 24
        buf.extend_from_slice(&2u32.to_le_bytes()); // 24: length 2
        buf.extend_from_slice(&[5, 6]);
        buf
    }

    #[test]
    fn reads_fields_and_defaults() {
        let buf = sample();
        let table = Table::root(&buf).expect("root");
        assert_eq!(table.i32(0, 0).expect("field 0"), 7);
        assert_eq!(table.bytes(1).expect("field 1"), &[5, 6]);
        assert_eq!(table.i32(5, 42).expect("absent field"), 42);
        assert!(table.table(6).expect("absent table").is_none());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let buf = sample();
        for len in 0..buf.len() {
            let cut = &buf[..len];
            let result = Table::root(cut).and_then(|t| {
                t.i32(0, 0)?;
                t.bytes(1).map(<[u8]>::len)
            });
            assert!(result.is_err(), "a file cut at {len} bytes was read");
        }
    }
}
