//! PNG chunks, read without decoding, so the decoder never sees what it would spend memory or
//! time on for nothing. idphoto does no colour management and reads no text, but the decoder
//! inflates a compressed ICC profile in full (a 4 MB file could make it inflate 512 MB) and holds
//! text chunks and EXIF whole, several copies at a time (a 250 MB chunk took 830 MB).

use crate::{Error, Result};
use std::borrow::Cow;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// Chunks whose content idphoto never uses: the ICC profile and text.
const UNUSED: [&[u8; 4]; 4] = [b"iCCP", b"tEXt", b"zTXt", b"iTXt"];

/// EXIF copied from a camera JPEG fits in one 64 KB segment; a larger block is no camera's.
const MAX_EXIF_BYTES: usize = 1 << 20;

/// Encoders split the image data into chunks of 8 KB or more, so even a 256 MB file holds some
/// tens of thousands. Millions of tiny chunks are a file built to make the list of them cost
/// several times its own size in memory before the decoder reads a single pixel.
const MAX_CHUNKS: usize = 1 << 20;

/// The file without the chunks the decoder should not see (the same bytes when it has none):
/// ICC profile, text, and EXIF over 1 MiB. EXIF written after the image data, which libpng
/// accepts, is moved before it, where the decoder looks for the orientation. Bytes after the
/// last whole chunk (a cut-off chunk, trailing data) are kept as they are, for the decoder to
/// judge. A palette that is not whole RGB triples (at most 256) is refused here: the decoder
/// would panic on it.
pub fn prepared_for_decoding(bytes: &[u8]) -> Result<Cow<'_, [u8]>> {
    if !bytes.starts_with(&SIGNATURE) {
        return Ok(Cow::Borrowed(bytes));
    }
    let (chunks, tail) = whole_chunks(bytes)?;
    let kind = |span: &(usize, usize)| &bytes[span.0 + 4..span.0 + 8];
    let data_len = |span: &(usize, usize)| span.1 - span.0 - 12;
    if let Some(palette) = chunks.iter().find(|span| kind(span) == b"PLTE") {
        let len = data_len(palette);
        if len % 3 != 0 || len > 3 * 256 {
            return Err(Error::Corrupt(format!("PNG palette of {len} bytes")));
        }
    }
    let dropped = |span: &(usize, usize)| {
        UNUSED.iter().any(|unused| kind(span) == *unused)
            || (kind(span) == b"eXIf" && data_len(span) > MAX_EXIF_BYTES)
    };
    let mut kept: Vec<_> = chunks.iter().filter(|span| !dropped(span)).collect();
    let first_data = kept.iter().position(|span| kind(span) == b"IDAT");
    let first_exif = kept.iter().position(|span| kind(span) == b"eXIf");
    let late_exif = match (first_data, first_exif) {
        (Some(data), Some(exif)) if exif > data => Some((data, exif)),
        _ => None,
    };
    if kept.len() == chunks.len() && late_exif.is_none() {
        return Ok(Cow::Borrowed(bytes));
    }
    if let Some((data, exif)) = late_exif {
        let exif = kept.remove(exif);
        kept.insert(data, exif);
    }
    let mut out = SIGNATURE.to_vec();
    for span in kept {
        out.extend_from_slice(&bytes[span.0..span.1]);
    }
    out.extend_from_slice(&bytes[tail..]);
    Ok(Cow::Owned(out))
}

