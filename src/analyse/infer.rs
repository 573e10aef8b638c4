//! One place where tensors go into ONNX Runtime and f32 arrays come out.

use crate::{Error, Result};
use ort::session::Session;
use ort::value::TensorRef;
use std::sync::Mutex;

/// A model session shared by the stages of one worker. ONNX Runtime's `run` needs exclusive
/// access, and each worker owns its sessions, so the lock is never contended across photos.
pub struct Model {
    name: &'static str,
    session: Mutex<Session>,
}

/// An output tensor read in place.
pub struct OutputView<'a> {
    pub shape: Vec<usize>,
    pub data: &'a [f32],
}

/// An output tensor copied out of the runtime.
pub struct Output {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Model {
    pub fn new(name: &'static str, session: Session) -> Self {
        Model {
            name,
            session: Mutex::new(session),
        }
    }

    /// Runs the model on one f32 input and returns copies of the named outputs, in the order
    /// asked for.
    pub fn run(
        &self,
        input_name: &str,
        shape: &[usize],
        data: &[f32],
        outputs: &[&str],
    ) -> Result<Vec<Output>> {
        self.run_with(input_name, shape, data, outputs, |views| {
            views
                .iter()
                .map(|v| Output {
                    shape: v.shape.clone(),
                    data: v.data.to_vec(),
                })
                .collect()
        })
    }

    /// Runs the model and hands the named outputs, still inside the runtime's buffers, to
    /// `read`: large outputs (the parser's per-class logits) are reduced without a copy.
    pub fn run_with<T>(
        &self,
        input_name: &str,
        shape: &[usize],
        data: &[f32],
        outputs: &[&str],
        read: impl FnOnce(&[OutputView]) -> T,
    ) -> Result<T> {
        let err = |e: ort::Error| Error::Model(format!("{}: {e}", self.name));
        let tensor = TensorRef::from_array_view((shape.to_vec(), data)).map_err(err)?;
        // A panic while the lock was held (in `read`, or in a rule on another photo) leaves the
        // session itself intact, so later photos keep using it.
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let result = session
            .run(ort::inputs![input_name => tensor])
            .map_err(err)?;
        let views = outputs
            .iter()
            .map(|name| {
                let value = result.get(*name).ok_or_else(|| {
                    Error::Model(format!("{}: no output named {name}", self.name))
                })?;
                let (shape, data) = value.try_extract_tensor::<f32>().map_err(err)?;
                Ok(OutputView {
                    shape: shape.iter().map(|&d| d.max(0) as usize).collect(),
                    data,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(read(&views))
    }
}
