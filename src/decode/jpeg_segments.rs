//! The JPEG's marker segments, read without decoding any pixel: enough to refuse a file whose
//! frame header or scan count the decoder would otherwise spend seconds on.

/// Marker segments (marker byte, payload) in file order, skipping entropy-coded data.
pub fn segments(bytes: &[u8]) -> impl Iterator<Item = (u8, &[u8])> + '_ {
    let mut at = 2; // after SOI
    std::iter::from_fn(move || loop {
        // Entropy-coded data (and any garbage) runs until the next 0xFF.
        at += memchr::memchr(0xFF, bytes.get(at..)?)?;
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Fill byte before a marker.
            0xFF => at += 1,
            // Stuffed zero, restart markers, TEM, SOI: no length follows.
            0x00 | 0x01 | 0xD0..=0xD8 => at += 2,
            0xD9 => return None,
            _ => {
                // The length counts its own two bytes; below that the file is broken, and the
                // decoder refuses it.
                let len = usize::from(u16::from_be_bytes([
                    *bytes.get(at + 2)?,
                    *bytes.get(at + 3)?,
                ]))
                .checked_sub(2)?;
                let payload = bytes.get(at + 4..at + 4 + len)?;
                at += 4 + len;
                return Some((marker, payload));
            }
        }
    })
}

/// What the first frame header (SOFn) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Bits per sample.
    pub precision: u8,
    pub components: u8,
}

/// What the segments say about the cost of decoding and how to read the file, in one walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout<'a> {
    /// The first frame header (SOFn), if there is one.
    pub frame: Option<Frame>,
    /// Number of scans (SOS segments). The decoder walks the whole picture once per scan, and a
    /// scan header alone (10 bytes, no data) is enough to make it, so decoding time grows with
    /// this count however small the file is.
    pub scans: usize,
    /// A scan header whose length disagrees with its component count: the file is damaged
    /// (or made of repeated scan markers), whatever else it holds.
    pub malformed_scan: bool,
    /// The first EXIF block (from its TIFF header on) before the first scan. Readers such as
    /// libjpeg's take that one, also after the frame header; the decoder stops looking at the
    /// frame header and keeps the last.
    pub exif: Option<&'a [u8]>,
    /// A JFIF header (APP0) is present: three components are then YCbCr.
    pub jfif: bool,
    /// The colour transform flag of an Adobe segment (APP14): for three components 0 means
    /// RGB and 1 YCbCr.
    pub adobe_transform: Option<u8>,
}

pub fn layout(bytes: &[u8]) -> Layout<'_> {
    let mut layout = Layout {
        frame: None,
        scans: 0,
        malformed_scan: false,
        exif: None,
        jfif: false,
        adobe_transform: None,
    };
    for (marker, payload) in segments(bytes) {
        let before_scans = layout.scans == 0;
        if marker == 0xE0 && payload.starts_with(b"JFIF\0") {
            layout.jfif = true;
        } else if marker == 0xE1 && before_scans && layout.exif.is_none() {
            layout.exif = payload.strip_prefix(b"Exif\0\0");
        } else if marker == 0xEE && payload.starts_with(b"Adobe") {
            // "Adobe", version (2 bytes), flags0 (2), flags1 (2), transform (1).
            layout.adobe_transform = layout.adobe_transform.or(payload.get(11).copied());
        } else if marker == 0xDA {
            layout.scans += 1;
            // Component count, two bytes per component, then spectral selection and approximation.
            let expected = payload.first().map(|&n| 1 + 2 * usize::from(n) + 3);
            layout.malformed_scan |= expected != Some(payload.len());
        } else if is_frame_header(marker) && layout.frame.is_none() {
            layout.frame = match (payload.first(), payload.get(5)) {
                (Some(&precision), Some(&components)) => Some(Frame {
                    precision,
                    components,
                }),
                _ => None,
            };
        }
    }
    layout
}

/// SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A marker segment: the marker, its length (counting its own two bytes), the payload.
    pub(in crate::decode) fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let len = (payload.len() + 2) as u16;
        [&[0xFF, marker][..], &len.to_be_bytes(), payload].concat()
    }

    #[test]
    fn entropy_data_is_skipped_and_scans_counted() {
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xE0, b"JFIF\0"));
        file.extend(segment(0xC2, &[12, 0, 8, 0, 8, 1]));
        for _ in 0..3 {
            file.extend(segment(0xDA, &[1, 1, 0, 1, 63, 0]));
            // Entropy data with a stuffed 0xFF 0x00 and a restart marker.
            file.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        }
        file.extend([0xFF, 0xD9]);
        let expected = Frame {
            precision: 12,
            components: 1,
        };
        assert_eq!(layout(&file).frame, Some(expected));
        assert_eq!(layout(&file).scans, 3);
    }

    #[test]
    fn the_first_exif_before_the_scans_is_kept_with_the_colour_markers() {
        let exif = |orientation: u8| [&b"Exif\0\0MM\0*"[..], &[orientation]].concat();
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xEE, b"Adobe\0\x64\0\0\0\0\0"));
        file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 3]));
        file.extend(segment(0xE1, &exif(6)));
        file.extend(segment(0xE1, &exif(1)));
        file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        file.extend(segment(0xE1, &exif(3)));
        let found = layout(&file);
        assert_eq!(found.exif, Some(&b"MM\0*\x06"[..]));
        assert_eq!(found.adobe_transform, Some(0));
        assert!(!found.jfif);
        file.splice(2..2, segment(0xE0, b"JFIF\0\x01\x02"));
        assert!(layout(&file).jfif);
    }

    #[test]
    fn truncated_files_end_the_walk() {
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1]));
        file.extend([0xFF, 0xDA, 0x00]);
        assert_eq!(layout(&file).frame.map(|f| f.precision), Some(8));
        assert_eq!(layout(&file).scans, 0);
        assert_eq!(layout(&[0xFF, 0xD8, 0xFF]).frame, None);
        // A length below its own two bytes ends the walk.
        let broken = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x01, 0xFF, 0xDA, 0x00, 0x02];
        assert_eq!(layout(&broken).scans, 0);
    }

    #[test]
    fn a_scan_header_of_the_wrong_length_is_malformed() {
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1]));
        file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        assert!(!layout(&file).malformed_scan);
        // Repeated scan markers read as a scan header 0xFFDA bytes long.
        file.extend([0xFF, 0xDA].repeat(40_000));
        let repeated = layout(&file);
        assert!(repeated.malformed_scan);
        assert!(repeated.scans > 1);
    }
}
