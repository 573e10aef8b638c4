//! The model store: the `models/` directory, its `manifest.json`, integrity checks and ONNX sessions.
//!
//! Every file is checked against the manifest's sha256 and size the first time it is used in this process
//! ([`ModelStore::path`]), and each ONNX session (or the canonical face, [`ModelStore::contents`]) is
//! built from bytes read and checked for it, so a file swapped after a check is never loaded; sessions are checked against the manifest's input/output
//! names, element types and static dimensions ([`ModelStore::session`]). See `models/README.md` for provenance and licences
//! (the BiSeNet face-parsing weights are **non-commercial**).

use std::{
    collections::HashSet,
    fmt,
    path::{Path, PathBuf},
    sync::{Mutex, OnceLock},
};

use ort::{
    session::{builder::GraphOptimizationLevel, Session},
    value::{Outlet, TensorElementType, ValueType},
};
use serde::{Deserialize, Serialize};

use super::library;
use crate::{Error, Result};

/// YuNet face detector (MIT).
pub const YUNET: &str = "face_detection_yunet_2023mar.onnx";
/// MediaPipe FaceLandmarker, 478 points (Apache-2.0).
pub const FACE_LANDMARKER: &str = "face_landmarker_478.onnx";
/// MediaPipe face blendshapes, 52 scores (Apache-2.0).
pub const FACE_BLENDSHAPES: &str = "face_blendshapes_52.onnx";
/// MediaPipe selfie (person) segmentation (Apache-2.0).
pub const SELFIE_SEGMENTATION: &str = "selfie_segmentation.onnx";
/// BiSeNet face parsing, 19 CelebAMask-HQ classes. **Weights: non-commercial use only.**
pub const FACE_PARSING: &str = "face_parsing_bisenet19.onnx";
/// MediaPipe canonical 3D face mesh (JSON) for head pose (Apache-2.0).
pub const CANONICAL_FACE_MODEL: &str = "canonical_face_model.json";

/// The manifest's `format` value this code understands.
pub const MANIFEST_FORMAT: &str = "idphoto-models/1";
/// File name of the manifest inside the model directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `models/manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub made_with: String,
    pub models: Vec<ModelEntry>,
}

/// One file of the model directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// File name inside the model directory (no sub-directories).
    pub file: String,
    /// Lower-case hex sha256 of the file.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Registry package the file (or its source) was taken from.
    pub source: Source,
    /// How the file was made from the source (converter, opset, changes).
    #[serde(default)]
    pub conversion: String,
    /// Licence of the weights/data.
    pub licence: String,
    /// False where the licence forbids commercial use (BiSeNet: CelebAMask-HQ).
    pub commercial_use: bool,
    /// Pre/post-processing notes.
    #[serde(default)]
    pub notes: String,
    /// ONNX graph inputs, in graph order (empty for non-ONNX files).
    #[serde(default)]
    pub inputs: Vec<TensorSpec>,
    /// ONNX graph outputs, in graph order (empty for non-ONNX files).
    #[serde(default)]
    pub outputs: Vec<TensorSpec>,
}

/// Where a file comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `pypi` or `npm`.
    pub registry: String,
    pub package: String,
    pub version: String,
    /// The archive as downloaded from the registry.
    #[serde(default)]
    pub archive: String,
    /// Path inside the package (`a!/b` = member `b` of the zip `a`).
    pub path: String,
}

/// Name, shape and element type of an ONNX input or output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<Dim>,
    /// `float32`, `int64`, ...
    pub dtype: String,
}

/// A dimension: fixed, or symbolic (dynamic, e.g. `"N"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dim {
    Fixed(i64),
    Named(String),
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Fixed(n) => write!(f, "{n}"),
            Dim::Named(s) => write!(f, "{s}"),
        }
    }
}

impl ModelEntry {
    /// True for ONNX model files (as opposed to data such as the canonical face model).
    pub fn is_onnx(&self) -> bool {
        self.file.ends_with(".onnx")
    }
}

/// The model directory with its parsed manifest.
#[derive(Debug)]
pub struct ModelStore {
    dir: PathBuf,
    manifest: Manifest,
}

/// Files whose hash has been verified in this process: (path, expected sha256).
fn verified() -> &'static Mutex<HashSet<(PathBuf, String)>> {
    static VERIFIED: OnceLock<Mutex<HashSet<(PathBuf, String)>>> = OnceLock::new();
    VERIFIED.get_or_init(|| Mutex::new(HashSet::new()))
}

