//! Dumps the raw analysis measurements (detector score, mesh presence, pose, 52 blendshapes, lid
//! gaps in eye widths and in iris diameters, ear zones) of photos as JSON lines, for tuning rule thresholds against labelled data:
//! `cargo run --release --example measures -- photo.jpg ... > measures.jsonl`

use idphoto::analyse::{Analyser, AnalysisOptions};
use idphoto::checks::ears_visible::ear_sides;
use idphoto::decode::DecodeOptions;
use idphoto::runtime::models::ModelStore;

fn main() -> anyhow::Result<()> {
    let store = ModelStore::open_default()?;
    let analyser = Analyser::new(&store, AnalysisOptions::default())?;
    for path in std::env::args().skip(1) {
        let measures = std::fs::read(&path)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| Ok(analyser.analyse_photo(&bytes, &DecodeOptions::default())?));
        let line = match measures {
            Ok(a) => match &a.face {
                Some(f) => serde_json::json!({
                    "file": path,
                    "faces": a.faces.len(),
                    "score": f.detection.score,
                    "presence": f.mesh.presence,
                    "pose": [f.pose.yaw, f.pose.pitch, f.pose.roll],
                    "blendshapes": f.blendshapes.to_vec(),
                    "eye_aperture": f.mesh.eye_apertures(),
                    "lid_gap_over_iris": f.mesh.lid_gaps_over_iris(),
                    "ears": a.parsing.as_ref().map(|p| ear_sides(f, p)),
                }),
                None => serde_json::json!({ "file": path, "faces": 0 }),
            },
            Err(e) => serde_json::json!({ "file": path, "error": e.to_string() }),
        };
        println!("{line}");
    }
    Ok(())
}
