//! Finds (or fetches) ONNX Runtime's C library and initialises `ort` once per process.
//!
//! `ort` is built with `load-dynamic`, so nothing is linked at build time: the library is opened at run time with
//! [`ort::init_from`], which returns an error instead of panicking. Search order (first hit wins):
//!
//! 1. `ORT_DYLIB_PATH` (if set it must work; a missing file is an error naming the variable),
//! 2. `libonnxruntime.so` next to the current executable,
//! 3. `<CARGO_MANIFEST_DIR>/ort-lib/libonnxruntime.so` (compile-time path: makes `cargo run` / `cargo test` work),
//! 4. the per-user cache `$IDPHOTO_CACHE_DIR` | `$XDG_CACHE_HOME/idphoto` | `$HOME/.cache/idphoto`,
//!    sub-folder `onnxruntime-1.31.1/`.
//!
//! If none exists the library is fetched automatically (unless `IDPHOTO_NO_FETCH=1`): `python3 -m pip download`
//! of the PyPI wheel `onnxruntime==1.31.1` pinned by sha256 (pip uses whatever index the machine is configured
//! with), extraction of `onnxruntime/capi/libonnxruntime.so.1.31.1`, a second sha256 check of the library itself,
//! and an atomic rename into `<CARGO_MANIFEST_DIR>/ort-lib` (when that checkout exists and is writable) or
//! into the user cache (`fetch.rs`). `scripts/fetch-onnxruntime.sh` does the same by hand (e.g. to pre-seed a container).

use std::{
    ffi::OsString,
    fs,
    io::Read,
    path::{Path, PathBuf},
    sync::OnceLock,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// ONNX Runtime release this crate pins (ort is built with `api-31`: older libraries are refused at load time).
pub const ORT_VERSION: &str = "1.31.1";
/// PyPI requirement the library is taken from.
pub const WHEEL_REQUIREMENT: &str = "onnxruntime==1.31.1";
/// File name of the pinned wheel (CPython 3.11 tag; the C library inside does not depend on Python).
pub const WHEEL_FILE: &str = "onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl";
/// sha256 of [`WHEEL_FILE`] exactly as served by PyPI.
pub const WHEEL_SHA256: &str = "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f";
/// Path of the C library inside the wheel.
pub const LIB_IN_WHEEL: &str = "onnxruntime/capi/libonnxruntime.so.1.31.1";
/// Versioned file name of the library on disk.
pub const LIB_FILE: &str = "libonnxruntime.so.1.31.1";
/// sha256 of `libonnxruntime.so.1.31.1` extracted from [`WHEEL_FILE`].
pub const LIB_SHA256: &str = "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3";
/// Size in bytes of `libonnxruntime.so.1.31.1`.
pub const LIB_BYTES: u64 = 29_352_200;
/// Unversioned name that the search looks for (a symlink to [`LIB_FILE`]).
pub const LIB_LINK: &str = "libonnxruntime.so";
/// The library's SONAME (also a symlink to [`LIB_FILE`]).
pub const LIB_SONAME: &str = "libonnxruntime.so.1";

const HELP: &str = "To fix: install python3 with pip (the library is taken from PyPI's onnxruntime==1.31.1 wheel) \
and run again, or run scripts/fetch-onnxruntime.sh, or set ORT_DYLIB_PATH to a libonnxruntime.so of \
ONNX Runtime >= 1.31";

/// Where a library was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibrarySource {
    /// The `ORT_DYLIB_PATH` environment variable.
    EnvVar,
    /// `libonnxruntime.so` next to the executable.
    NextToExecutable,
    /// `<CARGO_MANIFEST_DIR>/ort-lib`.
    Checkout,
    /// The per-user cache directory.
    UserCache,
    /// Downloaded by this process.
    Fetched,
}

/// A library file chosen by the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: PathBuf,
    pub source: LibrarySource,
}

