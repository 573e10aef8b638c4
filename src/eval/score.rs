//! Confusion counts and balanced accuracy per rule, and the verdict's false passes and rejects.

use super::labels::{Expected, LabelRow, VERDICT_PREFIX};
use crate::report::{Report, Status, Verdict};
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

/// Confusion counts of one rule, "fail" being the positive class. Only labelled images count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleScore {
    pub id: String,
    pub labelled_pass: usize,
    pub labelled_fail: usize,
    /// Labelled fail, predicted fail.
    pub tp: usize,
    /// Labelled pass, predicted fail or not assessed.
    pub fp: usize,
    /// Labelled pass, predicted pass.
    pub tn: usize,
    /// Labelled fail, predicted pass or not assessed. `fn` in JSON, like its three neighbours.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Labelled images where the rule gave no answer (`not_assessed`, missing from the report, or
    /// an error report). These are also counted in `fp`/`fn_`.
    pub not_assessed: usize,
    /// (TP/(TP+FN) + TN/(TN+FP)) / 2; `None` when either class has no labels, or the profile
    /// does not run the rule.
    pub balanced_accuracy: Option<f64>,
    /// Whether the profile runs this rule. A labelled column the profile leaves out (the ICAO
    /// profile does not ask for visible ears) is listed but not scored: its "not assessed" answers
    /// are the profile's choice, not a rule dodging.
    pub in_profile: bool,
    /// The labelled images counted in `fp` and `fn_`, in label order: where to look first when
    /// tuning the rule.
    pub mistakes: Vec<Mistake>,
}

/// A labelled image a rule answered wrongly or not at all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mistake {
    /// The labels' `file`.
    pub file: String,
    pub expected: Expected,
    /// The rule's status; `None` when the report is an error or lacks the rule.
    pub status: Option<Status>,
    pub value: Option<f64>,
    /// The rule's limit as the report states it.
    pub threshold: Option<String>,
    /// Why there is no answer: the rule's `not_assessed` message, or the report's error code,
    /// message and detail. `null` in JSON where the rule answered.
    pub note: Option<String>,
}

/// How the overall verdict compares with a `verdict_*` label column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictScore {
    pub column: String,
    pub labelled_pass: usize,
    pub labelled_fail: usize,
    /// Labelled fail, verdict pass.
    pub false_passes: usize,
    /// Labelled pass, verdict fail or error.
    pub false_rejects: usize,
    /// Verdict equals the label. A labelled fail with verdict error is neither correct nor a
    /// false pass: it is counted in `unchecked_fails`.
    pub correct: usize,
    /// Labelled fail, verdict error: a photo that could not be checked, which may hide a false
    /// pass (the accuracy gate's `max_errors` limits them).
    pub unchecked_fails: usize,
    pub false_pass_files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalSummary {
    /// One entry per rule label column, in CSV order.
    pub rules: Vec<RuleScore>,
    /// `None` when the verdict column is not in the labels.
    pub verdict: Option<VerdictScore>,
    pub images: usize,
    /// Reports with verdict `Error`.
    pub errors: usize,
}

/// Scores every rule column of the labels (all label columns except `verdict_*`, in CSV order)
/// and the verdict against `verdict_column`. `in_profile` says which rules the profile runs; a
/// labelled rule it runs that is missing from every report is still listed, with every labelled
/// image counted as not assessed.
pub fn score<R: Borrow<LabelRow>>(
    results: &[(R, Report)],
    verdict_column: &str,
    in_profile: impl Fn(&str) -> bool,
) -> EvalSummary {
    let columns = label_columns(results.iter().map(|(r, _)| r.borrow()));

    let rules = columns
        .iter()
        .filter(|c| !c.starts_with(VERDICT_PREFIX))
        .map(|id| score_rule(id, results, in_profile(id)))
        .collect();

    let verdict = columns
        .iter()
        .any(|c| c == verdict_column)
        .then(|| score_verdict(verdict_column, results));

    EvalSummary {
        rules,
        verdict,
        images: results.len(),
        errors: results
            .iter()
            .filter(|(_, rep)| rep.verdict == Verdict::Error)
            .count(),
    }
}

