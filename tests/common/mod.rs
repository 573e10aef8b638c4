//! Shared helpers for the integration tests: one checker per test binary, the two committed
//! fixtures, and small image operations that turn them into further fixtures in memory.
//!
//! Nothing here reads anything but `testdata/`; every other image is generated at run time.
//! Set `IDPHOTO_TEST_DUMP=/some/dir` to have each generated fixture written there as a PNG
//! (handy when a test fails and you want to look at what the checker saw).

#![allow(dead_code)]

use idphoto::analyse::detail::DetailOptions;
use idphoto::analyse::{Analyser, Analysis, AnalysisOptions};
use idphoto::decode::{decode, DecodeOptions};
use idphoto::messages::Lang;
use idphoto::profile::{InputKind, Profile};
use idphoto::report::{CheckResult, Report, Status, Verdict};
use idphoto::runtime::models::ModelStore;
use idphoto::{CheckOptions, Checker};
use image::{ImageEncoder, Rgb, RgbImage};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

// ---------------------------------------------------------------------------------------------
// Fixtures and the checker
// ---------------------------------------------------------------------------------------------

pub fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

fn load(name: &str) -> RgbImage {
    image::open(testdata(name))
        .unwrap_or_else(|e| panic!("cannot open testdata/{name}: {e}"))
        .to_rgb8()
}

/// NASA portrait of Eileen Collins (512x512): smiling with teeth, flag and shuttle behind her,
/// orange suit, small face (~90 px wide).
pub fn astronaut() -> &'static RgbImage {
    static IMG: OnceLock<RgbImage> = OnceLock::new();
    IMG.get_or_init(|| load("astronaut.png"))
}

/// US Navy portrait of Grace Hopper (512x600): glasses, uniform cap, dark busy background, dark
/// uniform with a white collar, face ~180 px wide.
pub fn grace() -> &'static RgbImage {
    static IMG: OnceLock<RgbImage> = OnceLock::new();
    IMG.get_or_init(|| load("grace_hopper.jpg"))
}

pub fn store() -> &'static ModelStore {
    static STORE: OnceLock<ModelStore> = OnceLock::new();
    STORE.get_or_init(|| ModelStore::open_default().expect("model store (models/) opens"))
}

/// A new checker (loads its own model sessions, about a second) for a built-in profile.
pub fn make_checker(profile: &str, input: InputKind, lang: Lang) -> Checker {
    let profile = Arc::new(Profile::load(profile).expect("built-in profile loads"));
    let options = CheckOptions {
        input,
        lang,
        ..CheckOptions::default()
    };
    Checker::new(store(), profile, options).expect("checker builds (ONNX Runtime and models)")
}

/// A new ID-card checker with `options`.
pub fn checker_with_options(options: CheckOptions) -> Checker {
    let profile = Arc::new(Profile::load("cn-id-card").expect("built-in profile loads"));
    Checker::new(store(), profile, options).expect("checker builds (ONNX Runtime and models)")
}

/// An ID-card checker (default language) that never decodes a small face a second time: it
/// reads every face from the analysis copy alone.
pub fn analysis_copy_only_checker() -> Checker {
    checker_with_options(CheckOptions {
        analysis: AnalysisOptions {
            detail: DetailOptions {
                min_iod: 0.0,
                ..DetailOptions::default()
            },
            ..AnalysisOptions::default()
        },
        ..CheckOptions::default()
    })
}

/// The ID-card checker for phone uploads, English messages. Built once per test binary.
pub fn selfie() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(|| make_checker("cn-id-card", InputKind::Selfie, Lang::En))
}

/// The ID-card checker for finished 358x441 card photos, English messages.
pub fn finished() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(|| make_checker("cn-id-card", InputKind::Finished, Lang::En))
}

/// The ICAO passport profile for phone uploads, English messages.
pub fn icao() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(|| make_checker("icao", InputKind::Selfie, Lang::En))
}

