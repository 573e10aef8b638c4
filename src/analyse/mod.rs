//! Analysis: every model runs once per photo and all rules read the same results.
//!
//! detect (YuNet, all faces; where none scores well, a weak detection the mesh confirms) → where
//! the main face is small in a large photo, a larger decode around it from the photo's bytes
//! (`detail`) → on the main face, in parallel: mesh + blendshapes + pose, person segmentation,
//! face parsing.

pub mod detail;
pub mod detect;
pub mod geometry;
pub mod histogram;
pub mod infer;
pub mod landmarks;
pub mod orientation;
pub mod parse;
pub mod pose;
pub mod segment;

use crate::decode::{decode, DecodeOptions, Decoded};
use crate::runtime::models::ModelStore;
use crate::{Error, Result};
use detail::{DetailOptions, FaceDetail, FacePixels};
use detect::Detection;
use image::RgbImage;
use infer::Model;
use landmarks::FaceMesh;
use orientation::{OrientationOptions, QuarterTurns};
use parse::FaceParsing;
use pose::{CanonicalFace, Pose};
use segment::PersonMask;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// The YuNet score that makes a detection a face outright; weaker ones, down to
    /// `min_candidate_score`, need the mesh to confirm them.
    pub min_detection_score: f32,
    /// Score accepted on the exposure-normalised retry when nothing was found at first.
    pub min_retry_score: f32,
    /// Where neither finds a face, a weaker detection down to this score is read by the mesh
    /// model, and kept as the face if the mesh is sure it sees one (`min_candidate_presence`).
    /// A face mask can halve YuNet's score: it loses 13 % of the real set's faces with a mask
    /// painted on, whose applicants would be told that no face was found.
    pub min_candidate_score: f32,
    /// The mesh model's face-presence probability that confirms a weak detection as a face.
    /// The masked faces it finds read 0.99 or more; the weak "faces" YuNet finds in walls,
    /// clothes and scenery (scores up to 0.48) read under 0.3, most under 0.02. A drawn oval with
    /// two dots over a line, or a head whose face is hidden by a pattern, can read as sure as a
    /// face: the rules then judge it, and it fails them. Checking the mesh's second, tighter crop
    /// as well dropped 2 of 14 such "faces" in a black-box test, and 2 real blurred faces.
    /// The mesh's being this sure of the face as the photo lies is also the first of the two
    /// conditions on which it overrules the detector's turn (`orientation::mesh_overrules_turn`).
    pub min_candidate_presence: f32,
    /// Below this face-presence probability the mesh model is not looking at a face it can
    /// read (MediaPipe's own default for dropping a face's landmarks): its shape (pose, eye
    /// and lip gaps, blendshapes) then says nothing about the face. Where the detector turned
    /// the photo, a face put upright that the mesh reads below this does not confirm the turn.
    pub min_mesh_presence: f32,
    /// Side of the face-parsing crop in pixels (a multiple of 32).
    pub parsing_size: u32,
    /// Run the independent stages of one photo (mesh, segmentation, parsing) on several threads.
    /// Helps the latency of a single check; a pool of workers, each on its own photo, is faster
    /// without it (workers would otherwise wait on each other's stolen stages).
    pub parallel_stages: bool,
    /// Run the mesh a second time on the region its first pass found, as MediaPipe does when
    /// tracking video.
    pub refine_mesh: bool,
    /// Run that second pass on the crop and on its mirror image too, and average the two
    /// meshes: the model is not quite symmetric, and borderline lid and lip gaps, eye lines and
    /// poses turn on which way round the photo is (measured on a mirrored copy of the real set).
    pub mirror_mesh: bool,
    /// When and how a photo is tested for lying on its side or upside down.
    pub orientation: OrientationOptions,
    /// When a small face in a large photo is decoded again for the face models and `sharp`.
    pub detail: DetailOptions,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            min_detection_score: 0.5,
            min_retry_score: 0.35,
            min_candidate_score: 0.2,
            min_candidate_presence: 0.9,
            min_mesh_presence: 0.5,
            parsing_size: 384,
            refine_mesh: true,
            mirror_mesh: true,
            parallel_stages: true,
            orientation: OrientationOptions::default(),
            detail: DetailOptions::default(),
        }
    }
}

