//! The `pipegen` command line: parse arguments, run, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pipegen::report::{self, Format, Summary};

/// Configuration compiler and policy linter for MSK → EMR → Hudi → Polaris pipelines.
#[derive(Parser)]
#[command(name = "pipegen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate pipeline files: schema, cross-field consistency.
    Check {
        /// Pipeline files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print the JSON Schema of the pipeline file.
    Schema,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<u8, Box<dyn std::error::Error>> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Check { files, format } => {
            let ctx = pipegen::Context { today: today()? };
            let checks: Vec<_> = files
                .iter()
                .map(|path| pipegen::check_file(path, &ctx))
                .collect();
            match format {
                Format::Human => report::human(&mut out, &checks, use_color())?,
                Format::Json => report::json(&mut out, &checks)?,
            }
            Ok(Summary::of(&checks).exit_code())
        }
        Command::Schema => {
            out.write_all(pipegen::schema::COMMITTED.as_bytes())?;
            Ok(0)
        }
    }
}

/// Today, or `PIPEGEN_TODAY` (YYYY-MM-DD) for reproducible runs.
fn today() -> Result<jiff::civil::Date, String> {
    match std::env::var("PIPEGEN_TODAY") {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("PIPEGEN_TODAY={text:?} is not a date in the form YYYY-MM-DD")),
        Err(_) => Ok(jiff::ZonedDateTime::now().date()),
    }
}

/// Colour only on a terminal, never with `NO_COLOR` set.
fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}
