//! Clothing: not white or very light, which would merge with the white backdrop.

use super::clothing_outline::ClothingGrid;
use super::context::{crop_mean_luminance, luminance};
use super::{Context, Finding, Rule};
use crate::analyse::histogram::percentile;
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use image::Rgb;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotWhiteTop {
    /// Largest share of the visible top that may be white or near-white.
    pub max_white_share: f64,
    /// Luminance from which a clothing pixel with a tint (max - min channel) below `max_tint`
    /// counts as white.
    pub white_level: f64,
    pub max_tint: u8,
    /// Smallest clothing area to judge, in face-width^2 units.
    pub min_area: f64,
    /// The parser often calls a collar "neck". Below this depth under the chin (face heights),
    /// a "neck" pixel whose luminance differs from the face's skin by more than
    /// `collar_skin_contrast` (a share of the skin's) is taken as clothing.
    pub collar_below_chin: f64,
    pub collar_skin_contrast: f64,
    /// Only the clothing at the outline is judged (see `ClothingGrid::outline`): in each row
    /// and side of the chin, from this share of the way from the innermost clothing sample to
    /// the outermost...
    pub outer_part: f32,
    /// ...and this far inside the outline (face widths, rounded to whole samples; 0 judges
    /// the outline itself): the parser's clothing region bleeds onto the backdrop, edging a
    /// dark top on a white wall with "white clothing".
    pub outline_margin: f64,
    /// The parser often calls clothing at the crop's lower edge "background" (a sweater cut
    /// off by the frame). Below the chin, such a pixel counts as clothing when the person mask
    /// covers it at least this surely...
    pub missed_clothing_person: f32,
    /// ...and some channel differs by more than this from the backdrop's median colour beside
    /// the shoulders: a pixel of the backdrop's colour is where the mask bled onto the
    /// backdrop, and the parser is believed.
    pub backdrop_tolerance: u8,
    /// Below the parsing crop nothing tells neck from clothing, so there a pixel the person
    /// mask covers (as surely as `missed_clothing_person`) counts as clothing from this depth
    /// under the chin (face heights), where the neck has ended.
    pub below_crop_neck_depth: f32,
}

impl Rule for NotWhiteTop {
    fn id(&self) -> &'static str {
        "not_white_top"
    }

    fn validate(&self) -> Result<(), String> {
        // At 1 or more only the single outermost sample of a row side would count, or none.
        if self.outer_part >= 1.0 {
            return Err(format!("outer_part = {} must be below 1", self.outer_part));
        }
        Ok(())
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("white share <= {}", self.max_white_share);
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let Some(person) = ctx.person() else {
            return Finding::not_assessed(threshold, "na.no_clothing");
        };
        let parsing = ctx.parsing().ok();
        let image = ctx.analysis.image();
        let (w, h) = image.dimensions();
        let fh = Context::face_height(face);
        let fw = Context::face_width(face);
        let chin = face.mesh.xy(ids::CHIN);
        // Portraits often end just below the chin, so clothing is sought beside the neck too:
        // inside the parsing crop by its `cloth` class, below it by the person mask.
        let top = (chin[1] - 0.2 * fh).max(0.0) as u32;
        let (x0, x1) = (
            (chin[0] - 1.6 * fw).max(0.0) as u32,
            ((chin[0] + 1.6 * fw) as u32).min(w),
        );
        let step = ((fw / 40.0) as u32).max(1);
        let skin = parsing.and_then(skin_luminance);
        let collar_top = chin[1] + self.collar_below_chin as f32 * fh;
        let collar = |y: u32, lum: f32| match skin {
            Some(skin) => {
                y as f32 > collar_top
                    && (lum - skin).abs() > self.collar_skin_contrast as f32 * skin
            }
            None => false,
        };
        let backdrop = lower_backdrop(ctx, chin[1] - fh);
        let missed_clothing = |x: u32, y: u32, px: &Rgb<u8>| {
            y as f32 > chin[1]
                && person.at(x as f32, y as f32) >= self.missed_clothing_person
                && backdrop
                    .is_some_and(|b| (0..3).any(|c| px[c].abs_diff(b[c]) > self.backdrop_tolerance))
        };
        let columns: Vec<u32> = (x0..x1).step_by(step as usize).collect();
        let rows: Vec<u32> = (top..h).step_by(step as usize).collect();
        let offsets = columns.iter().map(|&x| x as f32 - chin[0]).collect();
        let grid = ClothingGrid::sample(offsets, rows.len(), |i, j| {
            let (x, y) = (columns[i], rows[j]);
            let px = image.get_pixel(x, y);
            let clothing = match parsing.map(|p| (p, p.frame.to_crop(x as f32, y as f32))) {
                Some((p, [u, v]))
                    if u >= 0.0 && v >= 0.0 && u < p.size() as f32 && v < p.size() as f32 =>
                {
                    match p.label(u as u32, v as u32) {
                        class::CLOTH => true,
                        class::NECK => collar(y, luminance(px)),
                        class::BACKGROUND => missed_clothing(x, y, px),
                        _ => false,
                    }
                }
                _ => {
                    y as f32 > chin[1] + self.below_crop_neck_depth * fh
                        && person.at(x as f32, y as f32) >= self.missed_clothing_person
                }
            };
            clothing.then(|| {
                let tint = px[0].max(px[1]).max(px[2]) - px[0].min(px[1]).min(px[2]);
                luminance(px) as f64 >= self.white_level && tint < self.max_tint
            })
        });
        let margin = (self.outline_margin * fw as f64 / step as f64).round() as usize;
        let outline = grid.outline(margin, self.outer_part);
        let samples = grid.samples();
        let area = samples as f64 * (step * step) as f64 / (fw * fw).max(1.0) as f64;
        if area < self.min_area || outline.samples == 0 {
            return Finding::not_assessed(threshold, "na.no_clothing");
        }
        let share = outline.white as f64 / outline.samples as f64;
        Finding::judge(
            share,
            share <= self.max_white_share,
            threshold,
            "not_white_top",
        )
    }
}

/// Mean luminance of the face's skin as the parser sees it.
fn skin_luminance(parsing: &FaceParsing) -> Option<f32> {
    crop_mean_luminance(parsing, parsing.pixels_of(&[class::SKIN]))
        .filter(|&(_, count)| count >= MIN_SKIN_PIXELS)
        .map(|(mean, _)| mean as f32)
}

/// Fewer skin pixels than this give no reliable skin brightness.
const MIN_SKIN_PIXELS: usize = 100;

/// Median colour of the backdrop from `from_y` (analysis-image rows) down: the backdrop beside
/// the shoulders, which a gradient or vignette may make differ from the one above the head.
fn lower_backdrop(ctx: &Context, from_y: f32) -> Option<[u8; 3]> {
    let background = ctx.background()?;
    let scale = background.image.height() as f32 / ctx.analysis.image().height() as f32;
    let first_row = (from_y * scale).max(0.0) as u32;
    let mut histograms = [[0usize; 256]; 3];
    let mut count = 0;
    for (_, _, px) in background.pixels().filter(|(_, y, _)| *y >= first_row) {
        count += 1;
        for (histogram, &value) in histograms.iter_mut().zip(px.0.iter()) {
            histogram[value as usize] += 1;
        }
    }
    (count >= MIN_BACKDROP_PIXELS).then(|| histograms.map(|h| percentile(&h, count, 0.5)))
}

/// Fewer backdrop pixels than this beside the shoulders give no reliable colour.
const MIN_BACKDROP_PIXELS: usize = 50;