/// The places searched, in order. [`SearchPaths::from_env`] fills it from the process environment;
/// tests build it by hand so that they never touch process-global environment variables.
#[derive(Debug, Clone, Default)]
pub struct SearchPaths {
    /// Value of `ORT_DYLIB_PATH` (empty counts as unset).
    pub ort_dylib_path: Option<OsString>,
    /// Directory of the current executable.
    pub exe_dir: Option<PathBuf>,
    /// The crate checkout (`CARGO_MANIFEST_DIR`), only if it still exists (it does not on a deployment machine).
    pub checkout: Option<PathBuf>,
    /// `<cache base>/onnxruntime-1.31.1`.
    pub cache_dir: Option<PathBuf>,
}

impl SearchPaths {
    /// The search paths of this process.
    pub fn from_env() -> SearchPaths {
        let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        SearchPaths {
            ort_dylib_path: std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()),
            exe_dir: std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
            checkout: checkout.join("Cargo.toml").is_file().then_some(checkout),
            cache_dir: cache_base_dir().map(|b| b.join(format!("onnxruntime-{ORT_VERSION}"))),
        }
    }

    /// `<checkout>/ort-lib`, if there is a checkout.
    pub fn checkout_lib_dir(&self) -> Option<PathBuf> {
        self.checkout.as_ref().map(|c| c.join("ort-lib"))
    }

    /// Finds an existing library without fetching. `Ok(None)` means: nothing found, fetching is the next step.
    /// `ORT_DYLIB_PATH` pointing at a missing file is an error (never silently ignored).
    pub fn locate(&self) -> Result<Option<Located>> {
        if let Some(value) = &self.ort_dylib_path {
            let path = PathBuf::from(value);
            // A bare file name (no '/') is handed to the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache).
            let bare_name = path.components().count() == 1 && !path.is_absolute();
            if !bare_name && !path.is_file() {
                return Err(Error::Runtime(format!(
                    "ORT_DYLIB_PATH={} does not exist or is not a file; set ORT_DYLIB_PATH to a libonnxruntime.so of \
                     ONNX Runtime >= 1.31, or unset it to let idphoto find or fetch ONNX Runtime {ORT_VERSION} itself",
                    path.display()
                )));
            }
            // ort tries a relative path beside the executable before the working directory:
            // the file checked here is the one it must load.
            let path = if bare_name {
                path
            } else {
                std::path::absolute(&path).unwrap_or(path)
            };
            return Ok(Some(Located {
                path,
                source: LibrarySource::EnvVar,
            }));
        }
        if let Some(dir) = &self.exe_dir {
            let p = dir.join(LIB_LINK);
            if p.is_file() {
                return Ok(Some(Located {
                    path: p,
                    source: LibrarySource::NextToExecutable,
                }));
            }
        }
        let dirs = [
            (self.checkout_lib_dir(), LibrarySource::Checkout),
            (self.cache_dir.clone(), LibrarySource::UserCache),
        ];
        for (dir, source) in dirs {
            let Some(dir) = dir else { continue };
            // `metadata` follows symlinks, so a dangling link does not count. These folders hold
            // the library idphoto fetched: a file of another size (cut short by a full disk, or
            // put there by hand) is not it, and is fetched again, which replaces it.
            for name in [LIB_LINK, LIB_FILE] {
                let p = dir.join(name);
                if fs::metadata(&p).is_ok_and(|m| m.is_file() && m.len() == LIB_BYTES) {
                    return Ok(Some(Located { path: p, source }));
                }
            }
        }
        Ok(None)
    }

    /// Human-readable list of the places searched (for error messages).
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        match &self.ort_dylib_path {
            Some(p) => v.push(format!("ORT_DYLIB_PATH={}", PathBuf::from(p).display())),
            None => v.push("ORT_DYLIB_PATH (unset)".to_string()),
        }
        if let Some(d) = &self.exe_dir {
            v.push(d.join(LIB_LINK).display().to_string());
        }
        if let Some(d) = self.checkout_lib_dir() {
            v.push(d.join(LIB_LINK).display().to_string());
        }
        if let Some(d) = &self.cache_dir {
            v.push(d.join(LIB_LINK).display().to_string());
        }
        v.join(", ")
    }

    /// Where a fetch should put the library: `<checkout>/ort-lib` if the checkout exists and is writable,
    /// else the user cache directory.
    pub fn fetch_dest(&self) -> Result<PathBuf> {
        if let Some(dir) = self.checkout_lib_dir() {
            if dir_is_writable(&dir) {
                return Ok(dir);
            }
        }
        if let Some(dir) = &self.cache_dir {
            if dir_is_writable(dir) {
                return Ok(dir.clone());
            }
            return Err(Error::Runtime(format!(
                "cannot write to the cache directory {} (set IDPHOTO_CACHE_DIR to a writable directory)",
                dir.display()
            )));
        }
        Err(Error::Runtime(
            "no writable place to put ONNX Runtime: neither the source checkout nor a cache directory \
             (set IDPHOTO_CACHE_DIR, XDG_CACHE_HOME or HOME)"
                .to_string(),
        ))
    }
}

