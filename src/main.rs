//! The `pipegen` command line: parse arguments, run, map the outcome to an exit code.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pipegen::policy::{self, Category};
use pipegen::report::{self, Format, Summary};

/// Configuration compiler and policy linter for MSK → EMR → Hudi → Polaris pipelines.
#[derive(Parser)]
#[command(
    name = "pipegen",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("PIPEGEN_GIT_COMMIT"), ")"),
    about
)]
struct Cli {
    /// When to use colour: `auto` (a terminal without NO_COLOR), `always` or `never`.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print less: no summary line when there is nothing to report, and no notes.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Apply the pipeline file's `[env.NAME]` overlay before checking, rendering or pricing.
    #[arg(long, global = true, value_name = "NAME")]
    env: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Validate pipeline files: schema, consistency and policies.
    Check(CheckArgs),
    /// Check a pipeline, then write every deployment artifact into a folder.
    Render(RenderArgs),
    /// Estimate the pipeline's monthly cost, offline.
    Cost {
        /// The pipeline file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// List the policy rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Also load the rules below this folder (repeatable).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
    },
    /// Explain a rule or consistency check: why, how to fix, examples, references.
    Explain {
        /// The rule id, e.g. SEC-MSK-001 or CFX-004.
        id: String,
        /// Also load the rules below this folder (repeatable).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
    },
    /// Run a custom policy pack's tests (`*.test.toml` below DIR).
    TestPolicies {
        /// The pack's folder: its rules and its tests.
        dir: PathBuf,
    },
    /// Write a commented starter pipeline that passes `check` as written.
    Init {
        /// Where to write it.
        #[arg(default_value = "pipeline.toml", value_name = "FILE")]
        file: PathBuf,
        /// The pipeline name (lowercase letters, digits, hyphens).
        #[arg(long, default_value = "data-pipeline")]
        name: String,
        /// The AWS region.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// The deployment stage.
        #[arg(long, value_enum, default_value_t = StageArg::Dev)]
        environment: StageArg,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the pipeline file (or, with --config, of pipegen.toml).
    Schema {
        /// The schema of the project configuration file instead.
        #[arg(long)]
        config: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    Man,
}

#[derive(Args)]
struct CheckArgs {
    /// Pipeline files, or folders to search for them (`*.pipeline.toml`, or any `*.toml` with
    /// a top-level `[pipeline]` table).
    #[arg(required = true, value_name = "PATH")]
    files: Vec<PathBuf>,
    /// Output format (default: `[check] format` of pipegen.toml, else human).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE; the summary line still prints.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also load the rules below this folder (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Ignore every waiver (for audit runs).
    #[arg(long)]
    no_waivers: bool,
    /// Fail (exit 1) on findings of this level too.
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Vec<DenyLevel>,
    /// Same as `--deny warnings`.
    #[arg(long)]
    strict: bool,
    /// Run only the rules of these categories (repeatable).
    #[arg(long, value_enum, value_name = "CATEGORY")]
    only: Vec<CategoryArg>,
    /// Skip this rule (repeatable).
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
}

#[derive(Args)]
struct RenderArgs {
    /// The pipeline file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The output folder (replaced atomically; must be new, empty, or an earlier render).
    /// Default: `[render] out` of pipegen.toml.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write nothing; exit 1 and list the files that differ when DIR is stale.
    #[arg(long)]
    check: bool,
    /// Use templates from DIR in place of the built-in ones with the same name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Also load the rules below this folder (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Ignore every waiver.
    #[arg(long)]
    no_waivers: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DenyLevel {
    /// Warnings fail the run.
    Warnings,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CategoryArg {
    Security,
    Reliability,
    Cost,
    Operations,
    DataQuality,
}

impl CategoryArg {
    fn category(self) -> Category {
        match self {
            CategoryArg::Security => Category::Security,
            CategoryArg::Reliability => Category::Reliability,
            CategoryArg::Cost => Category::Cost,
            CategoryArg::Operations => Category::Operations,
            CategoryArg::DataQuality => Category::DataQuality,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum StageArg {
    Dev,
    Staging,
    Prod,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    /// An aligned table.
    Table,
    /// JSON with every field of every rule.
    Json,
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

type Outcome = Result<u8, Box<dyn std::error::Error>>;

/// The settings every command shares.
struct Style {
    color: bool,
    quiet: bool,
    env: Option<String>,
}

static STYLE: std::sync::OnceLock<Style> = std::sync::OnceLock::new();

fn run(cli: Cli) -> Outcome {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let _ = STYLE.set(Style {
        color,
        quiet: cli.quiet,
        env: cli.env.clone(),
    });
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Check(args) => check(args, &mut out),
        Command::Render(args) => render(args, &mut out),
        Command::Cost { file, format } => cost(&file, format, &mut out),
        Command::Rules { format, policies } => {
            let Some(pack) = load_pack(&policies, &mut out)? else {
                return Ok(2);
            };
            match format {
                ListFormat::Table => out.write_all(policy::catalog::table(&pack).as_bytes())?,
                ListFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &policy::catalog::entries(&pack))?;
                    writeln!(out)?;
                }
            }
            Ok(0)
        }
        Command::Explain { id, policies } => {
            let Some(pack) = load_pack(&policies, &mut out)? else {
                return Ok(2);
            };
            match policy::catalog::explain(&pack, &id) {
                Some(text) => {
                    out.write_all(text.as_bytes())?;
                    Ok(0)
                }
                None => {
                    let ids = pack.rules.iter().map(|r| r.rule.id.as_str());
                    let hint = pipegen::suggest::closest(&id, ids)
                        .map(|best| format!("; did you mean {best}?"))
                        .unwrap_or_default();
                    writeln!(
                        std::io::stderr(),
                        "error: no rule or check has the id `{id}`{hint}"
                    )?;
                    Ok(2)
                }
            }
        }
        Command::TestPolicies { dir } => {
            let Some(pack) = load_pack(std::slice::from_ref(&dir), &mut out)? else {
                return Ok(2);
            };
            let ctx = pipegen::Context {
                today: today()?,
                pack,
                waivers: true,
                env: env(),
            };
            let outcome = policy::testing::run(&dir, &ctx);
            out.write_all(outcome.report.as_bytes())?;
            Ok(outcome.exit_code)
        }
        Command::Schema { config } => {
            let schema = if config {
                pipegen::config::COMMITTED_SCHEMA
            } else {
                pipegen::schema::COMMITTED
            };
            out.write_all(schema.as_bytes())?;
            Ok(0)
        }
        Command::Init {
            file,
            name,
            region,
            environment,
            force,
        } => {
            if file.exists() && !force {
                writeln!(
                    std::io::stderr(),
                    "error: `{}` exists; pass --force to overwrite it",
                    file.display()
                )?;
                return Ok(2);
            }
            let stage = match environment {
                StageArg::Dev => pipegen::model::Environment::Dev,
                StageArg::Staging => pipegen::model::Environment::Staging,
                StageArg::Prod => pipegen::model::Environment::Prod,
            };
            let text = pipegen::init::starter(&name, &region, stage)?;
            std::fs::write(&file, text)
                .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
            // The starter's `#:schema ./pipeline.schema.json` directive points here.
            let schema = file.with_file_name("pipeline.schema.json");
            if force || !schema.exists() {
                std::fs::write(&schema, pipegen::schema::COMMITTED)
                    .map_err(|e| format!("cannot write `{}`: {e}", schema.display()))?;
            }
            writeln!(
                out,
                "wrote {} and {}; next: pipegen check {}",
                file.display(),
                schema.display(),
                file.display()
            )?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "pipegen", &mut out);
            Ok(0)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut out)?;
            Ok(0)
        }
    }
}

/// Loads the built-in pack and custom folders; on errors, reports them and returns `None`.
fn load_pack(
    dirs: &[PathBuf],
    out: &mut dyn Write,
) -> Result<Option<policy::Pack>, Box<dyn std::error::Error>> {
    match policy::load(dirs) {
        Ok(pack) => Ok(Some(pack)),
        Err(errors) => {
            report::human(out, &errors, use_color(), false)?;
            Ok(None)
        }
    }
}

/// The project configuration in force (`pipegen.toml` walking up from the working directory).
fn project_config(
    out: &mut dyn Write,
) -> Result<Option<pipegen::config::ProjectConfig>, Box<dyn std::error::Error>> {
    let cwd = std::env::current_dir()?;
    match pipegen::config::discover(&cwd) {
        Ok(found) => Ok(found.map(|(_, config)| config)),
        Err(broken) => {
            report::human(out, std::slice::from_ref(&*broken), use_color(), false)?;
            Err("the project configuration cannot be used".into())
        }
    }
}

fn check(mut args: CheckArgs, out: &mut dyn Write) -> Outcome {
    let Ok(config) = project_config(out) else {
        return Ok(2);
    };
    let config = config.unwrap_or_default().check;
    let format = args.format.unwrap_or(match config.format {
        Some(pipegen::config::ConfigFormat::Json) => Format::Json,
        Some(pipegen::config::ConfigFormat::Sarif) => Format::Sarif,
        Some(pipegen::config::ConfigFormat::Junit) => Format::Junit,
        Some(pipegen::config::ConfigFormat::Github) => Format::Github,
        Some(pipegen::config::ConfigFormat::Human) | None => Format::Human,
    });
    args.policies.extend(config.policies.iter().cloned());
    args.skip.extend(config.skip.iter().cloned());
    let deny_warnings = args.strict || config.strict || !args.deny.is_empty();
    let pack = match policy::load(&args.policies) {
        Ok(pack) => pack,
        Err(errors) => {
            write_report(
                format,
                out,
                &errors,
                &policy::Pack::default(),
                deny_warnings,
            )?;
            return Ok(2);
        }
    };
    let mut pack = pack;
    pack.relevel(&config.severity);
    let mut only: Vec<Category> = args.only.iter().map(|c| c.category()).collect();
    if only.is_empty() {
        only = config.only.clone();
    }
    pack.retain(|rule| {
        (only.is_empty() || only.contains(&rule.category)) && !args.skip.contains(&rule.id)
    });
    let ctx = pipegen::Context {
        today: today()?,
        pack,
        waivers: !args.no_waivers,
        env: env(),
    };
    let files = pipegen::scan::discover(&args.files);
    if files.is_empty() {
        writeln!(
            std::io::stderr(),
            "error: no pipeline files found in {}",
            args.files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        return Ok(2);
    }
    let checks = check_files(&files, &ctx);
    let summary = Summary::of(&checks);
    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| format!("cannot write the report to `{}`: {e}", path.display()))?;
            let mut writer = BufWriter::new(file);
            write_report(format, &mut writer, &checks, &ctx.pack, deny_warnings)?;
            writer.flush()?;
            writeln!(out, "{summary}")?;
        }
        None => write_report(format, out, &checks, &ctx.pack, deny_warnings)?,
    }
    Ok(summary.exit_code(deny_warnings))
}

fn cost(file: &std::path::Path, format: ListFormat, out: &mut dyn Write) -> Outcome {
    // The estimate needs the typed model only: schema and consistency problems that stop it
    // are reported; policies are `check`'s business.
    let ctx = pipegen::Context {
        today: today()?,
        pack: policy::Pack::default(),
        waivers: false,
        env: env(),
    };
    let checked = pipegen::check_file(file, &ctx);
    let Some(pipeline) = checked.model.as_ref() else {
        report::human(out, std::slice::from_ref(&checked), use_color(), quiet())?;
        return Ok(Summary::of(std::slice::from_ref(&checked))
            .exit_code(false)
            .max(1));
    };
    let estimate = pipegen::cost::estimate(pipeline);
    match format {
        ListFormat::Table => out.write_all(pipegen::cost::table(&estimate).as_bytes())?,
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &estimate)?;
            writeln!(out)?;
        }
    }
    Ok(0)
}

