//! The JPEG's marker segments, read without decoding any pixel: enough to refuse a file whose
//! frame header or scan count the decoder would otherwise spend seconds on, or whose picture
//! data is damaged where the decoder would pass over it.

/// A marker segment of a JPEG file.
pub struct Segment<'a> {
    pub marker: u8,
    pub payload: &'a [u8],
    /// Bytes between the end of the segment before it (or the start of the file) and this
    /// marker, fill bytes aside: after a scan header its entropy-coded data, elsewhere garbage.
    pub gap: usize,
}

/// Marker segments in file order, skipping entropy-coded data, up to the end-of-image marker
/// (a segment without payload).
pub fn segments(bytes: &[u8]) -> impl Iterator<Item = Segment<'_>> + '_ {
    let mut at = 2; // after SOI
    let mut gap = 0;
    let mut ended = false;
    std::iter::from_fn(move || loop {
        if ended {
            return None;
        }
        // Entropy-coded data (and any garbage) runs until the next 0xFF.
        let skipped = memchr::memchr(0xFF, bytes.get(at..)?)?;
        at += skipped;
        gap += skipped;
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Fill byte before a marker.
            0xFF => at += 1,
            // Stuffed zero, restart markers, TEM, SOI: no length follows.
            0x00 | 0x01 | 0xD0..=0xD8 => {
                at += 2;
                gap += 2;
            }
            // The end of the picture: nothing after it is read.
            0xD9 => {
                ended = true;
                return Some(Segment {
                    marker,
                    payload: &[],
                    gap: std::mem::take(&mut gap),
                });
            }
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
                return Some(Segment {
                    marker,
                    payload,
                    gap: std::mem::take(&mut gap),
                });
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
    /// Whether the picture data (from the first scan on) shows damage: more than
    /// `MAX_EXTRANEOUS_BYTES` of data where only markers may be, which the decoder passes over
    /// (it pads the rest of its scan with nothing and returns a picture grey from there down),
    /// or a marker that no encoder writes (a reserved code, a second frame header), which the
    /// decoder refuses too, but as "not allowed" or "hierarchical", not as damage.
    pub damaged: bool,
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
        damaged: false,
        exif: None,
        jfif: false,
        adobe_transform: None,
    };
    let mut after_scan_header = false;
    for Segment {
        marker,
        payload,
        gap,
    } in segments(bytes)
    {
        let before_scans = layout.scans == 0;
        // Only the picture data is looked at: before it, a header segment whose length is off
        // (an editor's EXIF) leaves the walk in its payload, while the decoder reads on.
        if !before_scans && !after_scan_header && gap > MAX_EXTRANEOUS_BYTES {
            layout.damaged = true;
        }
        after_scan_header = marker == 0xDA;
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
        } else if !before_scans
            && (is_reserved(marker) || (is_frame_header(marker) && layout.frame.is_some()))
        {
            layout.damaged = true;
        } else if is_frame_header(marker) {
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

/// Data between segments, where a marker should follow at once. libjpeg warns of any
/// ("extraneous bytes before marker") and reads on, and some writers pad a segment with a few
/// bytes; data spliced or shifted into a picture runs to thousands.
const MAX_EXTRANEOUS_BYTES: usize = 256;

/// Codes the standard reserves (`0x02`-`0xBF`, JPG `0xC8`, JPG0-JPG13 `0xF0`-`0xFD`): no
/// baseline, progressive or lossless file has them.
fn is_reserved(marker: u8) -> bool {
    matches!(marker, 0x02..=0xBF | 0xC8 | 0xF0..=0xFD)
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
    fn data_where_only_markers_may_be_is_damage_past_a_few_bytes() {
        let file = |junk: usize, after_scan: bool| {
            let mut file = vec![0xFF, 0xD8];
            file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1]));
            file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
            // The scan's own entropy-coded data, then a table between scans.
            file.extend(vec![0x12; 5000]);
            if !after_scan {
                file.extend(segment(0xC4, &[0; 20]));
            }
            file.extend(vec![0x34; junk]);
            file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
            file.extend([0x56, 0xFF, 0xD9]);
            layout(&file).damaged
        };
        assert!(!file(0, true) && !file(300, true), "entropy-coded data");
        assert!(!file(0, false));
        assert!(!file(MAX_EXTRANEOUS_BYTES, false), "a writer's padding");
        assert!(file(MAX_EXTRANEOUS_BYTES + 1, false));
    }

    #[test]
    fn reserved_markers_and_a_second_frame_header_are_damage() {
        let file = |extra: &[u8]| {
            let mut file = vec![0xFF, 0xD8];
            file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1]));
            file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
            file.extend([0x12, 0x34]);
            file.extend(extra);
            file.extend([0x56, 0xFF, 0xD9]);
            layout(&file).damaged
        };
        assert!(!file(&[]));
        // Restart markers, a stuffed zero and a table between scans are the file's own.
        assert!(!file(&[0xFF, 0xD0, 0xFF, 0x00, 0xFF, 0xC4, 0, 2]));
        assert!(file(&[0xFF, 0x37, 0, 2]));
        assert!(file(&[0xFF, 0xF3, 0, 2]));
        assert!(file(&segment(0xC2, &[8, 0, 8, 0, 8, 1])));
    }

    #[test]
    fn headers_are_not_judged_for_damage() {
        // An EXIF segment whose length is short by 300 bytes: the decoder reads on.
        let mut file = vec![0xFF, 0xD8];
        let exif = [&b"Exif\0\0"[..], &[0x11; 400]].concat();
        let mut app1 = segment(0xE1, &exif);
        app1[2..4].copy_from_slice(&((exif.len() + 2 - 300) as u16).to_be_bytes());
        file.extend(app1);
        file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1]));
        file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        file.extend([0x56, 0xFF, 0xD9]);
        assert!(!layout(&file).damaged);
        assert_eq!(layout(&file).scans, 1);
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
