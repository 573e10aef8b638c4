//! Rules: one module per rule, all with the same interface. A rule reads the shared [`Analysis`]
//! (through [`Context`]) and its thresholds from the profile, and returns a [`Finding`].
//!
//! [`Analysis`]: crate::analyse::Analysis

mod context;

pub mod background_plain;
pub mod background_white;
mod clothing_outline;
pub mod color_photo;
pub mod ears_visible;
pub mod exposure_ok;
pub mod expression_neutral;
pub mod eye_line_level;
pub mod eyebrows_visible;
pub mod eyes_open;
pub mod face_uncovered;
pub mod finished;
pub mod finished_shares;
pub mod head_frontal;
pub mod head_in_frame;
pub mod joint_advice;
mod lens_glare;
pub mod lighting_even;
pub mod mouth_closed;
pub mod no_glasses;
pub mod no_head_covering;
pub mod not_white_top;
pub mod resolution;
pub mod sharp;
pub mod single_face;
#[cfg(test)]
mod test_scene;

pub use context::Context;

use crate::profile::InputKind;
use crate::report::Status;
use serde::de::DeserializeOwned;

/// What one rule concluded about one photo.
#[derive(Debug, Clone)]
pub struct Finding {
    pub status: Status,
    pub value: Option<f64>,
    pub threshold: String,
    /// Catalogue key: for a failure the advice, for `not_assessed` the reason.
    pub message_key: Option<String>,
    /// Values for `{placeholders}` in the message.
    pub message_args: Vec<(&'static str, String)>,
}

impl Finding {
    /// Pass when `ok`, else fail with the advice under `fail_key`. A value that is not a finite
    /// number (a degenerate measurement) is never judged: the rule says `not_assessed`.
    pub fn judge(value: f64, ok: bool, threshold: String, fail_key: &str) -> Finding {
        if !value.is_finite() {
            return Finding::not_assessed(threshold, "na.not_measurable");
        }
        Finding {
            status: if ok { Status::Pass } else { Status::Fail },
            // A value rounded to zero from below reads 0, not -0.
            value: Some(value + 0.0),
            threshold,
            message_key: (!ok).then(|| fail_key.to_string()),
            message_args: Vec::new(),
        }
    }

    /// The rule cannot be computed; `reason_key` says why (e.g. `na.no_face`).
    pub fn not_assessed(threshold: String, reason_key: &str) -> Finding {
        Finding {
            status: Status::NotAssessed,
            value: None,
            threshold,
            message_key: Some(reason_key.to_string()),
            message_args: Vec::new(),
        }
    }

    pub fn with_args(mut self, args: Vec<(&'static str, String)>) -> Finding {
        self.message_args = args;
        self
    }
}

/// The advice of a backdrop rule that another face alone fails: `single_face`'s, since that
/// person is what to change, and the reasons then list it once.
pub const OTHER_FACE: &str = "single_face.many";

/// The uniform interface of every rule.
pub trait Rule: Send + Sync {
    fn id(&self) -> &'static str;
    fn evaluate(&self, ctx: &Context) -> Finding;
    /// Thresholds that only make sense together are checked when the profile loads, so a
    /// missing one is a profile error rather than a silent default.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
    /// Parameters that may be below zero: offsets and margins. Every other number is a limit,
    /// size or share, where a negative value would make the rule always pass or always fail.
    fn signed_params(&self) -> &'static [&'static str] {
        &[]
    }
    /// Parameters that are shares, at most 1, beyond those whose names say so (see
    /// `SHARES_IN_EVERY_RULE`).
    fn share_params(&self) -> &'static [&'static str] {
        &[]
    }
    /// Parameters that are 8-bit pixel levels, at most 255, beyond those whose names say so
    /// (see `LEVELS_IN_EVERY_RULE`).
    fn level_params(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether the rule judges a photo on its side or upside down. Most rules would measure the
    /// turned picture as if it were upright (a person lying across the frame is no backdrop),
    /// so the checker reports them `not_assessed`; the rule that says "turn it" opts in.
    fn judges_turned_photos(&self) -> bool {
        false
    }
    /// Whether the rule leaves a finished photo's top edge to `head_top_margin`: the profile
    /// is then refused unless that rule runs on finished photos.
    fn leaves_finished_top_to_head_top_margin(&self) -> bool {
        false
    }
    /// The finished photo's size in pixels, from the rule that judges it. The other geometry
    /// rules measure a photo of the card's shape at another size (a scan, a 2x export) as if
    /// resized to it, so its advice is to resize rather than to crop again.
    fn card_size(&self) -> Option<(u32, u32)> {
        None
    }
    /// The kinds of photo the rule applies to where its profile table sets no `inputs`.
    fn default_inputs(&self) -> &'static [InputKind] {
        &[InputKind::Selfie, InputKind::Finished]
    }
}

/// `lo` not above `hi`: swapped, a range fails every photo.
fn ordered(lo: (&str, f64), hi: (&str, f64)) -> Result<(), String> {
    if lo.1 <= hi.1 {
        Ok(())
    } else {
        Err(format!(
            "{} = {} must not exceed {} = {}",
            lo.0, lo.1, hi.0, hi.1
        ))
    }
}