/// Start and end of each whole chunk (length, type, data, CRC) up to IEND, and where the rest
/// of the file begins.
fn whole_chunks(bytes: &[u8]) -> Result<(Vec<(usize, usize)>, usize)> {
    let mut spans = Vec::new();
    let mut at = SIGNATURE.len();
    while let Some(length) = bytes.get(at..at + 4) {
        if spans.len() == MAX_CHUNKS {
            return Err(Error::DecodeLimit(format!(
                "more than {MAX_CHUNKS} PNG chunks"
            )));
        }
        let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
        // A length near 4 GB would wrap a 32-bit usize: such a chunk is cut off like any other.
        let Some(end) = (at + 12)
            .checked_add(length)
            .filter(|&end| end <= bytes.len())
        else {
            break;
        };
        let last = &bytes[at + 4..at + 8] == b"IEND";
        spans.push((at, end));
        at = end;
        if last {
            break;
        }
    }
    Ok((spans, at))
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

    fn prepared(bytes: &[u8]) -> Vec<u8> {
        prepared_for_decoding(bytes).unwrap().into_owned()
    }

    #[test]
    fn unused_chunks_are_dropped_and_the_rest_kept_in_order() {
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let iccp = chunk(b"iCCP", b"profile\0\0zz");
        let text = chunk(b"tEXt", b"Comment\0hello");
        let ztxt = chunk(b"zTXt", b"Comment\0\0zz");
        let itxt = chunk(b"iTXt", b"Comment\0\0\0\0\0hello");
        let exif = chunk(b"eXIf", b"MM\0\x2a\0\0\0\x08\0\0");
        let idat = chunk(b"IDAT", &[1, 2, 3]);
        let iend = chunk(b"IEND", &[]);
        let file = [
            &SIGNATURE[..],
            &ihdr,
            &iccp,
            &text,
            &ztxt,
            &exif,
            &idat,
            &itxt,
            &iend,
        ]
        .concat();
        let expected = [&SIGNATURE[..], &ihdr, &exif, &idat, &iend].concat();
        assert_eq!(prepared(&file), expected);
        assert!(matches!(
            prepared_for_decoding(&expected),
            Ok(Cow::Borrowed(_))
        ));
        // A cut-off last chunk must not shelter the profile: the whole chunks before it are
        // filtered, and the cut-off bytes are left for the decoder to judge.
        let cut = [&SIGNATURE[..], &ihdr, &iccp, &idat, &iend[..10]].concat();
        let expected = [&SIGNATURE[..], &ihdr, &idat, &iend[..10]].concat();
        assert_eq!(prepared(&cut), expected);
        // EXIF larger than any camera writes is dropped.
        let huge_exif = chunk(b"eXIf", &vec![0; MAX_EXIF_BYTES + 1]);
        let file = [&SIGNATURE[..], &ihdr, &huge_exif, &idat, &iend].concat();
        assert_eq!(
            prepared(&file),
            [&SIGNATURE[..], &ihdr, &idat, &iend].concat()
        );
    }

    #[test]
    fn exif_after_the_image_data_is_moved_before_it() {
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let exif = chunk(b"eXIf", b"MM\0\x2a\0\0\0\x08\0\0");
        let idat = chunk(b"IDAT", &[1, 2, 3]);
        let idat2 = chunk(b"IDAT", &[4, 5]);
        let text = chunk(b"tEXt", b"Comment\0hello");
        let iend = chunk(b"IEND", &[]);
        let file = [&SIGNATURE[..], &ihdr, &idat, &idat2, &exif, &iend].concat();
        let expected = [&SIGNATURE[..], &ihdr, &exif, &idat, &idat2, &iend].concat();
        assert_eq!(prepared(&file), expected);
        // Also when another chunk is dropped at the same time.
        let file = [&SIGNATURE[..], &ihdr, &text, &idat, &idat2, &exif, &iend].concat();
        assert_eq!(prepared(&file), expected);
    }

    #[test]
    fn a_palette_of_broken_triples_is_corrupt() {
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let idat = chunk(b"IDAT", &[1, 2, 3]);
        for (len, ok) in [
            (3, true),
            (768, true),
            (4, false),
            (766, false),
            (771, false),
        ] {
            let plte = chunk(b"PLTE", &vec![7; len]);
            let file = [&SIGNATURE[..], &ihdr, &plte, &idat].concat();
            assert_eq!(prepared_for_decoding(&file).is_ok(), ok, "{len}");
        }
    }

    #[test]
    fn millions_of_tiny_chunks_are_refused_before_they_are_listed() {
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let empty = chunk(b"IDAT", &[]);
        let iend = chunk(b"IEND", &[]);
        let file = |n: usize| [&SIGNATURE[..], &ihdr, &empty.repeat(n), &iend].concat();
        // IHDR and IEND are chunks too.
        assert!(prepared_for_decoding(&file(MAX_CHUNKS - 2)).is_ok());
        assert!(matches!(
            prepared_for_decoding(&file(MAX_CHUNKS - 1)),
            Err(Error::DecodeLimit(_))
        ));
    }
}
