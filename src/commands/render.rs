//! `pipegen render`: check a pipeline with the run's options, then write (or, with `--check`,
//! compare) every artifact.

use std::io::Write;
use std::path::Path;

use pipegen::options::Flags;
use pipegen::render::Artifact;
use pipegen::report::{Format, Summary};

use super::{Outcome, Ui};

/// What to do with the artifacts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Write them (refusing to lose files the previous render did not write).
    Write,
    /// Write them, replacing whatever render is there (`--force`).
    WriteOver,
    /// Compare the output folder (`--check`).
    Check,
    /// Print what would change (`--diff`).
    Diff,
    /// Name the files (`--list`).
    List,
}

/// What to render.
pub struct Job<'a> {
    /// The pipeline file.
    pub file: &'a Path,
    /// What to do with the artifacts.
    pub action: Action,
}

/// Renders `job.file` when the same options make `check` pass.
pub fn run(job: &Job<'_>, flags: Flags, ui: &Ui, out: &mut dyn Write) -> Outcome {
    let options = match super::options(flags, ui, out) {
        Ok(options) => options,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = super::one_env(&options, "render") {
        return outcome;
    }
    let Some(out_dir) = options.out.clone() else {
        writeln!(
            std::io::stderr(),
            "error: no output folder: pass --out DIR (or set [render] out in pipegen.toml)"
        )?;
        return Ok(2);
    };
    let pack = match super::pack(&options, Format::Human, ui, out) {
        Ok(pack) => pack,
        Err(outcome) => return outcome,
    };
    let ctx = options.context(super::today()?, pack)?;
    let checked = pipegen::check_file(job.file, &ctx);
    let checks = std::slice::from_ref(&checked);
    let exit = Summary::of(checks).exit_code(options.deny_warnings);
    if !checked.findings.is_empty() {
        ui.report(out, Format::Human, checks, &ctx.pack, options.deny_warnings)?;
    }
    let (Some(pipeline), 0) = (&checked.model, exit) else {
        writeln!(out, "nothing rendered: fix the errors above first")?;
        return Ok(exit.max(1));
    };
    let input = checked.source.as_deref().unwrap_or_default();
    let name = job.file.file_name().map_or_else(
        || job.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let artifacts = pipegen::render::render(
        pipeline,
        &name,
        input.as_bytes(),
        options.templates.as_deref(),
    )?;
    let write = match job.action {
        Action::Check => return compare(job, &out_dir, &artifacts, ui, out),
        Action::Diff => return diff(&out_dir, &artifacts, out),
        Action::List => {
            for artifact in &artifacts {
                writeln!(out, "{}", artifact.path)?;
            }
            return Ok(0);
        }
        Action::WriteOver => pipegen::render::write_over,
        Action::Write => pipegen::render::write,
    };
    let (count, dir) = (artifacts.len(), out_dir.display());
    if write(&out_dir, &artifacts)? {
        writeln!(out, "wrote {count} files to {dir}")?;
    } else {
        writeln!(
            out,
            "{dir} already holds these {count} files; nothing written"
        )?;
    }
    Ok(0)
}

/// `--diff`: a unified diff per file that would change (new, changed, or removed), exit 1
/// when there is one.
fn diff(dir: &Path, artifacts: &[Artifact], out: &mut dyn Write) -> Outcome {
    let stale = pipegen::render::check_output(dir, artifacts)?;
    let read = |path: &str| std::fs::read_to_string(dir.join(path)).unwrap_or_default();
    let mut changes = Vec::new();
    for path in stale.changed.iter().chain(&stale.missing) {
        let new = artifacts
            .iter()
            .find(|a| &a.path == path)
            .map_or("", |a| a.content.as_str());
        changes.push((path.as_str(), read(path), new.to_owned()));
    }
    for path in &stale.extra {
        changes.push((path.as_str(), read(path), String::new()));
    }
    changes.sort_by(|a, b| a.0.cmp(b.0));
    for (path, old, new) in &changes {
        let text = similar::TextDiff::from_lines(old, new);
        let (a, b) = (format!("a/{path}"), format!("b/{path}"));
        write!(
            out,
            "{}",
            text.unified_diff().context_radius(3).header(&a, &b)
        )?;
    }
    Ok(u8::from(!changes.is_empty()))
}

/// `--check`: exit 1 and list what differs when `dir` is stale.
fn compare(
    job: &Job<'_>,
    dir: &Path,
    artifacts: &[Artifact],
    ui: &Ui,
    out: &mut dyn Write,
) -> Outcome {
    let stale = pipegen::render::check_output(dir, artifacts)?;
    if stale.is_fresh() {
        if !ui.quiet {
            writeln!(
                out,
                "{} is up to date ({} files)",
                dir.display(),
                artifacts.len()
            )?;
        }
        return Ok(0);
    }
    writeln!(out, "{} is stale:", dir.display())?;
    for (label, files) in [
        ("changed", &stale.changed),
        ("missing", &stale.missing),
        ("extra", &stale.extra),
    ] {
        for file in files {
            writeln!(out, "  {label}: {file}")?;
        }
    }
    writeln!(
        out,
        "run `pipegen render {} --out {}` and commit the result",
        job.file.display(),
        dir.display()
    )?;
    Ok(1)
}
