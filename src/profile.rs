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

/// A profile read by [`Profile::load`] or [`Profile::parse`] has passed every load check; one
/// built in code (the fields are public) has not, and is the program's responsibility.
pub struct Profile {
    pub name: String,
    pub description: String,
    pub rules: Vec<ProfileRule>,
}

const ID_CARD: &str = include_str!("../profiles/cn-id-card.toml");

const BUILTIN: [(&str, &str); 2] = [
    ("cn-id-card", ID_CARD),
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
            let profile = Profile::parse(&text, &path.display().to_string())?;
            // Reports and eval's verdict column go by the name: a file of other thresholds
            // under a built-in's name would pass as that profile. The built-in's own file is it,
            // whatever its line endings or comments, but not in another rule order (which is
            // the order of the reasons; a table's `==` ignores it).
            let tables = |text: &str| {
                let table = text.parse::<toml::Table>().ok()?;
                toml::to_string(&table).ok()
            };
            let borrowed = BUILTIN
                .iter()
                .any(|(name, builtin)| *name == profile.name && tables(builtin) != tables(&text));
            if borrowed {
                return Err(Error::Profile(format!(
                    "{}: `{}` is the name of a built-in profile; give this one a name of its own",
                    path.display(),
                    profile.name
                )));
            }
            return Ok(profile);
        }
        if path.exists() {
            return Err(Error::Profile(format!(
                "{}: not a regular file (a profile is a TOML file)",
                path.display()
            )));
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
            None => String::new(),
            Some(_) => return Err(err("`description` must be a string".into())),
        };
        let Some(toml::Value::Table(rule_tables)) = table.remove("rules") else {
            return Err(err("a [rules.<id>] table per rule is required".into()));
        };
        if let Some(key) = table.keys().next() {
            return Err(err(format!("unknown top-level key `{key}`")));
        }
        // The links are checked once each rule's own numbers are known to be sound.
        let tables = rule_tables.clone();
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
            let inputs = match inputs {
                Some(inputs) => {
                    check_inputs(rule.as_ref(), &inputs)
                        .map_err(|e| err(format!("rules.{id}.inputs: {e}")))?;
                    inputs
                }
                None => rule.default_inputs().to_vec(),
            };
            rules.push(ProfileRule { rule, inputs });
        }
        check_links(&tables).map_err(err)?;
        check_finished_top(&rules).map_err(err)?;
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

    /// The finished photo's size where a rule for finished photos judges it.
    pub fn card_size(&self) -> Option<(u32, u32)> {
        self.rules
            .iter()
            .filter(|r| r.inputs.contains(&InputKind::Finished))
            .find_map(|r| r.rule.card_size())
    }
}

/// A rule listed for no kind of photo never runs; one made for finished photos cannot judge a
/// selfie and would hold every selfie back as `not_assessed`.
fn check_inputs(rule: &dyn Rule, inputs: &[InputKind]) -> std::result::Result<(), String> {
    if inputs.is_empty() {
        return Err("empty, so the rule would never run (leave the rule out instead)".into());
    }
    if inputs.contains(&InputKind::Selfie) && !rule.default_inputs().contains(&InputKind::Selfie) {
        return Err("this rule measures a finished card photo and cannot judge a selfie".into());
    }
    Ok(())
}

/// Thresholds that one rule takes from another must agree: `head_top_margin` gives way to the
/// eye line at the height `eye_line_height` asks for, and the card round the head whose wall
/// `background_white` judges is the finished photo's.
fn check_links(rules: &toml::Table) -> std::result::Result<(), String> {
    let param = |id: &str, key: &str| rules.get(id).and_then(|r| r.get(key)).and_then(number);
    check_card_window(rules, &param)?;
    if let Some(first) = param("head_top_margin", "eye_line_first_px") {
        let height = param("eye_line_height", "min_px");
        if height != Some(first) {
            let asked = height.map_or("no eye_line_height rule".into(), |h| {
                format!("its min_px is {h}")
            });
            return Err(format!(
                "rules.head_top_margin.eye_line_first_px ({first}) must equal rules.eye_line_height.min_px ({asked})"
            ));
        }
    }
    Ok(())
}

