//! Fixture builders: the committed portraits edited in memory (turned, shut eyes, glasses, a
//! cap, a fringe, covered ears) and composited onto other walls.

use crate::common::*;
use idphoto::analyse::landmarks::{ids, FaceMesh};
use image::RgbImage;
use std::sync::OnceLock;

pub const WHITE_WALL: [u8; 3] = [248, 248, 246];

// ---------------------------------------------------------------------------------------------
// Fixture builders
// ---------------------------------------------------------------------------------------------

/// The face mesh as the checker's own models see it, to place synthetic edits.
pub fn mesh_of(img: &RgbImage) -> FaceMesh {
    analyse(img)
        .face
        .expect("the fixture has a detectable face")
        .mesh
}

pub fn mid(p: [f32; 2], q: [f32; 2]) -> [f32; 2] {
    [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0]
}

pub fn dist(p: [f32; 2], q: [f32; 2]) -> f32 {
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt()
}

pub fn grace_alpha() -> &'static [f32] {
    static A: OnceLock<Vec<f32>> = OnceLock::new();
    A.get_or_init(|| person_alpha(grace()))
}

/// Grace Hopper cut out (with the segmentation model's soft matte) and put in front of `wall`.
pub fn grace_on(wall: &RgbImage) -> RgbImage {
    composite(grace(), grace_alpha(), wall)
}

pub fn grace_on_white() -> &'static RgbImage {
    static IMG: OnceLock<RgbImage> = OnceLock::new();
    IMG.get_or_init(|| {
        let (w, h) = grace().dimensions();
        grace_on(&plain_wall(w, h, WHITE_WALL))
    })
}

/// Grace Hopper with her slight head tilt (about -3°) rotated away, so her eye line is level.
pub fn grace_level() -> &'static RgbImage {
    static IMG: OnceLock<RgbImage> = OnceLock::new();
    IMG.get_or_init(|| {
        let report = grace_report();
        let (eyes_mid, _) = eyes(report);
        rotate(grace(), -value(report, "eye_line_level") as f32, eyes_mid)
    })
}

/// Smooth bump: 1 at 0, falling to 0 at |u| = 1.
pub fn bump(u: f32) -> f32 {
    if u.abs() >= 1.0 {
        0.0
    } else {
        (u * std::f32::consts::FRAC_PI_2).cos().powi(2)
    }
}

/// Simulates a head turned sideways: the middle of the face (nose, eyes, mouth) is pushed
/// towards one cheek by `amount` of the half face width while the outline stays, which is how
/// a yawed head looks in the picture. Positive `amount` moves the features to the image right.
pub fn turned_face(img: &RgbImage, amount: f32) -> RgbImage {
    features_moved(img, [amount, 0.0])
}

/// Simulates a nod the same way: the features pushed towards the chin (positive `amount`, a
/// bowed head) or the forehead by `amount` of the half face height.
pub fn nodded_face(img: &RgbImage, amount: f32) -> RgbImage {
    features_moved(img, [0.0, amount])
}

/// The middle of the face moved by `amount` (shares of the half face width and height) inside
/// an outline that stays.
pub fn features_moved(img: &RgbImage, amount: [f32; 2]) -> RgbImage {
    let m = mesh_of(img);
    let (r, l) = (m.xy(ids::FACE_RIGHT_EDGE), m.xy(ids::FACE_LEFT_EDGE));
    let (top, chin) = (m.xy(ids::FOREHEAD_TOP), m.xy(ids::CHIN));
    let (cx, cy) = ((r[0] + l[0]) / 2.0, (top[1] + chin[1]) / 2.0);
    let (hw, hh) = ((l[0] - r[0]) / 2.0 * 1.3, (chin[1] - top[1]) / 2.0 * 1.3);
    warp(img, img.width(), img.height(), |x, y| {
        let weight = bump((x - cx) / hw) * bump((y - cy) / hh);
        [x - amount[0] * hw * weight, y - amount[1] * hh * weight]
    })
}

/// Paints both eyes shut: an eyelid in the colour of the skin just below each eye, with a dark
/// lash line along its lower edge.
pub fn eyes_shut(img: &RgbImage) -> RgbImage {
    shut(img, [true, true])
}

