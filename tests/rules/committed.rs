//! The committed portraits as they are (read from disk, so the JPEG and PNG paths run too).

use crate::common::*;
use idphoto::report::{Report, Verdict};

fn from_disk(name: &str) -> Report {
    selfie().check_file(&testdata(name))
}

#[test]
fn astronaut_as_committed() {
    let r = from_disk("astronaut.png");
    assert_eq!(r.verdict, Verdict::Fail);
    // Passes measured: single face, head in frame (margin 0.12), open eyes (blink 0.05), nose
    // and mouth seen (0.46 IOD^2), no hat (0.0-0.07), no glasses (0.0), brows free (0.0),
    // exposure (mean skin 176), colour (36), dark top (white share 0.07).
    for id in [
        "single_face",
        "head_in_frame",
        "eyes_open",
        "face_uncovered",
        "no_head_covering",
        "no_glasses",
        "eyebrows_visible",
        "exposure_ok",
        "color_photo",
        "not_white_top",
    ] {
        assert_pass(&r, id);
    }
    // A broad smile with teeth (lip gap 0.155 IOD, expression 2.2-2.7x the limit), a flag and a
    // shuttle behind her, a ~91 px wide face, ears under her hair (0.03 IOD^2).
    for id in [
        "resolution",
        "mouth_closed",
        "expression_neutral",
        "ears_visible",
        "background_plain",
        "background_white",
    ] {
        assert_fail(&r, id);
    }
    assert_value(&r, "resolution", "well under 207 px", |v| v < 150.0);
    assert_value(&r, "eyes_open", "open eyes, far under the limit", |v| {
        v < 0.3
    });
    assert_value(&r, "no_glasses", "almost no glasses area", |v| v < 0.05);
}

#[test]
fn grace_hopper_as_committed() {
    let r = from_disk("grace_hopper.jpg");
    assert_eq!(r.verdict, Verdict::Fail);
    // Measured: frontal (yaw/pitch ~1°), nose and mouth seen (0.30 IOD^2), closed mouth
    // (0.002), neutral (0.06), ears 0.29 IOD^2, even light (0.99), skin mean 148, sharp (0.37),
    // colour 39, white share of top 0.06.
    for id in [
        "single_face",
        "head_in_frame",
        "head_frontal",
        "eyes_open",
        "face_uncovered",
        "mouth_closed",
        "expression_neutral",
        "ears_visible",
        "eyebrows_visible",
        "lighting_even",
        "exposure_ok",
        "sharp",
        "color_photo",
        "not_white_top",
    ] {
        assert_pass(&r, id);
    }
    // Uniform cap (share of the head top covered 1.0), glasses (0.99 IOD^2), flag and blue
    // studio backdrop, ~179 px face.
    for id in [
        "no_head_covering",
        "no_glasses",
        "background_plain",
        "background_white",
        "resolution",
    ] {
        assert_fail(&r, id);
    }
    let face = r.face.as_ref().expect("face summary");
    assert!(face.pose[0].abs() < 6.0, "yaw {:?}", face.pose);
    // The five keypoints are in the face box, right eye (image left) before the left eye.
    let [x, y, w, h] = face.r#box;
    for p in face.landmarks {
        assert!(
            p[0] > x && p[0] < x + w && p[1] > y && p[1] < y + h,
            "{p:?}"
        );
    }
    assert!(face.landmarks[0][0] < face.landmarks[1][0]);
}
