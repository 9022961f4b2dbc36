//! One resolution of the command line and `pipegen.toml` for every command: `check`, `render`
//! and `cost` read the same [`Options`], so a `[check] skip` or `--strict` means the same
//! thing to each of them. Flags win over the file; lists (policies, skip) add up.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::Context;
use crate::config::ProjectConfig;
use crate::cost::Prices;
use crate::diagnostic::Severity;
use crate::policy::{self, Category, Pack, PolicyErrors};
use crate::report::Format;

/// What the command line said; `None` and empty lists leave the choice to `pipegen.toml`.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--env NAME`.
    pub env: Option<String>,
    /// `--format`.
    pub format: Option<Format>,
    /// `--policies DIR` (repeatable).
    pub policies: Vec<PathBuf>,
    /// `--no-waivers`.
    pub no_waivers: bool,
    /// `--strict` or `--deny warnings`.
    pub strict: bool,
    /// `--only CATEGORY` (repeatable).
    pub only: Vec<Category>,
    /// `--skip RULE` (repeatable).
    pub skip: Vec<String>,
    /// `render --out DIR`.
    pub out: Option<PathBuf>,
    /// `render --templates DIR`.
    pub templates: Option<PathBuf>,
}

/// The options in force for one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The report format.
    pub format: Format,
    /// Policy folders beyond the built-in pack.
    pub policies: Vec<PathBuf>,
    /// Warnings fail the run too.
    pub deny_warnings: bool,
    /// Only the rules of these categories run (all when empty).
    pub only: Vec<Category>,
    /// Rules that never run.
    pub skip: Vec<String>,
    /// New severities by rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Waivers apply.
    pub waivers: bool,
    /// The `[env.NAME]` overlay to apply.
    pub env: Option<String>,
    /// `render`'s output folder.
    pub out: Option<PathBuf>,
    /// `render`'s template override folder.
    pub templates: Option<PathBuf>,
    /// A price file merged over the built-in table.
    pub prices: Option<PathBuf>,
}

impl Options {
    /// Merges the flags over the configuration (paths in it already resolved by
    /// [`crate::config::load`]).
    pub fn resolve(flags: Flags, config: ProjectConfig) -> Self {
        let ProjectConfig {
            check,
            render,
            cost,
        } = config;
        let mut policies = flags.policies;
        policies.extend(check.policies);
        let mut skip = flags.skip;
        skip.extend(check.skip);
        Options {
            format: flags.format.or(check.format).unwrap_or(Format::Human),
            policies,
            deny_warnings: flags.strict || check.strict,
            only: if flags.only.is_empty() {
                check.only
            } else {
                flags.only
            },
            skip,
            severity: check.severity,
            waivers: !flags.no_waivers,
            env: flags.env,
            out: flags.out.or(render.out),
            templates: flags.templates.or(render.templates),
            prices: cost.prices,
        }
    }

    /// The rules that run: the built-in pack and the policy folders, re-levelled, then kept
    /// by `only` and `skip`.
    pub fn pack(&self) -> Result<Pack, PolicyErrors> {
        let mut pack = policy::load(&self.policies)?;
        pack.relevel(&self.severity);
        pack.retain(|rule| {
            (self.only.is_empty() || self.only.contains(&rule.category))
                && !self.skip.contains(&rule.id)
        });
        Ok(pack)
    }

    /// The run's context over a pack built by [`Options::pack`] (or an empty one, for
    /// commands that evaluate no policies); an unreadable price file is an error.
    pub fn context(&self, today: jiff::civil::Date, pack: Pack) -> Result<Context, String> {
        let prices = match &self.prices {
            Some(path) => Cow::Owned(Prices::with_file(path)?),
            None => Cow::Borrowed(Prices::builtin()),
        };
        Ok(Context {
            today,
            pack,
            waivers: self.waivers,
            env: self.env.clone(),
            prices,
        })
    }
}