/// Label columns in CSV order (first-seen over the rows' `columns`), then any label key that no
/// row's `columns` lists, by name.
fn label_columns<'a>(rows: impl Iterator<Item = &'a LabelRow> + Clone) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut last: Option<&Arc<[String]>> = None;
    for row in rows.clone() {
        if last.is_some_and(|l| Arc::ptr_eq(l, &row.columns)) {
            continue;
        }
        last = Some(&row.columns);
        for c in row.columns.iter() {
            if seen.insert(c) {
                out.push(c.clone());
            }
        }
    }
    let extra: BTreeSet<&String> = rows
        .flat_map(|r| r.labels.keys())
        .filter(|k| !seen.contains(k.as_str()))
        .collect();
    out.extend(extra.into_iter().cloned());
    out
}

fn score_rule<R: Borrow<LabelRow>>(
    id: &str,
    results: &[(R, Report)],
    in_profile: bool,
) -> RuleScore {
    let mut s = RuleScore {
        id: id.to_string(),
        labelled_pass: 0,
        labelled_fail: 0,
        tp: 0,
        fp: 0,
        tn: 0,
        fn_: 0,
        not_assessed: 0,
        balanced_accuracy: None,
        in_profile,
        mistakes: Vec::new(),
    };
    for (row, report) in results {
        let Some(&expected) = row.borrow().labels.get(id) else {
            continue;
        };
        match expected {
            Expected::Pass => s.labelled_pass += 1,
            Expected::Fail => s.labelled_fail += 1,
        }
        if !in_profile {
            continue;
        }
        let check = (report.verdict != Verdict::Error)
            .then(|| report.check(id))
            .flatten();
        let predicted = match check.map(|c| c.status) {
            Some(Status::Pass) => Some(Expected::Pass),
            Some(Status::Fail) => Some(Expected::Fail),
            Some(Status::NotAssessed) | None => None,
        };
        if predicted.is_none() {
            s.not_assessed += 1;
        }
        if predicted != Some(expected) {
            let note = match (check, &report.error) {
                (Some(c), _) if c.status == Status::NotAssessed => c.message.clone(),
                (_, Some(error)) => Some(format!("{}: {}", error.code, error.full())),
                _ => None,
            };
            s.mistakes.push(Mistake {
                file: row.borrow().file.clone(),
                expected,
                status: check.map(|c| c.status),
                value: check.and_then(|c| c.value),
                threshold: check.map(|c| c.threshold.clone()),
                note,
            });
        }
        match (expected, predicted) {
            (Expected::Fail, Some(Expected::Fail)) => s.tp += 1,
            (Expected::Fail, _) => s.fn_ += 1,
            (Expected::Pass, Some(Expected::Pass)) => s.tn += 1,
            (Expected::Pass, _) => s.fp += 1,
        }
    }
    // A rule outside the profile has no confusion counts, so this is None for it.
    s.balanced_accuracy = balanced_accuracy(s.tp, s.fp, s.tn, s.fn_);
    s
}

fn balanced_accuracy(tp: usize, fp: usize, tn: usize, fn_: usize) -> Option<f64> {
    if tp + fn_ == 0 || tn + fp == 0 {
        return None;
    }
    let tpr = tp as f64 / (tp + fn_) as f64;
    let tnr = tn as f64 / (tn + fp) as f64;
    Some((tpr + tnr) / 2.0)
}

