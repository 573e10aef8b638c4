//! White background (ID card) or, in the ICAO profile, any light plain colour.
//!
//! The wall is judged as a whole, and for a white one its colour also where the card photo is
//! cut, round the head: a coloured door or curtain right behind the applicant fills the card
//! even where a white wall fills most of the selfie.

use super::context::{Background, HeadTop};
use super::{percentile, Context, Finding, Rule, OTHER_FACE};
use crate::analyse::Face;
use serde::Deserialize;

/// Fewer backdrop samples than this round the head (a face that fills the card) say nothing
/// of the wall there; the whole wall is judged alone.
const MIN_CARD_SAMPLES: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundWhite {
    /// "white": every channel bright and no tint. "light": a pale colour of any hue.
    pub mode: Mode,
    /// Lowest brightness the darker part of the backdrop may have (20th percentile; for
    /// "white" of the smallest channel, for "light" of HSL lightness, the mean of the largest
    /// and smallest channel).
    pub min_level: f64,
    /// "white" only, and required there: largest colour tint (median of max - min channel).
    pub max_tint: Option<f64>,
    /// "light" only, and required there: lowest 20th percentile of the smallest channel. Pale
    /// means mixed with white, which lifts every channel; vivid colours as light as a pale one
    /// (a red of (255, 51, 51) has the lightness of a light grey) keep one channel low.
    pub min_channel: Option<f64>,
    pub min_fraction: f64,
    /// Another face this confident and wide (relative to the applicant's) means the backdrop
    /// is not a plain wall of any colour.
    pub other_face_min_score: f32,
    pub other_face_min_relative_width: f32,
    /// "white" only, and required there: the card photo round the head, where the wall's tint
    /// is judged too.
    pub card: Option<CardWindow>,
}

/// The card photo as it would be cut round the face, in the card's pixels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardWindow {
    pub size_px: [f32; 2],
    /// The face's width on the card: the card is scaled round the face by it.
    pub face_width_px: f32,
    /// Room above the head.
    pub head_top_px: f32,
    /// The eye line's greatest depth below the top edge: where the head top is not seen, the
    /// card reaches this far above the eyes.
    pub max_eye_line_px: f32,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    White,
    Light,
}