/// `background_white`'s card against the finished photo's rules, where both are given.
fn check_card_window(
    rules: &toml::Table,
    param: &dyn Fn(&str, &str) -> Option<f64>,
) -> std::result::Result<(), String> {
    let card = rules.get("background_white").and_then(|r| r.get("card"));
    let card_number = |key: &str| card.and_then(|c| c.get(key)).and_then(number);
    let size = card
        .and_then(|c| c.get("size_px"))
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(number).collect::<Vec<_>>())
        .unwrap_or_default();
    let height = size.get(1).copied();
    let eye_line = param("eye_line_height", "min_px")
        .zip(height)
        .map(|(min, h)| h - min);
    // Each card number beside the rule parameter it repeats, named as the profile writes it.
    let named = |id: &str, key: &str| format!("rules.{id}.{key}");
    for (card_key, card_value, repeated, rule_value) in [
        (
            "size_px[0]",
            size.first().copied(),
            named("photo_size", "width"),
            param("photo_size", "width"),
        ),
        (
            "size_px[1]",
            height,
            named("photo_size", "height"),
            param("photo_size", "height"),
        ),
        (
            "face_width_px",
            card_number("face_width_px"),
            named("head_width", "target_px"),
            param("head_width", "target_px"),
        ),
        (
            "max_eye_line_px",
            card_number("max_eye_line_px"),
            format!(
                "the card's height less {}",
                named("eye_line_height", "min_px")
            ),
            eye_line,
        ),
    ] {
        if let (Some(c), Some(r)) = (card_value, rule_value) {
            if c != r {
                return Err(format!(
                    "rules.background_white.card.{card_key} ({c}) must equal {repeated} ({r})"
                ));
            }
        }
    }
    let margin = param("head_top_margin", "min_px").zip(param("head_top_margin", "max_px"));
    if let (Some(top), Some((lo, hi))) = (card_number("head_top_px"), margin) {
        if !(lo..=hi).contains(&top) {
            return Err(format!(
                "rules.background_white.card.head_top_px ({top}) must lie within rules.head_top_margin's {lo}-{hi}"
            ));
        }
    }
    Ok(())
}

fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// A frame rule that leaves a finished photo's top edge to `head_top_margin` needs that rule
/// to run on finished photos, or a cut head top would pass unjudged.
fn check_finished_top(rules: &[ProfileRule]) -> std::result::Result<(), String> {
    let leaves_top = rules.iter().any(|r| {
        r.inputs.contains(&InputKind::Finished) && r.rule.leaves_finished_top_to_head_top_margin()
    });
    let judges_top = rules
        .iter()
        .any(|r| r.rule.id() == "head_top_margin" && r.inputs.contains(&InputKind::Finished));
    if leaves_top && !judges_top {
        return Err("rules.head_in_frame.finished_top_by_head_top_margin needs a head_top_margin rule that runs on finished photos".into());
    }
    Ok(())
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

    /// A backdrop rule that another face alone fails gives `single_face`'s advice: in the
    /// built-in profiles all three count the same faces, so that advice never stands beside a
    /// passed `single_face`.
    #[test]
    fn builtin_profiles_count_other_faces_alike() {
        for (name, text) in BUILTIN {
            let table: toml::Table = text.parse().unwrap();
            let rules = table["rules"].as_table().unwrap();
            for key in ["min_score", "min_relative_width"] {
                let other_face_key = format!("other_face_{key}");
                let values = [
                    &rules["single_face"][key],
                    &rules["background_plain"][other_face_key.as_str()],
                    &rules["background_white"][other_face_key.as_str()],
                ]
                .map(|v| v.as_float().unwrap());
                assert!(
                    values.windows(2).all(|w| w[0] == w[1]),
                    "{name} {key}: {values:?}"
                );
            }
        }
    }

    /// Rules that lean on each other are refused at load when they disagree: a custom copy of
    /// the ID card profile that changes one of them cannot pass a cut head top unjudged.
    #[test]
    fn rules_that_lean_on_each_other_must_agree() {
        let id_card = ID_CARD;
        let refused = |text: &str, names: &str| {
            let e = Profile::parse(text, "t")
                .err()
                .expect("refused")
                .to_string();
            assert!(e.contains(names), "{names}: {e}");
        };
        // The eye line that comes first is the one eye_line_height asks for.
        assert!(id_card.contains("eye_line_first_px = 207.0"));
        refused(
            &id_card.replace("eye_line_first_px = 207.0", "eye_line_first_px = 200.0"),
            "eye_line_height.min_px",
        );
        let without_eye_line = id_card.replace(
            "[rules.eye_line_height]\ninputs = [\"finished\"]\nmin_px = 207.0\n",
            "",
        );
        assert_ne!(without_eye_line, id_card);
        refused(&without_eye_line, "no eye_line_height rule");
        // The card round the head whose wall background_white judges is the finished photo's.
        for (from, to, names) in [
            (
                "size_px = [358, 441]",
                "size_px = [358, 450]",
                "photo_size.height",
            ),
            (
                "face_width_px = 207.0",
                "face_width_px = 200.0",
                "head_width.target_px",
            ),
            (
                "head_top_px = 14.0",
                "head_top_px = 30.0",
                "head_top_margin",
            ),
            (
                "max_eye_line_px = 234.0",
                "max_eye_line_px = 240.0",
                "eye_line_height.min_px",
            ),
        ] {
            assert!(id_card.contains(from), "{from}");
            refused(&id_card.replace(from, to), names);
        }
        // A rule's own unsound number is named as such, before any link is weighed.
        refused(
            &id_card.replace("min_px = 207.0", "min_px = nan"),
            "not a finite number",
        );
        // The top edge head_in_frame leaves to head_top_margin is judged by it.
        assert!(id_card.contains("finished_top_by_head_top_margin = true"));
        let selfie_only = id_card.replace(
            "[rules.head_top_margin]\ninputs = [\"finished\"]",
            "[rules.head_top_margin]\ninputs = [\"selfie\"]",
        );
        assert_ne!(selfie_only, id_card);
        refused(&selfie_only, "cannot judge a selfie");
        let start = id_card.find("[rules.head_top_margin]").unwrap();
        let end = id_card.find("[rules.eye_line_height]").unwrap();
        let unjudged = format!("{}{}", &id_card[..start], &id_card[end..]);
        refused(&unjudged, "finished_top_by_head_top_margin");
    }

    #[test]
    fn a_rule_for_no_photo_or_a_card_rule_on_selfies_is_a_profile_error() {
        let size = "name = \"x\"\n[rules.photo_size]\nwidth = 358\nheight = 441\n";
        for (inputs, names) in [
            ("[]", "never run"),
            ("[\"selfie\", \"finished\"]", "cannot judge a selfie"),
        ] {
            let e = Profile::parse(&format!("{size}inputs = {inputs}\n"), "t");
            let e = e.err().expect("refused").to_string();
            assert!(
                e.contains("rules.photo_size.inputs") && e.contains(names),
                "{e}"
            );
        }
        assert!(Profile::parse(&format!("{size}inputs = [\"finished\"]\n"), "t").is_ok());
        let roll =
            "name = \"x\"\n[rules.eye_line_level]\nmax_roll_deg = 5.0\ninputs = [\"selfie\"]\n";
        assert!(Profile::parse(roll, "t").is_ok());
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
        let numbered =
            "name = \"x\"\ndescription = 3\n[rules.eye_line_level]\nmax_roll_deg = 5.0\n";
        let e = Profile::parse(numbered, "t").err().unwrap().to_string();
        assert!(e.contains("description"), "{e}");
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

    /// A range given the wrong way round fails every photo, and a share given as a percentage
    /// is never reached: both are refused where the ID card profile is edited.
    #[test]
    fn swapped_ranges_and_percentages_are_profile_errors() {
        let id_card = ID_CARD;
        assert!(Profile::parse(id_card, "t").is_ok());
        for (good, bad, names) in [
            ("min_mean = 62.0", "min_mean = 210.0", "max_mean"),
            (
                "no_face_min_mean = 31.0",
                "no_face_min_mean = 231.0",
                "no_face_max_mean",
            ),
            (
                "clipped_black = 5.0",
                "clipped_black = 251.0",
                "clipped_white",
            ),
            ("max_clipped = 0.2", "max_clipped = 20.0", "max_clipped"),
            (
                "min_px = 7.0\nmax_px = 21.0",
                "min_px = 21.0\nmax_px = 7.0",
                "max_px",
            ),
            (
                "max_covered_share = 0.3",
                "max_covered_share = 30",
                "max_covered_share",
            ),
            // A confidence, a share named by its rule, a blendshape score and pixel levels.
            ("\nmin_score = 0.7", "\nmin_score = 7", "at most 1"),
            ("crown_depth = 0.3", "crown_depth = 3", "crown_depth"),
            ("min_in_photo = 0.5", "min_in_photo = 5", "min_in_photo"),
            ("smile = 0.4", "smile = 40", "smile"),
            ("min_level = 215.0", "min_level = 2150.0", "at most 255"),
            ("white_level = 185.0", "white_level = 1850.0", "white_level"),
            // A card of no size: every photo would have its shape, measured as 0 px.
            ("width = 358\n", "width = 0\n", "at least 1 px"),
        ] {
            assert_eq!(id_card.matches(good).count(), 1, "{good}");
            let e = Profile::parse(&id_card.replace(good, bad), "t");
            let e = e.err().expect(bad).to_string();
            assert!(e.contains(names), "{bad}: {e}");
        }
        // A level in a rule's nested table: the glare limits under ICAO.
        let icao = BUILTIN[1].1;
        assert_eq!(icao.matches("blown = 250.0").count(), 1);
        let e = Profile::parse(&icao.replace("blown = 250.0", "blown = 2500.0"), "t");
        assert!(e.err().expect("blown").to_string().contains("at most 255"));
        // Equal bounds are an exact requirement, not a swapped range.
        let exact = id_card.replace(
            "min_px = 7.0\nmax_px = 21.0",
            "min_px = 14.0\nmax_px = 14.0",
        );
        assert_ne!(exact, id_card);
        assert!(Profile::parse(&exact, "t").is_ok());
    }

    #[test]
    fn a_backdrop_mode_without_its_second_limit_is_a_profile_error() {
        let rule = "[rules.background_white]\nmode = \"white\"\nmin_level = 215.0\nmin_fraction = 0.05\nother_face_min_score = 0.7\nother_face_min_relative_width = 0.25\n";
        // The card round the head, a table of its own, so it comes last.
        let card = "[rules.background_white.card]\nsize_px = [358, 441]\nface_width_px = 207.0\nhead_top_px = 14.0\nmax_eye_line_px = 234.0\n";
        let error = |rule: &str| {
            Profile::parse(&format!("name = \"x\"\n{rule}"), "t")
                .err()
                .unwrap()
                .to_string()
        };
        let e = error(&format!("{rule}{card}"));
        assert!(e.contains("max_tint"), "{e}");
        let with_tint = format!("name = \"x\"\n{rule}max_tint = 25.0\n{card}");
        assert!(Profile::parse(&with_tint, "t").is_ok());
        // A white wall is judged round the head too: the card is required.
        let e = error(&format!("{rule}max_tint = 25.0\n"));
        assert!(e.contains("needs a card table"), "{e}");
        let e = error(&format!(
            "{rule}max_tint = 25.0\n{}",
            card.replace("[358, 441]", "[0, 0]")
        ));
        assert!(e.contains("must be above 0"), "{e}");
        let light = rule.replace("\"white\"", "\"light\"");
        let e = error(&light);
        assert!(e.contains("min_channel"), "{e}");
        let with_floor = format!("name = \"x\"\n{light}min_channel = 120.0\n");
        assert!(Profile::parse(&with_floor, "t").is_ok());
        // The other mode's limit would be read by no one.
        let e = error(&format!(
            "{rule}max_tint = 25.0\nmin_channel = 120.0\n{card}"
        ));
        assert!(e.contains("min_channel is for mode = \"light\""), "{e}");
        let e = error(&format!("{light}min_channel = 120.0\nmax_tint = 25.0\n"));
        assert!(e.contains("max_tint is for mode = \"white\""), "{e}");
        // So would the card round the head, whose tint only a white wall is held to.
        let e = error(&format!("{light}min_channel = 120.0\n{card}"));
        assert!(e.contains("card is for mode = \"white\""), "{e}");
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
