//! Finished card photos (GA 461 geometry: 358x441, face 207±14 px, head top 7-21 px, eye line
//! >= 207 px above the bottom, centred within 10 px).

use crate::common::*;
use crate::fixtures::*;
use idphoto::messages::{self, Lang};
use idphoto::profile::InputKind;
use idphoto::report::{Report, Verdict};
use image::{Rgb, RgbImage};
use std::sync::OnceLock;

/// Grace Hopper on a plain grey wall, scaled so her face is ~207 px wide, plus where her eyes
/// and the top of her cap are in that scaled picture.
///
/// Grey rather than white: the crown of her cap is white, and on a white wall the person mask
/// (which `head_top_margin` uses) sometimes stops short of it, by up to ~20 px depending on the
/// exact crop. On grey the measured head top is within ~3 px of the visible one.
struct CardSource {
    image: RgbImage,
    eyes: [f32; 2],
    head_top: i32,
}

const CARD_WALL: [u8; 3] = [150, 150, 150];

fn card_source(face_scale: f32) -> CardSource {
    let (w, h) = grace().dimensions();
    let on_grey = grace_on(&plain_wall(w, h, CARD_WALL));
    // Face width of the composite: measured 182 px; 207 / 182 = 1.137.
    card_source_from(
        &format!("card_source_{face_scale}"),
        scale(&on_grey, 1.137 * face_scale),
    )
}

fn card_source_from(name: &str, image: RgbImage) -> CardSource {
    let r = check(name, &image);
    let (eye_mid, _) = eyes(&r);
    let b = r.face.as_ref().unwrap().r#box;
    // Top of the head by a plain scan for the first row over the middle of the face that differs
    // from the wall (independent of the checker's segmentation).
    let cols = (b[0] + b[2] * 0.2) as u32..(b[0] + b[2] * 0.8) as u32;
    let head_top = (0..image.height())
        .find(|&y| {
            cols.clone().any(|x| {
                let p = image.get_pixel(x, y);
                (0..3)
                    .map(|c| (p[c] as f32 - CARD_WALL[c] as f32).abs())
                    .sum::<f32>()
                    > 60.0
            })
        })
        .expect("the head is in the picture") as i32;
    CardSource {
        image,
        eyes: eye_mid,
        head_top,
    }
}

fn card_source_207() -> &'static CardSource {
    static S: OnceLock<CardSource> = OnceLock::new();
    S.get_or_init(|| card_source(1.0))
}

/// A `w` x `h` card cut from `src` with the face centred plus `dx`, and the head top `top` px
/// below the top edge.
fn card(src: &CardSource, w: u32, h: u32, dx: i32, top: i32) -> RgbImage {
    let x0 = (src.eyes[0] - w as f32 / 2.0).round() as i32 - dx;
    let y0 = src.head_top - top;
    crop(&src.image, x0, y0, w, h, Rgb(CARD_WALL))
}

/// Grace with a head `TALL_PX` taller, as tall hair would make it: everything from
/// `STRETCH_FROM` px above her eyes stretched upwards, her cap's top `TALL_PX` higher.
fn card_source_tall_hair() -> &'static CardSource {
    static S: OnceLock<CardSource> = OnceLock::new();
    S.get_or_init(|| {
        let src = card_source_207();
        let (w, h) = src.image.dimensions();
        let padded = crop(
            &src.image,
            0,
            -TALL_PAD,
            w,
            h + TALL_PAD as u32,
            Rgb(CARD_WALL),
        );
        let from = src.eyes[1] + TALL_PAD as f32 - STRETCH_FROM;
        let stretch = 1.0 + TALL_PX as f32 / (src.eyes[1] - src.head_top as f32 - STRETCH_FROM);
        let image = warp(&padded, w, h + TALL_PAD as u32, |x, y| {
            [
                x,
                if y < from {
                    from - (from - y) / stretch
                } else {
                    y
                },
            ]
        });
        card_source_from("card_source_tall_hair", image)
    })
}

const TALL_PX: i32 = 50;
/// Wall added above her cap, for the head to rise into.
const TALL_PAD: i32 = 100;
const STRETCH_FROM: f32 = 10.0;

