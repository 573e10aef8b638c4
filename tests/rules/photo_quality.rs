//! Light, exposure, sharpness, colour and resolution.

use crate::common::*;
use idphoto::fixtures::add_gaussian_noise;
use idphoto::messages::{self, Lang};
use idphoto::profile::InputKind;
use image::{Rgb, RgbImage};

#[test]
fn lighting_even_fails_with_half_the_face_in_shadow() {
    assert_pass(grace_report(), "lighting_even");
    // Measured: 0.98.
    assert_value(grace_report(), "lighting_even", "nearly even", |v| v > 0.9);
    // The image left of the nose at 40 % brightness, with a soft 12 px transition.
    let nose = grace_report().face.as_ref().unwrap().landmarks[2];
    let shadow = map_pixels(grace(), |x, _, p| {
        let k = 0.4 + 0.6 * smoothstep(nose[0] - 6.0, nose[0] + 6.0, x as f32);
        p.map(|v| v * k)
    });
    let r = check("grace_half_shadow", &shadow);
    assert_fail(&r, "lighting_even");
    assert_value(&r, "lighting_even", "a strong imbalance", |v| v < 0.65); // 0.42
}

#[test]
fn exposure_ok_fails_when_too_dark_or_too_bright() {
    assert_pass(grace_report(), "exposure_ok"); // mean skin 148
    let dark = check("grace_dark", &gain(grace(), 0.3));
    assert_fail(&dark, "exposure_ok");
    assert_value(&dark, "exposure_ok", "dark skin levels", |v| v < 55.0); // 43
    assert_eq!(
        result(&dark, "exposure_ok").message.as_deref(),
        Some(messages::text(Lang::En, "exposure_ok.too_dark").as_str())
    );
    let bright = check("grace_bright", &gain(grace(), 1.9));
    assert_fail(&bright, "exposure_ok");
    assert_value(&bright, "exposure_ok", "clearly over 205", |v| v > 215.0); // 223
    assert_eq!(
        result(&bright, "exposure_ok").message.as_deref(),
        Some(messages::text(Lang::En, "exposure_ok.too_bright").as_str())
    );
    // A photo that is nearly black all over still gets exposure advice, not silence.
    let black = check("grace_black", &gain(grace(), 0.06));
    assert_fail(&black, "exposure_ok");
    assert_eq!(
        result(&black, "exposure_ok").message.as_deref(),
        Some(messages::text(Lang::En, "exposure_ok.too_dark").as_str())
    );
}

/// A photo too dark turns a white wall grey: the backdrop advice says what the photo seems to
/// show, beside the exposure advice, instead of asking for the white wall that is there.
#[test]
fn a_dark_photo_of_a_white_wall_says_the_wall_looks_grey() {
    let on_white = check("grace_white_wall", crate::fixtures::grace_on_white());
    assert_pass(&on_white, "background_white");
    let dark = check(
        "grace_white_wall_dark",
        &gain(crate::fixtures::grace_on_white(), 0.35),
    );
    assert_fail(&dark, "exposure_ok");
    assert_fail(&dark, "background_white");
    let hedged = messages::text(Lang::En, "background_white.too_dark");
    assert_eq!(
        result(&dark, "background_white").message.as_deref(),
        Some(hedged.as_str())
    );
    assert!(dark.reasons.contains(&hedged), "{:?}", dark.reasons);
}

#[test]
fn exposure_ok_sees_a_face_that_is_mostly_black() {
    // Light from far behind one side: all but a sliver of the face crushed to near black. The
    // parser calls only the lit sliver skin, so skin alone would look well exposed.
    let face = grace_report().face.as_ref().unwrap();
    let [x, _, w, _] = face.r#box;
    let edge = x + 0.75 * w;
    let crushed = map_pixels(grace(), |x, _, p| {
        let k = 0.01 + 0.99 * smoothstep(edge - 4.0, edge + 4.0, x as f32);
        p.map(|v| v * k)
    });
    let r = check("grace_crushed", &crushed);
    assert_fail(&r, "exposure_ok"); // more than a fifth of the face clipped to black
    assert_eq!(
        result(&r, "exposure_ok").message.as_deref(),
        Some(messages::text(Lang::En, "exposure_ok.too_dark").as_str())
    );
}

