//! The accuracy gate: floors per rule, ceilings on a rule's false fails and the verdict's false
//! passes and false rejects, and the fewest photos the labels must list, in all and per rule.

use super::{EvalSummary, Expected, Mistake, RuleScore, VerdictScore};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::Path;

/// The accuracy gate for CI.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Floors {
    /// Rule id → lowest acceptable balanced accuracy.
    #[serde(default)]
    pub min_balanced_accuracy: BTreeMap<String, f64>,
    /// Most labelled-fail images the verdict may pass.
    #[serde(default)]
    pub max_false_passes: Option<usize>,
    /// Most labelled-pass images the verdict may fail (or leave unchecked).
    #[serde(default)]
    pub max_false_rejects: Option<usize>,
    /// Rule id → most labelled-pass images the rule may fail or leave unassessed (its FP), for
    /// a rule whose balanced accuracy mixes in answers that are not errors: under ICAO,
    /// `background_white` passes light walls that the labels' "white" column fails.
    #[serde(default)]
    pub max_false_fails: BTreeMap<String, usize>,
    /// Fewest photos the labels file must list: a truncated labels file, or a smaller set than
    /// the floors were set on, fails the gate instead of clearing its floors on a handful of
    /// photos.
    #[serde(default)]
    pub min_images: Option<usize>,
    /// Most photos that may go unchecked (unreadable, moved or renamed); unset, none may. An
    /// unchecked photo is scored by no rule and is no false pass, so a false pass whose file
    /// went missing would otherwise leave the gate without a word.
    #[serde(default)]
    pub max_errors: Option<usize>,
    /// Rule id → fewest photos the labels must mark pass or fail for it: a column blanked in
    /// part would otherwise clear its floor on the cells that are left.
    #[serde(default)]
    pub min_labelled: BTreeMap<String, usize>,
}

/// Reads a floors TOML file. Unknown keys and floors outside [0, 1] are errors.
pub fn read_floors(path: &Path) -> anyhow::Result<Floors> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read floors file {}", path.display()))?;
    let floors: Floors =
        toml::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))?;
    for (id, &floor) in &floors.min_balanced_accuracy {
        if !(0.0..=1.0).contains(&floor) {
            bail!(
                "{}: floor for {id} is {floor}, outside [0, 1]",
                path.display()
            );
        }
    }
    Ok(floors)
}

/// A limit of the floors file that the scores do not meet.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The rule it concerns; `None` for the verdict's false passes and the photo count.
    pub rule: Option<String>,
    /// Which of the rule's mistakes broke the limit.
    pub behind: Behind,
    /// One line saying what was set and what was measured.
    pub message: String,
}

/// The mistakes behind a violated limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behind {
    /// All of them (a floor on balanced accuracy).
    AllMistakes,
    /// Only the false fails, labelled pass (`max_false_fails`): the rule's false passes may
    /// be the profile's choice.
    FalseFails,
    /// None: a count of photos or labels is short, which no answer of the rule caused.
    NoMistakes,
}