/// Base of the per-user cache: `$IDPHOTO_CACHE_DIR`, else `$XDG_CACHE_HOME/idphoto`, else `$HOME/.cache/idphoto`.
pub fn cache_base_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("IDPHOTO_CACHE_DIR") {
        // Absolute, for the reason `locate` gives for ORT_DYLIB_PATH.
        return Some(std::path::absolute(&d).unwrap_or(d));
    }
    if let Some(d) = var("XDG_CACHE_HOME").filter(|d| d.is_absolute()) {
        return Some(d.join("idphoto"));
    }
    var("HOME").map(|h| h.join(".cache").join("idphoto"))
}

/// Finds an existing library for this process (see the module docs for the order); never fetches.
pub fn locate() -> Result<Option<Located>> {
    SearchPaths::from_env().locate()
}

struct Loaded {
    env: ort::environment::Environment,
    path: PathBuf,
    source: LibrarySource,
}

static STATE: OnceLock<std::result::Result<Loaded, String>> = OnceLock::new();

/// The process-wide ONNX Runtime environment. The first call locates (or fetches) the library and loads it;
/// later calls are cheap clones. A failure is remembered and returned as the same [`Error::Runtime`] every time.
pub fn environment() -> Result<ort::environment::Environment> {
    match STATE.get_or_init(|| {
        // ort asserts on what a library returns while it sets itself up: a malformed library
        // that passes the loader panics there, which must not take the process down.
        std::panic::catch_unwind(init_once)
            .unwrap_or_else(|_| {
                Err(Error::Runtime(format!(
                    "ONNX Runtime could not be set up (it failed inside the library). {HELP}"
                )))
            })
            .map_err(|e| match e {
                Error::Runtime(m) => m,
                other => other.to_string(),
            })
    }) {
        Ok(loaded) => Ok(loaded.env.clone()),
        Err(msg) => Err(Error::Runtime(msg.clone())),
    }
}

/// Path and origin of the loaded library, once [`environment`] has succeeded.
pub fn loaded_library() -> Option<(&'static Path, LibrarySource)> {
    match STATE.get() {
        Some(Ok(l)) => Some((l.path.as_path(), l.source)),
        _ => None,
    }
}

