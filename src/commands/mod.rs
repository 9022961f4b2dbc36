//! The commands. Each takes its own few arguments and the run's [`Options`], resolved once
//! from the flags and `pipegen.toml` by [`options`].

pub mod check;
pub mod cost;
pub mod init;
pub mod render;
pub mod rules;

use std::io::Write;

use clap::ValueEnum;
use pipegen::FileCheck;
use pipegen::options::{Flags, Options};
use pipegen::policy::Pack;
use pipegen::report::{Format, Run};

/// A command's result: its exit code, or an error that makes it 2.
pub type Outcome = Result<u8, Box<dyn std::error::Error>>;

/// How output looks, from the global flags.
pub struct Ui {
    /// Colour the human report.
    pub color: bool,
    /// Print less.
    pub quiet: bool,
    /// Print waived findings in full.
    pub show_waived: bool,
}

impl Ui {
    /// Writes unusable inputs (a broken `pipegen.toml`, policy files that do not load) as
    /// the human report.
    pub fn problems(&self, out: &mut dyn Write, checks: &[FileCheck]) -> std::io::Result<()> {
        self.report(out, Format::Human, checks, &Pack::default(), false)
    }

    /// Writes a report of `checks` in `format`.
    pub fn report(
        &self,
        out: &mut dyn Write,
        format: Format,
        checks: &[FileCheck],
        pack: &Pack,
        deny_warnings: bool,
    ) -> std::io::Result<()> {
        let run = Run {
            files: checks,
            pack,
            deny_warnings,
            color: self.color,
            quiet: self.quiet,
            show_waived: self.show_waived,
        };
        format.write(out, &run)
    }
}

/// Output formats of the listing commands.
#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// An aligned table.
    Table,
    /// JSON with every field of every entry.
    Json,
}

/// The options in force: the flags over the `pipegen.toml` found walking up from the working
/// directory. A broken configuration is reported and is `Err(2)`.
pub fn options(flags: Flags, ui: &Ui, out: &mut dyn Write) -> Result<Options, Outcome> {
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => return Err(Err(error.into())),
    };
    match pipegen::config::discover(&cwd) {
        Ok(found) => Ok(Options::resolve(
            flags,
            found.map(|(_, config)| config).unwrap_or_default(),
        )),
        Err(broken) => Err(ui
            .problems(out, std::slice::from_ref(&*broken))
            .map(|()| 2)
            .map_err(Into::into)),
    }
}

/// `--env all` is for `check`: a command that builds one pipeline refuses it (exit 2).
pub fn one_env(options: &Options, command: &str) -> Result<(), Outcome> {
    if options.env.as_deref() != Some(pipegen::ALL_ENVS) {
        return Ok(());
    }
    let said = writeln!(
        std::io::stderr(),
        "error: `--env all` checks every overlay; `{command}` takes one environment (--env NAME)"
    );
    Err(said.map(|()| 2).map_err(Into::into))
}

/// The options' pack; policy files that do not load are reported (in `format`) and are
/// `Err(2)`.
pub fn pack(
    options: &Options,
    format: Format,
    ui: &Ui,
    out: &mut dyn Write,
) -> Result<Pack, Outcome> {
    options.pack().map_err(|errors| {
        ui.report(
            out,
            format,
            &errors,
            &Pack::default(),
            options.deny_warnings,
        )
        .map(|()| 2)
        .map_err(Into::into)
    })
}

/// Today's date in UTC, or `PIPEGEN_TODAY` (YYYY-MM-DD) for reproducible runs. UTC, not the
/// local zone: resolving the local zone's name walks the whole tz database (milliseconds).
pub fn today() -> Result<jiff::civil::Date, String> {
    match std::env::var("PIPEGEN_TODAY") {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("PIPEGEN_TODAY={text:?} is not a date in the form YYYY-MM-DD")),
        Err(_) => Ok(jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()),
    }
}