fn render(mut args: RenderArgs, out: &mut dyn Write) -> Outcome {
    let Ok(config) = project_config(out) else {
        return Ok(2);
    };
    let config = config.unwrap_or_default();
    args.policies.extend(config.check.policies.iter().cloned());
    let Some(out_dir) = args.out.clone().or(config.render.out.clone()) else {
        writeln!(
            std::io::stderr(),
            "error: no output folder: pass --out DIR (or set [render] out in pipegen.toml)"
        )?;
        return Ok(2);
    };
    let templates = args.templates.clone().or(config.render.templates.clone());
    let Some(mut pack) = load_pack(&args.policies, out)? else {
        return Ok(2);
    };
    pack.relevel(&config.check.severity);
    let ctx = pipegen::Context {
        today: today()?,
        pack,
        waivers: !args.no_waivers,
        env: env(),
    };
    let checked = pipegen::check_file(&args.file, &ctx);
    let summary = Summary::of(std::slice::from_ref(&checked));
    if !checked.findings.is_empty() {
        report::human(out, std::slice::from_ref(&checked), use_color(), quiet())?;
    }
    let (Some(pipeline), 0) = (&checked.model, summary.exit_code(false)) else {
        writeln!(out, "nothing rendered: fix the errors above first")?;
        return Ok(summary.exit_code(false).max(1));
    };
    let input = checked.source.as_deref().unwrap_or_default();
    let name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let artifacts =
        pipegen::render::render(pipeline, &name, input.as_bytes(), templates.as_deref())?;
    if args.check {
        let stale = pipegen::render::check_output(&out_dir, &artifacts)?;
        if stale.is_fresh() {
            if !quiet() {
                writeln!(
                    out,
                    "{} is up to date ({} files)",
                    out_dir.display(),
                    artifacts.len()
                )?;
            }
            return Ok(0);
        }
        writeln!(out, "{} is stale:", out_dir.display())?;
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
            args.file.display(),
            out_dir.display()
        )?;
        return Ok(1);
    }
    let (count, dir) = (artifacts.len(), out_dir.display());
    if pipegen::render::write(&out_dir, &artifacts)? {
        writeln!(out, "wrote {count} files to {dir}")?;
    } else {
        writeln!(
            out,
            "{dir} already holds these {count} files; nothing written"
        )?;
    }
    Ok(0)
}

