//! The head inside the frame, and the wall behind it.

use crate::common::*;
use crate::fixtures::*;
use idphoto::messages::{self, Lang};
use image::{Rgb, RgbImage};

#[test]
fn head_in_frame_fails_when_the_top_of_the_head_is_cut_off() {
    assert_pass(grace_report(), "head_in_frame"); // margin 0.11
    let (w, h) = grace().dimensions();
    // Cut just above the eyebrows: the cap and forehead are missing.
    let cut = crop(grace(), 0, 150, w, h - 150, Rgb([0, 0, 0]));
    let r = check("grace_top_cut", &cut);
    assert_fail(&r, "head_in_frame");
    assert_value(&r, "head_in_frame", "a negative margin", |v| v < 0.0);
    // The chin cut off is as bad: end the picture just below the mouth.
    let nose_y = grace_report().face.as_ref().unwrap().landmarks[2][1] as u32;
    let low_cut = crop(grace(), 0, 0, w, nose_y + 40, Rgb([0, 0, 0]));
    let r = check("grace_chin_cut", &low_cut);
    assert_fail(&r, "head_in_frame");
}

#[test]
fn head_in_frame_says_whether_to_re_aim_or_to_step_back() {
    let advice = |r: &idphoto::report::Report| result(r, "head_in_frame").message.clone();
    let text = |key: &str| Some(messages::text(Lang::En, key));
    let (w, h) = grace().dimensions();
    let white = Rgb([255, 255, 255]);
    // Aimed too far to one side: an ear leaves the frame while the other side has room to
    // spare. Re-aiming fixes it; stepping back would shrink a face already too small.
    let aside = check("grace_aside", &crop(grace_on_white(), 170, 0, w, h, white));
    assert_fail(&aside, "head_in_frame");
    assert_eq!(advice(&aside), text("head_in_frame.off_centre_side"));
    // Aimed too low: the hair top leaves the frame, with more than a face height to spare
    // below the chin. Up and down are named (the photo is upright), left and right are not.
    let high = check("grace_high", &crop(grace_on_white(), 0, 60, w, h, white));
    assert_fail(&high, "head_in_frame");
    assert_eq!(advice(&high), text("head_in_frame.off_centre_top"));
    // Too low and to one side: both moves in one advice.
    let corner = check(
        "grace_high_aside",
        &crop(grace_on_white(), 170, 60, w, h, white),
    );
    assert_eq!(advice(&corner), text("head_in_frame.off_centre_top_side"));
    // How much hair the frame cuts is not seen: her head, about 305 px from cap to chin, needs
    // a frame of about 332 px with its margins. Cut 35 px at the top, a 400 px frame would hold
    // it re-aimed; a 300 px one would not, and stepping back is the way.
    let roomy = check(
        "grace_high_roomy",
        &crop(grace_on_white(), 0, 60, w, 400, white),
    );
    assert_eq!(advice(&roomy), text("head_in_frame.off_centre_top"));
    let short = check(
        "grace_high_short",
        &crop(grace_on_white(), 0, 60, w, 300, white),
    );
    assert_eq!(advice(&short), text("head_in_frame"));
    // Aimed too high: the frame ends just below the chin, with room to spare above the hair.
    let low = check("grace_low", &crop(grace_on_white(), 0, -250, w, h, white));
    assert_fail(&low, "head_in_frame");
    assert_eq!(advice(&low), text("head_in_frame.off_centre_bottom"));
    // Too close: the frame is narrower than the head, on both sides.
    let face = grace_report().face.as_ref().unwrap().r#box;
    let (x, width) = (face[0] as i32 + 20, face[2] as u32 - 40);
    let close = check("grace_too_close", &crop(grace(), x, 0, width, h, white));
    assert_fail(&close, "head_in_frame");
    assert_eq!(advice(&close), text("head_in_frame"));
}

#[test]
fn background_plain_and_white_on_composited_backdrops() {
    let (w, h) = grace().dimensions();
    // A white wall: plain and white (measured texture/spread 0.13 of the limit, level 245).
    let white = check("grace_white_wall", grace_on_white());
    assert_pass(&white, "background_plain");
    assert_pass(&white, "background_white");
    assert_value(&white, "background_plain", "far under the limit", |v| {
        v < 0.5
    });
    // A mid-blue wall: plain, but not white (level 69).
    let blue = check(
        "grace_blue_wall",
        &grace_on(&plain_wall(w, h, [70, 110, 175])),
    );
    assert_pass(&blue, "background_plain");
    assert_fail(&blue, "background_white");
    // A light grey wall: plain but too dark for white (level ~199).
    let grey = check(
        "grace_grey_wall",
        &grace_on(&plain_wall(w, h, [190, 190, 190])),
    );
    assert_pass(&grey, "background_plain");
    assert_fail(&grey, "background_white");
    // A pale blue wall, bright enough (level 222) but tinted: the tint (33) is what fails, and
    // it is what the report shows.
    let pale_blue = check(
        "grace_pale_blue_wall",
        &grace_on(&plain_wall(w, h, [222, 240, 255])),
    );
    assert_fail(&pale_blue, "background_white");
    assert_value(&pale_blue, "background_white", "the tint", |v| {
        (30.0..=36.0).contains(&v)
    });
    // A brick wall: textured (measured 4.2x the limit) and not white.
    let brick = check("grace_brick_wall", &grace_on(&brick_wall(w, h)));
    assert_fail(&brick, "background_plain");
    assert_fail(&brick, "background_white");
    assert_value(&brick, "background_plain", "well over the limit", |v| {
        v > 1.5
    });
    // Both rules give the one advice that covers both, and the reasons list it once.
    let both = messages::text(Lang::En, "background_white.also_plain");
    for id in ["background_plain", "background_white"] {
        assert_eq!(result(&brick, id).message.as_deref(), Some(both.as_str()));
    }
    let plain_wall = |r: &&String| r.contains("wall");
    assert_eq!(
        brick.reasons.iter().filter(plain_wall).count(),
        1,
        "{:?}",
        brick.reasons
    );
    // The original studio backdrop with the flag is not plain either (2.7).
    assert_fail(grace_report(), "background_plain");
    // Only the backdrop changed: the person's own rules are unaffected.
    for r in [&white, &blue, &brick] {
        assert_pass(r, "single_face");
        assert_pass(r, "not_white_top");
    }
}