fn init_once() -> Result<Loaded> {
    let paths = SearchPaths::from_env();
    let located = match paths.locate()? {
        Some(l) => l,
        None => {
            if std::env::var_os("IDPHOTO_NO_FETCH").is_some_and(|v| !v.is_empty() && v != "0") {
                return Err(Error::Runtime(format!(
                    "ONNX Runtime {ORT_VERSION} not found (looked at {}) and IDPHOTO_NO_FETCH is set. {HELP}",
                    paths.describe()
                )));
            }
            let fetched = paths.fetch_dest().and_then(|dest| super::fetch::fetch(&dest)).map_err(|e| {
                let reason = match e {
                    Error::Runtime(m) => m,
                    other => other.to_string(),
                };
                Error::Runtime(format!(
                    "ONNX Runtime {ORT_VERSION} not found (looked at {}) and fetching it failed: {reason}. {HELP}",
                    paths.describe()
                ))
            })?;
            Located {
                path: fetched,
                source: LibrarySource::Fetched,
            }
        }
    };
    let t = Instant::now();
    let builder = ort::init_from(&located.path).map_err(|e| {
        if located.source == LibrarySource::EnvVar {
            Error::Runtime(format!(
                "cannot load ONNX Runtime from ORT_DYLIB_PATH={}: {e}. Set ORT_DYLIB_PATH to a libonnxruntime.so \
                 of ONNX Runtime >= 1.31, or unset it to let idphoto find or fetch ONNX Runtime {ORT_VERSION} itself",
                located.path.display()
            ))
        } else {
            Error::Runtime(format!("cannot load ONNX Runtime from {}: {e}. {HELP}", located.path.display()))
        }
    })?;
    let env = builder.with_name("idphoto").build().map_err(|e| {
        Error::Runtime(format!(
            "cannot create the ONNX Runtime environment with {}: {e}",
            located.path.display()
        ))
    })?;
    tracing::info!(
        path = %located.path.display(),
        source = ?located.source,
        ms = t.elapsed().as_secs_f64() * 1e3,
        "ONNX Runtime loaded"
    );
    Ok(Loaded {
        env,
        path: located.path,
        source: located.source,
    })
}