/// Checks files, in parallel on every core when there are several; results keep the (sorted)
/// path order. Long scans show progress when stderr is a terminal.
fn check_files(files: &[PathBuf], ctx: &pipegen::Context) -> Vec<pipegen::FileCheck> {
    let progress = if files.len() >= 200 && std::io::stderr().is_terminal() && !quiet() {
        indicatif::ProgressBar::new(files.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let checks = pipegen::scan::check_all(files, ctx, || progress.inc(1));
    progress.finish_and_clear();
    checks
}

fn write_report(
    format: Format,
    out: &mut dyn Write,
    checks: &[pipegen::FileCheck],
    pack: &policy::Pack,
    deny_warnings: bool,
) -> std::io::Result<()> {
    match format {
        Format::Human => report::human(out, checks, use_color(), quiet()),
        Format::Json => report::json(out, checks),
        Format::Sarif => report::sarif(out, checks, pack),
        Format::Junit => report::junit(out, checks, pack, deny_warnings),
        Format::Github => report::github(out, checks),
    }
}

/// Today's date in UTC, or `PIPEGEN_TODAY` (YYYY-MM-DD) for reproducible runs. UTC, not the
/// local zone: resolving the local zone's name walks the whole tz database (milliseconds).
fn today() -> Result<jiff::civil::Date, String> {
    match std::env::var("PIPEGEN_TODAY") {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("PIPEGEN_TODAY={text:?} is not a date in the form YYYY-MM-DD")),
        Err(_) => Ok(jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()),
    }
}

/// Colour as chosen by `--color` (by default: on a terminal, never with `NO_COLOR` set).
fn use_color() -> bool {
    STYLE.get().is_some_and(|s| s.color)
}

fn quiet() -> bool {
    STYLE.get().is_some_and(|s| s.quiet)
}

/// The `--env` overlay, if any.
fn env() -> Option<String> {
    STYLE.get().and_then(|s| s.env.clone())
}