/// A 358 x 441 card cut from `src` with the eye line `eye_line` px above its bottom edge.
fn card_with_eye_line(src: &CardSource, eye_line: i32) -> RgbImage {
    let top = src.head_top - (src.eyes[1].round() as i32 - (441 - eye_line));
    card(src, 358, 441, 0, top)
}

fn check_card(name: &str, img: &RgbImage) -> Report {
    check_with(finished(), name, img)
}

/// A failed geometry rule says what it measured (its value) and what the standard asks, and to
/// crop again: staff re-checking stored photos are not told to move the phone.
fn assert_geometry_advice(r: &Report, id: &str, key: &str, expected: &str) {
    let c = result(r, id);
    let actual = c.value.expect("a measured value").abs().to_string();
    let want = messages::format(
        Lang::En,
        key,
        &[("actual", actual), ("expected", expected.to_string())],
    );
    assert_eq!(c.message.as_deref(), Some(want.as_str()), "{}", summary(r));
    assert!(want.contains("Crop it again"), "{want}");
}

const GEOMETRY: [&str; 5] = [
    "photo_size",
    "head_width",
    "head_top_margin",
    "eye_line_height",
    "head_centered",
];

#[test]
fn finished_card_cut_to_spec_passes_every_geometry_rule() {
    let r = check_card("card_ok", &card(card_source_207(), 358, 441, 0, 12));
    for id in GEOMETRY {
        assert_pass(&r, id);
    }
    // Measured: width 208, top margin 14 (the cap's top placed 12 px down), eye line 238 px
    // above the bottom, offset -1.
    // Bounds a few px wide: the pass bands (207±14, 7-21, ±10) would hide a measure 10 px off.
    assert_value(&r, "head_width", "near 208", |v| (v - 208.0).abs() <= 4.0);
    assert_value(&r, "head_top_margin", "near 14", |v| {
        (v - 14.0).abs() <= 3.0
    });
    assert_value(&r, "head_centered", "near 0", |v| v.abs() <= 3.0);
    assert_value(&r, "eye_line_height", "clearly enough", |v| v > 220.0);
    // The photo's own content rules still apply to a card (her glasses).
    assert_fail(&r, "no_glasses");
}

#[test]
fn finished_photo_of_the_wrong_size_fails_photo_size() {
    let r = check_card("card_400x500", &card(card_source_207(), 400, 500, 0, 12));
    assert_fail(&r, "photo_size");
    let message = result(&r, "photo_size").message.clone().unwrap();
    assert!(
        message.contains("358x441") && message.contains("400x500"),
        "{message}"
    );
    assert_eq!(result(&r, "photo_size").value, Some(400.0));
    assert_pass(&r, "head_centered");
    // The value is the side that is off: here only the height.
    let r = check_card("card_358x460", &card(card_source_207(), 358, 460, 0, 12));
    assert_fail(&r, "photo_size");
    assert_eq!(result(&r, "photo_size").value, Some(460.0));
    let message = |r: &Report| result(r, "photo_size").message.clone().unwrap();
    assert!(message(&r).contains("Crop it again"), "{}", message(&r));
    // A card of the right shape at twice the size needs resizing, not cropping again.
    let double = scale(&card(card_source_207(), 358, 441, 0, 12), 2.0);
    assert_eq!(double.dimensions(), (716, 882));
    let r = check_card("card_716x882", &double);
    assert_fail(&r, "photo_size");
    assert!(
        message(&r).contains("Resize it to 358x441"),
        "{}",
        message(&r)
    );
}

