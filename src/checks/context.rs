//! What rules share beyond the raw analysis: derived geometry and the background region,
//! each computed at most once per photo.

use crate::analyse::geometry::polygon_row_spans;
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use crate::analyse::segment::{PersonMask, INPUT as MASK_GRID};
use crate::analyse::{Analysis, Face};
use crate::decode::resize;
use crate::profile::InputKind;
use image::{Rgb, RgbImage};
use std::collections::VecDeque;
use std::sync::OnceLock;

/// Background pixels of a reduced copy of the photo (long side <= 512).
pub struct Background {
    pub image: RgbImage,
    /// One flag per pixel of `image`: true where only backdrop is seen.
    pub mask: Vec<bool>,
    pub count: usize,
}

impl Background {
    pub fn fraction(&self) -> f64 {
        self.count as f64 / self.mask.len().max(1) as f64
    }

    pub fn pixels(&self) -> impl Iterator<Item = (u32, u32, &Rgb<u8>)> + '_ {
        self.image
            .enumerate_pixels()
            .zip(&self.mask)
            .filter(|(_, &m)| m)
            .map(|(p, _)| p)
    }
}

/// How far up the head reaches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HeadTop {
    /// Analysis-image row of the head's top.
    At(f32),
    /// The head reaches the photo's top edge.
    CutByFrame,
}

pub struct Context<'a> {
    pub analysis: &'a Analysis,
    pub input: InputKind,
    /// The profile's finished photo size (`photo_size`), if it sets one.
    pub card_size: Option<(u32, u32)>,
    background: OnceLock<Option<Background>>,
}

pub fn luminance(p: &Rgb<u8>) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// Mean luminance of the parsing crop at `pixels`, and how many there were (none: `None`).
pub fn crop_mean_luminance(
    parsing: &FaceParsing,
    pixels: impl Iterator<Item = (u32, u32)>,
) -> Option<(f64, usize)> {
    let (sum, count) = pixels.fold((0f64, 0usize), |(sum, count), (u, v)| {
        (
            sum + luminance(parsing.crop.get_pixel(u, v)) as f64,
            count + 1,
        )
    });
    (count > 0).then(|| (sum / count as f64, count))
}

impl<'a> Context<'a> {
    pub fn new(analysis: &'a Analysis, input: InputKind) -> Self {
        Context {
            analysis,
            input,
            card_size: None,
            background: OnceLock::new(),
        }
    }

    /// The finished photo size the geometry rules measure a card of its shape in.
    pub fn with_card_size(mut self, card_size: Option<(u32, u32)>) -> Self {
        self.card_size = card_size;
        self
    }

    /// The applicant's face, or the `not_assessed` reason key.
    pub fn face(&self) -> Result<&'a Face, &'static str> {
        self.analysis.face.as_ref().ok_or("na.no_face")
    }

    /// The applicant's face for the rules that read the mesh's shape (pose, eye line, eye and
    /// lip gaps, blendshapes): not when the mesh model was unsure it saw a face.
    pub fn face_shape(&self) -> Result<&'a Face, &'static str> {
        let face = self.face()?;
        if !face.features_located {
            return Err("na.features_unclear");
        }
        Ok(face)
    }

    pub fn parsing(&self) -> Result<&'a FaceParsing, &'static str> {
        self.face()?;
        // Without a face there is nothing to parse; with one, only a parser left out of the
        // installation (its weights are non-commercial) leaves no map.
        self.analysis.parsing.as_ref().ok_or("na.no_parser")
    }

