//! Helpers shared by the eval modules' tests.

use super::*;
use crate::report::{CheckResult, Report, Status, Verdict};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file in its own temporary folder, removed when dropped.
pub(crate) struct TempFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

pub(crate) fn write_file(name: &str, content: &str) -> TempFile {
    let dir = tempfile::Builder::new()
        .prefix("idphoto-eval-")
        .tempdir()
        .unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    TempFile { _dir: dir, path }
}

pub(crate) fn report(verdict: Verdict, checks: &[(&'static str, Status)]) -> Report {
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

pub(crate) fn row(file: &str, labels: &[(&str, Expected)]) -> LabelRow {
    LabelRow {
        file: file.into(),
        labels: labels.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        columns: Arc::from(Vec::new()),
    }
}

pub(crate) use super::Expected::{Fail as F, Pass as P};

pub(crate) const HEADER: &str =
    "file,source,license_note,single_face,eye_line_level,verdict_id_card,notes\n";