/// A card of the right shape at another size (a 2x export, a scan) is measured as if resized to
/// 358x441: `photo_size` asks for the resize, and the other rules judge the framing in the pixels
/// the card will have, rather than telling a well-framed card that its face is too wide.
#[test]
fn a_finished_photo_at_another_size_is_measured_as_if_resized() {
    let double = scale(&card(card_source_207(), 358, 441, 0, 12), 2.0);
    let r = check_card("card_716x882", &double);
    assert_fail(&r, "photo_size");
    for id in &GEOMETRY[1..] {
        assert_pass(&r, id);
        let threshold = &result(&r, id).threshold;
        assert!(
            threshold.ends_with("measured as if resized to 358x441"),
            "{id}: {threshold}"
        );
    }
    // The same values as the card cut to size (208, 14, > 220, -1), not twice them.
    assert_value(&r, "head_width", "near 208", |v| (v - 208.0).abs() <= 4.0);
    assert_value(&r, "head_top_margin", "near 14", |v| {
        (v - 14.0).abs() <= 3.0
    });
    assert_value(&r, "head_centered", "near 0", |v| v.abs() <= 3.0);
    assert_value(&r, "eye_line_height", "clearly enough", |v| {
        (220.0..260.0).contains(&v)
    });
    assert_eq!(
        r.reasons.iter().filter(|m| m.contains("358x441")).count(),
        1
    );

    // Badly framed at 1.5x (537x662, a side rounded): the advice is in the resized card's pixels.
    let shifted = scale(&card(card_source_207(), 358, 441, 40, 12), 1.5);
    assert_eq!(shifted.dimensions(), (537, 662));
    let r = check_card("card_shifted_537x662", &shifted);
    assert_fail(&r, "photo_size");
    assert_fail(&r, "head_centered");
    assert_value(&r, "head_centered", "about 40 px off", |v| {
        (v.abs() - 40.0).abs() <= 5.0
    });
    let want = messages::format(
        Lang::En,
        "head_centered.right.resized",
        &[
            ("actual", value(&r, "head_centered").abs().to_string()),
            ("expected", "10".to_string()),
            ("card", "358x441".to_string()),
        ],
    );
    assert_eq!(
        result(&r, "head_centered").message.as_deref(),
        Some(want.as_str())
    );
    assert!(want.starts_with("Resized to 358x441 pixels,"), "{want}");
    assert_pass(&r, "head_width");
    // It is cut again from the original at the card's size, so it is not told to resize too.
    let size_advice = result(&r, "photo_size").message.clone().unwrap();
    assert!(
        size_advice.contains("Crop it again") && !size_advice.contains("Resize"),
        "{size_advice}"
    );

    // A cut head top at 2x is cut in the card's pixels too.
    let cut = scale(&card(card_source_207(), 358, 441, 0, -10), 2.0);
    let r = check_card("card_cut_top_716x882", &cut);
    assert_value(&r, "head_top_margin", "no space at all", |v| v == 0.0);
    let want = messages::format(
        Lang::En,
        "head_top_margin.cut.resized",
        &[
            ("expected", "7-21".to_string()),
            ("card", "358x441".to_string()),
        ],
    );
    assert_eq!(
        result(&r, "head_top_margin").message.as_deref(),
        Some(want.as_str())
    );

    // At half the size the framing is as good, but enlarging the card would add no detail.
    let half = scale(&card(card_source_207(), 358, 441, 0, 12), 0.5);
    assert_eq!(half.dimensions(), (179, 221));
    let r = check_card("card_179x221", &half);
    for id in &GEOMETRY[1..] {
        assert_pass(&r, id);
    }
    assert_value(&r, "head_width", "near 208", |v| (v - 208.0).abs() <= 6.0);
    let size_advice = result(&r, "photo_size").message.clone().unwrap();
    let want = messages::format(
        Lang::En,
        "photo_size.too_small",
        &[
            ("expected", "358x441".to_string()),
            ("actual", "179x221".to_string()),
        ],
    );
    assert_eq!(size_advice, want);
    // A few pixels short, it is resized: enlarging it 2 % loses nothing a card needs.
    let short = scale(&card(card_source_207(), 358, 441, 0, 12), 0.98);
    assert_eq!(short.dimensions(), (351, 432));
    let r = check_card("card_351x432", &short);
    let size_advice = result(&r, "photo_size").message.clone().unwrap();
    assert!(
        size_advice.contains("Resize it to 358x441"),
        "{size_advice}"
    );

    // A card of another shape is measured in its own pixels, as cut.
    let r = check_card("card_400x500", &card(card_source_207(), 400, 500, 0, 12));
    assert!(!result(&r, "head_width").threshold.contains("resized"));
    assert_value(&r, "head_width", "near 208, as cut", |v| {
        (v - 208.0).abs() <= 4.0
    });
}

