//! Errors a caller can act on; each has a stable code for JSON output.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("not a supported image (JPEG, PNG, WebP, GIF or PGM/PPM): {0}")]
    UnsupportedFormat(String),
    /// The High Efficiency (HEIC/HEIF) photo an iPhone saves by default: the applicant can
    /// switch the camera to JPEG, which the plain format advice would not tell them.
    #[error("HEIC/HEIF (High Efficiency) photos are not supported (brand `{0}`)")]
    Heif(String),
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("the image is too large: {width}x{height} pixels (limit {limit} pixels)")]
    TooLarge { width: u32, height: u32, limit: u64 },
    #[error("the file is too large: {bytes} bytes (limit {limit} bytes)")]
    FileTooLarge { bytes: u64, limit: u64 },
    /// The decoder would need more memory than the limit allows (huge dimensions or metadata).
    #[error("the image is too large to decode: {0}")]
    DecodeLimit(String),
    #[error("the image is too small to check: {width}x{height} pixels")]
    TooSmall { width: u32, height: u32 },
    #[error("ONNX Runtime is not available: {0}")]
    Runtime(String),
    #[error("model problem: {0}")]
    Model(String),
    #[error("profile problem: {0}")]
    Profile(String),
    /// A bug: the check of one photo panicked. The photo gets this error; the others go on.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Stable machine-readable code used in JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::UnsupportedFormat(_) | Error::Heif(_) => "unsupported_format",
            Error::Corrupt(_) => "corrupt_image",
            Error::TooLarge { .. } | Error::FileTooLarge { .. } | Error::DecodeLimit(_) => {
                "image_too_large"
            }
            Error::TooSmall { .. } => "image_too_small",
            Error::Runtime(_) => "runtime_unavailable",
            Error::Model(_) => "model_error",
            Error::Profile(_) => "profile_error",
            Error::Internal(_) => "internal_error",
        }
    }

    /// Catalogue key of the advice for whoever sent the photo: `error.<code>`, or a more
    /// specific one under it.
    pub fn advice_key(&self) -> String {
        match self {
            Error::Heif(_) => "error.unsupported_format.heif".to_string(),
            other => format!("error.{}", other.code()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