#[test]
fn sharp_fails_when_out_of_focus_or_motion_blurred() {
    let sharp = grace_report();
    assert_pass(sharp, "sharp"); // detail ratio 0.37
    let (_, iod) = eyes(sharp);
    // Defocus: Gaussian blur with sigma 7 % of the inter-ocular distance (~5.7 px).
    let defocus = check("grace_defocus", &gaussian_blur(grace(), 0.07 * iod));
    assert_fail(&defocus, "sharp");
    assert!(value(&defocus, "sharp") < 0.7 * value(sharp, "sharp"));
    // Camera shake: horizontal motion over 20 % of the inter-ocular distance.
    let len = (0.2 * iod).round() as i32;
    let shake = warp_sum(grace(), len);
    let r = check("grace_motion_blur", &shake);
    assert_fail(&r, "sharp");
    assert!(value(&r, "sharp") < 0.7 * value(sharp, "sharp"));
}

/// Blur makes fine detail unreliable (a bare head can read as covered), so in a blurred photo
/// the advice read from it says what the photo seems to show. Grace's cap still fails her.
#[test]
fn a_blurred_photo_hedges_the_advice_read_from_fine_detail() {
    let (_, iod) = eyes(grace_report());
    let blurred = check("grace_blur_4", &gaussian_blur(grace(), 0.04 * iod));
    let advice = |r: &idphoto::report::Report, id: &str| result(r, id).message.clone();
    let text = |key: &str| Some(messages::text(Lang::En, key));
    assert_fail(&blurred, "sharp");
    assert_fail(&blurred, "no_head_covering");
    assert_eq!(
        advice(&blurred, "no_head_covering"),
        text("no_head_covering.blurred")
    );
    // The blur, which is what to fix, is told before what it makes the photo seem to show.
    let position = |key: &str| {
        let text = messages::text(Lang::En, key);
        let found = blurred.reasons.iter().position(|r| *r == text);
        found.unwrap_or_else(|| panic!("{key} in {:?}", blurred.reasons))
    };
    assert!(position("sharp") < position("no_head_covering.blurred"));
    assert_eq!(
        advice(grace_report(), "no_head_covering"),
        text("no_head_covering")
    );
}

/// The evaluation set's definition of blur, in Gaussian sigma per inter-ocular distance: up to
/// 0.008 is not visible (pass), from 0.025 it is (fail). The limit fails 91 % of faces at 0.025
/// (examples/sharp_calibration.rs) and all at 0.03; this grainy scan is among the 9 % (0.235).
#[test]
fn sharp_limit_sits_between_invisible_and_visible_blur() {
    let (_, iod) = eyes(grace_report());
    let slight = check("grace_slight_blur", &gaussian_blur(grace(), 0.008 * iod));
    assert_pass(&slight, "sharp");
    let visible = check("grace_visible_blur", &gaussian_blur(grace(), 0.03 * iod));
    assert_fail(&visible, "sharp");
}

/// A face with too few pixels between the eyes has no fine detail to lose: sharp, it would read
/// as blurred. `resolution` fails it; `sharp` says it cannot tell.
#[test]
fn sharp_does_not_judge_a_face_too_small_to_show_detail() {
    // About 25 px between the eyes: judged (and sharp).
    let judged = check("grace_0.3", &scale(grace(), 0.3));
    assert_pass(&judged, "sharp");
    // About 17 px: read as 0.12, under the limit, before.
    let tiny = check("grace_0.2", &scale(grace(), 0.2));
    assert_fail(&tiny, "resolution");
    assert_not_assessed(&tiny, "sharp", Lang::En, "na.face_too_small");
}