/// A tilted card is cut again level from the original: no one is in front of a camera.
#[test]
fn a_tilted_finished_photo_is_told_to_crop_it_again_level() {
    let src = card_source_207();
    let tilted = rotate(&card(src, 358, 441, 0, 12), 8.0, [179.0, 220.0]);
    let r = check_card("card_tilted_8", &tilted);
    assert_fail(&r, "eye_line_level");
    assert_eq!(
        result(&r, "eye_line_level").message,
        Some(messages::text(Lang::En, "eye_line_level.finished"))
    );
    // A card on its side is turned upright: no phone is involved.
    let on_its_side = image::imageops::rotate90(&card(src, 358, 441, 0, 12));
    let r = check_card("card_on_its_side", &on_its_side);
    assert_fail(&r, "eye_line_level");
    assert_eq!(
        result(&r, "eye_line_level").message,
        Some(messages::text(Lang::En, "eye_line_level.turned_finished"))
    );
}

#[test]
fn finished_photo_off_centre_fails_head_centered() {
    let r = check_card("card_shifted", &card(card_source_207(), 358, 441, 40, 12));
    assert_fail(&r, "head_centered");
    assert_value(&r, "head_centered", "about 40 px off", |v| {
        (v.abs() - 40.0).abs() <= 5.0
    }); // measured 39
        // The window was moved left, so the head sits right of the centre.
    assert_geometry_advice(&r, "head_centered", "head_centered.right", "10");
    assert_pass(&r, "photo_size");
    assert_eq!(result(&r, "photo_size").value, Some(358.0), "the width");
    assert_pass(&r, "head_width");
    let left = check_card(
        "card_shifted_left",
        &card(card_source_207(), 358, 441, -40, 12),
    );
    assert_fail(&left, "head_centered");
    assert_geometry_advice(&left, "head_centered", "head_centered.left", "10");
    // The two offsets point opposite ways.
    assert!(value(&r, "head_centered") * value(&left, "head_centered") < 0.0);
}

#[test]
fn finished_photo_with_too_large_a_face_fails_head_width() {
    let src = card_source(1.25);
    let r = check_card("card_face_too_wide", &card(&src, 358, 441, 0, 12));
    assert_fail(&r, "head_width");
    assert_value(&r, "head_width", "well over 221", |v| v > 235.0); // 259
    assert_geometry_advice(&r, "head_width", "head_width", "207±14");
    assert_pass(&r, "photo_size");
    assert_pass(&r, "head_centered");
}

#[test]
fn finished_photo_with_too_much_space_above_fails_head_top_margin() {
    let r = check_card("card_low_head", &card(card_source_207(), 358, 441, 0, 40));
    assert_fail(&r, "head_top_margin");
    assert_value(&r, "head_top_margin", "about 40", |v| {
        (v - 40.0).abs() <= 5.0
    }); // 40
    assert_geometry_advice(&r, "head_top_margin", "head_top_margin", "7-21");
    assert_pass(&r, "photo_size");
    assert_pass(&r, "head_width");
}

#[test]
fn finished_photo_with_the_eyes_too_low_fails_eye_line_height() {
    let r = check_card("card_eyes_low", &card(card_source_207(), 358, 441, 0, 70));
    assert_fail(&r, "eye_line_height");
    assert_value(&r, "eye_line_height", "about 181", |v| {
        (v - 181.0).abs() <= 6.0
    }); // 181
    assert_geometry_advice(&r, "eye_line_height", "eye_line_height", "207");
}

#[test]
fn finished_photo_that_cuts_the_head_top_says_so() {
    // The card's top edge runs 10 px into her cap.
    let r = check_card("card_cut_top", &card(card_source_207(), 358, 441, 0, -10));
    assert_fail(&r, "head_top_margin");
    assert_value(&r, "head_top_margin", "no space at all", |v| v == 0.0);
    let want = messages::format(
        Lang::En,
        "head_top_margin.cut",
        &[("expected", "7-21".to_string())],
    );
    assert_eq!(
        result(&r, "head_top_margin").message.as_deref(),
        Some(want.as_str())
    );
    // The frame rule leaves the top edge to it (cn-id-card) and judges the other edges.
    assert_pass(&r, "head_in_frame");
    assert_eq!(r.reasons.iter().filter(|m| **m == want).count(), 1);
}

