//! Calibrates `sharp.min_detail_ratio` against what "visibly blurred" means, not against labels:
//! each sharp photo's face is blurred by Gaussians of sigma = k x IOD (the unit the evaluation
//! set defines blur in: pass up to 0.008, fail from 0.025) and the rule's detail ratio measured.
//! Prints the ratio's spread per k and the share of faces each candidate threshold would fail.
//! `cargo run --release --example sharp_calibration -- sharp1.jpg sharp2.jpg ...`

use idphoto::analyse::{Analyser, AnalysisOptions};
use idphoto::checks::sharp::Sharp;
use idphoto::checks::{Context, Rule};
use idphoto::decode::{decode, DecodeOptions};
use idphoto::profile::InputKind;
use idphoto::runtime::models::ModelStore;

const BLUR_PER_IOD: [f32; 7] = [0.0, 0.008, 0.012, 0.016, 0.02, 0.025, 0.03];
const THRESHOLDS: [f64; 7] = [0.17, 0.175, 0.18, 0.185, 0.19, 0.195, 0.2];

fn main() -> anyhow::Result<()> {
    let store = ModelStore::open_default()?;
    let analyser = Analyser::new(&store, AnalysisOptions::default())?;
    let measure = Sharp {
        min_detail_ratio: 0.0,
    };
    // ratios[k] = the detail ratio of every usable photo blurred by BLUR_PER_IOD[k].
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); BLUR_PER_IOD.len()];
    for path in std::env::args().skip(1) {
        let analysed = std::fs::read(&path)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| Ok(decode(&bytes, &DecodeOptions::default())?))
            .and_then(|decoded| Ok(analyser.analyse(decoded)?));
        let mut analysis = match analysed {
            Ok(a) if a.face.is_some() => a,
            Ok(_) => {
                eprintln!("{path}: no face, skipped");
                continue;
            }
            Err(e) => {
                eprintln!("{path}: {e}, skipped");
                continue;
            }
        };
        let iod = Context::iod(analysis.face.as_ref().expect("checked above"));
        let sharp_image = analysis.decoded.image.clone();
        // Blurring moves no landmark, so the analysis is reused and only the pixels change.
        let row: Vec<Option<f64>> = BLUR_PER_IOD
            .iter()
            .map(|&k| {
                analysis.decoded.image = if k > 0.0 {
                    image::imageops::blur(&sharp_image, k * iod)
                } else {
                    sharp_image.clone()
                };
                measure
                    .evaluate(&Context::new(&analysis, InputKind::Selfie))
                    .value
            })
            .collect();
        if row.iter().any(Option::is_none) {
            eprintln!("{path}: ratio not measurable, skipped");
            continue;
        }
        println!(
            "{path}\tiod {iod:.0}\t{}",
            row.iter()
                .map(|r| format!("{:.3}", r.expect("checked above")))
                .collect::<Vec<_>>()
                .join("\t")
        );
        for (column, ratio) in ratios.iter_mut().zip(row) {
            column.push(ratio.expect("checked above"));
        }
    }
    print_summary(&mut ratios);
    Ok(())
}

fn print_summary(ratios: &mut [Vec<f64>]) {
    let n = ratios[0].len();
    if n == 0 {
        eprintln!("no usable photo");
        return;
    }
    println!("\n{n} faces; detail ratio per blur sigma (x IOD)");
    println!("sigma    min    p10  median    p90    max");
    for (k, column) in BLUR_PER_IOD.iter().zip(ratios.iter_mut()) {
        column.sort_by(f64::total_cmp);
        let at = |q: f64| column[((n - 1) as f64 * q).round() as usize];
        println!(
            "{k:5.3}  {:.3}  {:.3}  {:.3}  {:.3}  {:.3}",
            at(0.0),
            at(0.1),
            at(0.5),
            at(0.9),
            at(1.0)
        );
    }
    println!("\nshare of faces failed, per threshold (rows) and blur sigma (columns)");
    print!("thresh ");
    for k in BLUR_PER_IOD {
        print!(" {k:5.3}");
    }
    println!();
    for t in THRESHOLDS {
        print!("{t:6.3} ");
        for column in ratios.iter() {
            let failed = column.iter().filter(|&&r| r < t).count();
            print!(" {:5.2}", failed as f64 / n as f64);
        }
        println!();
    }
}
