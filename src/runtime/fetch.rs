//! Fetching ONNX Runtime's C library: `pip download` of the pinned PyPI wheel, extraction and
//! sha256 checks, and an atomic install with its `.so` links. [`super::library`] calls it when no
//! library is found.

use std::{
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use super::library::{
    file_sha256, nanos, rt, LIB_BYTES, LIB_FILE, LIB_IN_WHEEL, LIB_LINK, LIB_SHA256, LIB_SONAME,
    ORT_VERSION, WHEEL_FILE, WHEEL_REQUIREMENT, WHEEL_SHA256,
};
use crate::{Error, Result};

/// Downloads the pinned wheel with pip, extracts and verifies the library, and installs it into `dest_dir`
/// (atomically; safe if several processes fetch at once). Returns the path of `dest_dir/libonnxruntime.so`.
/// Does nothing but (re)create the symlinks if a verified library is already there.
pub fn fetch(dest_dir: &Path) -> Result<PathBuf> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err(Error::Runtime(
            "automatic fetching of ONNX Runtime is only implemented for Linux x86_64".to_string(),
        ));
    }
    fs::create_dir_all(dest_dir)
        .map_err(|e| rt(format!("cannot create {}: {e}", dest_dir.display())))?;
    let target = dest_dir.join(LIB_FILE);
    if target.is_file() && file_sha256(&target).ok().as_deref() == Some(LIB_SHA256) {
        install_links(dest_dir)?;
        return Ok(dest_dir.join(LIB_LINK));
    }

    let started = Instant::now();
    tracing::info!(
        dest = %dest_dir.display(),
        "ONNX Runtime {ORT_VERSION} not found: fetching it from the PyPI wheel {WHEEL_REQUIREMENT} with pip (about 24 MB)"
    );
    remove_stale_fetches(dest_dir);
    let work = dest_dir.join(format!(".fetch-{}-{}", std::process::id(), nanos()));
    fs::create_dir(&work).map_err(|e| rt(format!("cannot create {}: {e}", work.display())))?;
    let _cleanup = RemoveOnDrop(work.clone());

    let python = find_python()?;
    let req = work.join("requirements.txt");
    fs::write(
        &req,
        format!("{WHEEL_REQUIREMENT} --hash=sha256:{WHEEL_SHA256}\n"),
    )
    .map_err(|e| rt(format!("cannot write {}: {e}", req.display())))?;
    let out = Command::new(&python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--require-hashes",
            "-r",
        ])
        .arg(&req)
        .args([
            "--platform",
            "manylinux_2_28_x86_64",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            // pip's defaults (a 15 s socket timeout, 5 retries; some configurations set 180 s)
            // leave an offline first run hanging for minutes before it can say why.
            "--timeout",
            "30",
            "--retries",
            "1",
            "--progress-bar",
            "off",
            "--disable-pip-version-check",
            "--no-input",
            "-d",
        ])
        .arg(&work)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            rt(format!(
                "cannot run `{} -m pip`: {e}",
                python.to_string_lossy()
            ))
        })?;
    if !out.status.success() {
        return Err(rt(format!(
            "`{} -m pip download {WHEEL_REQUIREMENT}` failed ({}): {}",
            python.to_string_lossy(),
            out.status,
            tail(&out.stderr, &out.stdout)
        )));
    }
    let wheel = work.join(WHEEL_FILE);
    let wheel_sha =
        file_sha256(&wheel).map_err(|e| rt(format!("pip did not produce {WHEEL_FILE}: {e}")))?;
    if wheel_sha != WHEEL_SHA256 {
        return Err(rt(format!(
            "{WHEEL_FILE}: sha256 mismatch, expected {WHEEL_SHA256}, found {wheel_sha}"
        )));
    }
    tracing::info!("downloaded {WHEEL_FILE} (sha256 ok); extracting {LIB_IN_WHEEL}");

    let extracted = work.join(LIB_FILE);
    let out = Command::new(&python)
        .args(["-c", EXTRACT_PY])
        .arg(&wheel)
        .arg(LIB_IN_WHEEL)
        .arg(&extracted)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| rt(format!("cannot run {}: {e}", python.to_string_lossy())))?;
    if !out.status.success() {
        return Err(rt(format!(
            "extracting {LIB_IN_WHEEL} failed: {}",
            tail(&out.stderr, &out.stdout)
        )));
    }
    let lib_sha = file_sha256(&extracted)
        .map_err(|e| rt(format!("cannot read {}: {e}", extracted.display())))?;
    let lib_bytes = fs::metadata(&extracted).map(|m| m.len()).unwrap_or(0);
    if lib_sha != LIB_SHA256 || lib_bytes != LIB_BYTES {
        return Err(rt(format!(
            "{LIB_FILE}: sha256 mismatch, expected {LIB_SHA256} ({LIB_BYTES} bytes), found {lib_sha} ({lib_bytes} bytes)"
        )));
    }
    set_executable(&extracted)?;
    // Same directory, so rename is atomic: a concurrent reader sees either no file or the complete file.
    fs::rename(&extracted, &target).map_err(|e| {
        rt(format!(
            "cannot move the library to {}: {e}",
            target.display()
        ))
    })?;
    install_links(dest_dir)?;
    tracing::info!(
        path = %target.display(),
        secs = started.elapsed().as_secs_f64(),
        "ONNX Runtime {ORT_VERSION} installed (sha256 ok)"
    );
    Ok(dest_dir.join(LIB_LINK))
}