/// Paints the subject's right eye, left eye or both shut (see `eyes_shut`).
pub fn shut(img: &RgbImage, which: [bool; 2]) -> RgbImage {
    let m = mesh_of(img);
    let mut out = img.clone();
    let eyes = [
        (
            ids::RIGHT_EYE_OUTER,
            ids::RIGHT_EYE_INNER,
            ids::RIGHT_EYE_TOP,
            ids::RIGHT_EYE_BOTTOM,
        ),
        (
            ids::LEFT_EYE_OUTER,
            ids::LEFT_EYE_INNER,
            ids::LEFT_EYE_TOP,
            ids::LEFT_EYE_BOTTOM,
        ),
    ];
    for (outer, inner, top, bottom) in eyes
        .into_iter()
        .zip(which)
        .filter_map(|(eye, shut)| shut.then_some(eye))
    {
        let (po, pi) = (m.xy(outer), m.xy(inner));
        let c = mid(po, pi);
        let w = dist(po, pi);
        let angle = (pi[1] - po[1]).atan2(pi[0] - po[0]);
        let h = (m.xy(bottom)[1] - m.xy(top)[1]).max(w * 0.3);
        let skin = sample(img, c[0], c[1] + w * 0.8);
        paint_ellipse(
            &mut out,
            [c[0], c[1] - h * 0.1],
            [w * 0.68, h * 0.95],
            angle,
            w * 0.12,
            |_, _| skin,
        );
        let lash = [skin[0] * 0.3, skin[1] * 0.25, skin[2] * 0.25];
        let dot = w * 0.04 + 0.6;
        for k in 0..=20 {
            let t = k as f32 / 10.0 - 1.0;
            let p = [
                c[0] + t * w * 0.5 * angle.cos(),
                c[1] + t * w * 0.5 * angle.sin() + h * 0.25 * (1.0 - t * t),
            ];
            paint_ellipse(&mut out, p, [dot, dot], 0.0, 0.6, |_, _| lash);
        }
    }
    out
}

/// The subject's right and left eye centres, their distance and the eye line's angle.
pub fn eye_line(img: &RgbImage) -> ([f32; 2], [f32; 2], f32, f32) {
    let m = mesh_of(img);
    let r = mid(m.xy(ids::RIGHT_EYE_OUTER), m.xy(ids::RIGHT_EYE_INNER));
    let l = mid(m.xy(ids::LEFT_EYE_OUTER), m.xy(ids::LEFT_EYE_INNER));
    (r, l, dist(r, l), (l[1] - r[1]).atan2(l[0] - r[0]))
}

/// Dark sunglasses: two opaque lenses over the eyes and a bridge.
pub fn with_sunglasses(img: &RgbImage) -> RgbImage {
    let (r, l, iod, angle) = eye_line(img);
    let lens = |_, _| [20.0, 22.0, 25.0];
    let mut out = img.clone();
    for c in [r, l] {
        paint_ellipse(&mut out, c, [iod * 0.5, iod * 0.36], angle, 1.0, lens);
    }
    let bridge = [(r[0] + l[0]) / 2.0, (r[1] + l[1]) / 2.0 - iod * 0.12];
    paint_ellipse(&mut out, bridge, [iod * 0.2, iod * 0.05], angle, 1.0, lens);
    out
}

/// A window's bluish-white reflection on the outer part of the subject's right lens, clear of
/// the iris.
pub fn with_lens_reflection(img: &RgbImage) -> RgbImage {
    let (r, _, iod, angle) = eye_line(img);
    let (s, c) = angle.sin_cos();
    // Outward from the right eye is towards image left, along the eye line.
    let at = [r[0] - 0.2 * iod * c, r[1] - 0.2 * iod * s];
    let mut out = img.clone();
    let window = |_, _| [185.0, 210.0, 245.0];
    paint_ellipse(&mut out, at, [iod * 0.08, iod * 0.1], angle, 1.0, window);
    out
}

