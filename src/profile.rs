//! Profiles: which rules apply and with which thresholds, read from TOML. Rules are reported in
//! the order the profile lists them, so it also says which reasons come first.

use crate::checks::{self, Rule};
use crate::{Error, Result};
use serde::Serialize;
use std::path::Path;

/// What kind of photo is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A phone upload: content rules, framing and resolution.
    Selfie,
    /// A stored card photo: also the exact GA 461 geometry.
    Finished,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Selfie => "selfie",
            InputKind::Finished => "finished",
        }
    }
}

pub struct ProfileRule {
    pub rule: Box<dyn Rule>,
    pub inputs: Vec<InputKind>,
}

pub struct Profile {
    pub name: String,
    pub description: String,
    pub rules: Vec<ProfileRule>,
}

const BUILTIN: [(&str, &str); 2] = [
    ("cn-id-card", include_str!("../profiles/cn-id-card.toml")),
    ("icao", include_str!("../profiles/icao.toml")),
];

impl Profile {
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(name, _)| *name)
    }

    /// A built-in profile by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Profile> {
        if let Some((_, text)) = BUILTIN.iter().find(|(name, _)| *name == name_or_path) {
            return Profile::parse(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if path.is_file() {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Profile(format!("{}: {e}", path.display())))?;
            return Profile::parse(&text, &path.display().to_string());
        }
        Err(Error::Profile(format!(
            "no profile named `{name_or_path}` (built in: {}) and no such file",
            Profile::builtin_names().collect::<Vec<_>>().join(", ")
        )))
    }

    pub fn parse(text: &str, origin: &str) -> Result<Profile> {
        let err = |msg: String| Error::Profile(format!("{origin}: {msg}"));
        let mut table: toml::Table = text.parse().map_err(|e| err(format!("{e}")))?;
        let name = match table.remove("name") {
            Some(toml::Value::String(s)) => s,
            _ => return Err(err("`name` (a string) is required".into())),
        };
        let description = match table.remove("description") {
            Some(toml::Value::String(s)) => s,
            _ => String::new(),
        };
        let Some(toml::Value::Table(rule_tables)) = table.remove("rules") else {
            return Err(err("a [rules.<id>] table per rule is required".into()));
        };
        if let Some(key) = table.keys().next() {
            return Err(err(format!("unknown top-level key `{key}`")));
        }
        let mut rules = Vec::new();
        for (id, params) in rule_tables {
            let toml::Value::Table(mut params) = params else {
                return Err(err(format!("rules.{id} must be a table")));
            };
            let inputs = params
                .remove("inputs")
                .map(|v| {
                    v.try_into::<Vec<InputKind>>()
                        .map_err(|e| err(format!("rules.{id}.inputs: {e}")))
                })
                .transpose()?;
            let rule = checks::build(&id, params).map_err(err)?;
            let inputs = inputs.unwrap_or_else(|| rule.default_inputs().to_vec());
            rules.push(ProfileRule { rule, inputs });
        }
        Ok(Profile {
            name,
            description,
            rules,
        })
    }

    /// The rules that apply to `input`, most important first.
    pub fn rules_for(&self, input: InputKind) -> impl Iterator<Item = &dyn Rule> {
        self.rules
            .iter()
            .filter(move |r| r.inputs.contains(&input))
            .map(|r| r.rule.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_parse() {
        for name in Profile::builtin_names() {
            let p = Profile::load(name).unwrap();
            assert_eq!(p.name, name);
            assert!(p.rules_for(InputKind::Selfie).count() >= 17);
            assert!(!p
                .rules_for(InputKind::Selfie)
                .any(|r| r.id() == "photo_size"));
        }
        let id_card = Profile::load("cn-id-card").unwrap();
        assert!(id_card
            .rules_for(InputKind::Finished)
            .any(|r| r.id() == "photo_size"));
    }

    /// The eye line that comes before the room above the head is the one `eye_line_height`
    /// asks for, in every rule that gives way to it.
    #[test]
    fn rules_giving_way_to_the_eye_line_name_its_height() {
        let mut named = 0;
        for (name, text) in BUILTIN {
            let table: toml::Table = text.parse().unwrap();
            let rules = table["rules"].as_table().unwrap();
            let eye_min = rules
                .get("eye_line_height")
                .map(|r| r["min_px"].as_float().unwrap());
            for (id, params) in rules {
                if let Some(first) = params.get("eye_line_first_px") {
                    assert_eq!(Some(first.as_float().unwrap()), eye_min, "{name}: {id}");
                    named += 1;
                }
            }
        }
        assert_eq!(named, 1, "cn-id-card's head_top_margin");
    }

    /// A frame rule that leaves a finished photo's top edge to `head_top_margin` is in a profile
    /// that runs it on finished photos.
    #[test]
    fn the_top_edge_left_to_head_top_margin_is_judged_by_it() {
        for (name, text) in BUILTIN {
            let table: toml::Table = text.parse().unwrap();
            let leaves = table["rules"]["head_in_frame"]
                .get("finished_top_by_head_top_margin")
                .is_some_and(|v| v.as_bool() == Some(true));
            let profile = Profile::load(name).unwrap();
            let runs = profile
                .rules_for(InputKind::Finished)
                .any(|r| r.id() == "head_top_margin");
            assert!(!leaves || runs, "{name}");
            assert_eq!(leaves, name == "cn-id-card", "{name}");
        }
    }

    #[test]
    fn finished_photo_geometry_applies_to_finished_photos_unless_told_otherwise() {
        let text = "name = \"x\"\n[rules.photo_size]\nwidth = 358\nheight = 441\n\
                    [rules.eye_line_level]\nmax_roll_deg = 5.0\n";
        let p = Profile::parse(text, "t").unwrap();
        let ids = |input| p.rules_for(input).map(|r| r.id()).collect::<Vec<_>>();
        assert_eq!(ids(InputKind::Selfie), ["eye_line_level"]);
        assert_eq!(ids(InputKind::Finished), ["photo_size", "eye_line_level"]);
    }

    #[test]
    fn bad_profiles_are_clear_errors() {
        let unknown_rule = "name = \"x\"\n[rules.no_such_rule]\n";
        let e = Profile::parse(unknown_rule, "t").err().unwrap().to_string();
        assert!(e.contains("no_such_rule"), "{e}");
        let bad_param = "name = \"x\"\n[rules.eye_line_level]\nmax_roll = 5.0\n";
        let e = Profile::parse(bad_param, "t").err().unwrap().to_string();
        assert!(e.contains("max_roll"), "{e}");
        assert!(Profile::load("no-such-profile").is_err());
        let missing = "name = \"x\"\n[rules.lighting_even]\n";
        let e = Profile::parse(missing, "t").err().unwrap().to_string();
        assert_eq!(e.matches("profile problem").count(), 1, "{e}");
    }

    #[test]
    fn thresholds_are_finite_and_only_offsets_and_margins_negative() {
        for value in ["nan", "inf", "-0.5"] {
            let text = format!("name = \"x\"\n[rules.lighting_even]\nmin_ratio = {value}\n");
            let e = Profile::parse(&text, "t").err().unwrap().to_string();
            assert!(e.contains("min_ratio"), "{value}: {e}");
        }
        // A limit that measures are divided by cannot be 0.
        let plain = "[rules.background_plain]\nmax_texture = 4.0\nmax_shading = 120.0\n\
                     max_residual = 12.0\nmin_fraction = 0.05\nother_face_min_score = 0.7\n\
                     other_face_min_relative_width = 0.25\n";
        assert!(Profile::parse(&format!("name = \"x\"\n{plain}"), "t").is_ok());
        let zero = plain.replace("12.0", "0.0");
        let e = Profile::parse(&format!("name = \"x\"\n{zero}"), "t")
            .err()
            .unwrap();
        assert!(e.to_string().contains("max_residual"), "{e}");
        let fine = "name = \"x\"\n[rules.lighting_even]\nmin_ratio = 0.8\n";
        assert!(Profile::parse(fine, "t").is_ok());
        // An offset is signed.
        let frontal = "[rules.head_frontal]\nmax_yaw_deg = 11.0\nmax_pitch_deg = 14.0\n";
        let offset = format!("name = \"x\"\n{frontal}pitch_offset_deg = -2.0\n");
        assert!(Profile::parse(&offset, "t").is_ok());
        let limit = format!(
            "name = \"x\"\n{}pitch_offset_deg = 2.0\n",
            frontal.replace("11.0", "-11.0")
        );
        assert!(Profile::parse(&limit, "t").is_err());
    }

    #[test]
    fn a_backdrop_mode_without_its_second_limit_is_a_profile_error() {
        let rule = "[rules.background_white]\nmode = \"white\"\nmin_level = 215.0\nmin_fraction = 0.05\nother_face_min_score = 0.7\nother_face_min_relative_width = 0.25\n";
        let error = |rule: &str| {
            Profile::parse(&format!("name = \"x\"\n{rule}"), "t")
                .err()
                .unwrap()
                .to_string()
        };
        let e = error(rule);
        assert!(e.contains("max_tint"), "{e}");
        let with_tint = format!("name = \"x\"\n{rule}max_tint = 25.0\n");
        assert!(Profile::parse(&with_tint, "t").is_ok());
        let light = rule.replace("\"white\"", "\"light\"");
        let e = error(&light);
        assert!(e.contains("min_channel"), "{e}");
        let with_floor = format!("name = \"x\"\n{light}min_channel = 120.0\n");
        assert!(Profile::parse(&with_floor, "t").is_ok());
    }

    #[test]
    fn glare_limits_need_clear_glasses_allowed_and_sound_numbers() {
        let glare = "[rules.no_glasses.glare]\nmax_reflection_share = 0.05\nlens_radius = 0.3\n\
                     min_cool = 20\nskin_margin = 20\nblown = 250.0\nmax_iris_mismatch = 15.0\n\
                     catchlight = 230.0\n";
        let rule = |allowance: &str| {
            format!("name = \"x\"\n[rules.no_glasses]\nmax_glasses_area = 0.15\nmin_parsed_face = 0.5\n{allowance}{glare}")
        };
        let allowance = "min_lens_brightness = 0.55\nlens_brightness_radius = 0.25\n";
        assert!(Profile::parse(&rule(allowance), "t").is_ok());
        let e = Profile::parse(&rule(""), "t").err().unwrap().to_string();
        assert!(e.contains("min_lens_brightness"), "{e}");
        // The lenses' brightness needs the distance it is read within.
        let e = Profile::parse(&rule("min_lens_brightness = 0.55\n"), "t");
        let e = e.err().unwrap().to_string();
        assert!(e.contains("lens_brightness_radius"), "{e}");
        let e = Profile::parse(&rule(&allowance.replace("0.25", "0.0")), "t");
        let e = e.err().unwrap().to_string();
        assert!(e.contains("lens_brightness_radius"), "{e}");
        // The nested glare table's numbers are checked like any rule's.
        let allowed = rule(allowance);
        for (good, bad) in [
            ("blown = 250.0", "blown = nan"),
            ("lens_radius = 0.3", "lens_radius = -0.3"),
            ("max_iris_mismatch = 15.0", "max_iris_mismatch = 0.0"),
        ] {
            let e = Profile::parse(&allowed.replace(good, bad), "t");
            let e = e.err().unwrap().to_string();
            assert!(e.contains(bad.split(' ').next().unwrap()), "{bad}: {e}");
        }
    }

    #[test]
    fn an_outer_part_of_the_whole_clothing_span_is_a_profile_error() {
        let rule = |outer: &str| {
            format!(
                "name = \"x\"\n[rules.not_white_top]\nmax_white_share = 0.25\nwhite_level = 185.0\n\
                 max_tint = 40\nmin_area = 0.02\ncollar_below_chin = 0.15\n\
                 collar_skin_contrast = 0.25\nouter_part = {outer}\n\
                 missed_clothing_person = 0.7\nbackdrop_tolerance = 15\n\
                 below_crop_neck_depth = 0.3\noutline_margin = 0.025\n"
            )
        };
        assert!(Profile::parse(&rule("0.5"), "t").is_ok());
        let e = Profile::parse(&rule("1.0"), "t").err().unwrap().to_string();
        assert!(e.contains("outer_part"), "{e}");
    }

    #[test]
    fn a_resolution_limit_is_a_face_width_or_an_eye_distance() {
        let rule = |limits: &str| {
            format!("name = \"x\"\n[rules.resolution]\n{limits}min_photo_px = [358, 441]\n")
        };
        for limits in ["min_face_width_px = 207\n", "min_eye_distance_px = 90\n"] {
            assert!(Profile::parse(&rule(limits), "t").is_ok(), "{limits}");
        }
        for limits in ["", "min_face_width_px = 207\nmin_eye_distance_px = 90\n"] {
            let e = Profile::parse(&rule(limits), "t")
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("min_eye_distance_px"), "{limits}: {e}");
        }
    }
}