    /// The face and its parsing map together, for the rules that need both.
    pub fn face_and_parsing(&self) -> Result<(&'a Face, &'a FaceParsing), &'static str> {
        Ok((self.face()?, self.parsing()?))
    }

    /// The face and its parsing map when the parser recognised at least `min_parsed_face` of
    /// the face's outline (see `parsed_face_share`). A parser left blind by blur or darkness
    /// calls everything background, which the rules reading its map would take for "no
    /// glasses", "nothing over the ears" or "nothing over the brows".
    pub fn face_and_readable_parsing(
        &self,
        min_parsed_face: f64,
    ) -> Result<(&'a Face, &'a FaceParsing), &'static str> {
        let (face, parsing) = self.face_and_parsing()?;
        if Self::parsed_face_share(face, parsing) < min_parsed_face {
            return Err("na.no_parsing");
        }
        Ok((face, parsing))
    }

    /// Area unit of the parsing rules: the inter-ocular distance squared, in crop pixels, so
    /// areas compare across face sizes.
    pub fn iod_area_in_crop(face: &Face, parsing: &FaceParsing) -> f64 {
        let iod = Self::iod(face) * parsing.frame.zoom();
        (iod * iod).max(1.0) as f64
    }

    /// Faces besides the applicant's that are at least `min_score` confident and
    /// `min_relative_width` as wide: other people, pasted heads, posters. A smaller box
    /// centred inside the applicant's is the applicant's face found twice.
    pub fn other_faces(&self, min_score: f32, min_relative_width: f32) -> usize {
        let faces = &self.analysis.faces;
        let Some(main) = faces.first() else {
            return 0;
        };
        faces[1..]
            .iter()
            .filter(|f| {
                f.score >= min_score
                    && f.rect[2] >= min_relative_width * main.rect[2]
                    && !f.centred_in(main)
            })
            .count()
    }

    /// The mesh's face outline in parsing-crop pixels.
    pub fn face_oval_in_crop(face: &Face, parsing: &FaceParsing) -> Vec<[f32; 2]> {
        ids::FACE_OVAL
            .iter()
            .map(|&id| parsing.mesh_point(&face.mesh, id))
            .collect()
    }

    /// Parsing-crop pixels inside the mesh's face outline, every `step`-th row and column.
    /// The mesh finds a face in shadow, glare or blur where the parser's classes may not.
    pub fn face_oval_pixels(
        face: &Face,
        parsing: &FaceParsing,
        step: usize,
    ) -> impl Iterator<Item = (u32, u32)> {
        let oval = Self::face_oval_in_crop(face, parsing);
        let n = parsing.size();
        let (lo, hi) = oval
            .iter()
            .fold(([f32::MAX; 2], [f32::MIN; 2]), |(lo, hi), p| {
                (
                    [lo[0].min(p[0]), lo[1].min(p[1])],
                    [hi[0].max(p[0]), hi[1].max(p[1])],
                )
            });
        let clamp = |x: f32| x.clamp(0.0, n as f32) as u32;
        let (u0, v0, v1) = (clamp(lo[0]), clamp(lo[1]), clamp(hi[1].ceil()));
        (v0..v1).step_by(step).flat_map(move |v| {
            polygon_row_spans(&oval, v as f32 + 0.5)
                .into_iter()
                .flat_map(move |[from, to]| {
                    // First column of the sampling grid (u0 + k * step) whose centre is >= from.
                    let first = (from - 0.5).ceil().max(u0 as f32) as u32;
                    let first = u0 + (first - u0).div_ceil(step as u32) * step as u32;
                    (first..n)
                        .step_by(step)
                        .skip_while(move |&u| (u as f32 + 0.5) < from)
                        .take_while(move |&u| (u as f32 + 0.5) < to)
                        .map(move |u| (u, v))
                })
        })
    }

    /// Share of the face outline (sampled every other pixel) that the parser gave any label
    /// other than background: near zero when blur, darkness or an odd rendering leave the
    /// parser blind, so that rules reading its map do not mistake "nothing seen" for a finding.
    pub fn parsed_face_share(face: &Face, parsing: &FaceParsing) -> f64 {
        let (mut inside, mut seen) = (0usize, 0usize);
        for (u, v) in Self::face_oval_pixels(face, parsing, 2) {
            if !parsing.in_photo(u, v) {
                continue;
            }
            inside += 1;
            if parsing.label(u, v) != class::BACKGROUND {
                seen += 1;
            }
        }
        seen as f64 / inside.max(1) as f64
    }

    pub fn person(&self) -> Option<&'a PersonMask> {
        self.analysis.person.as_ref()
    }

    /// Centres of the right and left eye (corner midpoints, robust to gaze).
    pub fn eye_centers(face: &Face) -> ([f32; 2], [f32; 2]) {
        let m = &face.mesh;
        let mid = |a: usize, b: usize| {
            let (p, q) = (m.xy(a), m.xy(b));
            [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0]
        };
        (
            mid(ids::RIGHT_EYE_OUTER, ids::RIGHT_EYE_INNER),
            mid(ids::LEFT_EYE_INNER, ids::LEFT_EYE_OUTER),
        )
    }

    /// Inter-ocular distance in analysis pixels.
    pub fn iod(face: &Face) -> f32 {
        let (r, l) = Self::eye_centers(face);
        crate::analyse::geometry::distance(r, l)
    }

    /// Cheek-to-cheek face width (mesh contour at ear level) in analysis pixels.
    pub fn face_width(face: &Face) -> f32 {
        crate::analyse::geometry::distance(
            face.mesh.xy(ids::FACE_RIGHT_EDGE),
            face.mesh.xy(ids::FACE_LEFT_EDGE),
        )
    }

    /// Forehead-top-to-chin height in analysis pixels.
    pub fn face_height(face: &Face) -> f32 {
        crate::analyse::geometry::distance(face.mesh.xy(ids::FOREHEAD_TOP), face.mesh.xy(ids::CHIN))
    }

    /// Where the person's head reaches upward, from the topmost person pixel in the face's
    /// columns; `None` without a person mask.
    pub fn head_top(&self, face: &Face) -> Option<HeadTop> {
        let person = self.person()?;
        let top = face.mesh.xy(ids::FOREHEAD_TOP);
        let half = Self::face_width(face) * 0.3;
        let mut best = top[1];
        let steps = 9;
        for i in 0..steps {
            let x = top[0] - half + 2.0 * half * i as f32 / (steps - 1) as f32;
            let mut y = top[1];
            while y > 0.0 && person.at(x, y - 1.0) > 0.5 {
                y -= 1.0;
            }
            if y <= 0.0 {
                return Some(HeadTop::CutByFrame);
            }
            best = best.min(y);
        }
        Some(HeadTop::At(best))
    }

    /// The backdrop: everything outside the applicant's own connected person region.
    pub fn background(&self) -> Option<&Background> {
        self.background
            .get_or_init(|| self.compute_background())
            .as_ref()
    }

    fn compute_background(&self) -> Option<Background> {
        let person = self.person()?;
        let grid = MASK_GRID as usize;
        let (iw, ih) = person.image_size();
        let cell = |x: f32, y: f32| -> (usize, usize) {
            (
                ((x / iw as f32 * grid as f32) as usize).min(grid - 1),
                ((y / ih as f32 * grid as f32) as usize).min(grid - 1),
            )
        };
        let prob = person.grid();
        // The applicant: the person component under the face (or the largest one).
        let seed = match self.face() {
            Ok(face) => {
                let n = face.mesh.xy(ids::NOSE_TIP);
                Some(cell(n[0], n[1]))
            }
            Err(_) => None,
        };
        let applicant = main_component(prob, grid, seed);
        // Keep a margin around the person: soft edges and hair are not backdrop.
        let near_person = dilate(&applicant, grid, 3);
        let (w, h) = self.analysis.image().dimensions();
        let f = (512.0 / w.max(h) as f32).min(1.0);
        let (sw, sh) = (
            ((w as f32 * f).round() as u32).max(1),
            ((h as f32 * f).round() as u32).max(1),
        );
        let image = resize(self.analysis.image(), sw, sh).ok()?;
        let columns: Vec<usize> = (0..sw).map(|x| cell((x as f32 + 0.5) / f, 0.0).0).collect();
        let mut mask = Vec::with_capacity((sw * sh) as usize);
        for y in 0..sh {
            let row = &near_person[cell(0.0, (y as f32 + 0.5) / f).1 * grid..][..grid];
            // Other people count as part of what is behind the applicant.
            mask.extend(columns.iter().map(|&gx| !row[gx]));
        }
        let count = mask.iter().filter(|&&m| m).count();
        Some(Background { image, mask, count })
    }
}