impl Rule for BackgroundWhite {
    fn id(&self) -> &'static str {
        "background_white"
    }

    fn validate(&self) -> Result<(), String> {
        // The other mode's limit would be read by no one: a profile that sets it meant
        // something the rule does not do.
        // A white wall is judged round the head too, so a profile must say where the card is:
        // left out, a coloured door behind the head would pass unnoticed.
        match (self.mode, &self.card) {
            (Mode::Light, Some(_)) => return Err("card is for mode = \"white\" only".into()),
            (Mode::White, None) => return Err("mode = \"white\" needs a card table".into()),
            _ => {}
        }
        if let Some(card) = &self.card {
            let [w, h] = card.size_px;
            if card.face_width_px <= 0.0 || w <= 0.0 || h <= 0.0 {
                return Err("card.size_px and card.face_width_px must be above 0".into());
            }
        }
        match (self.mode, self.max_tint, self.min_channel) {
            (Mode::White, None, _) => Err("mode = \"white\" needs max_tint".into()),
            (Mode::White, _, Some(_)) => Err("min_channel is for mode = \"light\" only".into()),
            (Mode::Light, _, None) => Err("mode = \"light\" needs min_channel".into()),
            (Mode::Light, Some(_), _) => Err("max_tint is for mode = \"white\" only".into()),
            _ => Ok(()),
        }
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = match self.mode {
            Mode::White => format!(
                "level >= {}, tint <= {} (of the wall, and round the head where the card is cut), \
                 no other face (value: the level, or the tint when only it fails)",
                self.min_level,
                self.max_tint.map_or("?".into(), |t| t.to_string())
            ),
            Mode::Light => format!(
                "lightness >= {}, smallest channel >= {}, no other face (value: the lightness, \
                 or the smallest channel when only it fails)",
                self.min_level,
                self.min_channel.map_or("?".into(), |c| c.to_string())
            ),
        };
        let others = ctx.other_faces(
            self.other_face_min_score,
            self.other_face_min_relative_width,
        );
        let fail_key = match self.mode {
            Mode::White => "background_white",
            Mode::Light => "background_light",
        };
        let Some(bg) = ctx
            .background()
            .filter(|b| b.fraction() >= self.min_fraction)
        else {
            if others > 0 {
                return Finding::judge(others as f64, false, threshold, OTHER_FACE);
            }
            return Finding::not_assessed(threshold, "na.no_background");
        };
        let in_card = match (&self.card, ctx.face_shape()) {
            (Some(card), Ok(face)) => Some(card_window(ctx, face, bg, card)),
            _ => None,
        };
        // Per backdrop pixel: its smallest channel, its tint and (light only) its lightness.
        let mut lows = Vec::with_capacity(bg.count);
        let mut tints = Vec::with_capacity(bg.count);
        let mut card_tints = Vec::new();
        let mut lightness = Vec::new();
        for (x, y, p) in bg.pixels() {
            let (lo, hi) = (p[0].min(p[1]).min(p[2]), p[0].max(p[1]).max(p[2]));
            lows.push(lo as f32);
            tints.push((hi - lo) as f32);
            if in_card.as_ref().is_some_and(|inside| inside(x, y)) {
                card_tints.push((hi - lo) as f32);
            }
            if self.mode == Mode::Light {
                // A light-blue studio backdrop (130, 145, 195) is as light as a light grey,
                // an ID-photo blue (67, 142, 219) of nearly the same luminance is not.
                lightness.push((lo as f32 + hi as f32) / 2.0);
            }
        }
        if lows.is_empty() {
            return Finding::not_assessed(threshold, "na.no_background");
        }
        let low = percentile(&mut lows, 0.2);
        // The wall's tint, or the tint round the head where that is stronger. A shadow of the
        // head greys the wall there without tinting it, so only the tint is judged there.
        let mut tint = percentile(&mut tints, 0.5);
        if card_tints.len() >= MIN_CARD_SAMPLES {
            tint = tint.max(percentile(&mut card_tints, 0.5));
        }
        let level = match self.mode {
            Mode::White => low,
            Mode::Light => percentile(&mut lightness, 0.2),
        };
        let bright = level >= self.min_level;
        // Reported is what failed: the level or lightness, or else the tint or smallest channel.
        let (value, ok) = match self.mode {
            Mode::White => match self.max_tint {
                Some(max) if bright && tint > max => (tint, false),
                Some(_) => (level, bright),
                None => (level, false),
            },
            Mode::Light => match self.min_channel {
                Some(min) if bright && low < min => (low, false),
                Some(_) => (level, bright),
                None => (level, false),
            },
        };
        let fail_key = if ok { OTHER_FACE } else { fail_key };
        Finding::judge(value, others == 0 && ok, threshold, fail_key)
    }
}

/// Whether a pixel of the backdrop image lies where the card photo would be cut round `face`.
fn card_window(
    ctx: &Context,
    face: &Face,
    bg: &Background,
    card: &CardWindow,
) -> impl Fn(u32, u32) -> bool {
    let scale = bg.image.width() as f32 / ctx.analysis.image().width() as f32;
    let width = Context::face_width(face) * scale;
    // The card's lengths in face widths.
    let in_faces = |px: f32| px / card.face_width_px;
    let (right_eye, left_eye) = Context::eye_centers(face);
    let centre = (right_eye[0] + left_eye[0]) / 2.0 * scale;
    let eyes = (right_eye[1] + left_eye[1]) / 2.0 * scale;
    let (left, right) = (
        centre - in_faces(card.size_px[0] / 2.0) * width,
        centre + in_faces(card.size_px[0] / 2.0) * width,
    );
    // From the head top where it is seen, else (cut by the frame, or no person mask) as high
    // as the eye line allows.
    let highest = eyes - in_faces(card.max_eye_line_px) * width;
    let top = match ctx.head_top(face) {
        Some(HeadTop::At(y)) => (y * scale - in_faces(card.head_top_px) * width).max(highest),
        _ => highest,
    };
    let bottom = top + in_faces(card.size_px[1]) * width;
    move |x, y| {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        (left..=right).contains(&x) && (top..=bottom).contains(&y)
    }
}