impl AnalysisOptions {
    /// The score the detector runs at: every detection a face or a candidate for one.
    pub fn lowest_detection_score(&self) -> f32 {
        self.min_detection_score.min(self.min_candidate_score)
    }
}

/// Everything measured on the main face.
#[derive(Debug, Clone)]
pub struct Face {
    pub detection: Detection,
    pub mesh: FaceMesh,
    pub blendshapes: [f32; 52],
    pub pose: Pose,
    /// Whether the mesh model was confident it saw a face (`AnalysisOptions::min_mesh_presence`).
    /// Deep shadow, a face half hidden or a drawing can leave it unsure; its points are then
    /// still near the face, but their shape is not the face's.
    pub features_located: bool,
}

/// The shared measurements of one photo.
pub struct Analysis {
    pub decoded: Decoded,
    /// All faces, largest first; the first is the applicant.
    pub faces: Vec<Detection>,
    pub face: Option<Face>,
    pub person: Option<PersonMask>,
    pub parsing: Option<FaceParsing>,
    /// Set when the photo is on its side or upside down: the clockwise quarter turns that put
    /// it upright. The face is then not analysed (the models would see it turned).
    pub turned: Option<QuarterTurns>,
    /// A larger decode around the face, where the analysis copy shows it too small (see
    /// `detail`) and the photo's bytes were given. The mesh and the parser read it.
    pub detail: Option<FaceDetail>,
    pub timings_ms: Vec<(&'static str, f64)>,
}

impl Analysis {
    pub fn image(&self) -> &RgbImage {
        &self.decoded.image
    }
}

/// The model files each stage runs, in `models/`.
pub mod files {
    /// YuNet with dynamic input dimensions (scripts/prepare-models.py), so portrait photos are
    /// not padded to a square.
    pub const DETECTOR: &str = "face_detection_yunet_2023mar_dynamic.onnx";
    /// The MediaPipe mesh with its PRelu nodes written as cheaper operators that give
    /// bit-identical results (scripts/prepare-models.py): ONNX Runtime's PRelu kernel took
    /// almost half of the mesh's time.
    pub const MESH: &str = "face_landmarker_478_noprelu.onnx";
    pub const BLENDSHAPES: &str = "face_blendshapes_52.onnx";
    pub const SEGMENTATION: &str = "selfie_segmentation.onnx";
    /// int8 (QDQ) copy of the BiSeNet parser made by scripts/prepare-models.py: 2-2.7x faster
    /// than the float model, 99.3 % pixel agreement with it; its weights use 7 bits so that
    /// CPUs without VNNI do not overflow their 16-bit partial sums (tests/models.rs).
    pub const PARSER: &str = "face_parsing_bisenet19_int8.onnx";
    pub const CANONICAL_FACE: &str = "canonical_face_model.json";
}

/// A copy for the detector with the 1st..99th luminance percentiles stretched to full range and
/// a gamma that puts the median at mid-grey: faces half in deep shadow, or washed out, become
/// visible to it.
fn normalise_exposure(image: &RgbImage) -> RgbImage {
    let mut histogram = [0usize; 256];
    for p in image.pixels() {
        histogram[((p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8) as usize] += 1;
    }
    let total: usize = histogram.iter().sum();
    let percentile = |q: f64| histogram::percentile(&histogram, total, q) as f32;
    let lo = percentile(0.01);
    let hi = percentile(0.99).max(lo + 1.0);
    let median = ((percentile(0.5) - lo) / (hi - lo)).clamp(0.02, 0.98);
    let gamma = (0.5f32.ln() / median.ln()).clamp(0.2, 3.0);
    let lut: Vec<u8> = (0..256)
        .map(|v| {
            let x = ((v as f32 - lo) / (hi - lo)).clamp(0.0, 1.0);
            (255.0 * x.powf(gamma)).round() as u8
        })
        .collect();
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = lut[*c as usize];
        }
    }
    out
}

