//! `pipegen check`: validate pipeline files and report.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use pipegen::options::Flags;
use pipegen::report::Summary;

use super::{Outcome, Ui};

/// Checks `paths` (files and folders) and writes the report to `out`, or to `output` with
/// the summary line on `out`.
pub fn run(
    paths: &[PathBuf],
    output: Option<&Path>,
    flags: Flags,
    ui: &Ui,
    out: &mut dyn Write,
) -> Outcome {
    let options = match super::options(flags, ui, out) {
        Ok(options) => options,
        Err(outcome) => return outcome,
    };
    let pack = match super::pack(&options, options.format, ui, out) {
        Ok(pack) => pack,
        Err(outcome) => return outcome,
    };
    let ctx = options.context(super::today()?, pack)?;
    let files = pipegen::scan::discover(paths);
    if files.is_empty() {
        let named: Vec<_> = paths.iter().map(|p| p.display().to_string()).collect();
        writeln!(
            std::io::stderr(),
            "error: no pipeline files found in {}",
            named.join(", ")
        )?;
        return Ok(2);
    }
    let checks = check_files(&files, &ctx, ui);
    let summary = Summary::of(&checks);
    let deny = options.deny_warnings;
    match output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| format!("cannot write the report to `{}`: {e}", path.display()))?;
            let mut writer = BufWriter::new(file);
            ui.report(&mut writer, options.format, &checks, &ctx.pack, deny)?;
            writer.flush()?;
            writeln!(out, "{summary}")?;
        }
        None => ui.report(out, options.format, &checks, &ctx.pack, deny)?,
    }
    Ok(summary.exit_code(deny))
}

/// Checks files, in parallel on every core when there are several; results keep the (sorted)
/// path order. Long scans show progress when stderr is a terminal.
fn check_files(files: &[PathBuf], ctx: &pipegen::Context, ui: &Ui) -> Vec<pipegen::FileCheck> {
    let progress = if files.len() >= 200 && std::io::stderr().is_terminal() && !ui.quiet {
        indicatif::ProgressBar::new(files.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let checks = pipegen::scan::check_all(files, ctx, || progress.inc(1));
    progress.finish_and_clear();
    checks
}