impl ModelStore {
    /// Default model directory: `$IDPHOTO_MODELS`, else `models/` next to the executable if that exists,
    /// else `<CARGO_MANIFEST_DIR>/models` (the checkout).
    pub fn default_dir() -> PathBuf {
        if let Some(d) = std::env::var_os("IDPHOTO_MODELS").filter(|v| !v.is_empty()) {
            return PathBuf::from(d);
        }
        if let Some(d) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|p| p.join("models")))
        {
            if d.is_dir() {
                return d;
            }
        }
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
    }

    /// Opens [`ModelStore::default_dir`].
    pub fn open_default() -> Result<ModelStore> {
        ModelStore::open(&ModelStore::default_dir())
    }

    /// Reads and checks `dir/manifest.json`, and checks that every listed file exists with the listed size.
    /// Hashes are checked lazily by [`ModelStore::path`].
    pub fn open(dir: &Path) -> Result<ModelStore> {
        if !dir.is_dir() {
            return Err(Error::Model(format!(
                "model directory {} does not exist (set IDPHOTO_MODELS to the directory holding {MANIFEST_FILE} and the model files)",
                dir.display()
            )));
        }
        let mpath = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&mpath)
            .map_err(|e| Error::Model(format!("cannot read {}: {e}", mpath.display())))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| Error::Model(format!("{}: invalid manifest: {e}", mpath.display())))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(Error::Model(format!(
                "{}: unsupported format {:?} (expected {MANIFEST_FORMAT:?})",
                mpath.display(),
                manifest.format
            )));
        }
        let mut seen = HashSet::new();
        for m in &manifest.models {
            let bad_name = m.file.is_empty()
                || m.file.contains('/')
                || m.file.contains('\\')
                || m.file == "."
                || m.file == "..";
            if bad_name {
                return Err(Error::Model(format!(
                    "{}: invalid file name {:?}",
                    mpath.display(),
                    m.file
                )));
            }
            if !seen.insert(m.file.as_str()) {
                return Err(Error::Model(format!(
                    "{}: {} is listed twice",
                    mpath.display(),
                    m.file
                )));
            }
            if m.sha256.len() != 64
                || !m
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(Error::Model(format!(
                    "{}: {}: sha256 must be 64 lower-case hex digits",
                    mpath.display(),
                    m.file
                )));
            }
            let p = dir.join(&m.file);
            match std::fs::metadata(&p) {
                Ok(md) if md.is_file() => {
                    if md.len() != m.bytes {
                        return Err(size_error(&p, m.bytes, md.len()));
                    }
                }
                Ok(_) => return Err(Error::Model(format!("{}: not a regular file", p.display()))),
                Err(e) => {
                    return Err(Error::Model(format!(
                        "{}: listed in {MANIFEST_FILE} but cannot be read: {e}",
                        p.display()
                    )))
                }
            }
        }
        Ok(ModelStore {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// The model directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest entry of `file`.
    pub fn entry(&self, file: &str) -> Result<&ModelEntry> {
        self.manifest
            .models
            .iter()
            .find(|m| m.file == file)
            .ok_or_else(|| {
                Error::Model(format!(
                    "{file} is not listed in {}",
                    self.dir.join(MANIFEST_FILE).display()
                ))
            })
    }

    /// Path of `file`, after checking its size and sha256 against the manifest (hashed once per process).
    pub fn path(&self, file: &str) -> Result<PathBuf> {
        let entry = self.entry(file)?;
        // Held while hashing, so that each file is hashed only once even if several threads ask at once.
        let mut done = verified().lock().unwrap_or_else(|e| e.into_inner());
        let p = self.dir.join(&entry.file);
        if !done.contains(&(p.clone(), entry.sha256.clone())) {
            self.checked_bytes(entry)?;
            remember_checked(&mut done, entry, &p);
        }
        Ok(p)
    }

    /// Path and contents of `entry`'s file, read and checked against the manifest now. A session
    /// built from these bytes is built from what was checked, whatever happens to the file
    /// meanwhile.
    fn checked_bytes(&self, entry: &ModelEntry) -> Result<(PathBuf, Vec<u8>)> {
        let p = self.dir.join(&entry.file);
        let cannot_read =
            |e: std::io::Error| Error::Model(format!("{}: cannot read: {e}", p.display()));
        let len = std::fs::metadata(&p).map_err(cannot_read)?.len();
        // Checked before reading, so a wrong file of any size is refused without loading it.
        if len != entry.bytes {
            return Err(size_error(&p, entry.bytes, len));
        }
        let bytes = std::fs::read(&p).map_err(cannot_read)?;
        let found = library::sha256_hex(&bytes);
        if found != entry.sha256 {
            return Err(Error::Model(format!(
                "{}: sha256 mismatch, expected {}, found {found}",
                p.display(),
                entry.sha256
            )));
        }
        Ok((p, bytes))
    }

    /// Contents of a file that is not an ONNX model (the canonical face), read and checked
    /// against the manifest now: what is parsed is what was checked, as for a session.
    pub fn contents(&self, file: &str) -> Result<Vec<u8>> {
        let (_path, bytes) = self.read_checked(self.entry(file)?)?;
        Ok(bytes)
    }

    /// [`Self::checked_bytes`], recorded as checked in this process.
    fn read_checked(&self, entry: &ModelEntry) -> Result<(PathBuf, Vec<u8>)> {
        let (path, bytes) = self.checked_bytes(entry)?;
        remember_checked(
            &mut verified().lock().unwrap_or_else(|e| e.into_inner()),
            entry,
            &path,
        );
        Ok((path, bytes))
    }

    /// Builds an ONNX Runtime session for `file` (intra-op threads 1, inter-op threads 1, all graph
    /// optimisations) from the verified bytes, and checks its inputs and outputs against the manifest.
    /// `Session::run` takes `&mut self`: use one session per worker thread.
    pub fn session(&self, file: &str) -> Result<Session> {
        let entry = self.entry(file)?;
        if !entry.is_onnx() {
            return Err(Error::Model(format!("{file} is not an ONNX model")));
        }
        // Hashed again for each session (milliseconds), rather than kept: the bytes would
        // stay in memory for the process's life.
        let (path, bytes) = self.read_checked(entry)?;
        let env = library::environment()?;
        let e = |what: &str, err: &dyn fmt::Display| {
            Error::Model(format!(
                "{}: cannot build an ONNX Runtime session ({what}): {err}",
                path.display()
            ))
        };
        let mut builder = Session::builder(&env)
            .map_err(|x| e("builder", &x))?
            .with_intra_threads(1)
            .map_err(|x| e("intra-op threads", &x))?
            .with_inter_threads(1)
            .map_err(|x| e("inter-op threads", &x))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|x| e("optimisation level", &x))?;
        // ONNX Runtime copies the bytes: the session does not borrow them.
        let session = builder
            .commit_from_memory(&bytes)
            .map_err(|x| e("load", &x))?;
        check_io(&path, "input", &entry.inputs, session.inputs())?;
        check_io(&path, "output", &entry.outputs, session.outputs())?;
        Ok(session)
    }
}