/// Inline extraction script (python3's zipfile; no `unzip` needed).
const EXTRACT_PY: &str = r#"import sys, zipfile, shutil
whl, member, out = sys.argv[1:4]
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
"#;

fn find_python() -> Result<OsString> {
    let mut candidates: Vec<OsString> = Vec::new();
    if let Some(p) = std::env::var_os("IDPHOTO_PYTHON").filter(|v| !v.is_empty()) {
        candidates.push(p);
    }
    candidates.push("python3".into());
    candidates.push("python".into());
    for c in candidates {
        let ok = Command::new(&c)
            .args(["-m", "pip", "--version"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(c);
        }
    }
    Err(rt(
        "no python3 with pip found (tried $IDPHOTO_PYTHON, python3, python)".to_string(),
    ))
}

/// Creates `libonnxruntime.so.1` and `libonnxruntime.so` → `libonnxruntime.so.1.31.1`, each atomically.
pub(super) fn install_links(dir: &Path) -> Result<()> {
    for name in [LIB_SONAME, LIB_LINK] {
        let link = dir.join(name);
        if fs::read_link(&link).is_ok_and(|t| t == Path::new(LIB_FILE)) {
            continue;
        }
        let tmp = dir.join(format!(".{name}.tmp-{}-{}", std::process::id(), nanos()));
        make_link(Path::new(LIB_FILE), &tmp, dir)?;
        fs::rename(&tmp, &link).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            rt(format!("cannot create {}: {e}", link.display()))
        })?;
    }
    Ok(())
}

#[cfg(unix)]
fn make_link(target: &Path, link: &Path, _dir: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| rt(format!("cannot create symlink {}: {e}", link.display())))
}

#[cfg(not(unix))]
fn make_link(target: &Path, link: &Path, dir: &Path) -> Result<()> {
    fs::copy(dir.join(target), link)
        .map(|_| ())
        .map_err(|e| rt(format!("cannot copy to {}: {e}", link.display())))
}

#[cfg(unix)]
fn set_executable(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(0o755))
        .map_err(|e| rt(format!("cannot chmod {}: {e}", p.display())))
}

#[cfg(not(unix))]
fn set_executable(_p: &Path) -> Result<()> {
    Ok(())
}

fn tail(stderr: &[u8], stdout: &[u8]) -> String {
    let text = if stderr.iter().any(|b| !b.is_ascii_whitespace()) {
        stderr
    } else {
        stdout
    };
    let s = String::from_utf8_lossy(text);
    let s = s.trim();
    let start = s.char_indices().rev().nth(1500).map_or(0, |(i, _)| i);
    s[start..].to_string()
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A fetch killed part-way (Ctrl-C during the first run) leaves its `.fetch-*` folder behind,
/// up to 50 MB; one over an hour old belongs to no running fetch.
fn remove_stale_fetches(dest_dir: &Path) {
    let Ok(entries) = fs::read_dir(dest_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(".fetch-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::remove_stale_fetches;
    use std::fs;
    use std::time::{Duration, SystemTime};

    #[test]
    fn only_fetch_folders_over_an_hour_old_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [".fetch-1-old", ".fetch-2-new", "keep-old"] {
            fs::create_dir(dir.path().join(name)).unwrap();
        }
        let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
        for name in [".fetch-1-old", "keep-old"] {
            fs::File::open(dir.path().join(name))
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }
        remove_stale_fetches(dir.path());
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".fetch-2-new", "keep-old"]);
    }
}
