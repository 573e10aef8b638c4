//! ONNX Runtime and the model files.
//!
//! * [`library`]: finds (or fetches) ONNX Runtime 1.31.1 and initialises `ort` once per process
//!   ([`environment`]).
//! * `fetch`: the download itself (pip, sha256 checks, atomic install), when nothing is found.
//! * [`models`]: the `models/` directory, its manifest, integrity checks and sessions ([`ModelStore`]).

mod fetch;
pub mod library;
pub mod models;

pub use library::{environment, loaded_library, LibrarySource, ORT_VERSION};
pub use models::{
    Dim, Manifest, ModelEntry, ModelStore, TensorSpec, CANONICAL_FACE_MODEL, FACE_BLENDSHAPES,
    FACE_LANDMARKER, FACE_PARSING, SELFIE_SEGMENTATION, YUNET,
};
