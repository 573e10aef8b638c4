//! Reflections on glasses: light bounced off a lens rather than the face behind it. Used by
//! `no_glasses` where a profile allows clear glasses (ICAO: clear lenses, no glare).
//!
//! Two signs, each scored against its limit (1 = at the limit):
//! - Behind a clear lens one sees skin, which is warm (red above green above blue) under every
//!   light the other rules accept. A reflection adds the colour of what the lens mirrors: a
//!   window or a screen (blue), a coating's tint (green), the flash itself (blown white). So a
//!   lens pixel counts as reflection when it is truly blue or green and cooler than the face's
//!   own coolest skin, or when it is blown out. The irises are left out: they may be blue or
//!   green.
//! - A reflection over the eye itself tints that iris alone, while a person's two irises are the
//!   same colour. So the irises' colours (green - red, blue - red) are compared.

use super::context::luminance;
use super::Context;
use crate::analyse::geometry::distance;
use crate::analyse::histogram::percentile;
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use crate::analyse::Face;
use image::Rgb;
use serde::Deserialize;

/// What counts as glare, from the profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlareLimits {
    /// Largest share of either lens that may show reflections.
    pub max_reflection_share: f64,
    /// Radius of the lens judged around each eye centre, in IOD.
    pub lens_radius: f32,
    /// A reflection pixel is greener or bluer than red by more than `min_cool` (channel
    /// levels), and by `skin_margin` more than the face's coolest skin...
    pub min_cool: u8,
    pub skin_margin: u8,
    /// ...or has at least this luminance (blown out).
    pub blown: f32,
    /// Largest difference between the two irises' colours (green - red or blue - red, mean
    /// channel levels).
    pub max_iris_mismatch: f64,
    /// Iris pixels from this luminance up are the catchlight, left out of the iris's colour.
    pub catchlight: f32,
}

impl GlareLimits {
    /// A limit of zero would divide by zero in the score.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_reflection_share <= 0.0 || self.max_iris_mismatch <= 0.0 {
            return Err("glare: max_reflection_share and max_iris_mismatch must be above 0".into());
        }
        Ok(())
    }
}

/// The glare score: the larger of the worse lens's reflection share and the irises' colour
/// mismatch, each over its limit. `None` when neither can be measured.
pub fn glare_score(face: &Face, parsing: &FaceParsing, limits: &GlareLimits) -> Option<f64> {
    let irises = [ids::RIGHT_IRIS, ids::LEFT_IRIS].map(|id| Iris::of(face, parsing, id));
    let reflection = coolest_skin(parsing).and_then(|skin| {
        let radius = limits.lens_radius * Context::iod(face) * parsing.frame.zoom();
        let (right, left) = Context::eye_centers(face);
        let lens = |eye: [f32; 2], iris: &Iris| {
            let center = parsing.frame.to_crop(eye[0], eye[1]);
            lens_share(parsing, center, radius, iris, |px| {
                is_reflection(px, skin, limits)
            })
        };
        let shares = [lens(right, &irises[0]), lens(left, &irises[1])];
        shares.into_iter().flatten().reduce(f64::max)
    });
    let mismatch = match irises.map(|iris| iris.mean_colour(parsing, limits.catchlight)) {
        [Some(a), Some(b)] => Some((a[0] - b[0]).abs().max((a[1] - b[1]).abs())),
        _ => None,
    };
    let scores = [
        reflection.map(|share| share / limits.max_reflection_share),
        mismatch.map(|m| m / limits.max_iris_mismatch),
    ];
    scores.into_iter().flatten().reduce(f64::max)
}

fn is_reflection(px: &Rgb<u8>, coolest_skin: [i16; 2], limits: &GlareLimits) -> bool {
    let [r, g, b] = px.0.map(i16::from);
    let cool = |value: i16, skin: i16| {
        value > limits.min_cool as i16 && value > skin + limits.skin_margin as i16
    };
    cool(g - r, coolest_skin[0]) || cool(b - r, coolest_skin[1]) || luminance(px) >= limits.blown
}

/// Fewer lens pixels than this (the iris left out) say too little about the lens.
const MIN_LENS_PIXELS: usize = 50;