fn main_component(prob: &[f32], grid: usize, seed: Option<(usize, usize)>) -> Vec<bool> {
    let on: Vec<bool> = prob.iter().map(|&p| p > 0.5).collect();
    let mut label = vec![0u32; grid * grid];
    let mut sizes = vec![0usize];
    for start in 0..grid * grid {
        if !on[start] || label[start] != 0 {
            continue;
        }
        let id = sizes.len() as u32;
        let mut size = 0;
        let mut queue = VecDeque::from([start]);
        label[start] = id;
        while let Some(i) = queue.pop_front() {
            size += 1;
            let (x, y) = (i % grid, i / grid);
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < grid).then(|| i + 1),
                (y > 0).then(|| i - grid),
                (y + 1 < grid).then(|| i + grid),
            ];
            for j in neighbours.into_iter().flatten() {
                if on[j] && label[j] == 0 {
                    label[j] = id;
                    queue.push_back(j);
                }
            }
        }
        sizes.push(size);
    }
    let seeded = seed.map(|(x, y)| label[y * grid + x]).filter(|&l| l != 0);
    let chosen = seeded.or_else(|| (1..sizes.len()).max_by_key(|&l| sizes[l]).map(|l| l as u32));
    match chosen {
        Some(id) => label.iter().map(|&l| l == id).collect(),
        None => vec![false; grid * grid],
    }
}

