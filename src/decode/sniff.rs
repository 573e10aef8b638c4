//! What a file's first bytes say when the image decoders do not recognise it: an upload cut off
//! inside a format's signature, or a High Efficiency (HEIC/HEIF) photo.

/// Whether `bytes` stop inside the signature of a format idphoto reads: an upload that broke
/// off in its first bytes, to be sent again rather than converted.
pub fn cut_in_signature(bytes: &[u8]) -> bool {
    const SIGNATURES: [&[u8]; 4] = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"];
    // A WebP file opens with "RIFF", four bytes of length, then "WEBP".
    let webp = bytes.len() < 12
        && bytes
            .get(..4)
            .map_or(b"RIFF".starts_with(bytes), |b| b == b"RIFF");
    webp || SIGNATURES
        .iter()
        .any(|sig| bytes.len() < sig.len() && sig.starts_with(bytes))
}

/// The major brand of a HEIC/HEIF still photo (ISO base media file whose `ftyp` box names a
/// HEIF image brand), or `None`. AVIF files share the HEIF container and its `mif1` brand, but
/// are no High Efficiency photo: the format advice for them stays the general one.
pub fn heif_brand(bytes: &[u8]) -> Option<String> {
    const HEIF: [&[u8]; 10] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
    ];
    const AVIF: [&[u8]; 2] = [b"avif", b"avis"];
    if bytes.get(4..8)? != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let ftyp = bytes.get(8..size.min(bytes.len()))?;
    // The major brand, the minor version (not a brand), then the compatible brands.
    let brands: Vec<&[u8]> = ftyp
        .chunks_exact(4)
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, brand)| brand)
        .collect();
    let is_any = |set: &[&[u8]]| brands.iter().any(|b| set.contains(b));
    (!is_any(&AVIF) && is_any(&HEIF)).then(|| String::from_utf8_lossy(brands[0]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut bytes = (size as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(major);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            bytes.extend_from_slice(*brand);
        }
        bytes.extend_from_slice(b"\0\0\0\x08meta");
        bytes
    }

    #[test]
    fn an_iphone_photo_is_heif_and_an_avif_is_not() {
        let iphone = ftyp(
            b"heic",
            &[b"mif1", b"MiHE", b"MiPr", b"miaf", b"MiHB", b"heic"],
        );
        assert_eq!(heif_brand(&iphone).as_deref(), Some("heic"));
        assert_eq!(
            heif_brand(&ftyp(b"mif1", &[b"heic"])).as_deref(),
            Some("mif1")
        );
        assert_eq!(heif_brand(&ftyp(b"avif", &[b"mif1", b"miaf"])), None);
        assert_eq!(
            heif_brand(&ftyp(b"isom", &[b"iso2", b"mp41"])),
            None,
            "a video"
        );
        assert_eq!(heif_brand(b"\0\0\0\x18ftyphe"), None, "cut short");
        assert_eq!(heif_brand(b"\xff\xd8\xff\xe0"), None);
    }

    #[test]
    fn an_upload_cut_inside_a_signature_is_recognised() {
        for cut in [
            &b"\x89"[..],
            b"\x89PNG\r\n",
            b"\xff",
            b"\xff\xd8",
            b"GIF8",
            b"RI",
            b"RIFF\x10\0\0\0WE",
        ] {
            assert!(cut_in_signature(cut), "{cut:?}");
        }
        for other in [&b"BM\x10\0"[..], b"hello", b"\xff\xd9", b"II*\0"] {
            assert!(!cut_in_signature(other), "{other:?}");
        }
    }
}