/// Where the photo has the pixels but the image read has not (the larger decode failed), the
/// face is not called too small.
#[test]
fn sharp_does_not_blame_the_photo_for_a_decode_it_lacks() {
    use idphoto::checks::{Context, Rule};
    let rule: idphoto::checks::sharp::Sharp = default_profile_rule("sharp");
    // Grace (81 px between the eyes) in a 4000 x 4800 photo: about 17 in the analysis copy.
    let mut photo = RgbImage::from_pixel(4000, 4800, Rgb([230, 230, 226]));
    image::imageops::overlay(&mut photo, grace(), 1744, 4200);
    // The checker reads it from a larger decode.
    assert_pass(&check("grace_in_a_large_photo", &photo), "sharp");
    // The analysis of the decoded copy alone has no larger decode: that needs the photo's bytes.
    let analysis = analyse(&photo);
    assert!(analysis.detail.is_none());
    let unjudged = rule.evaluate(&Context::new(&analysis, InputKind::Selfie));
    assert_eq!(unjudged.status, idphoto::report::Status::NotAssessed);
    assert_eq!(unjudged.message_key.as_deref(), Some("na.not_measurable"));
}

/// Grain is not sharpness: sensor-like noise on a visibly blurred face must not lift it to a
/// pass, nor fail a sharp face.
#[test]
fn sharp_is_not_fooled_by_noise() {
    let (_, iod) = eyes(grace_report());
    let grainy = check("grace_noise", &add_gaussian_noise(grace().clone(), 6.0, 1));
    assert_pass(&grainy, "sharp");
    let blurred = gaussian_blur(grace(), 0.03 * iod);
    let clean = check("grace_blur", &blurred);
    assert_fail(&clean, "sharp");
    let noisy = check("grace_blur_noise", &add_gaussian_noise(blurred, 6.0, 1));
    assert_fail(&noisy, "sharp");
}

/// A blurred face cut by the photo's edge still fails: the step to what lies beyond the edge is
/// no detail of the face (read as black, it lifted this one from 0.217 to 0.236).
#[test]
fn sharp_is_not_fooled_by_the_photo_edge() {
    let (_, iod) = eyes(grace_report());
    let blurred = gaussian_blur(grace(), 0.03 * iod);
    let (w, h) = blurred.dimensions();
    let cut = image::imageops::crop_imm(&blurred, 200, 0, w - 200, h).to_image();
    assert_fail(&check("grace_blur_cut", &cut), "sharp");
}

/// Grace at her own size on a 3000x4000 photo: 20 px between the eyes in the 1024-px analysis
/// copy, whose reduction reads as blur. Judged there she failed (0.21); now, with fewer than 24
/// px between the eyes, she is not judged there at all. The face is judged on a larger decode
/// of the photo instead, and blurred she still fails there.
#[test]
fn a_small_face_in_a_large_photo_is_judged_on_a_larger_decode() {
    let (_, iod) = eyes(grace_report());
    let on_large_photo = |img: &RgbImage| {
        let (w, h) = img.dimensions();
        let (x, y) = ((3000 - w as i32) / 2, (4000 - h as i32) / 2);
        crop(img, -x, -y, 3000, 4000, Rgb([120, 120, 120]))
    };
    let small = on_large_photo(grace());
    let r = check("grace_small_in_12mp", &small);
    assert_pass(&r, "sharp");
    assert!(
        r.timings_ms.contains_key("decode_detail"),
        "{:?}",
        r.timings_ms
    );
    assert_value(&r, "sharp", "near her own size's 0.37", |v| {
        (v - value(grace_report(), "sharp")).abs() < 0.03
    });
    let analysis_copy_only = analysis_copy_only_checker();
    let unjudged = check_with(&analysis_copy_only, "grace_small_in_12mp", &small);
    // (This checker speaks the default language.)
    assert_not_assessed(&unjudged, "sharp", Lang::ZhCn, "na.not_measurable");
    let blurred = on_large_photo(&gaussian_blur(grace(), 0.03 * iod));
    assert_fail(&check("grace_blurred_small_in_12mp", &blurred), "sharp");
    // The second decode serves the face models too: a profile without `sharp` reads it as well.
    let without_sharp = checker_with_profile(
        "name = \"single-face-only\"\n[rules.single_face]\nmin_score = 0.7\nmin_relative_width = 0.25\n",
        InputKind::Selfie,
        Lang::En,
    );
    let r = check_with(&without_sharp, "grace_small_in_12mp", &small);
    assert_pass(&r, "single_face");
    assert!(
        r.timings_ms.contains_key("decode_detail"),
        "{:?}",
        r.timings_ms
    );
}