/// Square dilation, one axis at a time: a cell is set when any cell within `radius` along the
/// row, and then along the column, is.
fn dilate(mask: &[bool], grid: usize, radius: usize) -> Vec<bool> {
    let spread = |input: &[bool], at: &dyn Fn(usize, usize) -> usize| {
        let mut out = vec![false; grid * grid];
        for line in 0..grid {
            // Distance since the last set cell, scanning forward and then backward.
            let mut since = usize::MAX;
            for k in 0..grid {
                since = if input[at(line, k)] {
                    0
                } else {
                    since.saturating_add(1)
                };
                out[at(line, k)] = since <= radius;
            }
            since = usize::MAX;
            for k in (0..grid).rev() {
                since = if input[at(line, k)] {
                    0
                } else {
                    since.saturating_add(1)
                };
                out[at(line, k)] |= since <= radius;
            }
        }
        out
    };
    let rows = spread(mask, &|line, k| line * grid + k);
    spread(&rows, &|line, k| k * grid + line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dilate_naive(mask: &[bool], grid: usize, radius: usize) -> Vec<bool> {
        let mut out = mask.to_vec();
        for y in 0..grid {
            for x in 0..grid {
                if mask[y * grid + x] {
                    for yy in y.saturating_sub(radius)..(y + radius + 1).min(grid) {
                        for xx in x.saturating_sub(radius)..(x + radius + 1).min(grid) {
                            out[yy * grid + xx] = true;
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn dilate_equals_the_square_neighbourhood() {
        let grid = 37;
        let mut state = 12345u32;
        for density in [1, 5, 40] {
            let mask: Vec<bool> = (0..grid * grid)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 24) % 100 < density
                })
                .collect();
            for radius in [0, 1, 3] {
                assert_eq!(
                    dilate(&mask, grid, radius),
                    dilate_naive(&mask, grid, radius)
                );
            }
        }
    }
}