/// GA 461 puts the eye line first: hair too tall for the card may be cut where the eye line,
/// at least 207 px above the bottom edge, leaves no room above the head. Where it has room to
/// spare, the cut is the crop's fault and fails.
#[test]
fn finished_photo_may_cut_tall_hair_where_the_eye_line_leaves_no_room() {
    let src = card_source_tall_hair();
    let cap_top = card_source_207().head_top + TALL_PAD;
    assert!(
        (src.head_top - (cap_top - TALL_PX)).abs() <= 3,
        "the head's top: {} for {}",
        src.head_top,
        cap_top - TALL_PX
    );
    // The eye line 211 px up (measured 210): the head top is cut by about 10 px, and a crop
    // giving it the 7 px margin would put the eye line at 203.
    let r = check_card("card_tall_hair", &card_with_eye_line(src, 211));
    assert_pass(&r, "eye_line_height");
    assert_value(&r, "eye_line_height", "just over 207", |v| {
        (207.0..=216.0).contains(&v)
    });
    assert_value(&r, "head_top_margin", "cut", |v| v == 0.0);
    assert_pass(&r, "head_top_margin");
    assert_pass(&r, "head_in_frame");
    assert!(
        result(&r, "head_top_margin")
            .threshold
            .contains("eye line (>= 207 px) leaves no room"),
        "{}",
        summary(&r)
    );
    // The eye line 250 px up: the crop had room to give the head top its margin.
    let room = check_card("card_tall_hair_cut", &card_with_eye_line(src, 250));
    assert_pass(&room, "eye_line_height");
    assert_fail(&room, "head_top_margin");
    assert_pass(&room, "head_in_frame");
    assert_eq!(
        result(&room, "head_top_margin").message.as_deref(),
        Some(
            messages::format(
                Lang::En,
                "head_top_margin.cut",
                &[("expected", "7-21".to_string())]
            )
            .as_str()
        )
    );
}

#[test]
fn blurred_finished_photo_is_told_to_crop_from_a_sharp_original() {
    let blurred = gaussian_blur(&card(card_source_207(), 358, 441, 0, 12), 6.0);
    let r = check_card("card_blurred", &blurred);
    assert_fail(&r, "sharp");
    assert_eq!(
        result(&r, "sharp").message.as_deref(),
        Some(messages::text(Lang::En, "sharp.finished").as_str())
    );
    assert!(!r.reasons.iter().any(|m| m.contains("phone")), "{r:?}");
}

/// A stored photo is not re-aimed or taken from further away: a head the card's edge cuts is
/// told which edge, and to crop again.
#[test]
fn finished_photo_that_cuts_an_ear_or_the_shoulders_says_which_edge() {
    let frame_advice = |name: &str, img: &RgbImage| {
        let r = check_card(name, img);
        assert_fail(&r, "head_in_frame");
        result(&r, "head_in_frame").message.clone().unwrap()
    };
    // The window moved 110 px left: the head's right side (as the photo shows it) is outside
    // the card; moved right, its left side.
    let right = frame_advice(
        "card_cut_right",
        &card(card_source_207(), 358, 441, 110, 12),
    );
    assert_eq!(
        right,
        messages::text(Lang::En, "head_in_frame.finished_right")
    );
    let left = frame_advice(
        "card_cut_left",
        &card(card_source_207(), 358, 441, -110, 12),
    );
    assert_eq!(
        left,
        messages::text(Lang::En, "head_in_frame.finished_left")
    );
    // A card cut short under the chin.
    let bottom = frame_advice("card_cut_short", &card(card_source_207(), 358, 300, 0, 12));
    assert_eq!(
        bottom,
        messages::text(Lang::En, "head_in_frame.finished_bottom")
    );
    for advice in [right, left, bottom] {
        assert!(advice.contains("Crop it again"), "{advice}");
    }
}

#[test]
fn selfie_input_skips_the_finished_geometry() {
    let r = grace_report();
    for id in GEOMETRY {
        assert!(r.check(id).is_none(), "{id} ran on a selfie");
    }
    assert!(r.check("resolution").is_some());
    let card = check_card("card_ok_again", &card(card_source_207(), 358, 441, 0, 12));
    assert!(
        card.check("resolution").is_none(),
        "resolution ran on a card"
    );
}

