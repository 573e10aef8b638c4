//! Scoring the rules against a labelled corpus (`eval/labels.csv`), with "fail" as the positive class.
//!
//! Flow: [`read_labels`] → [`run`] (the checker on every image, in parallel) → [`score`] →
//! [`render_table`] for people and [`check_floors`] against [`read_floors`] for CI.
//!
//! A rule that answers `not_assessed` (or is missing from the report, or the whole report is an
//! error) is counted as a wrong answer for every labelled image, so dodging never looks accurate.
//! Only a rule the profile does not run at all is left unscored, and shown as such.

use crate::report::{Report, Status, Verdict};
use crate::CheckerPool;
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

/// Columns of the labels CSV that are not labels.
const NON_LABEL_COLUMNS: [&str; 4] = ["file", "source", "license_note", "notes"];

/// Label columns with this prefix are verdicts, not rules.
const VERDICT_PREFIX: &str = "verdict_";

/// The verdict columns eval scores: the ID-card verdict, and the ICAO one under `--profile icao`.
pub const VERDICT_COLUMNS: [&str; 2] = ["verdict_id_card", "verdict_icao"];

/// The verdict column that scores `profile`.
pub fn verdict_column(profile: &str) -> &'static str {
    if profile == "icao" {
        VERDICT_COLUMNS[1]
    } else {
        VERDICT_COLUMNS[0]
    }
}

/// What a labeller said about one rule (or verdict) for one image. Blank cells are absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    Pass,
    Fail,
}

/// One row of the labels CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRow {
    /// Image path relative to the images root.
    pub file: String,
    /// Rule id (or `verdict_*` column) → label. Blank cells are omitted.
    pub labels: BTreeMap<String, Expected>,
    /// All label columns of the CSV this row came from, in file order (shared by every row of
    /// the file). [`score`] uses it to list rules in CSV order, including columns left blank
    /// everywhere. May be empty for hand-made rows; label keys are then ordered by name.
    pub columns: Arc<[String]>,
}

/// Reads a labels CSV. Columns `file`, `source`, `license_note` and `notes` are not labels; every
/// other column is (including `verdict_id_card` and `verdict_icao`). Cells are `pass`, `fail` or
/// blank (surrounding whitespace ignored); anything else is an error naming the line and column.
pub fn read_labels(path: &Path) -> anyhow::Result<Vec<LabelRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .with_context(|| format!("cannot open labels file {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .clone();

    let mut seen_headers = HashSet::new();
    for h in headers.iter() {
        if !seen_headers.insert(h) {
            bail!(
                "{}: column {h:?} appears twice in the header",
                path.display()
            );
        }
    }
    let file_idx = headers
        .iter()
        .position(|h| h == "file")
        .with_context(|| format!("{}: no `file` column in the header", path.display()))?;
    let label_cols: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !NON_LABEL_COLUMNS.contains(h))
        .map(|(i, h)| (i, h.to_string()))
        .collect();
    let columns: Arc<[String]> = label_cols.iter().map(|(_, h)| h.clone()).collect();

    let mut rows = Vec::new();
    let mut seen_files: HashSet<String> = HashSet::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot parse {}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let file = record.get(file_idx).unwrap_or("").trim().to_string();
        if file.is_empty() {
            bail!("{} line {line}: empty `file` cell", path.display());
        }
        // `a/x.jpg` and `./a/x.jpg` are the same photo.
        let normalised: std::path::PathBuf = Path::new(&file)
            .components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect();
        if !seen_files.insert(normalised.display().to_string()) {
            bail!(
                "{} line {line}: file {file:?} is listed twice",
                path.display()
            );
        }
        let mut labels = BTreeMap::new();
        for (idx, col) in &label_cols {
            let cell = record.get(*idx).unwrap_or("").trim();
            let expected = match cell {
                "" => continue,
                "pass" => Expected::Pass,
                "fail" => Expected::Fail,
                other => bail!(
                    "{} line {line} ({file}), column {col}: unexpected value {other:?} \
                     (expected `pass`, `fail` or blank)",
                    path.display()
                ),
            };
            labels.insert(col.clone(), expected);
        }
        rows.push(LabelRow {
            file,
            labels,
            columns: Arc::clone(&columns),
        });
    }
    Ok(rows)
}

