//! Scoring the rules against a labelled corpus (`eval/labels.csv`), with "fail" as the positive class.
//!
//! Flow: [`read_labels`] → [`run_on_pool`] (the checker on every image, in parallel) → [`score`] →
//! [`render_table`] (and [`render_mistakes`]) for people and [`check_floors`] against
//! [`read_floors`] for CI.
//!
//! A rule that answers `not_assessed` (or is missing from the report, or the whole report is an
//! error) is counted as a wrong answer for every labelled image, so dodging never looks accurate.
//! Only a rule the profile does not run at all is left unscored, and shown as such.

mod floors;
mod labels;
mod outputs;
mod score;
mod table;
#[cfg(test)]
mod test_support;

pub use floors::{check_floors, read_floors, Floors, Violation};
pub use labels::{
    read_labels, unknown_columns, verdict_column, Expected, LabelRow, VERDICT_COLUMNS,
};
pub use outputs::input_at;
pub use score::{score, EvalSummary, Mistake, RuleScore, VerdictScore};
pub use table::{render_mistakes, render_table};

use crate::report::Report;
use crate::CheckerPool;
use std::path::Path;

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