/// Records `entry`'s file at `p` as checked in this process. The first time, a file not for
/// commercial use says so, so whoever runs the service sees it, not only whoever reads the
/// READMEs.
fn remember_checked(done: &mut HashSet<(PathBuf, String)>, entry: &ModelEntry, p: &Path) {
    if done.insert((p.to_path_buf(), entry.sha256.clone())) && !entry.commercial_use {
        tracing::info!(
            "{}: licensed for non-commercial use only ({}); see models/README.md",
            entry.file,
            entry.licence
        );
    }
}

fn size_error(p: &Path, expected: u64, found: u64) -> Error {
    Error::Model(format!(
        "{}: size mismatch, expected {expected} bytes, found {found} bytes",
        p.display()
    ))
}

/// Manifest dtype name of an ONNX element type.
pub fn dtype_name(t: TensorElementType) -> String {
    match t {
        TensorElementType::Float32 => "float32".into(),
        TensorElementType::Float16 => "float16".into(),
        TensorElementType::Float64 => "float64".into(),
        TensorElementType::Int8 => "int8".into(),
        TensorElementType::Int16 => "int16".into(),
        TensorElementType::Int32 => "int32".into(),
        TensorElementType::Int64 => "int64".into(),
        TensorElementType::Uint8 => "uint8".into(),
        TensorElementType::Uint16 => "uint16".into(),
        TensorElementType::Uint32 => "uint32".into(),
        TensorElementType::Uint64 => "uint64".into(),
        TensorElementType::Bool => "bool".into(),
        TensorElementType::String => "string".into(),
        other => other.to_string(),
    }
}

fn fmt_dims(d: &[Dim]) -> String {
    format!(
        "[{}]",
        d.iter().map(Dim::to_string).collect::<Vec<_>>().join(",")
    )
}

