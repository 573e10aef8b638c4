//! The `idphoto` binary: JSON fields, languages, batches and exit codes (0 all pass, 1 any
//! fails, 2 unreadable input or bad usage, 141 when the reader goes away).

use idphoto::messages::{self, Lang};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

fn idphoto(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idphoto"))
        .args(args)
        .env("IDPHOTO_LOG", "warn")
        .output()
        .expect("the idphoto binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("idphoto-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The ID card profile's rules for selfies, in its order.
const SELFIE_RULES: [&str; 20] = [
    "single_face",
    "head_in_frame",
    "resolution",
    "exposure_ok",
    "lighting_even",
    "sharp",
    "color_photo",
    "head_frontal",
    "eye_line_level",
    "eyes_open",
    "face_uncovered",
    "mouth_closed",
    "expression_neutral",
    "no_head_covering",
    "no_glasses",
    "ears_visible",
    "eyebrows_visible",
    "background_plain",
    "background_white",
    "not_white_top",
];

#[test]
fn json_report_has_every_documented_field() {
    let photo = testdata("grace_hopper.jpg");
    let out = idphoto(&["check", "--json", "--lang", "en", photo.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "a failing photo exits 1: {out:?}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let r = &lines[0];
    assert_eq!(r["file"], photo.display().to_string());
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["profile"], "cn-id-card");
    assert!(r.get("error").is_none());

    let checks = r["checks"].as_array().expect("checks array");
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    // Rules run, and are reported, in the profile's order.
    assert_eq!(ids, SELFIE_RULES);
    for c in checks {
        let obj = c.as_object().unwrap();
        for key in ["id", "status", "value", "threshold", "message"] {
            assert!(obj.contains_key(key), "{key} missing in {c}");
        }
        let status = c["status"].as_str().unwrap();
        assert!(["pass", "fail", "not_assessed"].contains(&status), "{c}");
        assert!(c["threshold"].as_str().is_some_and(|t| !t.is_empty()));
        match status {
            "pass" => assert!(c["message"].is_null() && c["value"].is_number(), "{c}"),
            "fail" => assert!(c["message"].is_string(), "{c}"),
            _ => {}
        }
    }
    let status_of = |id: &str| {
        checks.iter().find(|c| c["id"] == id).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status_of("no_glasses"), "fail");
    assert_eq!(status_of("mouth_closed"), "pass");

    let reasons: Vec<&str> = r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&messages::text(Lang::En, "no_glasses").as_str()),
        "{reasons:?}"
    );

    let face = &r["face"];
    let bx = face["box"].as_array().unwrap();
    assert_eq!(bx.len(), 4);
    assert!(bx.iter().all(|v| v.is_number()));
    assert!(
        bx[2].as_f64().unwrap() > 100.0,
        "face width in pixels: {bx:?}"
    );
    let landmarks = face["landmarks"].as_array().unwrap();
    assert_eq!(landmarks.len(), 5);
    assert!(landmarks.iter().all(|p| p
        .as_array()
        .is_some_and(|xy| xy.len() == 2 && xy.iter().all(Value::is_number))));
    // Measured: 1.00 (a face the mesh is sure of).
    let presence = face["mesh_presence"].as_f64().expect("face.mesh_presence");
    assert!((0.9..=1.0).contains(&presence), "{presence}");
    assert_eq!(face["pose"].as_array().map(Vec::len), Some(3));
    let total = r["timings_ms"]["total"].as_f64().expect("timings_ms.total");
    assert!(total > 0.0);
}

#[test]
fn human_output_defaults_to_simplified_chinese() {
    let photo = testdata("astronaut.png");
    let zh = idphoto(&["check", photo.to_str().unwrap()]);
    assert_eq!(code(&zh), 1);
    let text = stdout(&zh);
    assert!(
        text.contains(&messages::text(Lang::ZhCn, "mouth_closed")),
        "{text}"
    );
    assert!(
        text.contains(&messages::text(Lang::ZhCn, "ui.verdict_fail")),
        "{text}"
    );
    let en = idphoto(&["check", "--lang", "en", photo.to_str().unwrap()]);
    let text = stdout(&en);
    assert!(
        text.contains(&messages::text(Lang::En, "mouth_closed")),
        "{text}"
    );
    assert!(text.contains("Not accepted"), "{text}");
    assert!(!text.contains(&messages::text(Lang::ZhCn, "mouth_closed")));
    // A locale tag as the system writes it picks its language too.
    let hk = idphoto(&["check", "--lang", "zh_HK.UTF-8", photo.to_str().unwrap()]);
    let text = stdout(&hk);
    assert!(
        text.contains(&messages::text(Lang::ZhTw, "mouth_closed")),
        "{text}"
    );
}

#[test]
fn human_output_says_why_a_rule_could_not_judge() {
    // A plain wall: no face, so the face rules cannot judge.
    let dir = scratch("wall");
    let wall = dir.join("wall.png");
    image::RgbImage::from_pixel(480, 640, image::Rgb([235, 232, 228]))
        .save(&wall)
        .unwrap();
    let wall = wall.to_str().unwrap();
    let report = &json_lines(&idphoto(&["check", "--json", "--lang", "en", wall]))[0];
    let text = stdout(&idphoto(&["check", "--lang", "en", wall]));
    let not_judged: Vec<_> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "not_assessed")
        .collect();
    assert!(!not_judged.is_empty(), "{report}");
    for c in not_judged {
        let id = c["id"].as_str().unwrap();
        let reason = c["message"].as_str().expect("a reason");
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no row for {id}: {text}"));
        assert!(line.ends_with(&format!(" — {reason}")), "{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_to_files_stays_plain_text() {
    // A newline in a file name would otherwise start a line of its own in the report.
    let dir = scratch("plain");
    let odd = dir.join("a\nb.png");
    std::fs::copy(testdata("astronaut.png"), &odd).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_idphoto"))
        .args(["check", "--lang", "en", odd.to_str().unwrap()])
        .env("IDPHOTO_LOG", "info")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("a\\nb.png: Not accepted"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("b.png")), "{text}");
    // An error message quotes the path too.
    let folder = dir.join("c\nd.jpg");
    std::fs::create_dir_all(&folder).unwrap();
    let unreadable = idphoto(&["check", "--lang", "en", folder.to_str().unwrap()]);
    assert_eq!(code(&unreadable), 2);
    let text = stdout(&unreadable);
    assert!(text.contains("c\\nd.jpg"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("d.jpg")), "{text}");
    // Log lines carry no colour codes when stderr is a file or pipe.
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("INFO"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

/// Archives written under GBK keep names that are not UTF-8; the report must still lead back.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_comes_back_exactly_in_hex() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("gbk");
    // "照片" in GBK.
    let odd = dir.join(std::ffi::OsStr::from_bytes(b"\xd5\xd5\xc6\xac.png"));
    std::fs::copy(testdata("astronaut.png"), &odd).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_idphoto"))
        .arg("check")
        .arg("--json")
        .arg(&odd)
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let hex: String = odd
        .as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(report["file_hex"], hex.as_str(), "{report}");
    assert!(
        report["file"].as_str().unwrap().contains('\u{fffd}'),
        "{report}"
    );
    assert_eq!(report["verdict"], "fail");
    // A UTF-8 name needs no hex.
    let plain = idphoto(&[
        "check",
        "--json",
        testdata("astronaut.png").to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(stdout(&plain).trim()).unwrap();
    assert!(report.get("file_hex").is_none(), "{report}");
}

#[test]
fn exit_code_0_when_every_rule_of_the_profile_passes() {
    // The built-in ID-card profile cut down to rules Grace Hopper's portrait clearly meets
    // (she wears glasses and a cap, so she cannot pass the full profile).
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/cn-id-card.toml"),
    )
    .unwrap();
    let mut table: toml::Table = text.parse().unwrap();
    let keep = [
        "single_face",
        "head_frontal",
        "mouth_closed",
        "exposure_ok",
        "color_photo",
    ];
    let rules = table["rules"].as_table_mut().unwrap();
    rules.retain(|id, _| keep.contains(&id));
    table.insert("name".into(), "grace-subset".into());
    let dir = scratch("profile");
    let profile = dir.join("subset.toml");
    std::fs::write(&profile, toml::to_string(&table).unwrap()).unwrap();

    let photo = testdata("grace_hopper.jpg");
    let args = [
        "check",
        "--json",
        "--lang",
        "en",
        "--profile",
        profile.to_str().unwrap(),
        photo.to_str().unwrap(),
    ];
    let out = idphoto(&args);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = &json_lines(&out)[0];
    assert_eq!(r["verdict"], "pass");
    assert_eq!(r["profile"], "grace-subset");
    assert_eq!(r["checks"].as_array().unwrap().len(), keep.len());
    assert!(r["reasons"].as_array().unwrap().is_empty());
    let human = idphoto(
        &args[..args.len()]
            .iter()
            .filter(|a| **a != "--json")
            .copied()
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&human), 0);
    assert!(stdout(&human).contains("Accepted"), "{}", stdout(&human));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_code_2_for_a_missing_file_and_the_others_are_still_reported() {
    let a = testdata("astronaut.png");
    let g = testdata("grace_hopper.jpg");
    let missing = "/no/such/dir/photo.jpg";
    let out = idphoto(&[
        "check",
        "--json",
        "--lang",
        "en",
        a.to_str().unwrap(),
        missing,
        g.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{}", stdout(&out));
    assert_eq!(lines[0]["file"], a.display().to_string());
    assert_eq!(lines[1]["file"], missing);
    assert_eq!(lines[2]["file"], g.display().to_string());
    assert_eq!(lines[0]["verdict"], "fail");
    assert_eq!(lines[1]["verdict"], "error");
    assert_eq!(lines[1]["error"]["code"], "io");
    // The advice is in the report's language alone; the English detail names the file.
    let error = &lines[1]["error"];
    assert_eq!(error["message"], lines[1]["reasons"][0], "{error}");
    assert!(
        error["detail"].as_str().unwrap().contains(missing),
        "{error}"
    );
    assert!(lines[1]["checks"].as_array().unwrap().is_empty());
    // Every key of a report is there, a missing face as null, and the time to the error.
    assert!(lines[1]["face"].is_null() && lines[1].get("face").is_some());
    assert!(lines[1]["timings_ms"]["total"].as_f64().is_some());
    assert_eq!(lines[2]["verdict"], "fail");

    let alone = idphoto(&["check", "--json", missing]);
    assert_eq!(code(&alone), 2);
}

#[test]
fn a_reader_that_goes_away_stops_the_batch_with_the_sigpipe_status() {
    let a = testdata("astronaut.png");
    let files = vec![a.to_str().unwrap(); 40];
    let dir = scratch("goes-away");
    let labels = dir.join("labels.csv");
    std::fs::write(&labels, format!("file,single_face\n{},pass\n", a.display())).unwrap();
    let eval = [
        "eval",
        "--labels",
        labels.to_str().unwrap(),
        "--images",
        "/",
    ];
    // One worker: each holds its own models, and one per core of a large runner is only cost
    // (two would be warned about on a one-core runner, and the test wants a quiet stderr).
    let check = [&["check", "--json", "--workers", "1"][..], &files].concat();
    for args in [&check[..], &eval[..], &["profiles"][..]] {
        // The reading end is closed before the child starts: closed after spawn, a fast
        // command (profiles) could fill the pipe's buffer first and end with 0.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_idphoto"))
            .args(args)
            .env("IDPHOTO_LOG", "warn")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("the idphoto binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 141, "{}: {stderr}", args[0]);
        // ONNX Runtime's CPU probe writes to stderr itself on processors it does not know;
        // everything else would be idphoto's.
        let ours = stderr
            .lines()
            .filter(|l| !l.starts_with("Error in cpuinfo"));
        assert_eq!(ours.count(), 0, "{} stops quietly: {stderr}", args[0]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_code_2_for_bad_usage() {
    let photo = testdata("astronaut.png");
    let p = photo.to_str().unwrap();
    for args in [
        vec!["check", "--no-such-flag", p],
        vec!["check", "--lang", "fr", p],
        vec!["check", "--input", "passport", p],
        vec!["check", "--workers", "0", p],
        vec!["check"],
        vec!["no-such-command"],
    ] {
        let out = idphoto(&args);
        assert_eq!(code(&out), 2, "{args:?}: {out:?}");
        assert!(!out.stderr.is_empty(), "{args:?} explains itself");
    }
    let out = idphoto(&["check", "--profile", "no-such-profile", p]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-profile"));
    // A path that is there but is no file is not reported as missing.
    let out = idphoto(&["check", "--profile", env!("CARGO_MANIFEST_DIR"), p]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    // A profile whose rules all apply to finished photos would pass every selfie unchecked.
    let dir = scratch("finished-only");
    let profile = dir.join("finished-only.toml");
    let rule = "[rules.photo_size]\ninputs = [\"finished\"]\nwidth = 358\nheight = 441\n";
    std::fs::write(&profile, format!("name = \"finished-only\"\n{rule}")).unwrap();
    let out = idphoto(&["check", "--profile", profile.to_str().unwrap(), p]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule for selfie photos"));
    // Other thresholds under a built-in's name would be reported as that profile; the built-in's
    // own file is that profile.
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/icao.toml");
    let text = std::fs::read_to_string(&builtin).unwrap();
    let out = idphoto(&["check", "--profile", builtin.to_str().unwrap(), p]);
    assert_eq!(code(&out), 1, "{out:?}");
    let same = dir.join("icao-crlf.toml");
    std::fs::write(&same, text.replace('\n', "\r\n") + "# my copy\n").unwrap();
    let out = idphoto(&["check", "--profile", same.to_str().unwrap(), p]);
    assert_eq!(code(&out), 1, "{out:?}");
    let borrowed = dir.join("icao-edited.toml");
    std::fs::write(
        &borrowed,
        text.replace("max_roll_deg = 5.0", "max_roll_deg = 4.0"),
    )
    .unwrap();
    let out = idphoto(&["check", "--profile", borrowed.to_str().unwrap(), p]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("name of a built-in profile"));
    // The same rules in another order list the reasons in another order.
    let first = "[rules.single_face]\nmin_score = 0.7\nmin_relative_width = 0.25\n";
    assert_eq!(text.matches(first).count(), 1);
    std::fs::write(&borrowed, text.replace(first, "") + "\n" + first).unwrap();
    let out = idphoto(&["check", "--profile", borrowed.to_str().unwrap(), p]);
    assert_eq!(code(&out), 2, "{out:?}");
}

#[test]
fn finished_input_and_icao_profile_flags() {
    let photo = testdata("grace_hopper.jpg");
    let out = idphoto(&[
        "check",
        "--json",
        "--lang",
        "en",
        "--input",
        "finished",
        photo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    let r = &json_lines(&out)[0];
    let size = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "photo_size")
        .expect("finished photos get the size rule");
    assert_eq!(size["status"], "fail");
    assert!(
        size["message"].as_str().unwrap().contains("512x600"),
        "{size}"
    );

    let out = idphoto(&[
        "check",
        "--json",
        "--profile",
        "icao",
        photo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "her cap");
    let r = &json_lines(&out)[0];
    assert_eq!(r["profile"], "icao");
    let checks = r["checks"].as_array().unwrap();
    assert!(checks.len() >= 17, "{checks:?}");
    assert!(checks.iter().all(|c| c["id"] != "ears_visible"));
    // Only ICAO lets her clear glasses pass.
    let status = |id: &str| {
        let check = checks.iter().find(|c| c["id"] == id).expect(id);
        check["status"].as_str().unwrap().to_string()
    };
    assert_eq!(status("no_glasses"), "pass");
    assert_eq!(status("no_head_covering"), "fail");
}

#[test]
fn eval_scores_a_labels_file_and_gates_on_its_floors() {
    let dir = scratch("eval");
    std::fs::copy(testdata("grace_hopper.jpg"), dir.join("grace.jpg")).unwrap();
    std::fs::copy(testdata("astronaut.png"), dir.join("astronaut.png")).unwrap();
    // Grace wears a cap, the astronaut none; the third photo is missing, and `smiling` is
    // no rule.
    let labels = dir.join("labels.csv");
    std::fs::write(
        &labels,
        "file,single_face,no_head_covering,verdict_id_card,verdict_icao,smiling\n\
         grace.jpg,pass,fail,fail,pass,pass\nastronaut.png,pass,pass,fail,pass,fail\n\
         missing.jpg,pass,,fail,,\n",
    )
    .unwrap();
    let floors = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let met = floors(
        "met.toml",
        "max_false_passes = 0\nmax_errors = 1\n[min_balanced_accuracy]\nno_head_covering = 0.9\n\
         [max_false_fails]\nsingle_face = 1\n",
    );
    let labels = labels.display().to_string();
    let out = idphoto(&["eval", "--labels", &labels, "--floors", &met]);
    let (table, errors) = (
        stdout(&out),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert_eq!(code(&out), 0, "{table}{errors}");
    let row = |id: &str| {
        let line = table
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{table}"));
        line.split_whitespace().skip(1).collect::<Vec<_>>()
    };
    // pass, fail, TP, FP, TN, FN, not assessed, balanced accuracy.
    assert_eq!(
        row("no_head_covering"),
        ["1", "1", "1", "0", "1", "0", "0", "1.000"]
    );
    // The missing photo is labelled one face: it counts as wrong (not assessed).
    assert_eq!(row("single_face")[..7], ["3", "0", "0", "1", "2", "0", "1"]);
    assert!(
        table.contains("false passes 0, false rejects 0, labelled fail and not checked 1"),
        "{table}"
    );
    assert!(table.contains("images: 3, errors: 1"), "{table}");
    assert!(errors.contains("`smiling` is not a rule id"), "{errors}");
    assert!(errors.contains("missing.jpg"), "{errors}");
    assert!(errors.contains("accuracy gate: all floors met"), "{errors}");
    // Another verdict column, named: both photos fail the ID-card checks that score it.
    let out = idphoto(&[
        "eval",
        "--labels",
        &labels,
        "--verdict-column",
        "verdict_icao",
    ]);
    let table = stdout(&out);
    assert!(
        table.contains(
            "verdict_icao: 0 labelled fail, 2 labelled pass, false passes 0, false rejects 2"
        ),
        "{table}"
    );
    // A named verdict column the labels lack is warned about.
    let no_verdicts = dir.join("no_verdicts.csv");
    std::fs::write(&no_verdicts, "file,single_face\ngrace.jpg,pass\n").unwrap();
    let out = idphoto(&[
        "eval",
        "--labels",
        &no_verdicts.display().to_string(),
        "--verdict-column",
        "verdict_icao",
    ]);
    let errors = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        errors.contains("the labels have no `verdict_icao` column; the verdict is not scored"),
        "{errors}"
    );
    // No false fail or unchecked photo allowed, and more photos wanted: the gate fails and
    // names the photo behind the false fail.
    let unmet = floors(
        "unmet.toml",
        "min_images = 4\n[max_false_fails]\nsingle_face = 0\n",
    );
    let out = idphoto(&["eval", "--labels", &labels, "--floors", &unmet]);
    let errors = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(code(&out), 1, "{errors}");
    assert!(
        errors.contains("accuracy gate: single_face: 1 labelled-pass images failed"),
        "{errors}"
    );
    assert!(
        errors.contains("accuracy gate: min_images = 4 set, but the labels list 3 photos"),
        "{errors}"
    );
    assert!(
        errors.contains("accuracy gate: photos that could not be checked: 1, at most 0 allowed"),
        "{errors}"
    );
    assert!(
        errors.contains("the photos behind it") && errors.matches("missing.jpg").count() >= 2,
        "{errors}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eval_refuses_to_overwrite_its_inputs_and_to_score_nothing() {
    let dir = scratch("eval-inputs");
    let photo = dir.join("grace.jpg");
    std::fs::copy(testdata("grace_hopper.jpg"), &photo).unwrap();
    let labels = dir.join("labels.csv");
    let labels_text = "file,single_face\ngrace.jpg,pass\n";
    std::fs::write(&labels, labels_text).unwrap();
    let floors = dir.join("floors.toml");
    std::fs::write(&floors, "max_false_passes = 0\n").unwrap();
    let profile = dir.join("mine.toml");
    let profile_text =
        "name = \"mine\"\n[rules.single_face]\nmin_score = 0.7\nmin_relative_width = 0.25\n";
    std::fs::write(&profile, profile_text).unwrap();
    let [labels, floors, profile, photo] =
        [&labels, &floors, &profile, &photo].map(|p| p.display().to_string());
    let base = ["eval", "--labels", &labels, "--floors", &floors];
    for input in [&labels, &floors, &profile, &photo] {
        let mut args = base.to_vec();
        args.extend(["--profile", &profile, "--reports", input]);
        let out = idphoto(&args);
        let errors = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "--reports {input}: {errors}");
        assert!(errors.contains("an input of this run"), "{errors}");
    }
    assert_eq!(std::fs::read_to_string(&labels).unwrap(), labels_text);
    assert_eq!(std::fs::read_to_string(&profile).unwrap(), profile_text);
    assert!(std::fs::read(&photo).unwrap().starts_with(&[0xff, 0xd8]));
    // Another file is written.
    let reports = dir.join("reports.jsonl").display().to_string();
    let out = idphoto(&["eval", "--labels", &labels, "--reports", &reports]);
    assert_eq!(code(&out), 0, "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&reports).unwrap().lines().count(),
        1
    );
    // So is a pipe, which has nothing to empty first.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let fifo = dir.join("reports.fifo");
        let name = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path that outlives the call, which only reads it.
        let made = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
        assert_eq!(made, 0, "mkfifo: {}", std::io::Error::last_os_error());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        let out = idphoto(&[
            "eval",
            "--labels",
            &labels,
            "--reports",
            fifo.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 0, "{out:?}");
        assert_eq!(reader.join().unwrap().lines().count(), 1);
    }

    let missing = dir.join("no-such-folder").display().to_string();
    let out = idphoto(&["eval", "--labels", &labels, "--images", &missing]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such folder"));
    let header_only = dir.join("header.csv");
    std::fs::write(&header_only, "file,single_face\n").unwrap();
    let out = idphoto(&["eval", "--labels", header_only.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("lists no photos"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn profiles_subcommand_lists_the_builtins() {
    let out = idphoto(&["profiles"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.contains("cn-id-card") && text.contains("icao"),
        "{text}"
    );
}