/// The bytes a photo was decoded from, and how: where its face is small, the analyser decodes
/// it again, larger, around the face.
#[derive(Clone, Copy)]
pub struct PhotoBytes<'a> {
    pub bytes: &'a [u8],
    pub decode_options: &'a DecodeOptions,
}

/// The loaded models of one worker.
pub struct Analyser {
    detector: Model,
    mesher: Model,
    blendshaper: Model,
    segmenter: Model,
    /// Absent when the deployment removed the non-commercial parsing weights from models/.
    parser: Option<Model>,
    canonical: CanonicalFace,
    options: AnalysisOptions,
}

/// `rayon::join` when `parallel`, otherwise one after the other on this thread.
fn maybe_join<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64() * 1000.0)
}

impl Analyser {
    pub fn new(store: &ModelStore, options: AnalysisOptions) -> Result<Self> {
        // The parser's network halves the crop five times; at 0 there would be no crop at all.
        if options.parsing_size == 0 || !options.parsing_size.is_multiple_of(32) {
            return Err(Error::Model(format!(
                "the face parser's crop side (parsing_size) {} is not a positive multiple of 32",
                options.parsing_size
            )));
        }
        Ok(Analyser {
            detector: Model::new("detector", store.session(files::DETECTOR)?),
            mesher: Model::new("face mesh", store.session(files::MESH)?),
            blendshaper: Model::new("blendshapes", store.session(files::BLENDSHAPES)?),
            segmenter: Model::new("segmentation", store.session(files::SEGMENTATION)?),
            parser: match store.entry(files::PARSER) {
                Ok(_) => Some(Model::new("face parsing", store.session(files::PARSER)?)),
                Err(_) => {
                    tracing::warn!("{} is not installed: ears, brows, glasses, hat, lighting and exposure will be reported as not assessed", files::PARSER);
                    None
                }
            },
            canonical: CanonicalFace::parse(
                &store.contents(files::CANONICAL_FACE)?,
                files::CANONICAL_FACE,
            )?,
            options,
        })
    }

    /// The analysis of a photo known only by its analysis copy: a small face is read from it
    /// as it is (see `analyse_photo`).
    pub fn analyse(&self, decoded: Decoded) -> Result<Analysis> {
        self.analyse_decoded(decoded, None)
    }

    /// The analysis of the photo in `bytes`, as the checker makes it: a small face is read from
    /// a larger decode (or, where that fails, from the analysis copy).
    pub fn analyse_photo(&self, bytes: &[u8], decode_options: &DecodeOptions) -> Result<Analysis> {
        let decoded = decode(bytes, decode_options)?;
        self.analyse_decoded(
            decoded,
            Some(PhotoBytes {
                bytes,
                decode_options,
            }),
        )
    }

