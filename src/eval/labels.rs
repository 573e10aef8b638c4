//! The labels CSV: one row per image, one column per rule id or verdict.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Columns of the labels CSV that are not labels.
const NON_LABEL_COLUMNS: [&str; 4] = ["file", "source", "license_note", "notes"];

/// Label columns with this prefix are verdicts, not rules.
pub(super) const VERDICT_PREFIX: &str = "verdict_";

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
    ///
    /// [`score`]: super::score
    pub columns: Arc<[String]>,
}

/// Reads a labels CSV. Columns `file`, `source`, `license_note` and `notes` are not labels; every
/// other column is (including `verdict_id_card` and `verdict_icao`). Cells are `pass`, `fail` or
/// blank (surrounding whitespace and case ignored); anything else, in a column that names a rule
/// or scored verdict, is an error naming the line and column. Rows of blank cells are skipped.
pub fn read_labels(path: &Path) -> anyhow::Result<Vec<LabelRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .with_context(|| format!("cannot open labels file {}", path.display()))?;
    // Cells are trimmed and read in any case below; header names likewise, so ` Single_Face `
    // is that rule (every rule id and verdict column is lower case).
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();

    let mut seen_headers = HashSet::new();
    for h in &headers {
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
        .filter(|(_, h)| !NON_LABEL_COLUMNS.contains(&h.as_str()))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let columns: Arc<[String]> = label_cols.iter().map(|(_, h)| h.clone()).collect();

    let mut rows = Vec::new();
    let mut seen_files: HashSet<String> = HashSet::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot parse {}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        // A spreadsheet's export may end in rows of empty cells.
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
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
            let cell = record.get(*idx).unwrap_or("").trim().to_ascii_lowercase();
            let expected = match cell.as_str() {
                "" => continue,
                "pass" => Expected::Pass,
                "fail" => Expected::Fail,
                // A column that names no rule or verdict (a reviewer's name, a date) is not
                // scored, and `unknown_columns` says so: its cells need not be labels.
                _ if !is_label_column(col) => continue,
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

/// Whether `column` names a rule idphoto knows or a verdict it scores.
fn is_label_column(column: &str) -> bool {
    VERDICT_COLUMNS.contains(&column) || crate::checks::is_known(column)
}

/// Label columns that name neither a rule idphoto knows nor a scored verdict: typos, or notes
/// (a reviewer, a date), which would otherwise be left unscored without a word.
pub fn unknown_columns(rows: &[LabelRow]) -> Vec<String> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    first
        .columns
        .iter()
        .filter(|c| !is_label_column(c))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::test_support::*;

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
    fn spreadsheet_exports_read_as_meant() {
        // Padded header names, capitalised cells, a column of notes, a row of empty cells.
        let csv = "File, Single_Face ,reviewer,verdict_id_card\na.jpg,Pass,alice,FAIL\n,,,\n";
        let rows = read_labels(&write_file("l.csv", csv)).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].labels,
            BTreeMap::from([
                ("single_face".to_string(), P),
                ("verdict_id_card".to_string(), F)
            ])
        );
        assert_eq!(unknown_columns(&rows), ["reviewer"]);
    }

    #[test]
    fn label_columns_that_name_no_rule_are_reported() {
        let csv =
            "file,eers_visible,single_face,verdict_icoa,verdict_icao\na.jpg,pass,pass,,fail\n";
        let rows = read_labels(&write_file("l.csv", csv)).unwrap();
        assert_eq!(unknown_columns(&rows), ["eers_visible", "verdict_icoa"]);
    }
}
