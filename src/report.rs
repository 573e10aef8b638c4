//! What a check of one photo produces: per-rule findings, the verdict and the reasons.

use serde::Serialize;
use std::collections::BTreeMap;

/// Outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    NotAssessed,
}

/// One rule's result as reported to the user.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub id: &'static str,
    pub status: Status,
    /// The measured quantity (units depend on the rule), absent when it could not be measured.
    pub value: Option<f64>,
    /// The profile's limit as a readable expression, e.g. "<= 5" or "in [193, 221]".
    pub threshold: String,
    /// For failures: what the applicant should change. For `not_assessed`: why not.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaceSummary {
    /// x, y, width, height in pixels of the oriented original image.
    pub r#box: [f32; 4],
    /// Right eye, left eye, nose tip, right and left mouth corner (subject's sides), original pixels.
    pub landmarks: [[f32; 2]; 5],
    pub score: f32,
    /// Head rotation in degrees (yaw, pitch, roll) from the face-mesh fit, in the face model's
    /// y-up frame: roll is positive counter-clockwise as the photo shows it, the opposite sign
    /// of `eye_line_level`'s angle (Grace Hopper: roll 2.4, eye line -2.6).
    pub pose: [f32; 3],
    /// The mesh model's probability that it saw a face. Under the analysis limit (0.5) the pose
    /// and the mesh's other measures say nothing, and the rules reading them are not judged.
    pub mesh_presence: f32,
}

#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ErrorInfo {
    pub code: &'static str,
    /// What the sender can do, in the report's language.
    pub message: String,
    /// What went wrong, in English, for whoever runs the service (it names the file and the
    /// decoder's or system's own words).
    pub detail: String,
}

impl ErrorInfo {
    /// The advice with the technical detail after it, for people who read both.
    pub fn full(&self) -> String {
        format!("{} ({})", self.message, self.detail)
    }
}

/// The full answer for one photo.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The file name as given; a name that is not valid UTF-8 shows U+FFFD for the bytes that
    /// are not, and then `file_hex` carries the exact bytes.
    pub file: String,
    /// The name's bytes in hex, only when the name is not valid UTF-8 (old archives written
    /// under GBK or Big5), so that a batch's report still leads back to the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_hex: Option<String>,
    pub verdict: Verdict,
    pub profile: String,
    pub checks: Vec<CheckResult>,
    /// What the applicant should do, most important first: the advice of the failed rules, then
    /// one line per reason some rules could not judge the photo; for a photo that could not be
    /// read, the error's advice.
    pub reasons: Vec<String>,
    /// `null` when no face was found or the photo could not be read.
    pub face: Option<FaceSummary>,
    pub timings_ms: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

impl Report {
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
}