/// Horizontal box blur of `len` pixels (linear camera shake).
fn warp_sum(img: &RgbImage, len: i32) -> RgbImage {
    let (w, h) = img.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let mut acc = [0f32; 3];
        for d in 0..len {
            let xx = (x as i32 + d - len / 2).clamp(0, w as i32 - 1) as u32;
            let p = img.get_pixel(xx, y);
            for c in 0..3 {
                acc[c] += p[c] as f32;
            }
        }
        Rgb(acc.map(|v| (v / len as f32).round() as u8))
    })
}

#[test]
fn color_photo_fails_for_black_and_white_and_single_tint_sepia() {
    // Measured colour variety: 62 and 23.
    assert_pass(grace_report(), "color_photo");
    assert_pass(astronaut_report(), "color_photo");
    // Greyscale kept as RGB (a "mono" filter on a colour file): variety 0.
    let grey = check("grace_grey_rgb", &greyscale(grace()));
    assert_fail(&grey, "color_photo");
    assert_value(&grey, "color_photo", "no colour", |v| v < 2.0);
    // A genuinely single-channel file.
    let luma8 = image::DynamicImage::ImageRgb8(astronaut().clone()).to_luma8();
    let mut bytes = Vec::new();
    luma8
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    let r = selfie().check_bytes("astronaut_grey_l8", &bytes);
    assert_fail(&r, "color_photo");
    // Sepia: every pixel the same brown tint scaled by its brightness (measured 0.5).
    let toned = map_pixels(grace(), |_, _, p| {
        let l = luma(p);
        [l, l * 0.85, l * 0.62]
    });
    let r = check("grace_sepia", &toned);
    assert_fail(&r, "color_photo");
    assert_value(&r, "color_photo", "a single tint", |v| v < 3.0);
}

#[test]
fn a_photo_without_a_face_is_not_told_it_is_black_and_white() {
    // A beige wall alone: one tint, so as little colour variety as a sepia photo, judged
    // over the whole frame since there is no face. It may be a colour photo of a wall.
    let r = check("beige_wall", &plain_wall(600, 800, [200, 170, 120]));
    assert_fail(&r, "single_face");
    assert_fail(&r, "color_photo");
    assert_eq!(
        result(&r, "color_photo").message.as_deref(),
        Some(messages::text(Lang::En, "color_photo.no_face").as_str())
    );
}

/// Grain in each channel of a greyscale photo (a scan, a noisy sensor) is not colour: it
/// changes from pixel to pixel independently, while a photo's colours are shared with their
/// neighbours.
#[test]
fn color_photo_is_not_fooled_by_grain_in_each_channel() {
    for sigma in [4.0, 8.0] {
        let grainy_grey = add_gaussian_noise(greyscale(grace()), sigma, 7);
        let r = check(&format!("grace_grey_grain_{sigma}"), &grainy_grey);
        // Measured 1.8 and 3.1. The chroma spread alone, as the rule read it before the
        // grain was told apart, was 23.4 at sigma 4: a colour photo.
        assert_fail(&r, "color_photo");
        assert_value(&r, "color_photo", "little left of the grain", |v| v < 4.0);
    }
    // The same grain leaves a colour photo its colour (measured 69 against 62 without it).
    let grainy_colour = add_gaussian_noise(grace().clone(), 8.0, 7);
    let r = check("grace_colour_grain", &grainy_colour);
    let clean = value(grace_report(), "color_photo");
    assert_value(&r, "color_photo", "about the photo's own colour", |v| {
        v > 0.9 * clean
    });
}

/// A fine pattern of two colours, cells 2 px wide, on the lower third of a pale colour
/// portrait: neighbours differ as much as grain would, but in step with the pattern, so it
/// stays colour. (Taking the neighbours' differences off as grain read it as 0.)
#[test]
fn color_photo_keeps_a_fine_colour_pattern() {
    let h = grace().height();
    let patterned = map_pixels(grace(), |x, y, p| {
        let l = luma(p);
        if y > h * 2 / 3 {
            // Two tints on either side of the skin's, alternating in checks.
            let tint = if (x / 2 + y / 2) % 2 == 0 {
                [-30.0, 25.0, -10.0]
            } else {
                [25.0, -25.0, 20.0]
            };
            [0, 1, 2].map(|c| l + 0.25 * tint[c])
        } else {
            p.map(|c| l + 0.25 * (c - l))
        }
    });
    let r = check("grace_pale_fine_checks", &patterned);
    // Measured 20.
    assert_pass(&r, "color_photo");
    assert_value(&r, "color_photo", "well over the limit", |v| v > 12.0);
}

