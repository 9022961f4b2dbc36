//! The `pipegen` command line: parse arguments, resolve the options once, run the command,
//! map the outcome to an exit code. Each command is a module of `commands`.

mod commands;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pipegen::model::Environment;
use pipegen::options::Flags;
use pipegen::policy::Category;
use pipegen::report::Format;

use commands::{ListFormat, Ui};

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
    /// Print less: no summary line when there is nothing to report, no notes and no waived
    /// findings.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Print waived findings in full instead of one line each.
    #[arg(long, global = true)]
    show_waived: bool,
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
    /// List the policy rules and pipegen's built-in codes (consistency checks, schema, load,
    /// config, policy and waiver codes).
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Only this category: security, reliability, cost, operations, data-quality, or a
        /// built-in stage (consistency, schema, load, config, policy, waiver).
        #[arg(long, value_name = "CATEGORY")]
        category: Option<String>,
        /// Also load the rules below this folder (repeatable).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
    },
    /// Explain a rule or any built-in code: why, how to fix, examples, references.
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
        #[arg(long, value_enum, default_value_t = Environment::Dev)]
        environment: Environment,
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

/// Which rules run and what fails the run: the same for `check` and `render`.
#[derive(Args)]
struct PolicyArgs {
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
    only: Vec<Category>,
    /// Skip this rule (repeatable).
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
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
    #[command(flatten)]
    policy: PolicyArgs,
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
    #[arg(long, conflicts_with_all = ["diff", "list"])]
    check: bool,
    /// Write nothing; print a unified diff of what would change in DIR (exit 1 if anything
    /// would).
    #[arg(long, conflicts_with = "list")]
    diff: bool,
    /// Write nothing; name the files a render writes.
    #[arg(long)]
    list: bool,
    /// Replace DIR even when it holds files the previous render did not write, or another
    /// pipeline's render.
    #[arg(long)]
    force: bool,
    /// Use templates from DIR in place of the built-in ones with the same name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum DenyLevel {
    /// Warnings fail the run.
    Warnings,
}

impl PolicyArgs {
    /// These flags, with the global `--env`, as the options resolution takes them.
    fn flags(self, env: Option<String>) -> Flags {
        Flags {
            env,
            policies: self.policies,
            no_waivers: self.no_waivers,
            strict: self.strict || !self.deny.is_empty(),
            only: self.only,
            skip: self.skip,
            ..Flags::default()
        }
    }
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

fn run(cli: Cli) -> commands::Outcome {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let ui = Ui {
        color,
        quiet: cli.quiet,
        show_waived: cli.show_waived,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let env = cli.env;
    match cli.command {
        Command::Check(args) => {
            let flags = Flags {
                format: args.format,
                ..args.policy.flags(env)
            };
            commands::check::run(&args.files, args.output.as_deref(), flags, &ui, &mut out)
        }
        Command::Render(args) => {
            let flags = Flags {
                out: args.out,
                templates: args.templates,
                ..args.policy.flags(env)
            };
            let action = match (args.check, args.diff, args.list) {
                (true, _, _) => commands::render::Action::Check,
                (_, true, _) => commands::render::Action::Diff,
                (_, _, true) => commands::render::Action::List,
                _ if args.force => commands::render::Action::WriteOver,
                _ => commands::render::Action::Write,
            };
            let job = commands::render::Job {
                file: &args.file,
                action,
            };
            commands::render::run(&job, flags, &ui, &mut out)
        }
        Command::Cost { file, format } => {
            let flags = Flags {
                env,
                ..Flags::default()
            };
            commands::cost::run(&file, format, flags, &ui, &mut out)
        }
        Command::Rules {
            format,
            category,
            policies,
        } => commands::rules::list(format, category.as_deref(), &policies, &ui, &mut out),
        Command::Explain { id, policies } => {
            commands::rules::explain(&id, &policies, &ui, &mut out)
        }
        Command::TestPolicies { dir } => commands::rules::test(&dir, env, &ui, &mut out),
        Command::Init {
            file,
            name,
            region,
            environment,
            force,
        } => {
            let starter = commands::init::Starter {
                file: &file,
                name: &name,
                region: &region,
                environment,
                force,
            };
            commands::init::run(&starter, &mut out)
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
