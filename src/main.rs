//! `idphoto`: the command-line front end. All decisions live in the library.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use idphoto::messages::{self, Lang};
use idphoto::profile::{InputKind, Profile};
use idphoto::report::{Report, Status, Verdict};
use idphoto::runtime::models::ModelStore;
use idphoto::{eval, CheckOptions, CheckerPool};
use std::collections::HashSet;
use std::io::Write;
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

#[derive(Parser)]
#[command(
    name = "idphoto",
    version,
    about = "Checks ID-card portrait photos and says what to change"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check photos; exit 0 if all pass, 1 if any fails, 2 on unreadable input.
    Check {
        #[command(flatten)]
        common: Common,
        /// Photos to check (JPEG, PNG, WebP; also GIF and PGM/PPM from archives).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Language of the reasons: zh-CN, zh-TW or en (also as a locale tag: zh_TW.UTF-8,
        /// zh-HK, zh-Hant, en-US).
        #[arg(long, value_parser = <Lang as std::str::FromStr>::from_str, default_value = "zh-CN")]
        lang: Lang,
    },
    /// Score the rules against a labels CSV (columns = rule ids, cells pass/fail/blank).
    Eval {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// List the built-in profiles.
    Profiles,
}

#[derive(Args)]
struct EvalArgs {
    /// Labels CSV: a `file` column, then one column per rule id and optionally
    /// `verdict_id_card` / `verdict_icao`, with cells `pass`, `fail` or blank.
    #[arg(long)]
    labels: PathBuf,
    /// Folder the CSV's `file` paths are relative to (default: the CSV's folder).
    #[arg(long)]
    images: Option<PathBuf>,
    /// Accuracy floors (TOML); exit 1 when any is not met.
    #[arg(long)]
    floors: Option<PathBuf>,
    /// Also write every photo's report as JSON lines to this file.
    #[arg(long)]
    reports: Option<PathBuf>,
    /// After the table, list per rule the labelled photos it got wrong or could not judge
    /// (the JSON output always carries them, as each rule's `mistakes`).
    #[arg(long)]
    mistakes: bool,
    /// The labels column that scores the verdict. Default: `verdict_icao` for the icao profile,
    /// `verdict_id_card` for any other (name it for a profile file derived from icao).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(eval::VERDICT_COLUMNS))]
    verdict_column: Option<String>,
}

#[derive(Args)]
struct Common {
    /// Built-in profile name or path to a profile TOML file.
    #[arg(long, default_value = "cn-id-card")]
    profile: String,
    /// `selfie` for phone uploads, `finished` for stored 358x441 card photos.
    #[arg(long, value_enum, default_value = "selfie")]
    input: InputKind,
    /// Machine-readable output (JSON).
    #[arg(long)]
    json: bool,
    /// Workers, each with its own model sessions, checking one photo at a time (at most one per
    /// photo). Default: one per core; cores without a worker help with the workers' photos.
    #[arg(long)]
    workers: Option<NonZeroUsize>,
    /// Model folder (default: $IDPHOTO_MODELS, models/ beside the binary, or the checkout's).
    #[arg(long)]
    models: Option<PathBuf>,
}