#[test]
fn icao_holds_a_finished_photo_to_the_distance_between_its_eyes() {
    // ICAO sets no pixel size, so the distance between the eyes (at least 90 px) is all that
    // says a stored photo has enough detail. A card whose face is 1.2 x the ID card's 207 px
    // passes; one cut at 0.7 x (~145 px face, ~65 px between the eyes) does not, and is told
    // to take a new photo rather than to move closer.
    let icao_finished = make_checker("icao", InputKind::Finished, Lang::En);
    let ok = check_with(
        &icao_finished,
        "card_icao",
        &card(&card_source(1.2), 358, 441, 0, 12),
    );
    assert_pass(&ok, "resolution");
    let small = check_with(
        &icao_finished,
        "card_icao_small_face",
        &card(&card_source(0.7), 358, 441, 0, 12),
    );
    assert_fail(&small, "resolution");
    assert_value(&small, "resolution", "about 65 px", |v| {
        (55.0..75.0).contains(&v)
    });
    let message = result(&small, "resolution").message.clone().unwrap();
    assert!(
        message.contains("new photo") && message.contains("apart") && message.contains("90"),
        "{message}"
    );
}

/// ICAO's finished geometry is in shares of the photo, whatever its size: the head 50-75 % of
/// the width, the eye line 50-70 % of the height above the bottom edge, the face centred within
/// 5 % of the width. The values are percentages.
#[test]
fn icao_judges_a_finished_photo_in_shares_of_its_own_size() {
    let icao_finished = make_checker("icao", InputKind::Finished, Lang::En);
    // Grace's face 1.2 x 207 = 248 px wide in photos 441 px high, her eyes ICAO_EYE_LINE px
    // above the bottom edge.
    let src = card_source(1.2);
    let icao_card = |name: &str, width: u32, dx: i32, eye_line: i32| {
        let top = src.head_top - (src.eyes[1].round() as i32 - (441 - eye_line));
        check_with(&icao_finished, name, &card(&src, width, 441, dx, top))
    };
    const ICAO_EYE_LINE: i32 = 265;
    let ok = icao_card("icao_card_ok", 358, 0, ICAO_EYE_LINE);
    for id in ["head_width", "eye_line_height", "head_centered"] {
        assert_pass(&ok, id);
    }
    // 248 / 358 = 69 %; 265 / 441 = 60 %. Bounds a few points wide, as the bands are 5-25 wide.
    assert_value(&ok, "head_width", "near 69 %", |v| (v - 69.0).abs() <= 3.0);
    assert_value(&ok, "eye_line_height", "near 60 %", |v| {
        (v - 60.1).abs() <= 2.0
    });
    assert_value(&ok, "head_centered", "near 0", |v| v.abs() <= 1.5);
    // No pixel size: the card's 358x441 is not asked for.
    assert!(ok.check("photo_size").is_none());

    // The same face in a photo 1.6 x as wide: 248 / 573 = 43 %.
    let wide = icao_card("icao_card_wide", 573, 0, ICAO_EYE_LINE);
    assert_fail(&wide, "head_width");
    assert_value(&wide, "head_width", "near 43 %", |v| {
        (v - 43.3).abs() <= 2.0
    });
    assert_geometry_advice(&wide, "head_width", "head_width.share.small", "50-75");
    assert_pass(&wide, "eye_line_height");

    // The face 40 px (11 % of the width) right of the centre.
    let off = icao_card("icao_card_off_centre", 358, 40, ICAO_EYE_LINE);
    assert_fail(&off, "head_centered");
    assert_value(&off, "head_centered", "near 11 %", |v| {
        (v - 11.2).abs() <= 1.5
    });
    assert_geometry_advice(&off, "head_centered", "head_centered.right.share", "5");

    // The eyes 180 px (41 %) above the bottom edge: too low in the photo.
    let low = icao_card("icao_card_eyes_low", 358, 0, 180);
    assert_fail(&low, "eye_line_height");
    assert_value(&low, "eye_line_height", "near 41 %", |v| {
        (v - 40.8).abs() <= 2.0
    });
    assert_geometry_advice(
        &low,
        "eye_line_height",
        "eye_line_height.share.low",
        "50-70",
    );
    assert_pass(&low, "head_width");

    // The other way round: a tight crop (248 / 300 = 83 %), the face left of the centre, the
    // eyes high (340 / 441 = 77 %). Each is told which way to crop.
    let tight = icao_card("icao_card_tight", 300, 0, ICAO_EYE_LINE);
    assert_geometry_advice(&tight, "head_width", "head_width.share.large", "50-75");
    let left = icao_card("icao_card_left", 358, -40, ICAO_EYE_LINE);
    assert_geometry_advice(&left, "head_centered", "head_centered.left.share", "5");
    let high = icao_card("icao_card_eyes_high", 358, 0, 340);
    assert_geometry_advice(
        &high,
        "eye_line_height",
        "eye_line_height.share.high",
        "50-70",
    );

    // Shares of the photo's own size: the same cut 3x as large (1074 x 1323, analysed reduced
    // to 1024 px) reads the same.
    let src3 = card_source(3.6);
    let top3 = src3.head_top - (src3.eyes[1].round() as i32 - (1323 - 3 * ICAO_EYE_LINE));
    let large = check_with(
        &icao_finished,
        "icao_card_ok_3x",
        &card(&src3, 1074, 1323, 0, top3),
    );
    assert!(large.checks.len() > 3);
    assert_value(&large, "head_width", "near 69 %", |v| {
        (v - 69.0).abs() <= 3.0
    });
    assert_value(&large, "eye_line_height", "near 60 %", |v| {
        (v - 60.1).abs() <= 2.0
    });
    assert_value(&large, "head_centered", "near 0", |v| v.abs() <= 1.5);
}

