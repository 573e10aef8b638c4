//! The part of a decoded picture to keep: cut before the EXIF turn, so the turn moves only
//! what is kept. A phone stores its photos on their side, and turning a whole second decode
//! to keep a face's neighbourhood was most of that decode's cost after the JPEG data itself.

use image::metadata::Orientation;

/// The part of the upright picture to keep, in shares of its width and height (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

/// A rectangle of pixels: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Window {
    /// Whether any of the picture lies inside: false for a window beyond its edges, of no
    /// size, or with a NaN side.
    pub fn keeps_something(&self) -> bool {
        self.right > self.left.max(0.0)
            && self.bottom > self.top.max(0.0)
            && self.left < 1.0
            && self.top < 1.0
    }

    /// The window's pixels in an upright picture of `width` x `height`: every pixel it
    /// touches, within the picture. `None` where nothing of the picture is inside.
    pub(super) fn pixels(&self, (width, height): (u32, u32)) -> Option<PixelRect> {
        let (w, h) = (width as f32, height as f32);
        let rect = PixelRect {
            x0: (self.left * w).clamp(0.0, w) as u32,
            y0: (self.top * h).clamp(0.0, h) as u32,
            x1: ((self.right * w).ceil().max(0.0) as u32).min(width),
            y1: ((self.bottom * h).ceil().max(0.0) as u32).min(height),
        };
        (rect.x1 > rect.x0 && rect.y1 > rect.y0).then_some(rect)
    }
}

/// Where the upright picture's `rect` lies in the stored one, of `stored` size, that the
/// orientation turns upright.
pub(super) fn stored_rect(
    orientation: Orientation,
    stored: (u32, u32),
    rect: PixelRect,
) -> PixelRect {
    let (a, b) = (
        stored_pixel(orientation, stored, (rect.x0, rect.y0)),
        stored_pixel(orientation, stored, (rect.x1 - 1, rect.y1 - 1)),
    );
    PixelRect {
        x0: a.0.min(b.0),
        y0: a.1.min(b.1),
        x1: a.0.max(b.0) + 1,
        y1: a.1.max(b.1) + 1,
    }
}

/// The stored pixel that the orientation shows at upright pixel `(u, v)`.
fn stored_pixel(orientation: Orientation, (w, h): (u32, u32), (u, v): (u32, u32)) -> (u32, u32) {
    match orientation {
        Orientation::NoTransforms => (u, v),
        Orientation::FlipHorizontal => (w - 1 - u, v),
        Orientation::FlipVertical => (u, h - 1 - v),
        Orientation::Rotate180 => (w - 1 - u, h - 1 - v),
        Orientation::Rotate90 => (v, h - 1 - u),
        Orientation::Rotate270 => (w - 1 - v, u),
        Orientation::Rotate90FlipH => (v, u),
        Orientation::Rotate270FlipH => (w - 1 - v, h - 1 - u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{imageops, DynamicImage, RgbImage};

    const ALL: [Orientation; 8] = [
        Orientation::NoTransforms,
        Orientation::FlipHorizontal,
        Orientation::FlipVertical,
        Orientation::Rotate180,
        Orientation::Rotate90,
        Orientation::Rotate270,
        Orientation::Rotate90FlipH,
        Orientation::Rotate270FlipH,
    ];

    fn turned(image: &RgbImage, orientation: Orientation) -> RgbImage {
        let mut dynamic = DynamicImage::ImageRgb8(image.clone());
        dynamic.apply_orientation(orientation);
        dynamic.into_rgb8()
    }

    #[test]
    fn cutting_before_the_turn_keeps_what_cutting_after_it_would() {
        // Every pixel differs, so a window one pixel off shows.
        let stored = RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8, y as u8, 0]));
        let rect = PixelRect {
            x0: 1,
            y0: 2,
            x1: 4,
            y1: 5,
        };
        for orientation in ALL {
            let upright = turned(&stored, orientation);
            let expected = imageops::crop_imm(&upright, 1, 2, 3, 3).to_image();
            let s = stored_rect(orientation, stored.dimensions(), rect);
            let cut = imageops::crop_imm(&stored, s.x0, s.y0, s.x1 - s.x0, s.y1 - s.y0);
            assert_eq!(
                turned(&cut.to_image(), orientation),
                expected,
                "{orientation:?}"
            );
        }
    }

    #[test]
    fn a_window_covers_the_pixels_it_touches_within_the_picture() {
        let window = Window {
            left: -0.1,
            top: 0.25,
            right: 0.55,
            bottom: 1.5,
        };
        assert_eq!(
            window.pixels((10, 8)),
            Some(PixelRect {
                x0: 0,
                y0: 2,
                x1: 6,
                y1: 8
            })
        );
        let outside = Window {
            left: 1.2,
            ..window
        };
        assert_eq!(outside.pixels((10, 8)), None);
        assert!(window.keeps_something());
        assert!(!outside.keeps_something());
        let nan = Window {
            right: f32::NAN,
            ..window
        };
        assert!(!nan.keeps_something());
    }
}
