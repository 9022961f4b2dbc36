//! `pipegen cost`: the offline monthly estimate.

use std::io::Write;
use std::path::Path;

use pipegen::options::Flags;
use pipegen::policy::Pack;
use pipegen::report::{Format, Summary};

use super::{ListFormat, Outcome, Ui};

/// Prices `file`. The estimate needs the typed model only: schema and consistency problems
/// that stop it are reported; policies are `check`'s business.
pub fn run(file: &Path, format: ListFormat, flags: Flags, ui: &Ui, out: &mut dyn Write) -> Outcome {
    let options = match super::options(flags, ui, out) {
        Ok(options) => options,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = super::one_env(&options, "cost") {
        return outcome;
    }
    let ctx = pipegen::Context {
        waivers: false,
        ..options.context(super::today()?, Pack::default())?
    };
    let checked = pipegen::check_file(file, &ctx);
    let Some(pipeline) = checked.model.as_ref() else {
        let checks = std::slice::from_ref(&checked);
        ui.report(out, Format::Human, checks, &ctx.pack, false)?;
        return Ok(Summary::of(checks).exit_code(false).max(1));
    };
    let estimate = pipegen::cost::estimate(pipeline, &ctx.prices);
    match format {
        ListFormat::Table => out.write_all(pipegen::cost::table(&estimate).as_bytes())?,
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &estimate)?;
            writeln!(out)?;
        }
    }
    Ok(0)
}