/// Share of the face pixels within `radius` of `center` (crop pixels), the iris left out, for
/// which `reflection` holds.
fn lens_share(
    parsing: &FaceParsing,
    center: [f32; 2],
    radius: f32,
    iris: &Iris,
    reflection: impl Fn(&Rgb<u8>) -> bool,
) -> Option<f64> {
    let (mut lens, mut reflected) = (0usize, 0usize);
    for (u, v) in parsing.pixels_within(center, radius) {
        let face_pixel = matches!(
            parsing.label(u, v),
            class::GLASSES | class::SKIN | class::NOSE | class::LEFT_EYE | class::RIGHT_EYE
        );
        if !face_pixel || iris.contains([u as f32, v as f32]) {
            continue;
        }
        lens += 1;
        reflected += usize::from(reflection(parsing.crop.get_pixel(u, v)));
    }
    (lens >= MIN_LENS_PIXELS).then(|| reflected as f64 / lens as f64)
}

/// The coolest the face's skin gets, as (green - red, blue - red) at their 90th percentiles:
/// under a bluish light the skin is cooler too, and only what is cooler still is reflection.
fn coolest_skin(parsing: &FaceParsing) -> Option<[i16; 2]> {
    let mut histograms = [[0usize; 256]; 2];
    let mut count = 0;
    for (u, v) in parsing.pixels_of(&[class::SKIN, class::NOSE]) {
        let [r, g, b] = parsing.crop.get_pixel(u, v).0.map(i16::from);
        for (histogram, difference) in histograms.iter_mut().zip([g - r, b - r]) {
            // Differences span -255..=255: halved to fit a byte histogram.
            histogram[((difference + 256) / 2) as usize] += 1;
        }
        count += 1;
    }
    (count >= MIN_SKIN_PIXELS)
        .then(|| histograms.map(|h| percentile(&h, count, 0.9) as i16 * 2 - 256))
}

/// Fewer skin pixels than this give no reliable skin colour.
const MIN_SKIN_PIXELS: usize = 100;

/// An iris from the mesh (its centre and the first of its four rim points), in crop pixels.
struct Iris {
    center: [f32; 2],
    radius: f32,
}

/// Fewer iris samples than this (an eye nearly shut) give no reliable iris colour.
const MIN_IRIS_PIXELS: usize = 20;

impl Iris {
    fn of(face: &Face, parsing: &FaceParsing, center_id: usize) -> Iris {
        let point = |id: usize| parsing.mesh_point(&face.mesh, id);
        let center = point(center_id);
        Iris {
            center,
            radius: distance(center, point(center_id + 1)),
        }
    }

    /// Within the iris and a rim around it (so the lens judged around it starts clear of the
    /// iris whatever the mesh's error).
    fn contains(&self, p: [f32; 2]) -> bool {
        distance(p, self.center) <= 1.3 * self.radius
    }

    /// Mean (green - red, blue - red) over the iris (the catchlight left out), kept inside its
    /// rim so that the white of the eye stays out. A lid over part of the iris is counted too:
    /// on an eye half shut the colour leans towards the skin's.
    fn mean_colour(&self, parsing: &FaceParsing, catchlight: f32) -> Option<[f64; 2]> {
        let (mut sums, mut count) = ([0f64; 2], 0usize);
        for (u, v) in parsing.pixels_within(self.center, 0.9 * self.radius) {
            let px = parsing.crop.get_pixel(u, v);
            if luminance(px) >= catchlight {
                continue;
            }
            let [r, g, b] = px.0.map(f64::from);
            sums[0] += g - r;
            sums[1] += b - r;
            count += 1;
        }
        (count >= MIN_IRIS_PIXELS).then(|| sums.map(|s| s / count as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> GlareLimits {
        GlareLimits {
            max_reflection_share: 0.05,
            lens_radius: 0.3,
            min_cool: 20,
            skin_margin: 20,
            blown: 250.0,
            max_iris_mismatch: 15.0,
            catchlight: 230.0,
        }
    }

    #[test]
    fn reflections_are_blue_green_or_blown_and_cooler_than_the_skin() {
        // Warm skin whose coolest reaches green - red = -30, blue - red = -50.
        let skin = [-30, -50];
        let reflects = |rgb: [u8; 3]| is_reflection(&Rgb(rgb), skin, &limits());
        assert!(!reflects([200, 150, 120]), "skin behind the lens");
        assert!(
            !reflects([215, 215, 220]),
            "a neutral white (a silver frame, a sclera)"
        );
        assert!(reflects([150, 190, 240]), "a window's blue");
        assert!(reflects([100, 170, 130]), "a coating's green");
        assert!(reflects([255, 252, 250]), "the flash, blown out");
        // Under a blue light the skin itself is blue-ish: only what is cooler still reflects.
        let blue_lit = [10, 25];
        let reflects = |rgb: [u8; 3]| is_reflection(&Rgb(rgb), blue_lit, &limits());
        assert!(!reflects([120, 130, 150]), "blue-lit skin");
        assert!(
            reflects([120, 150, 200]),
            "a reflection cooler than that skin"
        );
    }
}