    /// The analysis of `decoded`; given the `photo` it was decoded from, a small face is decoded
    /// again from it, larger (`detail`).
    pub fn analyse_decoded(&self, decoded: Decoded, photo: Option<PhotoBytes>) -> Result<Analysis> {
        let image = &decoded.image;
        let options = &self.options;
        let (found, detect_ms) =
            timed(|| detect::detect(&self.detector, image, options.lowest_detection_score()));
        let (mut faces, candidates): (Vec<_>, Vec<_>) = found?
            .into_iter()
            .partition(|f| f.score >= options.min_detection_score);
        let strongest_as_is = faces
            .iter()
            .chain(&candidates)
            .copied()
            .max_by(|a, b| a.score.total_cmp(&b.score));
        let mut timings_ms = vec![("detect", detect_ms)];
        let mut normalised = None;
        if faces.is_empty() {
            // Dark, half-shadowed or washed-out photos hide faces from the detector; an
            // exposure-normalised copy finds them, and the exposure and lighting rules then say
            // what is wrong.
            let (retry, ms) = timed(|| {
                let copy = normalise_exposure(image);
                let found = detect::detect(&self.detector, &copy, self.options.min_retry_score);
                normalised = Some(copy);
                found
            });
            faces = retry?;
            timings_ms.push(("detect_normalised", ms));
        }
        let best_score = faces.iter().map(|f| f.score).reduce(f32::max);
        // A photo too dark for the detector as it is shows it no face in any turn either.
        let probed = normalised.as_ref().unwrap_or(image);
        let mut turned = None;
        if best_score.is_none_or(|s| s < self.options.orientation.probe_below_score) {
            let (probe, ms) = timed(|| {
                orientation::turn_to_upright(&self.detector, probed, &self.options.orientation)
            });
            timings_ms.push(("orientation", ms));
            turned = probe?;
        }
        if let (Some(turns), Some(as_is)) = (turned, strongest_as_is) {
            if self.mesh_overrules_turn(probed, &as_is, turns, &mut timings_ms) {
                turned = None;
            }
        }
        if turned.is_some() {
            // What the detector found on a turned photo is a turned face read as upright.
            faces.clear();
        } else if faces.is_empty() && !candidates.is_empty() {
            let (confirmed, ms) = timed(|| self.confirmed_candidate(image, candidates));
            timings_ms.push(("confirm_candidate", ms));
            // The photo had no face before this step; a failure here leaves it so.
            faces.extend(confirmed.unwrap_or_else(|e| {
                tracing::warn!("confirming a weak detection failed: {e}");
                None
            }));
        }
        let Some(main) = faces.first().copied() else {
            let (person, segment_ms) = timed(|| segment::segment(&self.segmenter, image));
            timings_ms.push(("segment", segment_ms));
            return Ok(Analysis {
                person: Some(person?),
                decoded,
                faces,
                face: None,
                parsing: None,
                turned,
                detail: None,
                timings_ms,
            });
        };

        let detail =
            photo.and_then(|photo| self.larger_face(photo, &decoded, &main, &mut timings_ms));
        let pixels = FacePixels {
            analysis: image,
            detail: detail.as_ref(),
        };
        let join = self.options.parallel_stages;
        let ((face, (person, parsing)), _) = timed(|| {
            maybe_join(
                join,
                || self.face(pixels, &main),
                || {
                    maybe_join(
                        join,
                        || timed(|| segment::segment(&self.segmenter, image)),
                        || {
                            let frame = parse::parsing_frame(
                                &parsing_box(&faces, &main),
                                self.options.parsing_size,
                            );
                            timed(|| {
                                self.parser
                                    .as_ref()
                                    .map(|parser| parse::parse(parser, pixels, frame))
                                    .transpose()
                            })
                        },
                    )
                },
            )
        });
        let (face, face_timings) = face?;
        timings_ms.extend(face_timings);
        timings_ms.push(("segment", person.1));
        timings_ms.push(("parse", parsing.1));
        Ok(Analysis {
            face: Some(face),
            person: Some(person.0?),
            parsing: parsing.0?,
            decoded,
            faces,
            turned: None,
            detail,
            timings_ms,
        })
    }