/// A blue door right behind the applicant, in a white wall that fills most of the selfie: the
/// card photo cut round her head would be blue, so the wall is not white where it counts.
#[test]
fn a_coloured_door_behind_the_head_is_no_white_wall() {
    let (w, h) = grace().dimensions();
    let in_front_of = |door: [u8; 3]| {
        let mut selfie = plain_wall(3 * w, 2 * h, WHITE_WALL);
        let person = grace_on(&plain_wall(w, h, door));
        paste_scaled(&mut selfie, &person, (0, 0, w, h), 1.0, (w, h));
        selfie
    };
    let white_door = check("grace_white_door", &in_front_of(WHITE_WALL));
    assert_pass(&white_door, "background_white");
    // (The door's edges fail `background_plain` too.)
    let blue_door = check("grace_blue_door", &in_front_of([120, 160, 220]));
    assert_fail(&blue_door, "background_white");
    assert_value(&blue_door, "background_white", "the door's tint", |v| {
        (90.0..=105.0).contains(&v)
    });
}

#[test]
fn somebody_behind_the_applicant_is_not_a_plain_backdrop() {
    // The same white wall as above, with the astronaut's head pasted into the top right
    // corner: texture alone barely notices a smooth face, the detector does.
    let (w, _) = grace().dimensions();
    let mut crowded = grace_on_white().clone();
    paste_scaled(
        &mut crowded,
        astronaut(),
        (160, 40, 130, 160),
        1.0,
        (w - 135, 5),
    );
    let r = check("grace_white_wall_second_head", &crowded);
    assert_fail(&r, "single_face");
    assert_fail(&r, "background_plain");
    assert_fail(&r, "background_white");
    // The wall is white: what fails `background_white` is the other face alone, so its advice
    // is `single_face`'s, and the reasons list that once. The pasted head is also an object on
    // the wall for `background_plain`, which asks for nothing behind the applicant.
    let step_out = messages::text(Lang::En, "single_face.many");
    assert_eq!(
        result(&r, "background_white").message.as_deref(),
        Some(step_out.as_str())
    );
    assert_eq!(r.reasons.iter().filter(|m| **m == step_out).count(), 1);
    assert_eq!(
        result(&r, "background_plain").message.as_deref(),
        Some(messages::text(Lang::En, "background_plain").as_str())
    );
}

/// Light from one side shades a plain white wall from bright to grey: nothing is on the wall,
/// so the advice is about the light, not about finding another wall.
#[test]
fn a_wall_lit_from_one_side_is_told_to_light_it_evenly() {
    let (w, h) = grace().dimensions();
    let shaded_wall = RgbImage::from_fn(w, h, |x, _| {
        let level = (252.0 - 160.0 * x as f32 / w as f32) as u8;
        Rgb([level, level, level])
    });
    let r = check("grace_shaded_wall", &grace_on(&shaded_wall));
    assert_fail(&r, "background_plain");
    assert_fail(&r, "background_white");
    let shaded = messages::text(Lang::En, "background_white.shaded");
    for id in ["background_plain", "background_white"] {
        assert_eq!(result(&r, id).message.as_deref(), Some(shaded.as_str()));
    }
    // The same wall evenly lit and white passes both (see above); a wall lit evenly but grey
    // keeps the plain white-wall advice.
    let grey = check(
        "grace_grey_wall",
        &grace_on(&plain_wall(w, h, [190, 190, 190])),
    );
    assert_eq!(
        result(&grey, "background_white").message.as_deref(),
        Some(messages::text(Lang::En, "background_white").as_str())
    );
}

#[test]
fn icao_accepts_any_light_plain_backdrop() {
    let (w, h) = grace().dimensions();
    let light_blue = grace_on(&plain_wall(w, h, [185, 205, 235]));
    // Too blue for the ID card's white ...
    assert_fail(&check("grace_light_blue", &light_blue), "background_white");
    // ... but light enough for a passport.
    let r = check_with(icao(), "grace_light_blue_icao", &light_blue);
    assert_pass(&r, "background_white");
    assert_pass(&r, "background_plain");
    // A studio's greyish light blue is light although its luminance (146) is lower than
    // that of a mid grey ...
    let studio_blue = grace_on(&plain_wall(w, h, [130, 145, 195]));
    assert_pass(
        &check_with(icao(), "grace_studio_blue_icao", &studio_blue),
        "background_white",
    );
    // ... while a saturated ID-photo blue of nearly the same luminance (128), a mid grey, a
    // darker blue and vivid colours as light as a light grey are not.
    for (name, colour) in [
        ("grace_id_blue_icao", [67, 142, 219]),
        ("grace_mid_grey_icao", [140, 140, 140]),
        ("grace_blue_icao", [70, 110, 175]),
        ("grace_red_icao", [255, 51, 51]),
        ("grace_green_icao", [80, 255, 80]),
    ] {
        let r = check_with(icao(), name, &grace_on(&plain_wall(w, h, colour)));
        assert_fail(&r, "background_white");
        assert_eq!(
            result(&r, "background_white").message.as_deref(),
            Some(messages::text(Lang::En, "background_light").as_str())
        );
    }
}
