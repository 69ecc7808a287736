//! Fast byte searching with std only (no `memchr` dependency).
//!
//! The search looks at 32-byte blocks with a branch-free "any byte matches" reduction that
//! LLVM turns into SIMD compares, and only then finds the exact position inside the block.

const BLOCK: usize = 32;

/// Position of the first CR or LF in `hay`.
#[inline]
pub(crate) fn find_cr_or_lf(hay: &[u8]) -> Option<usize> {
    find_by(hay, |b| (b == b'\r') | (b == b'\n'))
}

/// Position of the first LF in `hay`.
#[inline]
pub(crate) fn find_lf(hay: &[u8]) -> Option<usize> {
    find_by(hay, |b| b == b'\n')
}

#[inline(always)]
fn find_by(hay: &[u8], hit: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut chunks = hay.chunks_exact(BLOCK);
    let mut offset = 0;
    for chunk in &mut chunks {
        // No early exit inside the block: this is what lets the compiler vectorise it.
        let any = chunk.iter().fold(false, |acc, &b| acc | hit(b));
        if any {
            return chunk.iter().position(|&b| hit(b)).map(|p| offset + p);
        }
        offset += BLOCK;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| hit(b))
        .map(|p| offset + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(hay: &[u8]) -> Option<usize> {
        hay.iter().position(|&b| b == b'\r' || b == b'\n')
    }

    #[test]
    fn matches_naive_search_at_every_position() {
        for len in 0..100 {
            for at in 0..=len {
                let mut v = vec![b'a'; len];
                if at < len {
                    v[at] = if at % 2 == 0 { b'\r' } else { b'\n' };
                }
                assert_eq!(find_cr_or_lf(&v), naive(&v), "len {len} at {at}");
            }
        }
        assert_eq!(find_lf(b"ab\rc\n"), Some(4));
        assert_eq!(find_lf(b""), None);
    }
}