    /// Whether the face mesh overrules the detector's turn of the photo (`orientation::
    /// mesh_overrules_turn`), read on the copy the turn was found on.
    fn mesh_overrules_turn(
        &self,
        probed: &RgbImage,
        as_is: &Detection,
        turns: QuarterTurns,
        timings_ms: &mut Vec<(&'static str, f64)>,
    ) -> bool {
        let options = &self.options;
        let (overruled, ms) = timed(|| {
            orientation::mesh_overrules_turn(
                (&self.detector, &self.mesher),
                probed,
                as_is,
                turns,
                options.lowest_detection_score(),
                options.min_candidate_presence,
                options.min_mesh_presence,
            )
        });
        timings_ms.push(("confirm_turn", ms));
        // The detector's turn stands where the mesh cannot be asked.
        overruled.unwrap_or_else(|e| {
            tracing::warn!("checking a turn with the face mesh failed: {e}");
            false
        })
    }

    /// The first of the two strongest weak detections in which the mesh model is sure it sees a
    /// face (see `AnalysisOptions::min_candidate_score`).
    fn confirmed_candidate(
        &self,
        image: &RgbImage,
        mut candidates: Vec<Detection>,
    ) -> Result<Option<Detection>> {
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
        for candidate in candidates.into_iter().take(2) {
            let presence = landmarks::presence_at(&self.mesher, image, &candidate)?;
            if presence >= self.options.min_candidate_presence {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// A larger decode around `face` where the analysis copy shows it too small and the photo
    /// has more pixels. Where it fails, the analysis copy is read, as for a photo no larger.
    fn larger_face(
        &self,
        photo: PhotoBytes,
        decoded: &Decoded,
        face: &Detection,
        timings_ms: &mut Vec<(&'static str, f64)>,
    ) -> Option<FaceDetail> {
        let options = &self.options.detail;
        let long_side = detail::detail_long_side(decoded, face, options)?;
        let (detail, ms) = timed(|| {
            detail::face_detail(
                photo.bytes,
                decoded,
                face,
                long_side,
                photo.decode_options,
                options,
            )
        });
        timings_ms.push(("decode_detail", ms));
        detail
            .inspect_err(|e| tracing::warn!("decoding the face larger failed: {e}"))
            .ok()
            .flatten()
    }

    /// Mesh (refined once from its own landmarks, as MediaPipe tracks), blendshapes and pose.
    fn face(
        &self,
        pixels: FacePixels,
        detection: &Detection,
    ) -> Result<(Face, Vec<(&'static str, f64)>)> {
        let (mesh, mesh_ms) = timed(|| -> Result<FaceMesh> {
            let first = landmarks::mesh(
                &self.mesher,
                pixels,
                landmarks::roi_from_detection(detection),
            )?;
            if !self.options.refine_mesh {
                return Ok(first);
            }
            let frame = landmarks::roi_from_mesh(&first);
            if self.options.mirror_mesh {
                landmarks::mesh_both_ways(&self.mesher, pixels, frame, self.canonical.mirror())
            } else {
                landmarks::mesh(&self.mesher, pixels, frame)
            }
        });
        let mesh = mesh?;
        let (blendshapes, blend_ms) = timed(|| landmarks::blendshapes(&self.blendshaper, &mesh));
        let (pose, pose_ms) = timed(|| self.canonical.pose(&mesh));
        Ok((
            Face {
                detection: *detection,
                blendshapes: blendshapes?,
                features_located: mesh.presence >= self.options.min_mesh_presence,
                mesh,
                pose,
            },
            vec![
                ("landmarks", mesh_ms),
                ("blendshapes", blend_ms),
                ("pose", pose_ms),
            ],
        ))
    }
}

/// The box the parser's crop is placed from: the best-scoring box centred in the main one. YuNet
/// sometimes adds a loose box round a face it also finds tightly; the loose one, larger, is the
/// main face (the mesh, which re-crops from its own points, does best from it), but its eye
/// keypoints can be half an eye distance off, and the parser's crop is never corrected.
fn parsing_box(faces: &[detect::Detection], main: &detect::Detection) -> detect::Detection {
    faces
        .iter()
        .filter(|f| f.centred_in(main))
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .copied()
        .unwrap_or(*main)
}

#[cfg(test)]
mod tests {
    use super::detect::Detection;
    use super::parsing_box;

    fn boxed(rect: [f32; 4], score: f32) -> Detection {
        Detection {
            rect,
            score,
            points: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn the_parser_is_placed_from_the_tight_box_when_the_main_one_is_loose() {
        // Measured on a Yale B crop (see `Detection::centred_in`): the loose box is larger, so
        // it is the main face.
        let loose = boxed([-25.4, -36.0, 171.8, 197.7], 0.43);
        let tight = boxed([42.5, 52.9, 116.1, 137.7], 0.76);
        let elsewhere = boxed([300.0, 40.0, 100.0, 120.0], 0.95);
        let faces = [loose, tight, elsewhere];
        assert_eq!(parsing_box(&faces, &loose).rect, tight.rect);
        // A main face with nothing inside it is its own.
        assert_eq!(parsing_box(&faces, &elsewhere).rect, elsewhere.rect);
        let better_main = boxed(loose.rect, 0.9);
        assert_eq!(
            parsing_box(&[better_main, tight], &better_main).rect,
            better_main.rect
        );
    }
}
