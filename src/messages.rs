//! Plain-language messages in Simplified Chinese, Traditional Chinese and English.
//!
//! The catalogues live in `messages/*.toml` (one flat `"key" = "text"` entry per message) and are
//! embedded with `include_str!`, so the binary needs no files at run time. Each catalogue is parsed
//! once, on first use.
//!
//! Keys: one per rule (`ears_visible`), optionally refined by a dotted suffix for a more specific
//! reason (`exposure_ok.too_dark`); `na.*` explains why a rule could not be checked, and
//! `rule.<id>` names the rule in that reason; `ui.*` are words of the result page; `error.<code>`
//! matches [`crate::Error::code`].
//!
//! Lookup never fails: a missing key falls back to its parent key (`exposure_ok.too_dark` →
//! `exposure_ok`), then to English, then to the key itself.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// Language of the messages shown to the applicant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
pub enum Lang {
    /// Simplified Chinese (mainland China).
    #[default]
    #[value(name = "zh-CN")]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// Traditional Chinese, wording neutral between Taiwan and Hong Kong.
    #[value(name = "zh-TW")]
    #[serde(rename = "zh-TW")]
    ZhTw,
    /// English.
    #[value(name = "en")]
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::ZhTw, Lang::En];

    /// BCP 47 code: `zh-CN`, `zh-TW` or `en`.
    pub fn code(&self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// What separates the items of a list of names: punctuation, not a message.
    pub fn list_separator(self) -> &'static str {
        match self {
            Lang::ZhCn | Lang::ZhTw => "、",
            Lang::En => ", ",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::ZhCn => include_str!("../messages/zh-CN.toml"),
            Lang::ZhTw => include_str!("../messages/zh-TW.toml"),
            Lang::En => include_str!("../messages/en.toml"),
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::ZhCn => 0,
            Lang::ZhTw => 1,
            Lang::En => 2,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language tag that is not Chinese or English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLangError(pub String);

impl fmt::Display for ParseLangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported language {:?} (expected zh-CN, zh-TW or en)",
            self.0
        )
    }
}

impl std::error::Error for ParseLangError {}

impl FromStr for Lang {
    type Err = ParseLangError;

    /// Accepts BCP 47 / POSIX-style tags case-insensitively: `zh-CN`, `zh_cn`, `zh`, `zh-Hans`,
    /// `zh-SG` → [`Lang::ZhCn`]; `zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant`, `zh-Hant-HK` → [`Lang::ZhTw`];
    /// `en`, `en-US`, `en_GB.UTF-8` → [`Lang::En`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let tag = s.trim();
        // Drop a POSIX encoding or modifier suffix (`zh_CN.UTF-8`, `en_US@euro`).
        let tag = tag.split(['.', '@']).next().unwrap_or("");
        let lower = tag.to_ascii_lowercase().replace('_', "-");
        let mut parts = lower.split('-').filter(|p| !p.is_empty());
        match parts.next() {
            Some("en") => Ok(Lang::En),
            Some("zh") | Some("cmn") => {
                let rest: Vec<&str> = parts.collect();
                let traditional = rest
                    .iter()
                    .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                let simplified = rest.contains(&"hans");
                if traditional && !simplified {
                    Ok(Lang::ZhTw)
                } else {
                    Ok(Lang::ZhCn)
                }
            }
            _ => Err(ParseLangError(s.to_string())),
        }
    }
}

type Catalogue = HashMap<String, String>;

/// Parses a catalogue: every string value becomes an entry; nested tables (unquoted dotted keys)
/// are flattened to dotted keys. Anything else is an error.
fn parse_catalogue(source: &str) -> Result<Catalogue, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Catalogue) -> Result<(), String> {
        for (key, value) in table {
            let full = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::String(text) => {
                    if out.insert(full.clone(), text.clone()).is_some() {
                        return Err(format!("key {full:?} is defined twice"));
                    }
                }
                toml::Value::Table(inner) => walk(&full, inner, out)?,
                other => {
                    return Err(format!(
                        "key {full:?} must be a string, found {}",
                        other.type_str()
                    ))
                }
            }
        }
        Ok(())
    }
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let mut out = Catalogue::new();
    walk("", &table, &mut out)?;
    Ok(out)
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static CATALOGUES: [OnceLock<Catalogue>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    CATALOGUES[lang.index()].get_or_init(|| {
        parse_catalogue(lang.source()).unwrap_or_else(|e| {
            // Cannot happen with the embedded files (the tests parse them); never panic at run time.
            tracing::error!(lang = lang.code(), error = %e, "message catalogue is invalid");
            Catalogue::new()
        })
    })
}