/// Label columns that name neither a rule idphoto knows nor a scored verdict: most likely typos, which
/// would otherwise be listed as "not in profile" without a word.
pub fn unknown_columns(rows: &[LabelRow]) -> Vec<String> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    first
        .columns
        .iter()
        .filter(|c| !VERDICT_COLUMNS.contains(&c.as_str()) && !crate::checks::is_known(c))
        .cloned()
        .collect()
}

/// Checks every labelled photo on the pool's workers, in row order. A photo that cannot be
/// checked (unreadable, or a bug that panicked) gets an error report; the run goes on.
pub fn run_on_pool<'a>(
    rows: &'a [LabelRow],
    images_root: &Path,
    pool: &CheckerPool,
) -> Vec<(&'a LabelRow, Report)> {
    let reports = pool.map(rows, |checker, row| {
        checker.check_file(&images_root.join(&row.file))
    });
    rows.iter().zip(reports).collect()
}

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
    /// Labelled fail, predicted pass or not assessed.
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
    /// false pass (it is visible in [`EvalSummary::errors`]).
    pub correct: usize,
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
        let predicted = if report.verdict == Verdict::Error {
            None
        } else {
            match report.check(id).map(|c| c.status) {
                Some(Status::Pass) => Some(Expected::Pass),
                Some(Status::Fail) => Some(Expected::Fail),
                Some(Status::NotAssessed) | None => None,
            }
        };
        if predicted.is_none() {
            s.not_assessed += 1;
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
            (Expected::Fail, Verdict::Error) => v.labelled_fail += 1,
        }
    }
    v
}