/// A selfie taken from further away shows more wall. Colour is judged around the face, so a
/// pale colour portrait stays a colour photo on a large neutral wall. (Judged over the whole
/// image, its colour variety fell from 16 to 2.6, far under the limit.)
#[test]
fn color_photo_judges_the_portrait_not_the_wall() {
    let (w, h) = grace().dimensions();
    let pale = map_pixels(grace(), |_, _, p| {
        let l = luma(p);
        p.map(|c| l + 0.25 * (c - l))
    });
    let mut wall = plain_wall(3 * w, 3 * h, [150, 150, 150]);
    image::imageops::replace(&mut wall, &pale, w as i64, h as i64);
    let alone = check("grace_pale", &pale);
    let far = check("grace_pale_on_a_wide_wall", &wall);
    assert_pass(&alone, "color_photo");
    assert_pass(&far, "color_photo");
    // Measured 15.8 and 14.4.
    let near = value(&alone, "color_photo");
    assert_value(&far, "color_photo", "close to the portrait's own", |v| {
        v > 0.85 * near
    });
}

/// The usual sepia filter (the CSS / Microsoft matrix, with clipping of bright pixels) leaves a
/// little colour variety; it must still count as one tint. (The first version of the rule read
/// it as colour: variety 9.3 for Grace Hopper and 12.3 for the astronaut against a limit of 6.)
#[test]
fn color_photo_fails_for_the_standard_sepia_filter() {
    let sepia_matrix = |img: &RgbImage| {
        map_pixels(img, |_, _, p| {
            [
                0.393 * p[0] + 0.769 * p[1] + 0.189 * p[2],
                0.349 * p[0] + 0.686 * p[1] + 0.168 * p[2],
                0.272 * p[0] + 0.534 * p[1] + 0.131 * p[2],
            ]
        })
    };
    for (name, img) in [("grace", grace()), ("astronaut", astronaut())] {
        let r = check(&format!("{name}_sepia_matrix"), &sepia_matrix(img));
        assert_fail(&r, "color_photo");
    }
}

#[test]
fn resolution_needs_enough_face_pixels() {
    let small = grace_report();
    // Measured: face 179 px wide.
    assert_fail(small, "resolution");
    // Upscaled 2x with Lanczos for this test only (the checker never enlarges photos).
    let big = check("grace_2x", &scale(grace(), 2.0));
    assert_pass(&big, "resolution");
    // Measured in original pixels: twice the width (357 vs 179), although the analysis copy
    // is reduced to 1024 px.
    let ratio = value(&big, "resolution") / value(small, "resolution");
    assert!((1.8..2.2).contains(&ratio), "ratio {ratio}");
}

#[test]
fn resolution_advice_says_whether_coming_closer_can_help() {
    let advice = |r: &idphoto::report::Report| result(r, "resolution").message.clone();
    let text = |key: &str| Some(messages::text(Lang::En, key));
    // 512 x 600 px can hold a 207 px face with the card's room round it: come closer.
    assert_eq!(advice(grace_report()), text("resolution"));
    // 256 x 300 px cannot (under the card's own 358 x 441 px): take it at full resolution.
    let thumbnail = check("grace_half", &scale(grace(), 0.5));
    assert_fail(&thumbnail, "resolution");
    assert_eq!(advice(&thumbnail), text("resolution.photo_too_small"));
    // 360 x 450 px, over the card's size, with the hair cut by the top edge but 210 px below
    // the chin: the phone is to be aimed higher, and coming closer still helps, since a
    // frame of the card's height holds a head whose face is under 207 px wide. (Where the
    // head needs the phone further away, the joint advice's unit test covers the rest.)
    let tight = check(
        "grace_tight",
        &crop(grace(), 80, 90, 360, 450, Rgb([0, 0, 0])),
    );
    assert_fail(&tight, "resolution");
    assert_eq!(
        result(&tight, "head_in_frame").message,
        text("head_in_frame.off_centre_top")
    );
    assert_eq!(advice(&tight), text("resolution"));
}