/// A checker with any profile text (e.g. a built-in profile with one threshold changed).
pub fn checker_with_profile(toml: &str, input: InputKind, lang: Lang) -> Checker {
    let profile = Arc::new(Profile::parse(toml, "test profile").expect("test profile parses"));
    let options = CheckOptions {
        input,
        lang,
        ..CheckOptions::default()
    };
    Checker::new(store(), profile, options).expect("checker builds")
}

/// The library's own analysis (models only, no rules), used to place synthetic edits (where are
/// the eyes, the brows, the person) the way the checker itself sees them. A small face in a large
/// photo is read from the analysis copy alone here; `analyse_photo` reads it as the checker does.
pub fn analyse(img: &RgbImage) -> Analysis {
    let decoded = decode(&png(img), &DecodeOptions::default()).expect("fixture decodes");
    analyser().analyse(decoded).expect("fixture analyses")
}

/// The analysis of `img` sent as PNG bytes, a small face read from a larger decode of them.
pub fn analyse_photo(img: &RgbImage) -> Analysis {
    analyser()
        .analyse_photo(&png(img), &DecodeOptions::default())
        .expect("fixture analyses")
}

fn analyser() -> &'static Analyser {
    static ANALYSER: OnceLock<Analyser> = OnceLock::new();
    ANALYSER.get_or_init(|| {
        Analyser::new(store(), AnalysisOptions::default()).expect("analyser builds")
    })
}

/// Checks an in-memory image (sent as PNG bytes, losslessly) with `checker`.
pub fn check_with(checker: &Checker, name: &str, img: &RgbImage) -> Report {
    dump(name, img);
    let report = checker.check_bytes(name, &png(img));
    if std::env::var_os("IDPHOTO_TEST_VERBOSE").is_some() {
        eprintln!("{}", summary(&report));
    }
    report
}

/// Checks an in-memory image as a phone upload with the ID-card profile.
pub fn check(name: &str, img: &RgbImage) -> Report {
    check_with(selfie(), name, img)
}

/// Report of an unmodified committed fixture, computed once per test binary.
pub fn astronaut_report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| check("astronaut", astronaut()))
}

pub fn grace_report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| check("grace_hopper", grace()))
}

fn dump(name: &str, img: &RgbImage) {
    if let Some(dir) = std::env::var_os("IDPHOTO_TEST_DUMP") {
        let dir = PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let _ = img.save(dir.join(format!("{name}.png")));
    }
}

pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("PNG encodes");
    out
}

pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("JPEG encodes");
    out
}

// ---------------------------------------------------------------------------------------------
// Reading reports
// ---------------------------------------------------------------------------------------------

/// One line per rule: id, status, value, threshold (for failure messages and verbose runs).
pub fn summary(report: &Report) -> String {
    let mut s = format!(
        "{}: {:?} {:?}\n",
        report.file,
        report.verdict,
        report.error.as_ref().map(|e| e.code)
    );
    for c in &report.checks {
        s.push_str(&format!(
            "  {:<20} {:<12} {:>10} {}\n",
            c.id,
            format!("{:?}", c.status),
            c.value.map_or("-".into(), |v| format!("{v:.3}")),
            c.threshold
        ));
    }
    if let Some(face) = &report.face {
        s.push_str(&format!(
            "  face box {:?} pose {:?}\n",
            face.r#box, face.pose
        ));
    }
    s
}

pub fn result<'a>(report: &'a Report, id: &str) -> &'a CheckResult {
    report
        .check(id)
        .unwrap_or_else(|| panic!("no `{id}` in the report:\n{}", summary(report)))
}

pub fn value(report: &Report, id: &str) -> f64 {
    result(report, id)
        .value
        .unwrap_or_else(|| panic!("`{id}` has no value:\n{}", summary(report)))
}