/// True if `dir` exists or can be created, and a file can be created in it.
fn dir_is_writable(dir: &Path) -> bool {
    if fs::create_dir_all(dir).is_err() {
        return false;
    }
    let probe = dir.join(format!(".write-test-{}-{}", std::process::id(), nanos()));
    match fs::File::create(&probe) {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex sha256 of a file, read in pieces.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn rt(msg: String) -> Error {
    Error::Runtime(msg)
}

pub(super) fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::fetch::install_links;

    fn temp_dir(tag: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("idphoto-{tag}-"))
            .tempdir()
            .unwrap()
    }

    fn touch(p: &Path) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, b"not really a library").unwrap();
    }

    /// A file of the fetched library's size (sparse: no disk is used).
    fn fake_library(p: &Path) {
        touch(p);
        fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_len(LIB_BYTES)
            .unwrap();
    }

    #[test]
    fn a_library_of_the_wrong_size_in_idphotos_folders_is_not_used() {
        let t = temp_dir("size");
        let dir = t.path().join("ort-lib");
        let paths = SearchPaths {
            checkout: Some(t.path().to_path_buf()),
            ..SearchPaths::default()
        };
        touch(&dir.join(LIB_FILE));
        assert_eq!(paths.locate().unwrap(), None, "cut short: fetched again");
        fake_library(&dir.join(LIB_FILE));
        assert_eq!(paths.locate().unwrap().unwrap().path, dir.join(LIB_FILE));
    }

    #[test]
    fn ort_dylib_path_to_missing_file_is_runtime_error() {
        let paths = SearchPaths {
            ort_dylib_path: Some("/nonexistent/idphoto-test/libonnxruntime.so".into()),
            ..SearchPaths::default()
        };
        match paths.locate() {
            Err(Error::Runtime(msg)) => {
                assert!(msg.contains("ORT_DYLIB_PATH"), "{msg}");
                assert!(
                    msg.contains("/nonexistent/idphoto-test/libonnxruntime.so"),
                    "{msg}"
                );
            }
            other => panic!("expected Error::Runtime, got {other:?}"),
        }
    }

    #[test]
    fn ort_dylib_path_wins_when_it_exists() {
        let t = temp_dir("env");
        let lib = t.path().join("custom/libonnxruntime.so");
        touch(&lib);
        touch(&t.path().join("exe/libonnxruntime.so"));
        let paths = SearchPaths {
            ort_dylib_path: Some(lib.clone().into()),
            exe_dir: Some(t.path().join("exe")),
            ..SearchPaths::default()
        };
        assert_eq!(
            paths.locate().unwrap(),
            Some(Located {
                path: lib,
                source: LibrarySource::EnvVar
            })
        );
    }

    #[test]
    fn search_order_exe_dir_then_checkout_then_cache() {
        let t = temp_dir("order");
        let paths = SearchPaths {
            ort_dylib_path: None,
            exe_dir: Some(t.path().join("exe")),
            checkout: Some(t.path().join("checkout")),
            cache_dir: Some(t.path().join("cache/onnxruntime-1.31.1")),
        };
        assert_eq!(paths.locate().unwrap(), None);

        // only the versioned file in the cache (links missing) is still found
        fake_library(&t.path().join("cache/onnxruntime-1.31.1").join(LIB_FILE));
        let l = paths.locate().unwrap().unwrap();
        assert_eq!(l.source, LibrarySource::UserCache);
        assert_eq!(
            l.path,
            t.path().join("cache/onnxruntime-1.31.1").join(LIB_FILE)
        );

        fake_library(&t.path().join("checkout/ort-lib/libonnxruntime.so"));
        let l = paths.locate().unwrap().unwrap();
        assert_eq!(l.source, LibrarySource::Checkout);
        assert_eq!(l.path, t.path().join("checkout/ort-lib/libonnxruntime.so"));

        touch(&t.path().join("exe/libonnxruntime.so"));
        let l = paths.locate().unwrap().unwrap();
        assert_eq!(l.source, LibrarySource::NextToExecutable);
    }

    #[cfg(unix)]
    #[test]
    fn dangling_symlink_is_not_a_library_and_links_are_repaired() {
        let t = temp_dir("links");
        let dir = t.path().join("ort-lib");
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(LIB_FILE, dir.join(LIB_LINK)).unwrap();
        let paths = SearchPaths {
            checkout: Some(t.path().to_path_buf()),
            ..SearchPaths::default()
        };
        assert_eq!(paths.locate().unwrap(), None);
        fake_library(&dir.join(LIB_FILE));
        install_links(&dir).unwrap();
        assert_eq!(
            fs::read_link(dir.join(LIB_SONAME)).unwrap(),
            Path::new(LIB_FILE)
        );
        assert_eq!(paths.locate().unwrap().unwrap().path, dir.join(LIB_LINK));
    }

    #[test]
    fn fetch_dest_prefers_checkout_then_cache() {
        let t = temp_dir("dest");
        let paths = SearchPaths {
            checkout: Some(t.path().join("checkout")),
            cache_dir: Some(t.path().join("cache/onnxruntime-1.31.1")),
            ..SearchPaths::default()
        };
        assert_eq!(
            paths.fetch_dest().unwrap(),
            t.path().join("checkout/ort-lib")
        );
        let paths = SearchPaths {
            checkout: None,
            ..paths
        };
        assert_eq!(
            paths.fetch_dest().unwrap(),
            t.path().join("cache/onnxruntime-1.31.1")
        );
        let paths = SearchPaths {
            cache_dir: None,
            ..paths
        };
        assert!(matches!(paths.fetch_dest(), Err(Error::Runtime(_))));
    }

    #[test]
    fn sha256_of_file() {
        let t = temp_dir("sha");
        let p = t.path().join("abc");
        fs::write(&p, b"abc").unwrap();
        assert_eq!(
            file_sha256(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// Loads the real library (fetching it on first use, like the program does); a second call
    /// succeeds too.
    #[test]
    fn environment_loads_onnxruntime() {
        let env = environment().unwrap_or_else(|e| panic!("{e}"));
        let _again = environment().unwrap();
        let (path, _source) = loaded_library().expect("loaded");
        assert!(path.exists());
        drop(env);
    }
}
