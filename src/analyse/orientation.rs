//! Whether the photo is on its side or upside down.
//!
//! YuNet finds faces turned by a quarter or half turn too (on the evaluation photos turned
//! upside down, 464 of 518) and places its keypoints as if they were upright, so a turned photo
//! would be measured as a nonsense upright face. It does score a face higher upright: on 526
//! upright photos no other turn of the photo scored more than 0.024 above the photo as it is,
//! while a turned photo, put upright, scores a median 0.09 (half turn) to 0.3 (quarter turn)
//! above itself.
//!
//! A face mask lowers an upright face's score, and upside down a masked face can score higher
//! than upright (7 of the 370 faces of the real set with a mask painted on; 10 of 224 masked
//! tight crops of the test portraits). The face mesh overrules such a turn where it is sure of
//! the strongest face as the photo lies and cannot read the face once the photo is put upright:
//! that keeps 3 of the 7 and 9 of the 10 upright. It overrules none of the turns caught on the
//! real set's photos turned by a quarter or half turn (1052), nor on their blurred, darkened
//! and grainy copies turned (2037).

use super::detect::{self, Detection};
use super::infer::Model;
use super::landmarks;
use crate::decode::resize;
use crate::Result;
use image::{imageops, RgbImage};

/// Clockwise quarter turns (1, 2 or 3) that put the photo upright.
pub type QuarterTurns = u8;

#[derive(Debug, Clone)]
pub struct OrientationOptions {
    /// The analysis probes a photo only when no face scored this much on it as it is: a turned
    /// face rarely scores this high (3.5 % of the half-turned evaluation photos).
    pub probe_below_score: f32,
    /// Long side, in pixels, of the copies the detector compares (a portrait's face is large).
    pub probe_long_side: u32,
    /// A turn must beat the photo as it is by this much: twice the most seen on upright photos.
    pub min_gain: f32,
    /// ... and reach this score itself.
    pub min_score: f32,
    /// Faces are scored from this floor up, so that a turn's gain is measured against a weak
    /// face on the photo as it is, not against nothing.
    pub score_floor: f32,
}

impl Default for OrientationOptions {
    fn default() -> Self {
        OrientationOptions {
            probe_below_score: 0.9,
            probe_long_side: 320,
            min_gain: 0.05,
            min_score: 0.5,
            score_floor: 0.3,
        }
    }
}

/// The quarter turns that put the photo upright, or `None` when it is upright (or no turn of it
/// shows a face clearly better).
pub fn turn_to_upright(
    detector: &Model,
    image: &RgbImage,
    options: &OrientationOptions,
) -> Result<Option<QuarterTurns>> {
    let (w, h) = image.dimensions();
    let f = (options.probe_long_side as f32 / w.max(h) as f32).min(1.0);
    let small = resize(
        image,
        ((w as f32 * f).round() as u32).max(1),
        ((h as f32 * f).round() as u32).max(1),
    )?;
    let score = |turned: &RgbImage| -> Result<f32> {
        let faces = detect::detect_at(
            detector,
            turned,
            options.score_floor,
            options.probe_long_side,
        )?;
        Ok(faces.iter().map(|d| d.score).fold(0.0, f32::max))
    };
    let as_is = score(&small)?;
    let mut best: Option<(QuarterTurns, f32)> = None;
    for turns in 1..=3 {
        let s = score(&turned(&small, turns))?;
        if s >= options.min_score
            && s >= as_is + options.min_gain
            && best.is_none_or(|(_, b)| s > b)
        {
            best = Some((turns, s));
        }
    }
    Ok(best.map(|(turns, _)| turns))
}

/// The photo turned by `turns` clockwise quarter turns.
fn turned(image: &RgbImage, turns: QuarterTurns) -> RgbImage {
    match turns % 4 {
        1 => imageops::rotate90(image),
        2 => imageops::rotate180(image),
        3 => imageops::rotate270(image),
        _ => image.clone(),
    }
}

/// Whether the face mesh overrules the detector's turn of `image` by `turns`: it is sure
/// (`sure_presence`) of `as_is`, the detector's strongest face as the photo lies, and cannot
/// read (`readable_presence`) the strongest face the detector finds (at `min_score`) with the
/// photo put upright. The strongest, not the largest, face is asked because the detector's
/// own comparison of the turns weighs the strongest. Where the photo put upright shows the
/// detector no face at all, the turn stands: the comparison found one there.
pub fn mesh_overrules_turn(
    models: (&Model, &Model),
    image: &RgbImage,
    as_is: &Detection,
    turns: QuarterTurns,
    min_score: f32,
    sure_presence: f32,
    readable_presence: f32,
) -> Result<bool> {
    let (detector, mesher) = models;
    if landmarks::presence_at(mesher, image, as_is)? < sure_presence {
        return Ok(false);
    }
    let put_upright = turned(image, turns);
    let strongest = detect::detect(detector, &put_upright, min_score)?
        .into_iter()
        .max_by(|a, b| a.score.total_cmp(&b.score));
    Ok(match strongest {
        Some(face) => landmarks::presence_at(mesher, &put_upright, &face)? < readable_presence,
        None => false,
    })
}
