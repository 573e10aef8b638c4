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

    /// Runs the model on one f32 input and returns the named outputs in the order asked for.
    pub fn run(
        &self,
        input_name: &str,
        shape: &[usize],
        data: &[f32],
        outputs: &[&str],
    ) -> Result<Vec<Output>> {
        let err = |e: ort::Error| Error::Model(format!("{}: {e}", self.name));
        let tensor = TensorRef::from_array_view((shape.to_vec(), data)).map_err(err)?;
        let mut session = self.session.lock().map_err(|_| {
            Error::Model(format!(
                "{}: session poisoned by an earlier panic",
                self.name
            ))
        })?;
        let result = session
            .run(ort::inputs![input_name => tensor])
            .map_err(err)?;
        outputs
            .iter()
            .map(|name| {
                let value = result.get(*name).ok_or_else(|| {
                    Error::Model(format!("{}: no output named {name}", self.name))
                })?;
                let (shape, data) = value.try_extract_tensor::<f32>().map_err(err)?;
                Ok(Output {
                    shape: shape.iter().map(|&d| d.max(0) as usize).collect(),
                    data: data.to_vec(),
                })
            })
            .collect()
    }
}
