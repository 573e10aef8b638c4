//! The library's front door: bytes or a file in, a [`Report`] out. Every front end (the CLI's
//! `check` and `eval` today; batch and HTTP later) goes through here, so all of them decide alike.

use crate::analyse::{Analyser, AnalysisOptions, PhotoBytes};
use crate::checks::{joint_advice, Context, Finding};
use crate::decode::{decode, DecodeOptions};
use crate::messages::{self, Lang};
use crate::profile::{InputKind, Profile};
use crate::report::{CheckResult, ErrorInfo, FaceSummary, Report, Status, Verdict};
use crate::runtime::models::ModelStore;
use crate::{Error, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub input: InputKind,
    pub lang: Lang,
    pub decode: DecodeOptions,
    pub analysis: AnalysisOptions,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            input: InputKind::Selfie,
            lang: Lang::default(),
            decode: DecodeOptions::default(),
            analysis: AnalysisOptions::default(),
        }
    }
}

/// One worker: its own model sessions plus a shared profile.
pub struct Checker {
    analyser: Analyser,
    profile: Arc<Profile>,
    options: CheckOptions,
}

impl Checker {
    pub fn new(store: &ModelStore, profile: Arc<Profile>, options: CheckOptions) -> Result<Self> {
        // Otherwise every photo, even a blank one, would pass.
        if profile.rules_for(options.input).next().is_none() {
            return Err(Error::Profile(format!(
                "profile `{}` has no rule for {} photos",
                profile.name,
                options.input.name()
            )));
        }
        Ok(Checker {
            analyser: Analyser::new(store, options.analysis.clone())?,
            profile,
            options,
        })
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn check_file(&self, path: &Path) -> Report {
        let name = path.display().to_string();
        let start = Instant::now();
        let mut report = match crate::decode::read_file(path, &self.options.decode) {
            Ok(bytes) => self.check_bytes(&name, &bytes),
            Err(e) => self.error_report(&name, e, BTreeMap::new(), start),
        };
        report.file_hex = non_utf8_name_hex(path);
        report
    }

    /// A panic inside the check (a bug, in a decoder, a model or a rule) becomes this photo's
    /// `internal_error` report, so one photo never takes a batch down with it.
    pub fn check_bytes(&self, name: &str, bytes: &[u8]) -> Report {
        let start = Instant::now();
        guard(|| self.check_unguarded(name, bytes)).unwrap_or_else(|what| {
            self.error_report(name, Error::Internal(what), BTreeMap::new(), start)
        })
    }

    fn check_unguarded(&self, name: &str, bytes: &[u8]) -> Report {
        // Warnings raised while checking (a failed second decode) name the photo.
        let _photo = tracing::warn_span!("check", file = name).entered();
        let start = Instant::now();
        let mut timings = BTreeMap::new();
        let decoded = match decode(bytes, &self.options.decode) {
            Ok(d) => d,
            Err(e) => return self.error_report(name, e, timings, start),
        };
        timings.insert("decode".to_string(), ms(start));
        let photo = PhotoBytes {
            bytes,
            decode_options: &self.options.decode,
        };
        let analysis = match self.analyser.analyse_decoded(decoded, Some(photo)) {
            Ok(a) => a,
            Err(e) => return self.error_report(name, e, timings, start),
        };
        for (stage, t) in &analysis.timings_ms {
            timings.insert(stage.to_string(), round4(*t));
        }
        let checks_start = Instant::now();
        let ctx =
            Context::new(&analysis, self.options.input).with_card_size(self.profile.card_size());
        let rules: Vec<_> = self.profile.rules_for(self.options.input).collect();
        let judge = |rule: &&dyn crate::checks::Rule| {
            let finding = rule.evaluate(&ctx);
            if analysis.turned.is_some() && !rule.judges_turned_photos() {
                return (
                    rule.id(),
                    Finding::not_assessed(finding.threshold, "na.turned"),
                );
            }
            (rule.id(), finding)
        };
        let mut findings: Vec<(&'static str, Finding)> = if self.options.analysis.parallel_stages {
            rules.par_iter().map(judge).collect()
        } else {
            rules.iter().map(judge).collect()
        };
        joint_advice::refine(&mut findings);
        timings.insert("checks".to_string(), ms(checks_start));
        timings.insert("total".to_string(), ms(start));

        let lang = self.options.lang;
        let checks: Vec<CheckResult> = findings
            .into_iter()
            .map(|(id, f)| CheckResult {
                id,
                status: f.status,
                value: f.value.map(round4),
                threshold: f.threshold,
                message: f
                    .message_key
                    .map(|key| messages::format(lang, &key, &f.message_args)),
            })
            .collect();
        let face = analysis.face.as_ref().map(|f| {
            let s = analysis.decoded.scale;
            let d = &f.detection;
            FaceSummary {
                r#box: [d.rect[0] * s, d.rect[1] * s, d.rect[2] * s, d.rect[3] * s],
                landmarks: d.points.map(|p| [p[0] * s, p[1] * s]),
                score: d.score,
                pose: [f.pose.yaw, f.pose.pitch, f.pose.roll],
                mesh_presence: f.mesh.presence,
            }
        });
        let (verdict, reasons) = verdict_and_reasons(&checks, lang);
        Report {
            file: name.to_string(),
            file_hex: None,
            verdict,
            profile: self.profile.name.clone(),
            checks,
            reasons,
            face,
            timings_ms: timings,
            error: None,
        }
    }

    /// The report of a photo that could not be checked; `timings_ms` gets the time to the error
    /// from `start` as its `total`.
    fn error_report(
        &self,
        name: &str,
        error: Error,
        mut timings_ms: BTreeMap<String, f64>,
        start: Instant,
    ) -> Report {
        timings_ms.insert("total".to_string(), ms(start));
        let code = error.code();
        let advice = messages::text(self.options.lang, &error.advice_key());
        Report {
            file: name.to_string(),
            file_hex: None,
            verdict: Verdict::Error,
            profile: self.profile.name.clone(),
            checks: Vec::new(),
            reasons: vec![advice.clone()],
            face: None,
            timings_ms,
            error: Some(ErrorInfo {
                code,
                message: advice,
                detail: error.to_string(),
            }),
        }
    }
}

/// Runs `job`, turning a panic into its message.
fn guard<T>(job: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(job)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

/// Pass only when every rule passed. A rule that could not be assessed blocks acceptance too:
/// the photo is not known to comply.
fn verdict_and_reasons(checks: &[CheckResult], lang: Lang) -> (Verdict, Vec<String>) {
    fn push(reasons: &mut Vec<String>, text: String) {
        if !reasons.contains(&text) {
            reasons.push(text);
        }
    }
    let mut reasons: Vec<String> = Vec::new();
    let failed: Vec<_> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    for c in &failed {
        if let Some(m) = &c.message {
            push(&mut reasons, m.clone());
        }
    }
    // The statuses decide, not the reasons: a failed rule without a message still fails.
    if !failed.is_empty() {
        return (Verdict::Fail, reasons);
    }
    // Rules left unchecked for the same reason share one line: a face the mesh could not make
    // out leaves five to nine of them unchecked, and as many copies of one sentence would read
    // as as many problems.
    let mut unchecked: Vec<(String, Vec<String>)> = Vec::new();
    for c in checks.iter().filter(|c| c.status == Status::NotAssessed) {
        let why = c.message.clone().unwrap_or_default();
        let rule = messages::text(lang, &format!("rule.{}", c.id));
        match unchecked.iter_mut().find(|(w, _)| *w == why) {
            Some((_, rules)) => rules.push(rule),
            None => unchecked.push((why, vec![rule])),
        }
    }
    let verdict = if unchecked.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    for (why, rules) in unchecked {
        let args = [("rule", rules.join(lang.list_separator())), ("why", why)];
        push(
            &mut reasons,
            messages::format(lang, "ui.not_assessed_reason", &args),
        );
    }
    (verdict, reasons)
}

fn ms(start: Instant) -> f64 {
    round4(start.elapsed().as_secs_f64() * 1000.0)
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The path's bytes in hex when they are not valid UTF-8, else `None`.
fn non_utf8_name_hex(path: &Path) -> Option<String> {
    if path.to_str().is_some() {
        return None;
    }
    Some(
        path.as_os_str()
            .as_encoded_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::{guard, verdict_and_reasons};
    use crate::messages::Lang;
    use crate::report::{CheckResult, Status, Verdict};

    fn result(id: &'static str, status: Status, message: &str) -> CheckResult {
        CheckResult {
            id,
            status,
            value: None,
            threshold: String::new(),
            message: (!message.is_empty()).then(|| message.to_string()),
        }
    }

    #[test]
    fn failures_are_the_reasons_and_otherwise_what_could_not_be_checked_by_name() {
        let unchecked = [
            result("single_face", Status::Pass, ""),
            result("ears_visible", Status::NotAssessed, "why"),
        ];
        let (verdict, reasons) = verdict_and_reasons(&unchecked, Lang::En);
        assert_eq!(verdict, Verdict::Fail);
        assert_eq!(reasons, ["Not checked: Both ears visible. Reason: why"]);
        let (_, reasons) = verdict_and_reasons(&unchecked, Lang::ZhCn);
        assert_eq!(reasons, ["未检查：露出双耳。原因：why"]);
        // Rules unchecked for one reason share a line, in the profile's order.
        let unchecked = [
            result("head_frontal", Status::NotAssessed, "unclear"),
            result("ears_visible", Status::NotAssessed, "why"),
            result("eyes_open", Status::NotAssessed, "unclear"),
        ];
        assert_eq!(
            verdict_and_reasons(&unchecked, Lang::En).1,
            [
                "Not checked: Facing the camera, Eyes open. Reason: unclear",
                "Not checked: Both ears visible. Reason: why"
            ]
        );
        assert_eq!(
            verdict_and_reasons(&unchecked, Lang::ZhCn).1,
            [
                "未检查：正对镜头、双眼睁开。原因：unclear",
                "未检查：露出双耳。原因：why"
            ]
        );
        // A failure is reason enough: what could not be checked is not listed beside it.
        let failed = [
            result("sharp", Status::Fail, "blurred"),
            result("ears_visible", Status::NotAssessed, "why"),
        ];
        assert_eq!(verdict_and_reasons(&failed, Lang::En).1, ["blurred"]);
        // The statuses decide: a failure without words is still a failure.
        let silent = [result("sharp", Status::Fail, "")];
        assert_eq!(verdict_and_reasons(&silent, Lang::En).0, Verdict::Fail);
        let passed = [result("sharp", Status::Pass, "")];
        assert_eq!(
            verdict_and_reasons(&passed, Lang::En),
            (Verdict::Pass, vec![])
        );
    }

    #[test]
    fn guard_turns_a_panic_into_its_message() {
        assert_eq!(guard(|| 7), Ok(7));
        assert_eq!(
            guard(|| -> u8 { panic!("bad crop {}", 3) }),
            Err("bad crop 3".to_string())
        );
        assert_eq!(
            guard(|| -> u8 { panic!("plain") }),
            Err("plain".to_string())
        );
    }
}