impl Common {
    fn pool(&self, lang: Lang, files: usize) -> anyhow::Result<CheckerPool> {
        let profile = Arc::new(Profile::load(&self.profile)?);
        let store = match &self.models {
            Some(dir) => ModelStore::open(dir)?,
            None => ModelStore::open_default()?,
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = self
            .workers
            .map_or(cores, NonZeroUsize::get)
            .clamp(1, files.max(1));
        if workers > cores {
            // Honoured (the cores may be shared with other work), but worth knowing.
            tracing::warn!(
                workers,
                cores,
                "more workers than cores: each holds its own model sessions and buffers (about 120 MB), \
                 and the extra ones add memory, not speed"
            );
        }
        let options = CheckOptions {
            input: self.input,
            lang,
            ..CheckOptions::default()
        };
        Ok(CheckerPool::new(&store, profile, options, workers)?)
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("IDPHOTO_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            common,
            files,
            lang,
        } => check(&common, &files, lang),
        Command::Eval { common, eval } => run_eval(&common, eval),
        Command::Profiles => list_profiles(),
    };
    result.unwrap_or_else(|e| {
        // The reader went away (`idphoto check ... | head`): stop quietly.
        if broken_pipe(&e) {
            return ExitCode::from(EXIT_BROKEN_PIPE);
        }
        eprintln!("idphoto: {e:#}");
        ExitCode::from(2)
    })
}

fn list_profiles() -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    for name in Profile::builtin_names() {
        let p = Profile::load(name).expect("built-in profiles parse (unit-tested)");
        writeln!(out, "{name}\t{}", p.description)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// 128 + SIGPIPE, as a shell reports for a writer whose reader went away.
const EXIT_BROKEN_PIPE: u8 = 141;

fn check(common: &Common, files: &[PathBuf], lang: Lang) -> anyhow::Result<ExitCode> {
    let pool = common.pool(lang, files.len())?;
    let mut out = std::io::stdout().lock();
    let (mut any_error, mut any_fail) = (false, false);
    let mut write_failed = None;
    // Each report is printed as soon as it and the ones before it are done, in the order given.
    pool.for_each_in_order(
        files,
        |checker, file| checker.check_file(file),
        |report| {
            any_error |= report.verdict == Verdict::Error;
            any_fail |= report.verdict == Verdict::Fail;
            let written = if common.json {
                serde_json::to_string(&report)
                    .map_err(std::io::Error::other)
                    .and_then(|line| writeln!(out, "{line}"))
            } else {
                write_human(&mut out, &report, lang)
            };
            match written.and_then(|()| out.flush()) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    write_failed = Some(e);
                    ControlFlow::Break(())
                }
            }
        },
    );
    // A reader that went away (`idphoto check ... | head`) ends the run quietly in `main`, with
    // the status a process killed by SIGPIPE reports, since not every photo was checked.
    if let Some(e) = write_failed {
        return Err(anyhow::Error::from(e).context("writing the reports"));
    }
    let code = if any_error {
        2
    } else if any_fail {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

/// A newline, escape sequence or direction override in a file name must not break or reorder
/// a line of output.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Unicode's invisible direction marks, embeddings, overrides and isolates: in a file name they
/// would reorder what the terminal shows, so `photo_\u{202e}gpj.exe` would read as `photo_exe.jpg`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn write_human(out: &mut impl Write, report: &Report, lang: Lang) -> std::io::Result<()> {
    let verdict = match report.verdict {
        Verdict::Pass => messages::text(lang, "ui.verdict_pass"),
        Verdict::Fail => messages::text(lang, "ui.verdict_fail"),
        Verdict::Error => messages::text(lang, "ui.verdict_error"),
    };
    writeln!(out, "{}: {verdict}", escape_controls(&report.file))?;
    if let Some(err) = &report.error {
        // The message quotes the path.
        writeln!(out, "  {}", escape_controls(&err.full()))?;
        return Ok(());
    }
    if !report.reasons.is_empty() {
        writeln!(out, "  {}:", messages::text(lang, "ui.what_to_change"))?;
        for (i, reason) in report.reasons.iter().enumerate() {
            writeln!(out, "  {}. {reason}", i + 1)?;
        }
    }
    let status_text = |status: Status| match status {
        Status::Pass => messages::text(lang, "ui.status_pass"),
        Status::Fail => messages::text(lang, "ui.status_fail"),
        Status::NotAssessed => messages::text(lang, "ui.status_not_assessed"),
    };
    // Terminal columns, not chars: a Chinese character takes two.
    let column = [Status::Pass, Status::Fail, Status::NotAssessed]
        .map(|s| status_text(s).width())
        .into_iter()
        .max()
        .unwrap_or(0);
    for c in &report.checks {
        let status = status_text(c.status);
        let pad = " ".repeat(column - status.width());
        let value = c.value.map_or("-".to_string(), |v| format!("{v:.3}"));
        // A failure's message is among the reasons above; why a rule could not judge is there
        // only when nothing failed.
        let why = match (c.status, &c.message) {
            (Status::NotAssessed, Some(reason)) => format!(" — {reason}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "    {:<20} {status}{pad} {:>9}  {}{why}",
            c.id, value, c.threshold
        )?;
    }
    if let Some(total) = report.timings_ms.get("total") {
        writeln!(out, "    ({total:.0} ms)")?;
    }
    Ok(())
}

fn run_eval(common: &Common, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let EvalArgs {
        labels,
        images,
        floors: floors_path,
        reports: reports_path,
        mistakes,
        verdict_column,
    } = args;
    let labels = labels.as_path();
    let rows = eval::read_labels(labels)
        .with_context(|| format!("reading labels {}", labels.display()))?;
    for column in eval::unknown_columns(&rows) {
        eprintln!(
            "warning: labels column `{column}` is not a rule id or verdict; it is not scored"
        );
    }
    if let Some(column) = &verdict_column {
        if !rows.iter().any(|r| r.columns.iter().any(|c| c == column)) {
            eprintln!("warning: the labels have no `{column}` column; the verdict is not scored");
        }
    }
    // Both are checked before the photos, so a typo does not cost a whole run.
    let floors = floors_path
        .as_ref()
        .map(|path| eval::read_floors(path))
        .transpose()?;
    if rows.is_empty() {
        anyhow::bail!("{} lists no photos: nothing to score", labels.display());
    }
    // Every photo would be an unreadable one, and the table a column of wrong answers.
    if let Some(dir) = images.as_ref().filter(|dir| !dir.is_dir()) {
        let what = if dir.exists() {
            "not a folder"
        } else {
            "no such folder"
        };
        anyhow::bail!("--images {}: {what}", dir.display());
    }
    let root = images.unwrap_or_else(|| labels.parent().unwrap_or(Path::new(".")).to_path_buf());
    if let Some(path) = &reports_path {
        let mut named = vec![labels];
        named.extend(floors_path.as_deref());
        if !Profile::builtin_names().any(|name| name == common.profile) {
            named.push(Path::new(&common.profile));
        }
        let photos = rows.iter().map(|row| root.join(&row.file));
        if let Some(input) = eval::input_at(path, &named, photos) {
            anyhow::bail!(
                "--reports {} is {}, an input of this run; name another file",
                path.display(),
                input.display()
            );
        }
    }
    // Opened without emptying it, so a run that cannot start keeps the last reports.
    let reports_file = reports_path
        .as_ref()
        .map(|path| {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))
        })
        .transpose()?;
    let pool = common.pool(Lang::En, rows.len())?;
    let (profile_name, profile_rules) = pool.with_checker(|c| {
        let profile = c.profile();
        let rules: HashSet<&'static str> =
            profile.rules_for(common.input).map(|r| r.id()).collect();
        (profile.name.clone(), rules)
    });
    let verdict_column = verdict_column
        .as_deref()
        .unwrap_or_else(|| eval::verdict_column(&profile_name));
    let results = eval::run_on_pool(&rows, &root, &pool);
    for (_, report) in &results {
        if let Some(error) = &report.error {
            let line = format!("{}: {}: {}", report.file, error.code, error.full());
            eprintln!("{}", escape_controls(&line));
        }
    }
    if let (Some(file), Some(path)) = (reports_file, &reports_path) {
        let write = || -> anyhow::Result<()> {
            // A pipe (`--reports >(gzip > r.gz)`) has nothing to empty.
            if file.metadata()?.is_file() {
                file.set_len(0)?;
            }
            let mut file = std::io::BufWriter::new(&file);
            for (_, report) in &results {
                writeln!(file, "{}", serde_json::to_string(report)?)?;
            }
            Ok(file.flush()?)
        };
        write().with_context(|| format!("writing the reports to {}", path.display()))?;
    }
    let summary = eval::score(&results, verdict_column, |id| profile_rules.contains(id));
    let mut out = std::io::stdout().lock();
    if common.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        write!(out, "{}", eval::render_table(&summary))?;
        if mistakes {
            writeln!(out)?;
            for line in eval::render_mistakes(&summary.rules, |_, _| true).lines() {
                writeln!(out, "{}", escape_controls(line))?;
            }
        }
    }
    out.flush()?;
    if let Some(floors) = floors {
        let violations = eval::check_floors(&summary, &floors);
        if !violations.is_empty() {
            for v in &violations {
                eprintln!("accuracy gate: {v}");
            }
            // Which photos broke a limit is what a failed gate sends one to look at (unless
            // --mistakes has just listed them).
            let involved = |r: &eval::RuleScore, m: &eval::Mistake| {
                violations.iter().any(|v| v.involves(r, m))
            };
            let any_involved = summary
                .rules
                .iter()
                .any(|r| r.mistakes.iter().any(|m| involved(r, m)));
            if (!mistakes || common.json) && any_involved {
                eprintln!("accuracy gate: the photos behind it:");
                for line in eval::render_mistakes(&summary.rules, involved).lines() {
                    eprintln!("{}", escape_controls(line));
                }
            }
            return Ok(ExitCode::from(1));
        }
        eprintln!("accuracy gate: all floors met");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_and_direction_characters_are_shown_escaped() {
        assert_eq!(escape_controls("a\nb.jpg"), "a\\nb.jpg");
        assert_eq!(
            escape_controls("photo_\u{202e}gpj.exe"),
            "photo_\\u{202e}gpj.exe"
        );
        assert_eq!(escape_controls("\u{2067}x\u{2069}"), "\\u{2067}x\\u{2069}");
        assert_eq!(escape_controls("证件照 é.jpg"), "证件照 é.jpg");
    }
}