/// A rule from its profile table; the error says what is wrong with the table, and the
/// profile loader says where.
fn configured<R: Rule + DeserializeOwned + 'static>(
    id: &str,
    params: toml::Table,
) -> Result<Box<dyn Rule>, String> {
    let rule: R = toml::Value::Table(params.clone())
        .try_into()
        .map_err(|e| format!("rule {id}: {e}"))?;
    check_params(&params, &rule).map_err(|e| format!("rule {id}: {e}"))?;
    rule.validate().map_err(|e| format!("rule {id}: {e}"))?;
    Ok(Box::new(rule))
}

/// A finished photo's geometry rule in the card's pixels (`P`, GA 461), or in shares of the
/// photo (`S`, ICAO) where its table gives any share.
fn pixels_or_shares<P, S>(id: &str, params: toml::Table) -> Result<Box<dyn Rule>, String>
where
    P: Rule + DeserializeOwned + 'static,
    S: Rule + DeserializeOwned + 'static,
{
    if params.keys().any(|key| key.ends_with("_share")) {
        configured::<S>(id, params)
    } else {
        configured::<P>(id, params)
    }
}

/// Every parameter, in nested tables too, is a finite number, only the rule's signed ones may
/// be negative, and no share is over 1. NaN, a negative limit or a percentage written for a
/// share would make a rule silently always pass or always fail.
fn check_params(params: &toml::Table, rule: &dyn Rule) -> Result<(), String> {
    params.iter().try_for_each(|(key, value)| {
        check_value(value, key, rule).map_err(|e| format!("{key}: {e}"))
    })
}

fn check_value(value: &toml::Value, key: &str, rule: &dyn Rule) -> Result<(), String> {
    let number = match value {
        toml::Value::Float(f) => *f,
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Array(items) => {
            return items
                .iter()
                .try_for_each(|item| check_value(item, key, rule))
        }
        toml::Value::Table(table) => return check_params(table, rule),
        _ => return Ok(()),
    };
    if !number.is_finite() {
        return Err(format!("{number} is not a finite number"));
    }
    if number < 0.0 && !rule.signed_params().contains(&key) {
        return Err(format!("{number} is negative"));
    }
    match ceiling(key, rule) {
        Some((max, what)) if number > max => Err(format!("{number} is {what}, at most {max}")),
        _ => Ok(()),
    }
}

/// The largest value a parameter can mean anything at, and what kind of number it is, where
/// its name or its rule says.
fn ceiling(key: &str, rule: &dyn Rule) -> Option<(f64, &'static str)> {
    let share = key.ends_with("_share")
        || key.ends_with("_fraction")
        || key.ends_with("_score")
        || SHARES_IN_EVERY_RULE.contains(&key)
        || rule.share_params().contains(&key);
    let level = key.ends_with("_level")
        || key.ends_with("_mean")
        || key.starts_with("clipped_")
        || LEVELS_IN_EVERY_RULE.contains(&key)
        || rule.level_params().contains(&key);
    match (share, level) {
        (true, _) => Some((1.0, "a share")),
        (_, true) => Some((255.0, "a pixel level")),
        _ => None,
    }
}

/// Parameters that are shares (at most 1) under the same name in every rule that has them,
/// beside the `_share`, `_fraction` and `_score` (a detector's or parser's confidence) endings.
const SHARES_IN_EVERY_RULE: &[&str] = &["min_parsed_face"];

/// Parameters that are 8-bit pixel levels (at most 255), beside the `_level` and `_mean`
/// endings and the `clipped_` start.
const LEVELS_IN_EVERY_RULE: &[&str] = &["min_channel", "max_tint"];

type Builder = fn(&str, toml::Table) -> Result<Box<dyn Rule>, String>;

/// Every rule idphoto knows, by id.
const REGISTRY: &[(&str, Builder)] = &[
    ("single_face", configured::<single_face::SingleFace>),
    ("eye_line_level", configured::<eye_line_level::EyeLineLevel>),
    ("head_frontal", configured::<head_frontal::HeadFrontal>),
    ("eyes_open", configured::<eyes_open::EyesOpen>),
    ("mouth_closed", configured::<mouth_closed::MouthClosed>),
    (
        "expression_neutral",
        configured::<expression_neutral::ExpressionNeutral>,
    ),
    ("ears_visible", configured::<ears_visible::EarsVisible>),
    (
        "eyebrows_visible",
        configured::<eyebrows_visible::EyebrowsVisible>,
    ),
    (
        "face_uncovered",
        configured::<face_uncovered::FaceUncovered>,
    ),
    ("no_glasses", configured::<no_glasses::NoGlasses>),
    (
        "no_head_covering",
        configured::<no_head_covering::NoHeadCovering>,
    ),
    ("head_in_frame", configured::<head_in_frame::HeadInFrame>),
    (
        "background_plain",
        configured::<background_plain::BackgroundPlain>,
    ),
    (
        "background_white",
        configured::<background_white::BackgroundWhite>,
    ),
    ("lighting_even", configured::<lighting_even::LightingEven>),
    ("exposure_ok", configured::<exposure_ok::ExposureOk>),
    ("sharp", configured::<sharp::Sharp>),
    ("color_photo", configured::<color_photo::ColorPhoto>),
    ("not_white_top", configured::<not_white_top::NotWhiteTop>),
    ("resolution", configured::<resolution::Resolution>),
    ("photo_size", configured::<finished::PhotoSize>),
    (
        "head_width",
        pixels_or_shares::<finished::HeadWidth, finished_shares::HeadWidthShare>,
    ),
    ("head_top_margin", configured::<finished::HeadTopMargin>),
    (
        "eye_line_height",
        pixels_or_shares::<finished::EyeLineHeight, finished_shares::EyeLineHeightShare>,
    ),
    (
        "head_centered",
        pixels_or_shares::<finished::HeadCentered, finished_shares::HeadCenteredShare>,
    ),
];