/// `key`, then its parents (`a.b.c` → `a.b` → `a`), looked up in one catalogue.
fn lookup_with_parents<'a>(catalogue: &'a Catalogue, key: &str) -> Option<&'a str> {
    let mut current = key;
    loop {
        if let Some(text) = catalogue.get(current) {
            return Some(text.as_str());
        }
        current = &current[..current.rfind('.')?];
    }
}

/// Lookup order: `primary` (key, then parents), then `fallback` (key, then parents).
fn resolve<'a>(primary: &'a Catalogue, fallback: &'a Catalogue, key: &str) -> Option<&'a str> {
    lookup_with_parents(primary, key).or_else(|| lookup_with_parents(fallback, key))
}

/// The message for `key` in `lang`. Falls back to the parent key, then to English, then returns
/// `key` itself; never panics.
pub fn text(lang: Lang, key: &str) -> String {
    resolve(catalogue(lang), catalogue(Lang::En), key)
        .unwrap_or(key)
        .to_string()
}

/// Like [`text`], with `{name}` placeholders replaced by the matching `args`. Placeholders without a
/// matching argument are left as they are.
pub fn format(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    substitute(&text(lang, key), args)
}

/// Replaces `{name}` in `template` in a single pass (substituted values are not scanned again).
fn substitute(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a text, sorted and deduplicated.
#[cfg(test)]
fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: Lang) -> BTreeSet<&'static str> {
        catalogue(lang).keys().map(String::as_str).collect()
    }

    fn is_cjk(c: char) -> bool {
        matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
    }

    /// Keys the rest of the crate relies on.
    const REQUIRED: &[&str] = &[
        "single_face.none",
        "single_face.many",
        "eye_line_level",
        "eye_line_level.turned",
        "head_frontal",
        "head_frontal.turned",
        "head_frontal.raise_chin",
        "head_frontal.lower_chin",
        "head_frontal.turned_raise_chin",
        "head_frontal.turned_lower_chin",
        "eyes_open",
        "eyes_open.blurred",
        "mouth_closed",
        "expression_neutral",
        "expression_neutral.smile",
        "expression_neutral.smile_lips_told",
        "expression_neutral.mouth_open",
        "expression_neutral.brows",
        "expression_neutral.grimace",
        "expression_neutral.wink",
        "expression_neutral.wink_eyes_told",
        "ears_visible",
        "ears_visible.turned",
        "ears_visible.head_covered",
        "ears_visible.after_turning",
        "ears_visible.blurred",
        "eyebrows_visible",
        "eyebrows_visible.blurred",
        "face_uncovered",
        "face_uncovered.unclear",
        "no_glasses",
        "no_glasses.tinted",
        "no_glasses.glare",
        "no_glasses.blurred",
        "no_head_covering",
        "no_head_covering.hood",
        "no_head_covering.blurred",
        "head_in_frame",
        "head_in_frame.off_centre_top",
        "head_in_frame.off_centre_side",
        "head_in_frame.off_centre_bottom",
        "head_in_frame.off_centre_top_side",
        "head_in_frame.off_centre_bottom_side",
        "head_in_frame.finished_top",
        "head_in_frame.finished_left",
        "head_in_frame.finished_right",
        "head_in_frame.finished_bottom",
        "background_plain",
        "background_white",
        "background_white.too_dark",
        "background_light",
        "background_light.too_dark",
        "background_white.also_plain",
        "background_light.also_plain",
        "lighting_even",
        "exposure_ok.too_dark",
        "exposure_ok.too_bright",
        "sharp",
        "sharp.finished",
        "color_photo",
        "color_photo.too_dark",
        "color_photo.no_face",
        "not_white_top",
        "not_white_top.too_bright",
        "resolution",
        "resolution.photo_too_small",
        "resolution.finished",
        "resolution.finished_eye_distance",
        "photo_size",
        "head_width",
        "head_top_margin",
        "head_top_margin.cut",
        "head_top_margin.too_close",
        "eye_line_height",
        "head_centered.left",
        "head_centered.right",
        "na.no_face",
        "na.turned",
        "na.no_parsing",
        "na.no_parser",
        "na.features_unclear",
        "na.face_too_small",
        "na.no_background",
        "na.no_clothing",
        "na.not_finished",
        "na.not_measurable",
        "na.out_of_frame",
        "ui.verdict_pass",
        "ui.verdict_fail",
        "ui.verdict_error",
        "ui.what_to_change",
        "ui.not_assessed_reason",
        "ui.status_pass",
        "ui.status_fail",
        "ui.status_not_assessed",
        "error.io",
        "error.unsupported_format",
        "error.unsupported_format.heif",
        "error.corrupt_image",
        "error.image_too_large",
        "error.image_too_small",
        "error.runtime_unavailable",
        "error.model_error",
        "error.profile_error",
        "error.internal_error",
    ];

    #[test]
    fn catalogues_parse_strictly() {
        for lang in Lang::ALL {
            let parsed =
                parse_catalogue(lang.source()).unwrap_or_else(|e| panic!("{}: {e}", lang.code()));
            assert!(!parsed.is_empty(), "{} is empty", lang.code());
            for (key, text) in &parsed {
                assert!(!text.trim().is_empty(), "{}: {key} is empty", lang.code());
                assert_eq!(
                    text.trim(),
                    text,
                    "{}: {key} has stray whitespace",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn all_languages_have_the_same_keys() {
        let en = keys(Lang::En);
        for lang in [Lang::ZhCn, Lang::ZhTw] {
            let other = keys(lang);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{} has keys not in en: {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn required_keys_exist() {
        for lang in Lang::ALL {
            for key in REQUIRED {
                assert!(
                    catalogue(lang).contains_key(*key),
                    "{} lacks {key}",
                    lang.code()
                );
            }
        }
    }

    /// The crate's source files, tests left out (everything from `mod tests` on), as text.
    fn crate_code() -> Vec<(std::path::PathBuf, String)> {
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut files = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path)
                        .unwrap()
                        .replace("\r\n", "\n");
                    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
                    files.push((path, code.to_string()));
                }
            }
        }
        files
    }

    /// String literals in the crate's code that look like message keys: a dotted name whose
    /// first part starts some catalogue key or names a rule, or a rule's id (a rule's plain
    /// advice is under its id).
    fn keys_in_code() -> BTreeSet<(String, String)> {
        let ids: BTreeSet<&str> = crate::checks::known_ids().collect();
        let heads: BTreeSet<&str> = keys(Lang::En)
            .into_iter()
            .map(|k| k.split('.').next().unwrap())
            .chain(ids.iter().copied())
            .collect();
        let dotted_key = |literal: &str| {
            literal.contains('.')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c))
                && heads.contains(literal.split('.').next().unwrap())
        };
        let mut found = BTreeSet::new();
        for (path, code) in crate_code() {
            let lines = code.lines().map(|line| line.split("//").next().unwrap());
            for literal in lines.flat_map(|line| line.split('"').skip(1).step_by(2)) {
                if dotted_key(literal) || ids.contains(literal) {
                    found.insert((literal.to_string(), path.display().to_string()));
                }
            }
        }
        found
    }

    /// A key the code names but no catalogue has would reach the applicant as the bare key
    /// (or as its parent's more general advice): every one is written out in each language.
    #[test]
    fn every_key_the_code_names_is_in_the_catalogues() {
        let found = keys_in_code();
        assert!(found.len() >= 40, "the scan finds the keys: {found:?}");
        for key in ["na.face_too_small", "head_centered"] {
            assert!(found.iter().any(|(k, _)| k == key), "{key}");
        }
        for lang in Lang::ALL {
            for (key, file) in &found {
                assert!(
                    catalogue(lang).contains_key(key),
                    "{} lacks {key}, named in {file}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn every_rule_has_a_name() {
        for lang in Lang::ALL {
            for id in crate::checks::known_ids() {
                assert!(
                    catalogue(lang).contains_key(&format!("rule.{id}")),
                    "{} lacks rule.{id}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn error_codes_have_messages() {
        let errors = [
            crate::Error::Io {
                path: "x".into(),
                source: std::io::Error::other("x"),
            },
            crate::Error::UnsupportedFormat("x".into()),
            crate::Error::Corrupt("x".into()),
            crate::Error::TooLarge {
                width: 1,
                height: 1,
                limit: 1,
            },
            crate::Error::TooSmall {
                width: 1,
                height: 1,
            },
            crate::Error::DecodeLimit("x".into()),
            crate::Error::FileTooLarge { bytes: 2, limit: 1 },
            crate::Error::Runtime("x".into()),
            crate::Error::Model("x".into()),
            crate::Error::Profile("x".into()),
            crate::Error::Internal("x".into()),
        ];
        for error in &errors {
            let key = format!("error.{}", error.code());
            for lang in Lang::ALL {
                assert!(
                    catalogue(lang).contains_key(&key),
                    "{} lacks {key}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn placeholders_match_across_languages() {
        for key in keys(Lang::En) {
            let expected = placeholders(&catalogue(Lang::En)[key]);
            for lang in [Lang::ZhCn, Lang::ZhTw] {
                let got = placeholders(&catalogue(lang)[key]);
                assert_eq!(got, expected, "placeholders of {key} in {}", lang.code());
            }
        }
        assert_eq!(
            placeholders(&text(Lang::En, "photo_size")),
            vec!["actual".to_string(), "expected".to_string()]
        );
        // A finished photo's geometry says what it measured and what the standard asks.
        for key in [
            "head_width",
            "head_top_margin",
            "eye_line_height",
            "head_centered.left",
            "head_centered.right",
        ] {
            assert_eq!(
                placeholders(&text(Lang::En, key)),
                vec!["actual".to_string(), "expected".to_string()],
                "{key}"
            );
        }
        assert_eq!(
            placeholders(&text(Lang::En, "head_top_margin.cut")),
            vec!["expected".to_string()]
        );
    }

    #[test]
    fn chinese_texts_are_chinese() {
        let en = text(Lang::En, "ears_visible");
        assert_eq!(en, "Tuck your hair behind your ears so both ears show.");
        for lang in [Lang::ZhCn, Lang::ZhTw] {
            let zh = text(lang, "ears_visible");
            assert_ne!(zh, en, "{}", lang.code());
            assert!(zh.chars().any(is_cjk), "{}: {zh}", lang.code());
        }
        assert_eq!(
            text(Lang::ZhCn, "ears_visible"),
            "请将头发拢到耳后，露出双耳。"
        );
        assert_ne!(
            text(Lang::ZhCn, "ears_visible"),
            text(Lang::ZhTw, "ears_visible")
        );
        // Every Chinese text has Chinese characters (none was left in English).
        for lang in [Lang::ZhCn, Lang::ZhTw] {
            for (key, value) in catalogue(lang) {
                assert!(value.chars().any(is_cjk), "{} {key}: {value}", lang.code());
            }
        }
    }

    #[test]
    fn scripts_are_not_mixed() {
        // Common characters that differ between the scripts; each list must not appear in the
        // other language's catalogue.
        const SIMPLIFIED_ONLY: &str = "请头发张镜脸将这为过时对调标检测须观灯转双后样没显";
        const TRADITIONAL_ONLY: &str = "請頭髮張鏡臉將這為過時對調標檢測須觀燈轉雙後樣沒顯";
        for (key, value) in catalogue(Lang::ZhTw) {
            let bad: String = value
                .chars()
                .filter(|c| SIMPLIFIED_ONLY.contains(*c))
                .collect();
            assert!(
                bad.is_empty(),
                "zh-TW {key} has simplified characters {bad:?}"
            );
        }
        for (key, value) in catalogue(Lang::ZhCn) {
            let bad: String = value
                .chars()
                .filter(|c| TRADITIONAL_ONLY.contains(*c))
                .collect();
            assert!(
                bad.is_empty(),
                "zh-CN {key} has traditional characters {bad:?}"
            );
        }
    }

    #[test]
    fn english_has_no_cjk() {
        for (key, value) in catalogue(Lang::En) {
            assert!(!value.chars().any(is_cjk), "en {key}: {value}");
        }
    }

    #[test]
    fn fallback_to_parent_key() {
        // A refinement that does not exist falls back to the rule's own message.
        for lang in Lang::ALL {
            assert_eq!(
                text(lang, "exposure_ok.somewhat_odd"),
                text(lang, "exposure_ok")
            );
            assert_eq!(
                text(lang, "no_glasses.unknown.deeper"),
                text(lang, "no_glasses")
            );
        }
        assert_ne!(
            text(Lang::En, "exposure_ok.too_dark"),
            text(Lang::En, "exposure_ok")
        );
    }

    #[test]
    fn fallback_to_english_then_key() {
        let primary: Catalogue = [("a".to_string(), "zh a".to_string())]
            .into_iter()
            .collect();
        let english: Catalogue = [
            ("a".to_string(), "en a".to_string()),
            ("b".to_string(), "en b".to_string()),
            ("c.d".to_string(), "en c.d".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(resolve(&primary, &english, "a"), Some("zh a"));
        // Parent in the same language wins over the exact key in English.
        assert_eq!(resolve(&primary, &english, "a.x"), Some("zh a"));
        assert_eq!(resolve(&primary, &english, "b"), Some("en b"));
        assert_eq!(resolve(&primary, &english, "b.y.z"), Some("en b"));
        assert_eq!(resolve(&primary, &english, "c.d"), Some("en c.d"));
        assert_eq!(resolve(&primary, &english, "c"), None);
        assert_eq!(resolve(&primary, &english, ""), None);
        assert_eq!(resolve(&primary, &english, "."), None);
        // Unknown keys come back unchanged, in every language.
        for lang in Lang::ALL {
            assert_eq!(text(lang, "no.such.key"), "no.such.key");
            assert_eq!(text(lang, ""), "");
            assert_eq!(text(lang, "..."), "...");
        }
    }

    #[test]
    fn format_replaces_placeholders() {
        let args = [
            ("expected", "358x441".to_string()),
            ("actual", "300x400".to_string()),
        ];
        let en = format(Lang::En, "photo_size", &args);
        assert_eq!(
            en,
            "The finished photo must be 358x441 pixels; this one is 300x400. Crop it again from \
             the original photo, or take a new one."
        );
        for lang in Lang::ALL {
            let s = format(lang, "photo_size", &args);
            assert!(s.contains("358x441") && s.contains("300x400"), "{s}");
            assert!(!s.contains('{') && !s.contains('}'), "{s}");
        }
        // Unknown placeholders stay; values are not scanned again; unbalanced braces survive.
        assert_eq!(
            substitute("{a} {b}", &[("a", "{b}".to_string())]),
            "{b} {b}"
        );
        assert_eq!(substitute("x {a", &[("a", "1".to_string())]), "x {a");
        assert_eq!(substitute("}{a}{", &[("a", "1".to_string())]), "}1{");
        assert_eq!(format(Lang::En, "no.such.key", &[]), "no.such.key");
    }

    #[test]
    fn lang_from_str() {
        let cases = [
            ("zh-CN", Lang::ZhCn),
            ("ZH-cn", Lang::ZhCn),
            ("zh_CN.UTF-8", Lang::ZhCn),
            ("zh", Lang::ZhCn),
            ("zh-Hans", Lang::ZhCn),
            ("zh-Hans-CN", Lang::ZhCn),
            ("zh-Hans-HK", Lang::ZhCn),
            ("zh-SG", Lang::ZhCn),
            ("zh-TW", Lang::ZhTw),
            ("zh-tw", Lang::ZhTw),
            ("zh_TW", Lang::ZhTw),
            ("zh-HK", Lang::ZhTw),
            ("zh-MO", Lang::ZhTw),
            ("zh-Hant", Lang::ZhTw),
            ("ZH-HANT-TW", Lang::ZhTw),
            ("en", Lang::En),
            ("EN", Lang::En),
            ("en-US", Lang::En),
            ("en_GB", Lang::En),
            ("en_US.UTF-8", Lang::En),
            (" en ", Lang::En),
        ];
        for (input, expected) in cases {
            assert_eq!(input.parse::<Lang>(), Ok(expected), "{input:?}");
        }
        for bad in ["", "fr", "de-DE", "english-ish", "zhx", "e"] {
            assert!(bad.parse::<Lang>().is_err(), "{bad:?}");
        }
        for lang in Lang::ALL {
            assert_eq!(lang.code().parse::<Lang>(), Ok(lang));
            assert_eq!(lang.to_string(), lang.code());
        }
        assert_eq!(Lang::default(), Lang::ZhCn);
    }

    #[test]
    fn lang_clap_and_serde_names() {
        use clap::ValueEnum;
        for lang in Lang::ALL {
            let value = lang.to_possible_value().expect("value");
            assert_eq!(value.get_name(), lang.code());
            assert_eq!(<Lang as ValueEnum>::from_str(lang.code(), true), Ok(lang));
            assert_eq!(
                serde_json::to_string(&lang).unwrap(),
                format!("\"{}\"", lang.code())
            );
        }
    }
}