/// Compares a session's inputs or outputs with the manifest: names (in order), element types, rank, and every
/// dimension the manifest gives as a number (symbolic manifest dims accept anything).
fn check_io(path: &Path, kind: &str, expected: &[TensorSpec], actual: &[Outlet]) -> Result<()> {
    let exp_names: Vec<&str> = expected.iter().map(|s| s.name.as_str()).collect();
    let act_names: Vec<&str> = actual.iter().map(|o| o.name()).collect();
    if exp_names != act_names {
        return Err(Error::Model(format!(
            "{}: {kind} names differ from {MANIFEST_FILE}: expected {exp_names:?}, the model has {act_names:?}",
            path.display()
        )));
    }
    for (spec, outlet) in expected.iter().zip(actual) {
        let ValueType::Tensor { ty, shape, .. } = outlet.dtype() else {
            return Err(Error::Model(format!(
                "{}: {kind} `{}` is not a tensor ({:?})",
                path.display(),
                spec.name,
                outlet.dtype()
            )));
        };
        let dims: Vec<i64> = shape.iter().copied().collect();
        let dtype = dtype_name(*ty);
        let rank_ok = dims.len() == spec.shape.len();
        let dims_ok = rank_ok
            && spec.shape.iter().zip(&dims).all(|(d, a)| match d {
                Dim::Fixed(n) => n == a,
                Dim::Named(_) => true,
            });
        if dtype != spec.dtype || !dims_ok {
            let shown: Vec<String> = dims
                .iter()
                .map(|d| if *d < 0 { "?".into() } else { d.to_string() })
                .collect();
            return Err(Error::Model(format!(
                "{}: {kind} `{}` is {dtype} [{}], {MANIFEST_FILE} says {} {}",
                path.display(),
                spec.name,
                shown.join(","),
                spec.dtype,
                fmt_dims(&spec.shape)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp_dir(tag: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("idphoto-{tag}-"))
            .tempdir()
            .unwrap()
    }

    const HELLO_SHA256: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; // "hello\n"

    fn write_store(dir: &Path, sha256: &str, bytes: u64) {
        fs::write(dir.join("fake.onnx"), b"hello\n").unwrap();
        let manifest = serde_json::json!({
            "format": MANIFEST_FORMAT,
            "models": [{
                "file": "fake.onnx", "sha256": sha256, "bytes": bytes,
                "source": {"registry": "pypi", "package": "x", "version": "1", "path": "x/fake.onnx"},
                "licence": "MIT", "commercial_use": true,
                "inputs": [{"name": "input", "shape": [1, 3, "H", "W"], "dtype": "float32"}],
                "outputs": [{"name": "out", "shape": [1], "dtype": "float32"}]
            }]
        });
        fs::write(
            dir.join(MANIFEST_FILE),
            serde_json::to_string_pretty(&manifest).unwrap(),
        )
        .unwrap();
    }

    fn model_err<T: fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::Model(m)) => m,
            other => panic!("expected Error::Model, got {other:?}"),
        }
    }

    #[test]
    fn wrong_sha256_is_a_model_error() {
        let t = temp_dir("badsha");
        let wrong = "0".repeat(64);
        write_store(t.path(), &wrong, 6);
        let store = ModelStore::open(t.path()).unwrap();
        let msg = model_err(store.path("fake.onnx"));
        assert!(msg.contains("fake.onnx: sha256 mismatch"), "{msg}");
        assert!(
            msg.contains(&format!("expected {wrong}, found {HELLO_SHA256}")),
            "{msg}"
        );
        // a failure is not cached as success
        assert!(store.path("fake.onnx").is_err());
    }

    #[test]
    fn right_sha256_passes_and_parses_dims() {
        let t = temp_dir("goodsha");
        write_store(t.path(), HELLO_SHA256, 6);
        let store = ModelStore::open(t.path()).unwrap();
        assert_eq!(store.path("fake.onnx").unwrap(), t.path().join("fake.onnx"));
        assert_eq!(store.path("fake.onnx").unwrap(), t.path().join("fake.onnx"));
        let e = store.entry("fake.onnx").unwrap();
        assert_eq!(
            e.inputs[0].shape,
            vec![
                Dim::Fixed(1),
                Dim::Fixed(3),
                Dim::Named("H".into()),
                Dim::Named("W".into())
            ]
        );
        let msg = model_err(store.path("other.onnx"));
        assert!(msg.contains("other.onnx is not listed"), "{msg}");
    }

    #[test]
    fn wrong_size_is_a_model_error() {
        let t = temp_dir("badsize");
        write_store(t.path(), HELLO_SHA256, 7);
        let msg = model_err(ModelStore::open(t.path()));
        assert!(
            msg.contains("fake.onnx: size mismatch, expected 7 bytes, found 6 bytes"),
            "{msg}"
        );
    }

    #[test]
    fn missing_file_or_dir_is_a_clear_error() {
        let t = temp_dir("missing");
        write_store(t.path(), HELLO_SHA256, 6);
        fs::remove_file(t.path().join("fake.onnx")).unwrap();
        let msg = model_err(ModelStore::open(t.path()));
        assert!(
            msg.contains("fake.onnx: listed in manifest.json but cannot be read"),
            "{msg}"
        );

        fs::remove_file(t.path().join(MANIFEST_FILE)).unwrap();
        let msg = model_err(ModelStore::open(t.path()));
        assert!(
            msg.contains("cannot read") && msg.contains(MANIFEST_FILE),
            "{msg}"
        );

        let gone = t.path().join("no-such-dir");
        let msg = model_err(ModelStore::open(&gone));
        assert!(
            msg.contains("does not exist") && msg.contains("IDPHOTO_MODELS"),
            "{msg}"
        );
    }

    #[test]
    fn real_manifest_lists_the_expected_files() {
        let store =
            ModelStore::open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap();
        let files: Vec<&str> = store
            .manifest()
            .models
            .iter()
            .map(|m| m.file.as_str())
            .collect();
        for f in [
            YUNET,
            FACE_LANDMARKER,
            FACE_BLENDSHAPES,
            SELFIE_SEGMENTATION,
            FACE_PARSING,
            CANONICAL_FACE_MODEL,
        ] {
            assert!(files.contains(&f), "{f} missing from manifest");
            store.path(f).unwrap();
        }
        assert!(!store.entry(FACE_PARSING).unwrap().commercial_use);
        assert!(store.entry(YUNET).unwrap().commercial_use);
        assert!(!store.contents(CANONICAL_FACE_MODEL).unwrap().is_empty());
    }

    /// Needs ONNX Runtime (fetched automatically on first use).
    #[test]
    fn yunet_session_builds_and_runs() {
        let store =
            ModelStore::open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap();
        let mut session = store.session(YUNET).unwrap_or_else(|e| panic!("{e}"));
        let input = &session.inputs()[0];
        assert_eq!(input.name(), "input");
        let ValueType::Tensor { ty, shape, .. } = input.dtype() else {
            panic!("not a tensor")
        };
        assert_eq!(*ty, TensorElementType::Float32);
        assert_eq!(
            shape.iter().copied().collect::<Vec<i64>>(),
            vec![1, 3, 640, 640]
        );

        // Run it on a grey image: the way inference code will call it.
        let x = ndarray::Array4::<f32>::from_elem((1, 3, 640, 640), 114.0);
        let outputs = session
            .run(ort::inputs!["input" => ort::value::TensorRef::from_array_view(&x).unwrap()])
            .unwrap();
        let (shape, data): (&ort::value::Shape, &[f32]) =
            outputs["cls_8"].try_extract_tensor::<f32>().unwrap();
        assert_eq!(&shape[..], &[1, 6400, 1]);
        assert_eq!(data.len(), 6400);
        assert!(data.iter().all(|v| v.is_finite()));
        let kps = outputs
            .get("kps_32")
            .unwrap()
            .try_extract_array::<f32>()
            .unwrap();
        assert_eq!(kps.shape(), &[1, 400, 10]);
        // no face in a flat grey image
        let (_, obj) = outputs["obj_8"].try_extract_tensor::<f32>().unwrap();
        let best = data
            .iter()
            .zip(obj)
            .map(|(c, o)| (c.clamp(0.0, 1.0) * o.clamp(0.0, 1.0)).sqrt())
            .fold(0.0, f32::max);
        assert!(best < 0.5, "face score {best} on a grey image");
    }

    /// Every ONNX model in the manifest loads and matches its manifest signature (names, dtypes, static dims).
    #[test]
    fn all_sessions_match_manifest() {
        let store =
            ModelStore::open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap();
        for m in store.manifest().models.iter().filter(|m| m.is_onnx()) {
            store.session(&m.file).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn signature_mismatch_is_reported() {
        let store =
            ModelStore::open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap();
        let session = store
            .session(FACE_BLENDSHAPES)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut spec = store.entry(FACE_BLENDSHAPES).unwrap().inputs.clone();
        spec[0].shape[1] = Dim::Fixed(147);
        let msg = model_err(check_io(
            Path::new("m.onnx"),
            "input",
            &spec,
            session.inputs(),
        ));
        assert!(
            msg.contains(
                "input `landmarks` is float32 [1,146,2], manifest.json says float32 [1,147,2]"
            ),
            "{msg}"
        );
        spec[0].name = "points".into();
        let msg = model_err(check_io(
            Path::new("m.onnx"),
            "input",
            &spec,
            session.inputs(),
        ));
        assert!(msg.contains("input names differ"), "{msg}");
    }
}
