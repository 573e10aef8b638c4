//! idphoto: checks portrait photos for identity documents and explains what to change.
//!
//! Pipeline: [`decode`] → [`analyse`] (each model once per photo) → [`checks`] (one module per
//! rule) → [`report`] (verdict, reasons, messages). [`checker`] ties them together, and
//! [`pool`] spreads many photos over workers; the CLI in `main.rs` is a thin front end over them.

pub mod analyse;
pub mod checker;
pub mod checks;
pub mod decode;
pub mod error;
pub mod eval;
pub mod fixtures;
pub mod messages;
pub mod pool;
pub mod profile;
pub mod report;
pub mod runtime;

pub use checker::{CheckOptions, Checker};
pub use error::{Error, Result};
pub use pool::CheckerPool;