/// The ids of every rule idphoto has, whether or not a profile runs it.
pub fn known_ids() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|(id, _)| *id)
}

/// Whether idphoto has a rule with this id, whether or not a profile runs it.
pub fn is_known(id: &str) -> bool {
    known_ids().any(|known| known == id)
}

/// Builds the rule `id` with its thresholds from a profile table.
pub fn build(id: &str, params: toml::Table) -> Result<Box<dyn Rule>, String> {
    match REGISTRY.iter().find(|(known, _)| *known == id) {
        Some((_, builder)) => builder(id, params),
        None => Err(format!("unknown rule `{id}`")),
    }
}

/// The largest of `values`, or NaN if any is NaN (`f64::max` would drop it and judge the rest).
pub fn max_or_nan(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(f64::NEG_INFINITY, |a, b| {
        if a.is_nan() || b.is_nan() {
            f64::NAN
        } else {
            a.max(b)
        }
    })
}

/// The smallest of `values`, or NaN if any is NaN.
pub fn min_or_nan(values: impl IntoIterator<Item = f64>) -> f64 {
    -max_or_nan(values.into_iter().map(|v| -v))
}

/// The value the share `q` of the way up `values` (0.2: the 20th percentile, 0.5: the median):
/// the order statistic a full sort would give, in linear time. NaN when there are none.
pub fn percentile(values: &mut [f32], q: f32) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let at = ((values.len() - 1) as f32 * q) as usize;
    *values.select_nth_unstable_by(at, f32::total_cmp).1 as f64
}

/// Formats a closed range for the `threshold` field.
pub fn range(lo: f64, hi: f64) -> String {
    format!("in [{lo}, {hi}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_rounded_to_zero_from_below_reads_zero() {
        let f = Finding::judge((-0.3f64).round(), true, "t".into(), "head_centered");
        assert!(f.value.unwrap().is_sign_positive());
        assert_eq!(serde_json::to_string(&f.value).unwrap(), "0.0");
    }

    #[test]
    fn a_measurement_that_is_not_a_number_is_not_judged() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let f = Finding::judge(value, true, "t".into(), "sharp");
            assert_eq!(f.status, Status::NotAssessed);
            assert_eq!(f.message_key.as_deref(), Some("na.not_measurable"));
        }
        assert_eq!(
            Finding::judge(0.5, true, "t".into(), "sharp").status,
            Status::Pass
        );
    }

    fn table(source: &str) -> toml::Table {
        source.parse().unwrap()
    }

    #[test]
    fn a_geometry_rule_takes_the_card_s_pixels_or_shares_of_the_photo() {
        let pixels = build(
            "head_width",
            table("target_px = 207.0\ntolerance_px = 14.0"),
        )
        .unwrap();
        let shares = build(
            "head_width",
            table("min_width_share = 0.5\nmax_width_share = 0.75"),
        )
        .unwrap();
        assert_eq!((pixels.id(), shares.id()), ("head_width", "head_width"));
        // The forms do not mix, shares are at most 1, and a range is in order.
        for (params, error) in [
            (
                "target_px = 207.0\nmin_width_share = 0.5",
                "unknown field `target_px`",
            ),
            (
                "min_width_share = 50.0\nmax_width_share = 75.0",
                "a share, at most 1",
            ),
            (
                "min_width_share = 0.75\nmax_width_share = 0.5",
                "must not exceed",
            ),
        ] {
            let e = build("head_width", table(params)).err().unwrap();
            assert!(e.contains(error), "{params}: {e}");
        }
    }

    #[test]
    fn extremes_keep_a_nan() {
        assert_eq!(max_or_nan([0.2, 0.9, 0.4]), 0.9);
        assert_eq!(min_or_nan([0.2, 0.9, 0.4]), 0.2);
        assert!(max_or_nan([0.2, f64::NAN]).is_nan());
        assert!(min_or_nan([f64::NAN, 0.2]).is_nan());
    }
}
