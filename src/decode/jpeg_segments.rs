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
                let len = usize::from(u16::from_be_bytes([
                    *bytes.get(at + 2)?,
                    *bytes.get(at + 3)?,
                ]));
                let payload = bytes.get(at + 4..(at + 2 + len).max(at + 4))?;
                at += 2 + len.max(2);
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

pub fn frame(bytes: &[u8]) -> Option<Frame> {
    let (_, payload) = segments(bytes).find(|(marker, _)| is_frame_header(*marker))?;
    Some(Frame {
        precision: *payload.first()?,
        components: *payload.get(5)?,
    })
}

/// Number of scans (SOS segments). The decoder walks the whole picture once per scan, and a
/// scan header alone (10 bytes, no data) is enough to make it, so decoding time grows with this
/// count however small the file is.
pub fn scan_count(bytes: &[u8]) -> usize {
    segments(bytes)
        .filter(|(marker, _)| *marker == 0xDA)
        .count()
}

/// SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
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
        assert_eq!(frame(&file), Some(expected));
        assert_eq!(scan_count(&file), 3);
    }

    #[test]
    fn truncated_files_end_the_walk() {
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1]));
        file.extend([0xFF, 0xDA, 0x00]);
        assert_eq!(frame(&file).map(|f| f.precision), Some(8));
        assert_eq!(scan_count(&file), 0);
        assert_eq!(frame(&[0xFF, 0xD8, 0xFF]), None);
    }
}