#[track_caller]
pub fn assert_status(report: &Report, id: &str, expected: Status) {
    let c = result(report, id);
    assert_eq!(
        c.status,
        expected,
        "`{id}` of {}: expected {expected:?}, got {:?} (value {:?}, threshold {})\n{}",
        report.file,
        c.status,
        c.value,
        c.threshold,
        summary(report)
    );
}

#[track_caller]
pub fn assert_pass(report: &Report, id: &str) {
    assert_status(report, id, Status::Pass);
}

#[track_caller]
pub fn assert_fail(report: &Report, id: &str) {
    assert_status(report, id, Status::Fail);
    assert_eq!(report.verdict, Verdict::Fail, "{}", summary(report));
    let message = result(report, id).message.as_deref().unwrap_or_default();
    assert!(!message.is_empty(), "`{id}` failed without advice");
    assert!(
        report.reasons.iter().any(|r| r == message),
        "the advice of `{id}` is not among the reasons: {:?}",
        report.reasons
    );
}

/// `id` was not assessed, for the reason `why` gives in `lang`.
#[track_caller]
pub fn assert_not_assessed(report: &Report, id: &str, lang: Lang, why: &str) {
    assert_status(report, id, Status::NotAssessed);
    assert_eq!(
        result(report, id).message,
        Some(idphoto::messages::text(lang, why))
    );
}

/// `value` satisfies `ok`, with a readable failure.
#[track_caller]
pub fn assert_value(report: &Report, id: &str, what: &str, ok: impl Fn(f64) -> bool) {
    let v = value(report, id);
    assert!(
        ok(v),
        "`{id}` of {}: value {v} is not {what}\n{}",
        report.file,
        summary(report)
    );
}

/// Mean of the two eye keypoints and the inter-ocular distance, in original pixels.
pub fn eyes(report: &Report) -> ([f32; 2], f32) {
    let face = report
        .face
        .as_ref()
        .unwrap_or_else(|| panic!("no face in {}", summary(report)));
    let [r, l] = [face.landmarks[0], face.landmarks[1]];
    (
        [(r[0] + l[0]) / 2.0, (r[1] + l[1]) / 2.0],
        ((r[0] - l[0]).powi(2) + (r[1] - l[1]).powi(2)).sqrt(),
    )
}

// ---------------------------------------------------------------------------------------------
// Image operations (the crate has no imageproc; these are small and exact enough for fixtures)
// ---------------------------------------------------------------------------------------------

fn clamp8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Bilinear sample with clamped (edge-replicating) borders.
pub fn sample(img: &RgbImage, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = img.dimensions();
    let x = x.clamp(0.0, (w - 1) as f32);
    let y = y.clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let mut out = [0f32; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let p = |xx: u32, yy: u32| img.get_pixel(xx, yy)[c] as f32;
        let top = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * fx;
        let bottom = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * fx;
        *o = top + (bottom - top) * fy;
    }
    out
}

/// Output image of `w` x `h` whose pixel (x, y) is `img` sampled at `map(x, y)`.
pub fn warp(img: &RgbImage, w: u32, h: u32, map: impl Fn(f32, f32) -> [f32; 2]) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let [sx, sy] = map(x as f32, y as f32);
        let p = sample(img, sx, sy);
        Rgb([clamp8(p[0]), clamp8(p[1]), clamp8(p[2])])
    })
}

/// Rotates the picture content by `degrees` (positive = clockwise on screen) about `center`,
/// keeping the size; corners are filled by repeating the edge.
pub fn rotate(img: &RgbImage, degrees: f32, center: [f32; 2]) -> RgbImage {
    let (s, c) = degrees.to_radians().sin_cos();
    warp(img, img.width(), img.height(), |x, y| {
        let (dx, dy) = (x - center[0], y - center[1]);
        // Inverse rotation: where in the source does this output pixel come from.
        [center[0] + c * dx + s * dy, center[1] - s * dx + c * dy]
    })
}

