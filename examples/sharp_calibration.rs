//! Calibrates `sharp.min_detail_ratio` against what "visibly blurred" means, not against labels:
//! each sharp photo's face is blurred by Gaussians of sigma = k x IOD (the unit the evaluation
//! set defines blur in: pass up to 0.008, fail from 0.025), then given sensor-like noise of a
//! few levels, and the rule's detail ratio measured. Noise is not blur: a noisy photo of a
//! blurred face must still fail, and a noisy sharp one pass.
//! Prints the ratio's spread per noise and k, and the share of faces each candidate limit fails.
//! `cargo run --release --example sharp_calibration -- [--limits 0.18,0.2] [--noise 0,3,6] a.jpg ...`

use idphoto::analyse::{Analyser, AnalysisOptions};
use idphoto::checks::sharp::Sharp;
use idphoto::checks::{Context, Rule};
use idphoto::decode::{decode, DecodeOptions};
use idphoto::fixtures::add_gaussian_noise;
use idphoto::profile::InputKind;
use idphoto::runtime::models::ModelStore;

const BLUR_PER_IOD: [f32; 7] = [0.0, 0.008, 0.012, 0.016, 0.02, 0.025, 0.03];
/// Default standard deviations (levels, per channel, independent per pixel) of the noise added after
/// the blur, on the analysis copy: the worst case, as a larger upload's reduction averages it.
const DEFAULT_NOISE: [f32; 3] = [0.0, 3.0, 6.0];
const DEFAULT_LIMITS: [f64; 7] = [0.21, 0.22, 0.225, 0.23, 0.235, 0.24, 0.25];

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let limits = take_list(&mut args, "--limits")?.unwrap_or_else(|| DEFAULT_LIMITS.to_vec());
    let noise_levels: Vec<f32> = take_list(&mut args, "--noise")?
        .map(|list| list.into_iter().map(|v| v as f32).collect())
        .unwrap_or_else(|| DEFAULT_NOISE.to_vec());
    let store = ModelStore::open_default()?;
    let analyser = Analyser::new(&store, AnalysisOptions::default())?;
    let measure = Sharp {
        min_detail_ratio: 0.0,
    };
    // ratios[noise][k] = the detail ratio of every usable photo blurred by BLUR_PER_IOD[k] and
    // given noise_levels[noise].
    let mut ratios = vec![vec![Vec::new(); BLUR_PER_IOD.len()]; noise_levels.len()];
    for (photo, path) in args.iter().enumerate() {
        let analysed = std::fs::read(path)
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
        // Blurring and noise move no landmark, so the analysis is reused and only the pixels
        // change.
        let mut table = Vec::new();
        for (n, &noise) in noise_levels.iter().enumerate() {
            let row: Vec<Option<f64>> = BLUR_PER_IOD
                .iter()
                .map(|&k| {
                    let blurred = if k > 0.0 {
                        image::imageops::blur(&sharp_image, k * iod)
                    } else {
                        sharp_image.clone()
                    };
                    analysis.decoded.image =
                        add_gaussian_noise(blurred, noise, (photo * 31 + n) as u64);
                    measure
                        .evaluate(&Context::new(&analysis, InputKind::Selfie))
                        .value
                })
                .collect();
            table.push(row);
        }
        if table.iter().flatten().any(Option::is_none) {
            eprintln!("{path}: ratio not measurable, skipped");
            continue;
        }
        for (n, row) in table.into_iter().enumerate() {
            println!(
                "{path}\tiod {iod:.0}\tnoise {}\t{}",
                noise_levels[n],
                row.iter()
                    .map(|r| format!("{:.3}", r.expect("checked above")))
                    .collect::<Vec<_>>()
                    .join("\t")
            );
            for (column, ratio) in ratios[n].iter_mut().zip(row) {
                column.push(ratio.expect("checked above"));
            }
        }
    }
    for (noise, columns) in noise_levels.iter().zip(ratios.iter_mut()) {
        print_summary(*noise, columns, &limits);
    }
    Ok(())
}

/// Removes `flag` and the comma-separated numbers after it from `args`.
fn take_list(args: &mut Vec<String>, flag: &str) -> anyhow::Result<Option<Vec<f64>>> {
    let Some(i) = args.iter().position(|a| a == flag) else {
        return Ok(None);
    };
    if i + 1 >= args.len() {
        anyhow::bail!("{flag} needs a comma-separated list of numbers");
    }
    let list = args.remove(i + 1);
    args.remove(i);
    Ok(Some(
        list.split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<_, _>>()?,
    ))
}

fn print_summary(noise: f32, ratios: &mut [Vec<f64>], limits: &[f64]) {
    let n = ratios[0].len();
    if n == 0 {
        eprintln!("no usable photo");
        return;
    }
    println!("\nnoise {noise}: {n} faces; detail ratio per blur sigma (x IOD)");
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
    println!("share of faces failed, per limit (rows) and blur sigma (columns)");
    print!("limit  ");
    for k in BLUR_PER_IOD {
        print!(" {k:5.3}");
    }
    println!();
    for &t in limits {
        print!("{t:6.3} ");
        for column in ratios.iter() {
            let failed = column.iter().filter(|&&r| r < t).count();
            print!(" {:5.2}", failed as f64 / n as f64);
        }
        println!();
    }
}