impl Violation {
    /// Whether `mistake`, one of `rule`'s, is among what broke this limit.
    pub fn involves(&self, rule: &RuleScore, mistake: &Mistake) -> bool {
        self.rule.as_deref() == Some(rule.id.as_str())
            && match self.behind {
                Behind::AllMistakes => true,
                Behind::FalseFails => mistake.expected == Expected::Pass,
                Behind::NoMistakes => false,
            }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// For a limit on the verdict: how many photos are labelled in the class it counts, how many of
/// them the verdict got wrong, and which (where the score names them).
type VerdictCount = fn(&VerdictScore) -> (usize, usize, &[String]);

/// One violation per unmet limit; empty means the gate passed. A floor for a rule that is absent
/// from the summary, that the profile does not run, or whose accuracy cannot be computed, is a
/// violation, and so is a `max_false_passes` or `max_false_rejects` when the summary has no
/// verdict score, or a limit on false passes, false rejects or false fails when nothing is
/// labelled fail or pass (as it needs). Any photo that could not
/// be checked is one too, unless `max_errors` allows it.
pub fn check_floors(summary: &EvalSummary, floors: &Floors) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(min) = floors.min_images {
        if summary.images < min {
            out.push(Violation {
                rule: None,
                behind: Behind::NoMistakes,
                message: format!(
                    "min_images = {min} set, but the labels list {} photos",
                    summary.images
                ),
            });
        }
    }
    let max_errors = floors.max_errors.unwrap_or(0);
    if summary.errors > max_errors {
        out.push(Violation {
            rule: None,
            behind: Behind::NoMistakes,
            message: format!(
                "photos that could not be checked: {}, at most {max_errors} allowed (max_errors)",
                summary.errors
            ),
        });
    }
    let of_rule = |id: &str, message: String| Violation {
        rule: Some(id.to_string()),
        behind: Behind::AllMistakes,
        message,
    };
    // The rule's score, or why a limit set for it cannot be checked.
    let scored = |id: &str, limit: &str| match summary.rules.iter().find(|r| r.id == id) {
        None => Err(format!(
            "{id}: {limit} set, but the rule is not in the labels"
        )),
        Some(r) if !r.in_profile => {
            let why = if crate::checks::is_known(id) {
                "the profile does not run this rule"
            } else {
                "idphoto has no rule of that name"
            };
            Err(format!("{id}: {limit} set, but {why}"))
        }
        Some(r) => Ok(r),
    };
    for (id, &floor) in &floors.min_balanced_accuracy {
        match scored(id, &format!("floor {floor:.3}")) {
            Err(line) => out.push(of_rule(id, line)),
            Ok(r) => match r.balanced_accuracy {
                None => out.push(of_rule(
                    id,
                    format!(
                        "{id}: floor {floor:.3} set, but balanced accuracy is undefined \
                         ({} labelled pass, {} labelled fail)",
                        r.labelled_pass, r.labelled_fail
                    ),
                )),
                Some(acc) if acc < floor => out.push(of_rule(
                    id,
                    format!(
                        "{id}: balanced accuracy {acc:.3} is below the floor {floor:.3} \
                         (TP {}, FP {}, TN {}, FN {}, not assessed {})",
                        r.tp, r.fp, r.tn, r.fn_, r.not_assessed
                    ),
                )),
                Some(_) => {}
            },
        }
    }
    for (id, &min) in &floors.min_labelled {
        match scored(id, &format!("min_labelled = {min}")) {
            Err(line) => out.push(of_rule(id, line)),
            Ok(r) if r.labelled_pass + r.labelled_fail < min => out.push(Violation {
                behind: Behind::NoMistakes,
                ..of_rule(
                    id,
                    format!(
                        "{id}: min_labelled = {min} set, but the labels mark {} photos ({} \
                         pass, {} fail)",
                        r.labelled_pass + r.labelled_fail,
                        r.labelled_pass,
                        r.labelled_fail
                    ),
                )
            }),
            Ok(_) => {}
        }
    }
    for (id, &max) in &floors.max_false_fails {
        match scored(id, &format!("max_false_fails = {max}")) {
            Err(line) => out.push(of_rule(id, line)),
            // With nothing labelled pass there is no false fail to count, and no check.
            Ok(r) if r.labelled_pass == 0 => out.push(of_rule(
                id,
                format!("{id}: max_false_fails = {max} set, but no image is labelled pass"),
            )),
            Ok(r) if r.fp > max => out.push(Violation {
                behind: Behind::FalseFails,
                ..of_rule(
                    id,
                    format!(
                        "{id}: {} labelled-pass images failed or not assessed, at most {max} \
                         allowed",
                        r.fp
                    ),
                )
            }),
            Ok(_) => {}
        }
    }
    let limits = [
        (
            floors.max_false_passes,
            "max_false_passes",
            "fail",
            "false passes",
            (|v| (v.labelled_fail, v.false_passes, &v.false_pass_files[..])) as VerdictCount,
        ),
        (
            floors.max_false_rejects,
            "max_false_rejects",
            "pass",
            "false rejects (labelled pass, failed or unchecked)",
            |v| (v.labelled_pass, v.false_rejects, &[]),
        ),
    ];
    for (max, key, class, what, count) in limits {
        let Some(max) = max else { continue };
        let message = match &summary.verdict {
            None => Some(format!(
                "{key} = {max} set, but the labels have no verdict column to compare with"
            )),
            Some(v) => match count(v) {
                (0, _, _) => Some(format!(
                    "{}: {key} = {max} set, but no image is labelled {class}",
                    v.column
                )),
                (_, found, files) if found > max => {
                    let mut line = format!("{}: {found} {what}, at most {max} allowed", v.column);
                    if !files.is_empty() {
                        let _ = write!(line, " ({})", files.join(", "));
                    }
                    Some(line)
                }
                _ => None,
            },
        };
        out.extend(message.map(|message| Violation {
            rule: None,
            behind: Behind::NoMistakes,
            message,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::test_support::*;
    use crate::eval::*;
    use crate::report::{Status, Verdict};

    fn summary_for_floors() -> EvalSummary {
        use Status::{Fail as SF, Pass as SP};
        let results = vec![
            (
                row(
                    "1.jpg",
                    &[
                        ("good", F),
                        ("bad", F),
                        ("one_class", P),
                        ("strict", P),
                        ("verdict_id_card", F),
                    ],
                ),
                report(
                    Verdict::Pass,
                    &[("good", SF), ("bad", SP), ("one_class", SP), ("strict", SP)],
                ),
            ),
            (
                row(
                    "2.jpg",
                    &[
                        ("good", P),
                        ("bad", P),
                        ("strict", P),
                        ("verdict_id_card", F),
                    ],
                ),
                report(Verdict::Fail, &[("good", SP), ("bad", SP), ("strict", SF)]),
            ),
        ];
        score(&results, "verdict_id_card", |_| true)
    }

    #[test]
    fn floors_not_violated() {
        let path = write_file(
            "floors.toml",
            "max_false_passes = 1\n[min_balanced_accuracy]\ngood = 0.95\nbad = 0.5\n\
             [max_false_fails]\ngood = 0\nstrict = 1\n",
        );
        let floors = read_floors(&path).unwrap();
        assert_eq!(floors.max_false_passes, Some(1));
        assert_eq!(floors.max_false_fails["strict"], 1);
        assert_eq!(floors.min_balanced_accuracy["good"], 0.95);
        assert!(check_floors(&summary_for_floors(), &floors).is_empty());
        assert!(check_floors(&summary_for_floors(), &Floors::default()).is_empty());
    }

    #[test]
    fn false_rejects_of_the_verdict_are_limited() {
        let floors = |max: usize| Floors {
            max_false_rejects: Some(max),
            ..Floors::default()
        };
        // Both photos are labelled fail: a limit on false rejects would say nothing.
        let v = check_floors(&summary_for_floors(), &floors(0));
        assert!(v[0].message.contains("no image is labelled pass"), "{v:#?}");
        let mut summary = summary_for_floors();
        let verdict = summary.verdict.as_mut().unwrap();
        (verdict.labelled_pass, verdict.false_rejects) = (3, 2);
        assert!(check_floors(&summary, &floors(2)).is_empty());
        let v = check_floors(&summary, &floors(1));
        assert_eq!(v.len(), 1, "{v:#?}");
        assert!(
            v[0].message.contains("2 false rejects") && v[0].message.contains("at most 1"),
            "{v:#?}"
        );
    }

    #[test]
    fn floors_violated() {
        let path = write_file(
            "floors.toml",
            "max_false_passes = 0\n[min_balanced_accuracy]\ngood = 0.95\nbad = 0.6\n\
             one_class = 0.5\nabsent = 0.5\n[max_false_fails]\nstrict = 0\nabsent = 0\n",
        );
        let floors = read_floors(&path).unwrap();
        let v = check_floors(&summary_for_floors(), &floors);
        assert_eq!(v.len(), 6, "{v:#?}");
        assert!(
            v.iter()
                .any(|l| l.message.starts_with("strict:") && l.message.contains("1 labelled-pass")),
            "{v:#?}"
        );
        assert!(
            v.iter()
                .any(|l| l.message.starts_with("absent: max_false_fails = 0 set")),
            "{v:#?}"
        );
        assert!(
            v.iter()
                .any(|l| l.message.starts_with("bad:") && l.message.contains("0.500")),
            "{v:#?}"
        );
        assert!(v
            .iter()
            .any(|l| l.message.starts_with("one_class:") && l.message.contains("undefined")));
        assert!(v
            .iter()
            .any(|l| l.message.starts_with("absent:") && l.message.contains("not in the labels")));
        assert!(v
            .iter()
            .any(|l| l.message.contains("1 false passes") && l.message.contains("1.jpg")));
        // Each rule's violation names its rule (for listing its mistakes); the verdict's none.
        for l in &v {
            assert_eq!(
                l.behind == Behind::FalseFails,
                l.message.contains("labelled-pass"),
                "{l}"
            );
            let named = l.message.split(':').next().unwrap();
            match &l.rule {
                Some(rule) => assert_eq!(rule, named, "{l}"),
                None => assert_eq!(named, "verdict_id_card", "{l}"),
            }
        }
    }

    #[test]
    fn a_violation_involves_its_rules_mistakes_of_the_kind_it_limits() {
        let summary = summary_for_floors();
        let rule = |id: &str| summary.rules.iter().find(|r| r.id == id).unwrap();
        let (bad, strict) = (rule("bad"), rule("strict"));
        let floors = Floors {
            min_balanced_accuracy: [("bad".to_string(), 0.6)].into(),
            max_false_fails: [("strict".to_string(), 0)].into(),
            ..Floors::default()
        };
        let v = check_floors(&summary, &floors);
        let of = |id: &str| v.iter().find(|v| v.rule.as_deref() == Some(id)).unwrap();
        // bad: a false pass (1.jpg); strict: a false fail (2.jpg).
        assert!(of("bad").involves(bad, &bad.mistakes[0]));
        assert!(!of("bad").involves(strict, &strict.mistakes[0]));
        assert!(of("strict").involves(strict, &strict.mistakes[0]));
        let false_fails_of_bad = Violation {
            behind: Behind::FalseFails,
            ..of("bad").clone()
        };
        assert!(!false_fails_of_bad.involves(bad, &bad.mistakes[0]));
    }

    #[test]
    fn a_limit_with_nothing_of_its_kind_labelled_is_a_violation() {
        // A verdict column in the header but blank, and a rule labelled fail only.
        let columns: std::sync::Arc<[String]> =
            ["only_fails".to_string(), "verdict_id_card".to_string()].into();
        let labelled = LabelRow {
            columns,
            ..row("1.jpg", &[("only_fails", F)])
        };
        let results = vec![(
            labelled,
            report(Verdict::Fail, &[("only_fails", Status::Fail)]),
        )];
        let summary = score(&results, "verdict_id_card", |_| true);
        let floors = Floors {
            max_false_passes: Some(0),
            max_false_fails: [("only_fails".to_string(), 0)].into(),
            ..Floors::default()
        };
        let v = check_floors(&summary, &floors);
        assert_eq!(v.len(), 2, "{v:#?}");
        assert!(v.iter().any(|l| l.message.starts_with("only_fails:")
            && l.message.contains("no image is labelled pass")));
        assert!(v.iter().any(|l| l.message.starts_with("verdict_id_card:")
            && l.message.contains("no image is labelled fail")));
    }

    #[test]
    fn photos_that_cannot_be_checked_are_a_violation_unless_allowed() {
        let mut summary = summary_for_floors();
        summary.errors = 2;
        let v = check_floors(&summary, &Floors::default());
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(
            v[0].message,
            "photos that could not be checked: 2, at most 0 allowed (max_errors)"
        );
        let allowed = Floors {
            max_errors: Some(2),
            ..Floors::default()
        };
        assert!(check_floors(&summary, &allowed).is_empty());
    }

    #[test]
    fn a_labels_file_shorter_than_min_images_is_a_violation() {
        let summary = summary_for_floors();
        let floors = |min| Floors {
            min_images: Some(min),
            ..Floors::default()
        };
        assert!(check_floors(&summary, &floors(2)).is_empty());
        let v = check_floors(&summary, &floors(3));
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].rule, None);
        assert_eq!(
            v[0].message,
            "min_images = 3 set, but the labels list 2 photos"
        );
    }

    #[test]
    fn a_rule_with_fewer_labelled_photos_than_min_labelled_is_a_violation() {
        // good: 1.jpg fail, 2.jpg pass; one_class: 1.jpg only.
        let summary = summary_for_floors();
        let floors = |good, one_class| Floors {
            min_labelled: [
                ("good".to_string(), good),
                ("one_class".to_string(), one_class),
            ]
            .into(),
            ..Floors::default()
        };
        assert!(check_floors(&summary, &floors(2, 1)).is_empty());
        let v = check_floors(&summary, &floors(2, 2));
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].rule.as_deref(), Some("one_class"));
        assert_eq!(
            v[0].message,
            "one_class: min_labelled = 2 set, but the labels mark 1 photos (1 pass, 0 fail)"
        );
        // A short count lists none of the rule's mistakes as behind it.
        let bad = summary.rules.iter().find(|r| r.id == "bad").unwrap();
        let short = Floors {
            min_labelled: [("bad".to_string(), 3)].into(),
            ..Floors::default()
        };
        let v = check_floors(&summary, &short);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert!(!bad.mistakes.is_empty());
        assert!(bad.mistakes.iter().all(|m| !v[0].involves(bad, m)));
    }

    #[test]
    fn floors_file_errors() {
        assert!(read_floors(&write_file("f.toml", "max_false_passes = 0\nmin_bal = 1\n")).is_err());
        assert!(read_floors(&write_file(
            "f.toml",
            "[min_balanced_accuracy]\nsingle_face = 95\n"
        ))
        .is_err());
        let empty = read_floors(&write_file("f.toml", "")).unwrap();
        assert_eq!(empty, Floors::default());
    }

    #[test]
    fn shipped_floors_files_parse() {
        for (name, profile) in [
            ("floors-real.toml", "cn-id-card"),
            ("floors-synthetic.toml", "cn-id-card"),
            ("floors-icao-real.toml", "icao"),
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("eval")
                .join(name);
            let floors = read_floors(&path).unwrap();
            assert_eq!(floors.max_false_passes, Some(0), "{name}");
            assert!(floors.min_images.is_some_and(|n| n > 100), "{name}");
            // Every limit names a rule its gate's profile runs on selfies.
            let profile = crate::profile::Profile::load(profile).unwrap();
            let runs = |id: &str| {
                profile
                    .rules_for(crate::profile::InputKind::Selfie)
                    .any(|r| r.id() == id)
            };
            // Every floored rule also names how many photos its floor was measured on.
            let limited = floors.min_balanced_accuracy.keys();
            for id in limited.chain(floors.max_false_fails.keys()) {
                assert!(floors.min_labelled.contains_key(id), "{name}: {id}");
            }
            for id in floors.min_labelled.keys() {
                assert!(runs(id), "{name}: {id}");
            }
        }
    }
}