/// High-quality rescale (Lanczos3). Used to make the small fixtures larger where a rule needs
/// more face pixels; the checker itself never upscales.
pub fn scale(img: &RgbImage, factor: f32) -> RgbImage {
    let w = (img.width() as f32 * factor).round() as u32;
    let h = (img.height() as f32 * factor).round() as u32;
    image::imageops::resize(img, w, h, image::imageops::FilterType::Lanczos3)
}

/// A `w` x `h` window whose top-left corner is at (x, y) of `img` (may reach outside; outside is
/// filled with `fill`).
pub fn crop(img: &RgbImage, x: i32, y: i32, w: u32, h: u32, fill: Rgb<u8>) -> RgbImage {
    RgbImage::from_fn(w, h, |u, v| {
        let (sx, sy) = (x + u as i32, y + v as i32);
        if sx >= 0 && sy >= 0 && (sx as u32) < img.width() && (sy as u32) < img.height() {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            fill
        }
    })
}

/// Multiplies every channel by `gain` (clipping at 255), like a wrong exposure.
pub fn gain(img: &RgbImage, gain: f32) -> RgbImage {
    idphoto::fixtures::scale_levels(img.clone(), gain)
}

/// Per-pixel colour map on floats.
pub fn map_pixels(img: &RgbImage, f: impl Fn(u32, u32, [f32; 3]) -> [f32; 3]) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y);
        let q = f(x, y, [p[0] as f32, p[1] as f32, p[2] as f32]);
        Rgb([clamp8(q[0]), clamp8(q[1]), clamp8(q[2])])
    })
}