fn score_verdict<R: Borrow<LabelRow>>(column: &str, results: &[(R, Report)]) -> VerdictScore {
    let mut v = VerdictScore {
        column: column.to_string(),
        labelled_pass: 0,
        labelled_fail: 0,
        false_passes: 0,
        false_rejects: 0,
        correct: 0,
        unchecked_fails: 0,
        false_pass_files: Vec::new(),
    };
    for (row, report) in results {
        let row = row.borrow();
        let Some(&expected) = row.labels.get(column) else {
            continue;
        };
        match (expected, report.verdict) {
            (Expected::Pass, Verdict::Pass) => {
                v.labelled_pass += 1;
                v.correct += 1;
            }
            (Expected::Pass, Verdict::Fail | Verdict::Error) => {
                v.labelled_pass += 1;
                v.false_rejects += 1;
            }
            (Expected::Fail, Verdict::Fail) => {
                v.labelled_fail += 1;
                v.correct += 1;
            }
            (Expected::Fail, Verdict::Pass) => {
                v.labelled_fail += 1;
                v.false_passes += 1;
                v.false_pass_files.push(row.file.clone());
            }
            (Expected::Fail, Verdict::Error) => {
                v.labelled_fail += 1;
                v.unchecked_fails += 1;
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::test_support::*;
    use crate::eval::*;
    use crate::report::{Status, Verdict};

    #[test]
    fn counts_confusion_matrix() {
        use Status::{Fail as SF, Pass as SP};
        let results = vec![
            (row("1", &[("r", F)]), report(Verdict::Fail, &[("r", SF)])), // TP
            (row("2", &[("r", F)]), report(Verdict::Fail, &[("r", SF)])), // TP
            (row("3", &[("r", F)]), report(Verdict::Pass, &[("r", SP)])), // FN
            (row("4", &[("r", P)]), report(Verdict::Pass, &[("r", SP)])), // TN
            (row("5", &[("r", P)]), report(Verdict::Fail, &[("r", SF)])), // FP
            (row("6", &[]), report(Verdict::Fail, &[("r", SF)])),         // unlabelled
        ];
        let s = score(&results, "verdict_id_card", |_| true);
        assert_eq!(s.rules.len(), 1);
        let r = &s.rules[0];
        assert_eq!(
            (
                r.labelled_pass,
                r.labelled_fail,
                r.tp,
                r.fp,
                r.tn,
                r.fn_,
                r.not_assessed
            ),
            (2, 3, 2, 1, 1, 1, 0)
        );
        let expected = (2.0 / 3.0 + 1.0 / 2.0) / 2.0;
        assert!((r.balanced_accuracy.unwrap() - expected).abs() < 1e-12);
        assert_eq!(s.images, 6);
        assert_eq!(s.errors, 0);
        assert!(s.verdict.is_none());
    }

    #[test]
    fn not_assessed_counts_as_wrong() {
        use Status::{NotAssessed as NA, Pass as SP};
        let results = vec![
            (row("1", &[("r", F)]), report(Verdict::Fail, &[("r", NA)])), // FN, n/a
            (row("2", &[("r", P)]), report(Verdict::Fail, &[("r", NA)])), // FP, n/a
            (row("3", &[("r", P)]), report(Verdict::Pass, &[])),          // missing: FP, n/a
            (row("4", &[("r", P)]), report(Verdict::Error, &[("r", SP)])), // error: FP, n/a
            (row("5", &[("r", P)]), report(Verdict::Pass, &[("r", SP)])), // TN
        ];
        let s = score(&results, "verdict_id_card", |_| true);
        let r = &s.rules[0];
        assert_eq!((r.tp, r.fp, r.tn, r.fn_, r.not_assessed), (0, 3, 1, 1, 4));
        assert_eq!(r.balanced_accuracy, Some((0.0 + 0.25) / 2.0));
        assert_eq!(s.errors, 1);
    }

    #[test]
    fn mistakes_list_every_wrong_or_missing_answer_with_its_reason() {
        use crate::report::ErrorInfo;
        use Status::{Fail as SF, NotAssessed as NA, Pass as SP};
        let mut measured = report(Verdict::Fail, &[("r", SF)]);
        measured.checks[0].value = Some(0.31);
        let mut undecided = report(Verdict::Fail, &[("r", NA)]);
        undecided.checks[0].message = Some("No clothing is visible.".into());
        let mut unreadable = report(Verdict::Error, &[]);
        unreadable.error = Some(ErrorInfo {
            code: "corrupt",
            message: "Send the photo again.".into(),
            detail: "truncated".into(),
        });
        let results = vec![
            (
                row("right.jpg", &[("r", F)]),
                report(Verdict::Fail, &[("r", SF)]),
            ),
            (row("fp.jpg", &[("r", P)]), measured),
            (
                row("fn.jpg", &[("r", F)]),
                report(Verdict::Pass, &[("r", SP)]),
            ),
            (row("na.jpg", &[("r", P)]), undecided),
            (row("error.jpg", &[("r", F)]), unreadable),
            (
                row("unlabelled.jpg", &[]),
                report(Verdict::Fail, &[("r", SF)]),
            ),
        ];
        let s = score(&results, "verdict_id_card", |_| true);
        let found: Vec<_> = s.rules[0]
            .mistakes
            .iter()
            .map(|m| {
                (
                    m.file.as_str(),
                    m.expected,
                    m.status,
                    m.value,
                    m.note.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("fp.jpg", P, Some(SF), Some(0.31), None),
                ("fn.jpg", F, Some(SP), None, None),
                ("na.jpg", P, Some(NA), None, Some("No clothing is visible.")),
                (
                    "error.jpg",
                    F,
                    None,
                    None,
                    Some("corrupt: Send the photo again. (truncated)")
                ),
            ]
        );
        let r = &s.rules[0];
        assert_eq!(r.mistakes.len(), r.fp + r.fn_);
        // In JSON, as the table's heading says, and with every key on every mistake.
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["fn"], 2, "{json}");
        assert!(json.get("fn_").is_none(), "{json}");
        assert!(json["mistakes"][0]["note"].is_null(), "{json}");
        assert!(json["mistakes"][0].get("note").is_some(), "{json}");
    }

    #[test]
    fn balanced_accuracy_none_with_one_class() {
        use Status::Pass as SP;
        let results = vec![
            (row("1", &[("r", P)]), report(Verdict::Pass, &[("r", SP)])),
            (row("2", &[("r", P)]), report(Verdict::Pass, &[("r", SP)])),
        ];
        let s = score(&results, "verdict_id_card", |_| true);
        assert_eq!(s.rules[0].balanced_accuracy, None);
        let table = render_table(&s);
        let line = table.lines().find(|l| l.starts_with("r ")).unwrap();
        assert!(line.trim_end().ends_with('-'), "{table}");
    }

    #[test]
    fn rules_in_csv_order_and_missing_rules_listed() {
        let csv = format!("{HEADER}a.jpg,s,l,pass,fail,fail,\nb.jpg,s,l,fail,pass,pass,\n");
        let rows = read_labels(&write_file("labels.csv", &csv)).unwrap();
        // Reports list the checks in another order and never mention eye_line_level.
        let results: Vec<_> = rows
            .iter()
            .map(|row| {
                let checks = [("other_rule", Status::Pass), ("single_face", Status::Pass)];
                (row, report(Verdict::Fail, &checks))
            })
            .collect();
        let s = score(&results, "verdict_id_card", |_| true);
        let ids: Vec<&str> = s.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["single_face", "eye_line_level"]);
        let e = &s.rules[1];
        assert_eq!((e.not_assessed, e.fp, e.fn_), (2, 1, 1));
        let v = s.verdict.as_ref().unwrap();
        assert_eq!(
            (v.labelled_fail, v.labelled_pass, v.false_rejects, v.correct),
            (1, 1, 1, 1)
        );
    }

    #[test]
    fn rules_the_profile_does_not_run_are_listed_but_not_scored() {
        use Status::Pass as SP;
        // The ICAO profile runs no ears rule: its labels are shown, its answers are not scored.
        let results = vec![
            (
                row(
                    "a.jpg",
                    &[("single_face", P), ("ears_visible", F), ("eers_visible", F)],
                ),
                report(Verdict::Pass, &[("single_face", SP)]),
            ),
            (
                row("b.jpg", &[("single_face", F), ("ears_visible", P)]),
                report(Verdict::Pass, &[("single_face", SP)]),
            ),
        ];
        let s = score(&results, "verdict_icao", |id| id == "single_face");
        let ears = s.rules.iter().find(|r| r.id == "ears_visible").unwrap();
        assert!(!ears.in_profile);
        assert_eq!((ears.labelled_pass, ears.labelled_fail), (1, 1));
        assert_eq!(
            (ears.tp, ears.fp, ears.tn, ears.fn_, ears.not_assessed),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(ears.balanced_accuracy, None);
        let face = s.rules.iter().find(|r| r.id == "single_face").unwrap();
        assert!(face.in_profile);
        assert_eq!(
            (face.tn, face.fn_, face.balanced_accuracy),
            (1, 1, Some(0.5))
        );

        let table = render_table(&s);
        let line = table
            .lines()
            .find(|l| l.starts_with("ears_visible"))
            .unwrap();
        assert!(line.trim_end().ends_with("not in profile"), "{table}");
        assert!(!line.contains('0'), "{table}");
        let typo = table
            .lines()
            .find(|l| l.starts_with("eers_visible"))
            .unwrap();
        assert!(typo.trim_end().ends_with("unknown rule"), "{table}");

        let floors = Floors {
            max_false_passes: None,
            min_balanced_accuracy: [
                ("ears_visible".to_string(), 0.9),
                ("eers_visible".to_string(), 0.9),
            ]
            .into(),
            ..Floors::default()
        };
        let violations = check_floors(&s, &floors);
        assert_eq!(violations.len(), 2);
        assert!(
            violations[0].message.contains("does not run"),
            "{violations:?}"
        );
        assert!(
            violations[1].message.contains("no rule of that name"),
            "{violations:?}"
        );
    }

    #[test]
    fn verdict_false_passes() {
        let results = vec![
            (
                row("a.jpg", &[("verdict_id_card", F)]),
                report(Verdict::Pass, &[]),
            ), // false pass
            (
                row("b.jpg", &[("verdict_id_card", F)]),
                report(Verdict::Fail, &[]),
            ), // correct
            (
                row("c.jpg", &[("verdict_id_card", F)]),
                report(Verdict::Error, &[]),
            ), // neither: not checked
            (
                row("d.jpg", &[("verdict_id_card", P)]),
                report(Verdict::Pass, &[]),
            ), // correct
            (
                row("e.jpg", &[("verdict_id_card", P)]),
                report(Verdict::Error, &[]),
            ), // false reject
            (
                row("f.jpg", &[("verdict_id_card", P)]),
                report(Verdict::Fail, &[]),
            ), // false reject
            (
                row("g.jpg", &[("verdict_icao", F)]),
                report(Verdict::Pass, &[]),
            ), // other column
        ];
        let s = score(&results, "verdict_id_card", |_| true);
        assert!(s.rules.is_empty());
        let v = s.verdict.clone().unwrap();
        assert_eq!(v.column, "verdict_id_card");
        assert_eq!((v.labelled_fail, v.labelled_pass), (3, 3));
        assert_eq!((v.false_passes, v.false_rejects, v.correct), (1, 2, 2));
        assert_eq!(v.unchecked_fails, 1);
        assert_eq!(v.false_pass_files, ["a.jpg"]);
        let table = render_table(&s);
        assert!(
            table.contains(
                "verdict_id_card: 3 labelled fail, 3 labelled pass, false passes 1 (a.jpg), \
                 false rejects 2, labelled fail and not checked 1\n"
            ),
            "{table}"
        );
        assert!(score(&results, "verdict_missing", |_| true)
            .verdict
            .is_none());
    }
}
