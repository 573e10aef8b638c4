//! PNG chunks, read without decoding: the ICC profile is dropped before the decoder sees it.
//! idphoto does no colour management, and the decoder inflates a compressed profile in full,
//! so a 4 MB file could make it inflate 512 MB (the memory limit) and spend seconds on it.

use std::borrow::Cow;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// The file without its `iCCP` chunks; the same bytes when it has none or its chunk layout is
/// broken (the decoder then says what is wrong).
pub fn without_icc_profile(bytes: &[u8]) -> Cow<'_, [u8]> {
    let Some(chunks) = chunk_spans(bytes) else {
        return Cow::Borrowed(bytes);
    };
    let is_icc = |span: &(usize, usize)| &bytes[span.0 + 4..span.0 + 8] == b"iCCP";
    if !chunks.iter().any(is_icc) {
        return Cow::Borrowed(bytes);
    }
    let mut out = SIGNATURE.to_vec();
    for span in chunks.iter().filter(|span| !is_icc(span)) {
        out.extend_from_slice(&bytes[span.0..span.1]);
    }
    Cow::Owned(out)
}

/// Start and end of each chunk (length, type, data, CRC), up to and including IEND.
fn chunk_spans(bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
    if !bytes.starts_with(&SIGNATURE) {
        return None;
    }
    let mut spans = Vec::new();
    let mut at = SIGNATURE.len();
    while at < bytes.len() {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let end = at.checked_add(12)?.checked_add(length)?;
        if end > bytes.len() {
            return None;
        }
        let kind = &bytes[at + 4..at + 8];
        spans.push((at, end));
        at = end;
        if kind == b"IEND" {
            break;
        }
    }
    Some(spans)
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
        // A chunk running past the end: left for the decoder to report.
        let broken = [&SIGNATURE[..], &ihdr, &iccp[..10]].concat();
        assert_eq!(without_icc_profile(&broken).as_ref(), broken.as_slice());
    }
}