pub fn luma(p: [f32; 3]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

/// Greyscale stored as RGB (three equal channels), as a "black and white" filter produces.
pub fn greyscale(img: &RgbImage) -> RgbImage {
    map_pixels(img, |_, _, p| [luma(p); 3])
}

/// Classic sepia toning: luminance mapped onto a single brown tint.
pub fn sepia(img: &RgbImage) -> RgbImage {
    map_pixels(img, |_, _, p| {
        let l = luma(p);
        [l * 1.07 + 20.0, l * 0.88 + 8.0, l * 0.65]
    })
}

pub fn gaussian_blur(img: &RgbImage, sigma: f32) -> RgbImage {
    image::imageops::blur(img, sigma)
}

/// `fg` over `bg` with per-pixel opacity `alpha` (0..1, row-major, same size).
pub fn composite(fg: &RgbImage, alpha: &[f32], bg: &RgbImage) -> RgbImage {
    assert_eq!(fg.dimensions(), bg.dimensions());
    RgbImage::from_fn(fg.width(), fg.height(), |x, y| {
        let a = alpha[(y * fg.width() + x) as usize];
        let (f, b) = (fg.get_pixel(x, y), bg.get_pixel(x, y));
        Rgb([0, 1, 2].map(|c| clamp8(f[c] as f32 * a + b[c] as f32 * (1.0 - a))))
    })
}

/// Soft person matte from the checker's own segmentation model: 0 backdrop .. 1 person.
pub fn person_alpha(img: &RgbImage) -> Vec<f32> {
    let analysis = analyse(img);
    let mask = analysis.person.expect("segmentation ran");
    assert_eq!(
        mask.image_size(),
        img.dimensions(),
        "fixtures stay below the analysis size"
    );
    mask.to_image_grid()
        .into_iter()
        .map(|p| smoothstep(0.25, 0.75, p))
        .collect()
}

pub fn smoothstep(lo: f32, hi: f32, v: f32) -> f32 {
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

pub fn solid(w: u32, h: u32, colour: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb(colour))
}

/// Deterministic pseudo-random numbers (xorshift), so fixtures are identical on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A red brick wall with light mortar joints and per-brick colour variation.
pub fn brick_wall(w: u32, h: u32) -> RgbImage {
    let (bw, bh, joint) = (46u32, 20u32, 4u32);
    let mut rng = Rng::new(7);
    let shades: Vec<f32> = (0..4096).map(|_| 0.75 + 0.4 * rng.next_f32()).collect();
    let mut grain = Rng::new(11);
    RgbImage::from_fn(w, h, |x, y| {
        let row = y / bh;
        let offset = if row % 2 == 0 { 0 } else { bw / 2 };
        let col = (x + offset) / bw;
        let (u, v) = ((x + offset) % bw, y % bh);
        let g = 0.9 + 0.2 * grain.next_f32();
        if u < joint || v < joint {
            Rgb([clamp8(205.0 * g), clamp8(200.0 * g), clamp8(190.0 * g)])
        } else {
            let s = shades[((row * 97 + col * 31) % 4096) as usize] * g;
            Rgb([clamp8(165.0 * s), clamp8(70.0 * s), clamp8(50.0 * s)])
        }
    })
}

/// A plain, very slightly noisy backdrop (real walls are never a single value).
pub fn plain_wall(w: u32, h: u32, colour: [u8; 3]) -> RgbImage {
    let mut rng = Rng::new(3);
    RgbImage::from_fn(w, h, |_, _| {
        let n = (rng.next_f32() - 0.5) * 4.0;
        Rgb(colour.map(|c| clamp8(c as f32 + n)))
    })
}

/// Fills an ellipse centred on (cx, cy) with radii (rx, ry) turned by `angle` radians, blending
/// `colour` in with a soft edge `feather` pixels wide. `colour` may depend on the position.
pub fn paint_ellipse(
    img: &mut RgbImage,
    center: [f32; 2],
    radii: [f32; 2],
    angle: f32,
    feather: f32,
    colour: impl Fn(u32, u32) -> [f32; 3],
) {
    let (s, c) = angle.sin_cos();
    let reach = radii[0].max(radii[1]) + feather + 1.0;
    let (w, h) = img.dimensions();
    let x0 = (center[0] - reach).floor().max(0.0) as u32;
    let y0 = (center[1] - reach).floor().max(0.0) as u32;
    let x1 = ((center[0] + reach).ceil() as u32).min(w - 1);
    let y1 = ((center[1] + reach).ceil() as u32).min(h - 1);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (dx, dy) = (x as f32 - center[0], y as f32 - center[1]);
            let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
            // Approximate distance outside the ellipse boundary, in pixels.
            let r = ((u / radii[0]).powi(2) + (v / radii[1]).powi(2)).sqrt();
            let outside = (r - 1.0) * radii[0].min(radii[1]);
            let a = 1.0 - smoothstep(-feather, 0.0, outside);
            if a <= 0.0 {
                continue;
            }
            let p = img.get_pixel(x, y);
            let q = colour(x, y);
            let mixed = [0, 1, 2].map(|i| clamp8(p[i] as f32 * (1.0 - a) + q[i] * a));
            img.put_pixel(x, y, Rgb(mixed));
        }
    }
}

/// Copies `src` (a region of `from`) scaled by `factor` onto `to` at (x, y).
pub fn paste_scaled(
    to: &mut RgbImage,
    from: &RgbImage,
    region: (u32, u32, u32, u32),
    factor: f32,
    at: (u32, u32),
) {
    let (rx, ry, rw, rh) = region;
    let piece = image::imageops::crop_imm(from, rx, ry, rw, rh).to_image();
    let piece = scale(&piece, factor);
    image::imageops::replace(to, &piece, at.0 as i64, at.1 as i64);
}

/// A rule with the default profile's settings, so that tests follow the profile.
pub fn default_profile_rule<R: serde::de::DeserializeOwned>(id: &str) -> R {
    let profile: toml::Table = toml::from_str(include_str!("../../profiles/cn-id-card.toml"))
        .expect("the default profile is TOML");
    let mut settings = profile["rules"][id]
        .as_table()
        .unwrap_or_else(|| panic!("{id}'s settings"))
        .clone();
    // Which inputs a rule runs for is the profile's business, not the rule's.
    settings.remove("inputs");
    settings
        .try_into()
        .unwrap_or_else(|e| panic!("{id}'s settings: {e}"))
}
