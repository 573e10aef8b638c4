//! The scores as an aligned plain-text table.

use super::{EvalSummary, Expected, Mistake, RuleScore};
use crate::report::Status;
use std::fmt::Write as _;

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
        let _ = write!(out, ", false rejects {}", v.false_rejects);
        if v.unchecked_fails > 0 {
            let _ = write!(out, ", labelled fail and not checked {}", v.unchecked_fails);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "images: {}, errors: {}",
        summary.images, summary.errors
    );
    out
}

/// Per rule with wrong answers, one line per labelled photo it got wrong (those `keep` selects):
/// the label, the rule's answer and value, the file (relative to the labels' image folder), and
/// why there was no answer where there was none. The rule's limit heads its list.
pub fn render_mistakes<'a>(
    rules: impl IntoIterator<Item = &'a RuleScore>,
    keep: impl Fn(&RuleScore, &Mistake) -> bool,
) -> String {
    let mut out = String::new();
    for rule in rules {
        let listed: Vec<&Mistake> = rule.mistakes.iter().filter(|m| keep(rule, m)).collect();
        if listed.is_empty() {
            continue;
        }
        let limit = listed
            .iter()
            .find_map(|m| m.threshold.as_deref().filter(|t| !t.is_empty()))
            .map_or(String::new(), |t| format!(" ({t})"));
        let _ = writeln!(
            out,
            "{}{limit}: {} listed of {} wrong (FP {}, FN {}; {} of them not assessed)",
            rule.id,
            listed.len(),
            rule.mistakes.len(),
            rule.fp,
            rule.fn_,
            rule.not_assessed
        );
        for m in listed {
            let label = match m.expected {
                Expected::Pass => "pass",
                Expected::Fail => "fail",
            };
            let answer = match m.status {
                Some(Status::Pass) => "pass",
                Some(Status::Fail) => "fail",
                Some(Status::NotAssessed) => "not assessed",
                None => "no result",
            };
            let value = m.value.map_or("-".to_string(), |v| format!("{v:.4}"));
            let mut line = format!(
                "  labelled {label:<4}  got {answer:<12}  {value:>10}  {}",
                m.file
            );
            if let Some(note) = &m.note {
                let _ = write!(line, "  ({note})");
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    if out.is_empty() {
        out.push_str("no wrong answers to list\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::test_support::*;
    use crate::eval::*;
    use crate::report::{Status, Verdict};

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

    #[test]
    fn mistakes_are_listed_under_their_rule_only() {
        use Status::{Fail as SF, NotAssessed as NA, Pass as SP};
        let mut undecided = report(Verdict::Fail, &[("a", SP), ("b", NA)]);
        undecided.checks[1].message = Some("No face was found.".into());
        let results = vec![
            (
                row("1.jpg", &[("a", P), ("b", F)]),
                report(Verdict::Fail, &[("a", SP), ("b", SF)]),
            ),
            (row("2.jpg", &[("a", P), ("b", P)]), undecided),
        ];
        let listing = render_mistakes(
            &score(&results, "verdict_id_card", |_| true).rules,
            |_, _| true,
        );
        let lines: Vec<&str> = listing.lines().collect();
        assert_eq!(lines.len(), 2, "{listing}");
        assert_eq!(
            lines[0],
            "b: 1 listed of 1 wrong (FP 1, FN 0; 1 of them not assessed)"
        );
        assert!(lines[1].contains("labelled pass"), "{listing}");
        assert!(lines[1].contains("got not assessed"), "{listing}");
        assert!(
            lines[1].contains("2.jpg  (No face was found.)"),
            "{listing}"
        );
    }
}
