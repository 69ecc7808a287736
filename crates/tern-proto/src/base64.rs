//! Base64 (RFC 4648 §4, standard alphabet, padded), as SASL uses it in AUTH (RFC 4954 §4).

use std::fmt;

/// Why a string is not valid base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Base64Error;

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected base64 (A-Z a-z 0-9 + /, padded with '=' to a multiple of 4)")
    }
}

impl std::error::Error for Base64Error {}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes padded base64. Whitespace, missing padding and characters outside the alphabet
/// are refused.
pub fn decode(s: &str) -> Result<Vec<u8>, Base64Error> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return Err(Base64Error);
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let quads = b.chunks_exact(4);
    let count = quads.len();
    for (n, q) in quads.enumerate() {
        let last = n + 1 == count;
        let [a, b1, c, d] = [q[0], q[1], q[2], q[3]];
        let (va, vb) = (value(a).ok_or(Base64Error)?, value(b1).ok_or(Base64Error)?);
        match (c, d) {
            (b'=', b'=') if last => out.push(((va << 18 | vb << 12) >> 16) as u8),
            (_, b'=') if last => {
                let vc = value(c).ok_or(Base64Error)?;
                let n = va << 18 | vb << 12 | vc << 6;
                out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
            }
            _ => {
                let n = va << 18
                    | vb << 12
                    | value(c).ok_or(Base64Error)? << 6
                    | value(d).ok_or(Base64Error)?;
                out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
            }
        }
    }
    Ok(out)
}

/// Encodes bytes as padded base64.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let sym = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sym(18));
        out.push(sym(12));
        out.push(if chunk.len() > 1 { sym(6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(decode("AHRlc3QAdGVzdA==").unwrap(), b"\0test\0test");
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "Zg",
            "Zg=",
            "Z===",
            "Zg==Zg==",
            "Zm9v YmFy",
            "Zm9v!mFy",
            "=Zg=",
        ] {
            assert_eq!(decode(bad), Err(Base64Error), "{bad}");
        }
    }
}
