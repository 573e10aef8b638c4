//! PNG chunks, read without decoding: the ICC profile is dropped before the decoder sees it.
//! idphoto does no colour management, and the decoder inflates a compressed profile in full,
//! so a 4 MB file could make it inflate 512 MB (the memory limit) and spend seconds on it.

use std::borrow::Cow;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// The file without its `iCCP` chunks; the same bytes when it has none. Bytes after the last
/// whole chunk (a cut-off chunk, trailing data) are kept as they are, for the decoder to judge.
pub fn without_icc_profile(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.starts_with(&SIGNATURE) {
        return Cow::Borrowed(bytes);
    }
    let (chunks, tail) = whole_chunks(bytes);
    let is_icc = |span: &(usize, usize)| &bytes[span.0 + 4..span.0 + 8] == b"iCCP";
    if !chunks.iter().any(is_icc) {
        return Cow::Borrowed(bytes);
    }
    let mut out = SIGNATURE.to_vec();
    for span in chunks.iter().filter(|span| !is_icc(span)) {
        out.extend_from_slice(&bytes[span.0..span.1]);
    }
    out.extend_from_slice(&bytes[tail..]);
    Cow::Owned(out)
}

/// Start and end of each whole chunk (length, type, data, CRC) up to IEND, and where the rest
/// of the file begins.
fn whole_chunks(bytes: &[u8]) -> (Vec<(usize, usize)>, usize) {
    let mut spans = Vec::new();
    let mut at = SIGNATURE.len();
    while let Some(length) = bytes.get(at..at + 4) {
        let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
        let end = at + 12 + length;
        if end > bytes.len() {
            break;
        }
        let last = &bytes[at + 4..at + 8] == b"IEND";
        spans.push((at, end));
        at = end;
        if last {
            break;
        }
    }
    (spans, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]);
        out
    }

    #[test]
    fn the_icc_chunk_is_dropped_and_the_rest_kept_in_order() {
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let iccp = chunk(b"iCCP", b"profile\0\0zz");
        let idat = chunk(b"IDAT", &[1, 2, 3]);
        let iend = chunk(b"IEND", &[]);
        let file = [&SIGNATURE[..], &ihdr, &iccp, &idat, &iend].concat();
        let expected = [&SIGNATURE[..], &ihdr, &idat, &iend].concat();
        assert_eq!(without_icc_profile(&file).as_ref(), expected.as_slice());
        assert!(matches!(without_icc_profile(&expected), Cow::Borrowed(_)));
        // A cut-off last chunk must not shelter the profile: the whole chunks before it are
        // filtered, and the cut-off bytes are left for the decoder to judge.
        let cut = [&SIGNATURE[..], &ihdr, &iccp, &idat, &iend[..10]].concat();
        let expected = [&SIGNATURE[..], &ihdr, &idat, &iend[..10]].concat();
        assert_eq!(without_icc_profile(&cut).as_ref(), expected.as_slice());
    }
}