/// Aligned plain-text table of the rule scores, followed by the verdict line and the image count.
pub fn render_table(summary: &EvalSummary) -> String {
    let header = [
        "rule", "pass", "fail", "TP", "FP", "TN", "FN", "n/a", "bal.acc",
    ];
    let body: Vec<[String; 9]> = summary
        .rules
        .iter()
        .map(|r| {
            let count = |n: usize| {
                if r.in_profile {
                    n.to_string()
                } else {
                    "-".to_string()
                }
            };
            let accuracy = match (r.in_profile, r.balanced_accuracy) {
                (false, _) if crate::checks::is_known(&r.id) => "not in profile".to_string(),
                // A misspelt column (also warned about before the run).
                (false, _) => "unknown rule".to_string(),
                (true, None) => "-".to_string(),
                (true, Some(a)) => format!("{a:.3}"),
            };
            [
                r.id.clone(),
                r.labelled_pass.to_string(),
                r.labelled_fail.to_string(),
                count(r.tp),
                count(r.fp),
                count(r.tn),
                count(r.fn_),
                count(r.not_assessed),
                accuracy,
            ]
        })
        .collect();

    let mut widths = header.map(str::len);
    for row in &body {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    let mut push_line = |cells: &[&str]| {
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == 0 {
                let _ = write!(line, "{cell:<w$}");
            } else {
                let _ = write!(line, "  {cell:>w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_line(&header);
    for row in &body {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        push_line(&cells);
    }

    if let Some(v) = &summary.verdict {
        let _ = write!(
            out,
            "{}: {} labelled fail, {} labelled pass, false passes {}",
            v.column, v.labelled_fail, v.labelled_pass, v.false_passes
        );
        if !v.false_pass_files.is_empty() {
            let _ = write!(out, " ({})", v.false_pass_files.join(", "));
        }
        let _ = writeln!(out, ", false rejects {}", v.false_rejects);
    }
    let _ = writeln!(
        out,
        "images: {}, errors: {}",
        summary.images, summary.errors
    );
    out
}

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
    /// Rule id → most labelled-pass images the rule may fail or leave unassessed (its FP), for
    /// a rule whose balanced accuracy mixes in answers that are not errors: under ICAO,
    /// `background_white` passes light walls that the labels' "white" column fails.
    #[serde(default)]
    pub max_false_fails: BTreeMap<String, usize>,
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

/// One line per violated floor; empty means the gate passed. A floor for a rule that is absent
/// from the summary, that the profile does not run, or whose accuracy cannot be computed, is a
/// violation, and so is a `max_false_passes` when the summary has no verdict score.
pub fn check_floors(summary: &EvalSummary, floors: &Floors) -> Vec<String> {
    let mut out = Vec::new();
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
            Err(line) => out.push(line),
            Ok(r) => match r.balanced_accuracy {
                None => out.push(format!(
                    "{id}: floor {floor:.3} set, but balanced accuracy is undefined \
                     ({} labelled pass, {} labelled fail)",
                    r.labelled_pass, r.labelled_fail
                )),
                Some(acc) if acc < floor => out.push(format!(
                    "{id}: balanced accuracy {acc:.3} is below the floor {floor:.3} \
                     (TP {}, FP {}, TN {}, FN {}, not assessed {})",
                    r.tp, r.fp, r.tn, r.fn_, r.not_assessed
                )),
                Some(_) => {}
            },
        }
    }
    for (id, &max) in &floors.max_false_fails {
        match scored(id, &format!("max_false_fails = {max}")) {
            Err(line) => out.push(line),
            Ok(r) if r.fp > max => out.push(format!(
                "{id}: {} labelled-pass images failed or not assessed, at most {max} allowed",
                r.fp
            )),
            Ok(_) => {}
        }
    }
    if let Some(max) = floors.max_false_passes {
        match &summary.verdict {
            None => out.push(format!(
                "max_false_passes = {max} set, but the labels have no verdict column to compare with"
            )),
            Some(v) if v.false_passes > max => {
                let mut line = format!(
                    "{}: {} false passes, at most {max} allowed",
                    v.column, v.false_passes
                );
                if !v.false_pass_files.is_empty() {
                    let _ = write!(line, " ({})", v.false_pass_files.join(", "));
                }
                out.push(line);
            }
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CheckResult;
    use std::path::{Path, PathBuf};

    /// A file in its own temporary folder, removed when dropped.
    struct TempFile {
        _dir: tempfile::TempDir,
        path: PathBuf,
    }

    impl std::ops::Deref for TempFile {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.path
        }
    }

    fn write_file(name: &str, content: &str) -> TempFile {
        let dir = tempfile::Builder::new()
            .prefix("idphoto-eval-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        TempFile { _dir: dir, path }
    }

    fn report(verdict: Verdict, checks: &[(&'static str, Status)]) -> Report {
        Report {
            file: "x.jpg".into(),
            file_hex: None,
            verdict,
            profile: "test".into(),
            checks: checks
                .iter()
                .map(|&(id, status)| CheckResult {
                    id,
                    status,
                    value: None,
                    threshold: String::new(),
                    message: None,
                })
                .collect(),
            reasons: Vec::new(),
            face: None,
            timings_ms: BTreeMap::new(),
            error: None,
        }
    }

    fn row(file: &str, labels: &[(&str, Expected)]) -> LabelRow {
        LabelRow {
            file: file.into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            columns: Arc::from(Vec::new()),
        }
    }

    use Expected::{Fail as F, Pass as P};

    const HEADER: &str =
        "file,source,license_note,single_face,eye_line_level,verdict_id_card,notes\n";

    #[test]
    fn read_labels_parses_cells_and_columns() {
        let csv = format!(
            "{HEADER}a.jpg,src,\"lic, with comma\",pass,,fail,note\nb.jpg,src,lic, fail ,pass,,\n"
        );
        let rows = read_labels(&write_file("labels.csv", &csv)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].file, "a.jpg");
        assert_eq!(
            rows[0].labels,
            BTreeMap::from([
                ("single_face".to_string(), P),
                ("verdict_id_card".to_string(), F)
            ])
        );
        assert_eq!(
            rows[1].labels,
            BTreeMap::from([
                ("single_face".to_string(), F),
                ("eye_line_level".to_string(), P)
            ])
        );
        assert_eq!(
            &*rows[0].columns,
            ["single_face", "eye_line_level", "verdict_id_card"].map(String::from)
        );
    }

    #[test]
    fn read_labels_rejects_malformed_cell() {
        let csv = format!("{HEADER}a.jpg,src,lic,pass,,fail,\nb.jpg,src,lic,pass,maybe,fail,\n");
        let err = read_labels(&write_file("labels.csv", &csv))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("b.jpg"), "{err}");
        assert!(err.contains("eye_line_level"), "{err}");
        assert!(err.contains("maybe"), "{err}");
    }

    #[test]
    fn read_labels_rejects_missing_file_column_and_duplicates() {
        let err = read_labels(&write_file("l.csv", "name,single_face\na,pass\n")).unwrap_err();
        assert!(err.to_string().contains("file"), "{err}");
        let csv = format!("{HEADER}a.jpg,s,l,pass,,,\na.jpg,s,l,fail,,,\n");
        let err = read_labels(&write_file("l.csv", &csv)).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
        let csv = format!("{HEADER}a/b.jpg,s,l,pass,,,\n./a/b.jpg,s,l,pass,,,\n");
        let err = read_labels(&write_file("l.csv", &csv)).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }

    #[test]
    fn label_columns_that_name_no_rule_are_reported() {
        let csv =
            "file,eers_visible,single_face,verdict_icoa,verdict_icao\na.jpg,pass,pass,,fail\n";
        let rows = read_labels(&write_file("l.csv", csv)).unwrap();
        assert_eq!(unknown_columns(&rows), ["eers_visible", "verdict_icoa"]);
    }

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
        assert!(violations[0].contains("does not run"), "{violations:?}");
        assert!(
            violations[1].contains("no rule of that name"),
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
            ), // neither
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
        assert_eq!(v.false_pass_files, ["a.jpg"]);
        let table = render_table(&s);
        assert!(
            table.contains(
                "verdict_id_card: 3 labelled fail, 3 labelled pass, false passes 1 (a.jpg), \
                 false rejects 2"
            ),
            "{table}"
        );
        assert!(score(&results, "verdict_missing", |_| true)
            .verdict
            .is_none());
    }

    #[test]
    fn table_is_aligned() {
        use Status::{Fail as SF, Pass as SP};
        let results = vec![
            (
                row("1", &[("a_long_rule_name", F), ("b", P)]),
                report(Verdict::Fail, &[("a_long_rule_name", SF), ("b", SP)]),
            ),
            (
                row("2", &[("a_long_rule_name", P), ("b", F)]),
                report(Verdict::Fail, &[("a_long_rule_name", SP), ("b", SP)]),
            ),
        ];
        let table = render_table(&score(&results, "verdict_id_card", |_| true));
        let lines: Vec<&str> = table.lines().take(3).collect();
        assert!(lines[0].starts_with("rule"));
        assert!(lines[1].contains("1.000"), "{table}");
        assert!(lines[2].contains("0.500"), "{table}");
        assert_eq!(lines[0].len(), lines[1].len(), "{table}");
        assert_eq!(lines[1].len(), lines[2].len(), "{table}");
    }

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
                .any(|l| l.starts_with("strict:") && l.contains("1 labelled-pass")),
            "{v:#?}"
        );
        assert!(
            v.iter()
                .any(|l| l.starts_with("absent: max_false_fails = 0 set")),
            "{v:#?}"
        );
        assert!(
            v.iter()
                .any(|l| l.starts_with("bad:") && l.contains("0.500")),
            "{v:#?}"
        );
        assert!(v
            .iter()
            .any(|l| l.starts_with("one_class:") && l.contains("undefined")));
        assert!(v
            .iter()
            .any(|l| l.starts_with("absent:") && l.contains("not in the labels")));
        assert!(v
            .iter()
            .any(|l| l.contains("1 false passes") && l.contains("1.jpg")));
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
        for name in ["floors-real.toml", "floors-synthetic.toml"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("eval")
                .join(name);
            let floors = read_floors(&path).unwrap();
            assert_eq!(floors.max_false_passes, Some(0), "{name}");
        }
    }
}