/// A green coating reflection over the subject's left iris only, as on AR-coated lenses seen
/// against a green light: half the iris's colour comes from the reflection.
pub fn with_green_iris_reflection(img: &RgbImage) -> RgbImage {
    let m = mesh_of(img);
    let center = m.xy(ids::LEFT_IRIS);
    let radius = dist(center, m.xy(ids::LEFT_IRIS + 1));
    let original = img.clone();
    let mut out = img.clone();
    paint_ellipse(&mut out, center, [radius, radius], 0.0, 1.0, |x, y| {
        let p = original.get_pixel(x, y);
        [0, 1, 2].map(|i| 0.5 * p[i] as f32 + 0.5 * [60.0, 200.0, 140.0][i])
    });
    out
}

/// A dark navy cap with a brim over the top of the head.
pub fn with_cap(img: &RgbImage) -> RgbImage {
    let m = mesh_of(img);
    let top = m.xy(ids::FOREHEAD_TOP);
    let fw = dist(m.xy(ids::FACE_RIGHT_EDGE), m.xy(ids::FACE_LEFT_EDGE));
    let mut out = img.clone();
    paint_ellipse(
        &mut out,
        [top[0], top[1] - fw * 0.22],
        [fw * 0.6, fw * 0.4],
        0.0,
        1.5,
        |x, y| {
            let n = ((x * 7 + y * 13) % 9) as f32;
            [30.0 + n, 35.0 + n, 70.0 + n]
        },
    );
    paint_ellipse(
        &mut out,
        [top[0], top[1] + fw * 0.02],
        [fw * 0.72, fw * 0.09],
        0.0,
        1.5,
        |_, _| [25.0, 28.0, 55.0],
    );
    out
}

/// A fringe: the subject's own hair, copied from higher up, hanging over the forehead down to
/// between the brows and the eyes (with a slightly wavy lower edge).
pub fn with_fringe(img: &RgbImage) -> RgbImage {
    let m = mesh_of(img);
    let brows = ids::RIGHT_BROW.iter().chain(&ids::LEFT_BROW);
    let brow_low = brows.map(|&i| m.xy(i)[1]).fold(f32::MIN, f32::max);
    let eye_top = m.xy(ids::RIGHT_EYE_TOP)[1].min(m.xy(ids::LEFT_EYE_TOP)[1]);
    let (x0, x1) = (m.xy(ids::FACE_RIGHT_EDGE)[0], m.xy(ids::FACE_LEFT_EDGE)[0]);
    let top = m.xy(ids::FOREHEAD_TOP)[1];
    let bottom = (brow_low + eye_top) / 2.0 + 1.0;
    let shift = bottom - top + 4.0;
    warp(img, img.width(), img.height(), |x, y| {
        let edge = bottom + 2.0 * (x * 0.35).sin();
        if x >= x0 - 4.0 && x <= x1 + 4.0 && y < edge && y > top - 8.0 {
            [x, y - shift]
        } else {
            [x, y]
        }
    })
}

/// Grey hair (strands) falling over both ears.
pub fn ears_covered(img: &RgbImage) -> RgbImage {
    let m = mesh_of(img);
    let (r, l) = (m.xy(ids::FACE_RIGHT_EDGE), m.xy(ids::FACE_LEFT_EDGE));
    let fw = dist(r, l);
    let mut out = img.clone();
    for (edge, dir) in [(r, -1.0f32), (l, 1.0)] {
        paint_ellipse(
            &mut out,
            [edge[0] + dir * fw * 0.05, edge[1] + fw * 0.05],
            [fw * 0.13, fw * 0.3],
            0.0,
            3.0,
            |x, y| {
                let strand = (x as f32 * 1.3 + (y as f32 * 0.05).sin() * 3.0).sin() * 18.0;
                [196.0 + strand, 192.0 + strand, 186.0 + strand]
            },
        );
    }
    out
}

/// A pleated face mask of `colour` over the nose and mouth (`idphoto::fixtures::with_face_mask`),
/// placed from the checker's own mesh.
pub fn with_face_mask(img: &RgbImage, colour: [f32; 3]) -> RgbImage {
    let place = idphoto::fixtures::FaceMaskPlace::from_mesh(&mesh_of(img), 1.0);
    idphoto::fixtures::with_face_mask(img, &place, colour)
}