// ---------------------------------------------------------------------------------------------
// Thresholds come from the profile
// ---------------------------------------------------------------------------------------------

#[test]
fn tightening_a_profile_threshold_flips_the_rule() {
    let profile = |max_roll: f64| {
        format!(
            "name = \"test\"\n[rules.single_face]\nmin_score = 0.7\nmin_relative_width = 0.25\n\
             [rules.eye_line_level]\nmax_roll_deg = {max_roll:.1}\n"
        )
    };
    let img = rotate(grace_level(), 4.0, eyes(grace_report()).0);
    let loose = checker_with_profile(&profile(8.0), InputKind::Selfie, Lang::En);
    let strict = checker_with_profile(&profile(1.0), InputKind::Selfie, Lang::En);
    let a = check_with(&loose, "tilt4_loose", &img);
    let b = check_with(&strict, "tilt4_strict", &img);
    assert_pass(&a, "eye_line_level");
    assert_fail(&b, "eye_line_level");
    assert_eq!(a.verdict, Verdict::Pass, "{}", summary(&a));
    assert_eq!(a.checks.len(), 2);
    assert_eq!(result(&b, "eye_line_level").threshold, "|angle| <= 1");
}

/// A geometry rule run on selfies says first that it applies to finished photos only, whatever
/// else keeps it from judging. A profile file cannot ask for that (it is refused on load), but a
/// program may build its profile itself.
#[test]
fn a_geometry_rule_on_a_selfie_says_it_is_for_finished_photos_first() {
    let text = "name = \"test\"\n[rules.head_width]\ninputs = [\"selfie\"]\n\
                target_px = 207.0\ntolerance_px = 14.0\n";
    assert!(idphoto::profile::Profile::parse(text, "test").is_err());
    let params: toml::Table = "target_px = 207.0\ntolerance_px = 14.0\n".parse().unwrap();
    let profile = idphoto::profile::Profile {
        name: "test".into(),
        description: String::new(),
        rules: vec![idphoto::profile::ProfileRule {
            rule: idphoto::checks::build("head_width", params).expect("rule builds"),
            inputs: vec![InputKind::Selfie],
        }],
    };
    let mut options = idphoto::CheckOptions {
        input: InputKind::Selfie,
        lang: Lang::En,
        ..Default::default()
    };
    options.analysis.min_mesh_presence = f32::INFINITY;
    let checker = idphoto::Checker::new(store(), std::sync::Arc::new(profile), options)
        .expect("checker builds");
    let r = check_with(&checker, "grace_unsure_selfie", grace());
    assert_eq!(
        result(&r, "head_width").message.as_deref(),
        Some(messages::text(Lang::En, "na.not_finished").as_str())
    );
}
