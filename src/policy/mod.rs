//! Stage 5: policies. Rules are data (`policies/*.toml`, embedded at build time, plus any
//! `--policies DIR`); each is a CEL `assert` over the typed model and the derived `facts`.
//!
//! A rule file holds `[[rule]]` entries and `[[override]]` entries that re-level or disable a
//! rule by id. Loading validates everything up front (syntax, unknown fields, duplicate ids,
//! CEL that does not compile) and reports problems at their span in the policy file.

pub mod catalog;
mod engine;
pub mod testing;
pub mod waivers;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::FileCheck;
use crate::diagnostic::{Finding, Severity};
use crate::load::{self, SpanIndex};
use crate::path::KeyPath;

use crate::code::{Builtin, ERROR, Stage};

/// `policy::io`: Policy folders and files can be read.
pub static IO: Builtin = Builtin {
    id: "policy::io",
    stage: Stage::Policy,
    title: "Policy folders and files can be read",
    severities: ERROR,
    why: "a pack that cannot be read would silently drop its rules",
    fix: "Check the folder given to `--policies` or `[check] policies` in pipegen.toml.",
    example: None,
};

/// `policy::invalid`: Policy files match the rule format.
pub static INVALID: Builtin = Builtin {
    id: "policy::invalid",
    stage: Stage::Policy,
    title: "Policy files match the rule format",
    severities: ERROR,
    why: "a rule that cannot be read would silently not run",
    fix: "Fix the rule file at the location shown; `docs/rules.md` describes the format.",
    example: None,
};

/// `policy::duplicate-id`: Rule ids are unique across the packs.
pub static DUPLICATE_ID: Builtin = Builtin {
    id: "policy::duplicate-id",
    stage: Stage::Policy,
    title: "Rule ids are unique across the packs",
    severities: ERROR,
    why: "two rules with one id cannot be told apart in reports, waivers or `--skip`",
    fix: "Rename one of the rules.",
    example: None,
};

/// `policy::unknown-rule`: Severity overrides and selections name rules that exist.
pub static UNKNOWN_RULE: Builtin = Builtin {
    id: "policy::unknown-rule",
    stage: Stage::Policy,
    title: "Severity overrides and selections name rules that exist",
    severities: ERROR,
    why: "an override of a misspelled rule id silently changes nothing",
    fix: "Use the id the finding suggests (`pipegen rules` lists them).",
    example: None,
};

/// `policy::invalid-id`: Rule ids follow the AREA-TOPIC-NNN form.
pub static INVALID_ID: Builtin = Builtin {
    id: "policy::invalid-id",
    stage: Stage::Policy,
    title: "Rule ids are uppercase words and numbers joined by `-`",
    severities: ERROR,
    why: "an id in another form collides with built-in codes or cannot be waived",
    fix: "Name the rule like `ORG-S3-001`.",
    example: None,
};

/// `policy::cel`: Rule conditions are valid CEL.
pub static CEL: Builtin = Builtin {
    id: "policy::cel",
    stage: Stage::Policy,
    title: "Rule conditions are valid CEL",
    severities: ERROR,
    why: "a condition that does not compile would never fire",
    fix: "Fix the CEL expression at the location shown.",
    example: None,
};

/// `policy::eval`: Rule conditions evaluate on the pipeline.
pub static EVAL: Builtin = Builtin {
    id: "policy::eval",
    stage: Stage::Policy,
    title: "Rule conditions evaluate on the pipeline",
    severities: ERROR,
    why: "a condition that fails to evaluate (a missing field, a type error) cannot decide anything",
    fix: "Guard the expression with `has()` or fix the field it reads.",
    example: None,
};

/// The codes this stage reports.
pub const CODES: &[&Builtin] = &[
    &IO,
    &INVALID,
    &DUPLICATE_ID,
    &UNKNOWN_RULE,
    &INVALID_ID,
    &CEL,
    &EVAL,
];

pub use engine::evaluate;
pub use waivers::apply as apply_waivers;

/// What a rule protects.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Confidentiality and access control.
    Security,
    /// Durability and availability.
    Reliability,
    /// Money.
    Cost,
    /// Observability and operability.
    Operations,
    /// Correctness of the data written.
    DataQuality,
}

impl Category {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Cost => "cost",
            Category::Operations => "operations",
            Category::DataQuality => "data-quality",
        }
    }
}

/// The shipped example a rule's examples are applied to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExampleBase {
    /// `examples/production.toml`, which satisfies every built-in rule.
    #[default]
    Production,
    /// `examples/minimal.toml`, which sets almost nothing (for rules about a missing key).
    Minimal,
}

impl ExampleBase {
    /// The example's file name under `examples/`.
    pub fn file(self) -> &'static str {
        match self {
            ExampleBase::Production => "production.toml",
            ExampleBase::Minimal => "minimal.toml",
        }
    }
}

/// A failing and a passing example: TOML patches merged over a shipped example (tables merge
/// key by key, arrays of tables element by element, anything else replaces).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The example the patches apply to.
    #[serde(default)]
    pub base: ExampleBase,
    /// A patch that makes the rule fire.
    pub fail: String,
    /// A patch that satisfies the rule.
    pub pass: String,
}

/// One policy rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A stable id, e.g. `SEC-MSK-001`.
    pub id: String,
    /// What must hold, in a few words.
    pub title: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// A different severity per `pipeline.environment`, e.g. `{ dev = "note" }`.
    #[serde(default)]
    pub severity_by_env: BTreeMap<String, Severity>,
    /// `security`, `reliability`, `cost`, `operations` or `data-quality`.
    pub category: Category,
    /// Why it matters.
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// AWS Security Hub controls, Checkov ids, documentation URLs.
    #[serde(default)]
    pub references: Vec<String>,
    /// CEL: the rule applies only when this holds.
    #[serde(default)]
    pub when: Option<String>,
    /// CEL yielding a list; the rule is checked for each item, bound to `it` (index `i`).
    #[serde(default)]
    pub each: Option<String>,
    /// CEL that must hold.
    pub assert: String,
    /// The key a finding points at: a dotted path, relative to the item for `each`.
    #[serde(default)]
    pub at: String,
    /// The finding's message; `{{ expr }}` interpolates a CEL expression.
    pub message: String,
    /// A failing and a passing example (required for built-in rules).
    #[serde(default)]
    pub example: Option<Example>,
}

/// Changes a rule by id: a new severity, or disabled.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The rule id.
    pub id: String,
    /// The new severity.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Turn the rule off.
    #[serde(default)]
    pub disabled: bool,
}

/// One policy file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Rules.
    #[serde(default)]
    pub rule: Vec<Rule>,
    /// Changes to rules defined elsewhere.
    #[serde(default, rename = "override")]
    pub overrides: Vec<Override>,
}

/// The documentation link of a rule: its first http(s) reference.
pub fn doc_url(references: &[String]) -> Option<&str> {
    references
        .iter()
        .map(String::as_str)
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
}

/// A file of the built-in pack: its TOML, and the same rules as JSON converted by `build.rs`.
///
/// Every run loads the pack, so the JSON (an order of magnitude quicker to read than TOML with
/// spans) is what runs; the TOML is parsed only to point at a problem in it, which the test
/// suite keeps from ever reaching a release.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    /// The file's name as shown in messages (`policies/kafka.toml`).
    pub name: &'static str,
    /// The file as written.
    pub toml: &'static str,
    /// The file as JSON.
    json: &'static str,
}

macro_rules! built_in {
    ($($area:literal),* $(,)?) => {
        &[$(BuiltIn {
            name: concat!("policies/", $area, ".toml"),
            toml: include_str!(concat!("../../policies/", $area, ".toml")),
            json: include_str!(concat!(env!("OUT_DIR"), "/policies/", $area, ".json")),
        }),*]
    };
}

/// The built-in pack, one file per area.
pub const BUILT_IN: &[BuiltIn] = built_in![
    "kafka",
    "s3",
    "emr",
    "streaming",
    "iam",
    "network",
    "audit",
    "operations",
    "cost",
    "data-quality",
];

impl LoadedRule {
    /// The severity in an environment (`dev`, `staging`, `prod`).
    pub fn severity_in(&self, environment: &str) -> Severity {
        self.severity_by_env
            .get(environment)
            .copied()
            .unwrap_or(self.severity)
    }
}

/// Every CEL expression of a pack, compiled on first use and shared: an expression that
/// several rules use (`pipeline.environment == "prod"`) compiles once, and a message part
/// compiles only when a finding needs it. (Compiling up front on both cores measured slower
/// than this, for one file.)
#[derive(Debug, Default)]
pub struct Programs(HashMap<String, OnceLock<Result<Program, String>>>);

/// A compiled CEL expression (macros expanded), run with [`Program::execute`].
#[derive(Debug)]
pub struct Program(cel::parser::Expression);

impl Program {
    /// Parses a CEL expression of a rule.
    ///
    /// This uses the `cel` crate's hand-written Pratt parser rather than its default ANTLR one:
    /// both build the same tree (a test compares them on every expression of the built-in
    /// pack), and the Pratt parser is what lets a whole check, with every rule's expressions
    /// compiled, fit in a few milliseconds (the ANTLR parser was half of a run's instructions).
    pub fn compile(source: &str) -> Result<Self, String> {
        cel::parser::PrattParser::default()
            .parse(source)
            .map(Program)
            .map_err(|e| e.to_string())
    }

    /// The parsed tree (for tests comparing parsers).
    pub fn expression(&self) -> &cel::parser::Expression {
        &self.0
    }

    /// Evaluates the expression in a context.
    pub fn execute(&self, ctx: &cel::Context) -> cel::ResolveResult {
        cel::Value::resolve(&self.0, ctx)
    }
}

impl Programs {
    /// Registers an expression of the pack.
    fn insert(&mut self, source: &str) {
        self.0.entry(source.to_owned()).or_default();
    }

    /// Every expression of the pack, in no particular order.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The compiled program for an expression of the pack.
    pub(crate) fn get(&self, source: &str) -> Result<&Program, String> {
        let cell = self
            .0
            .get(source)
            .ok_or_else(|| format!("`{source}` is not an expression of the pack"))?;
        cell.get_or_init(|| Program::compile(source))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Whether `each` is a plain dotted path (walked without CEL), e.g. `facts.topics`.
pub(crate) fn plain_path(source: &str) -> bool {
    !source.is_empty()
        && source.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A rule ready to run.
#[derive(Debug)]
pub struct LoadedRule {
    /// The rule as written.
    pub rule: Rule,
    /// Its severity after overrides.
    pub severity: Severity,
    /// Its per-environment severities after overrides.
    pub severity_by_env: BTreeMap<String, Severity>,
    /// The file it came from.
    pub source: String,
}

/// Every rule of a run.
#[derive(Debug, Default)]
pub struct Pack {
    /// Rules in id order.
    pub rules: Vec<LoadedRule>,
    /// Their CEL expressions.
    pub programs: Programs,
}

impl Pack {
    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&LoadedRule> {
        self.rules
            .binary_search_by(|r| r.rule.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Sets new severities by rule id (the project configuration's re-levelling); unknown ids
    /// are ignored here (the configuration is validated against the pack by `check`).
    pub fn relevel(&mut self, severities: &BTreeMap<String, Severity>) {
        for rule in &mut self.rules {
            if let Some(severity) = severities.get(&rule.rule.id) {
                rule.severity = *severity;
                rule.severity_by_env.clear();
            }
        }
    }

    /// Keeps only the rules `keep` accepts (for `--only` and `--skip`).
    pub fn retain(&mut self, keep: impl Fn(&Rule) -> bool) {
        self.rules.retain(|r| keep(&r.rule));
    }
}

/// Problems found while loading policy files, as unusable `FileCheck`s (exit 2).
pub type PolicyErrors = Vec<FileCheck>;

/// Loads the built-in pack and every `*.toml` below each of `dirs`.
pub fn load(dirs: &[PathBuf]) -> Result<Pack, PolicyErrors> {
    let mut sources: Vec<Source> = BUILT_IN.iter().map(|b| Source::BuiltIn(*b)).collect();
    let mut errors = Vec::new();
    for dir in dirs {
        match policy_files(dir) {
            Ok(files) => {
                for file in files {
                    let name = file.display().to_string();
                    match load::read(&file) {
                        Ok(text) => sources.push(Source::File { name, text }),
                        Err(finding) => errors.push(unusable(name, None, vec![*finding])),
                    }
                }
            }
            Err(finding) => errors.push(unusable(dir.display().to_string(), None, vec![*finding])),
        }
    }
    let pack = assemble(sources, &mut errors);
    if errors.is_empty() {
        Ok(pack)
    } else {
        Err(errors)
    }
}

/// Every policy file below `dir`, sorted: `*.toml` files, except tests (`*.test.toml`), their
/// fixture pipelines (anything under a `fixtures` folder) and hidden entries.
fn policy_files(dir: &Path) -> Result<Vec<PathBuf>, Box<Finding>> {
    if !dir.is_dir() {
        return Err(Box::new(Finding::new(
            &IO,
            Severity::Error,
            format!("`{}` is not a directory of policy files", dir.display()),
        )));
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.') || (e.file_type().is_dir() && name == "fixtures"))
        });
    for entry in walker {
        let entry = entry.map_err(|e| {
            Finding::new(
                &IO,
                Severity::Error,
                format!("cannot read `{}`: {e}", dir.display()),
            )
        })?;
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.ends_with(".toml") && !name.ends_with(".test.toml") {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

fn unusable(name: String, source: Option<String>, findings: Vec<Finding>) -> FileCheck {
    FileCheck {
        name,
        source,
        spans: SpanIndex::default(),
        findings,
        usable: false,
        model: None,
    }
}

/// A policy file to load.
enum Source {
    /// A file of the built-in pack.
    BuiltIn(BuiltIn),
    /// A file of the user's.
    File { name: String, text: String },
}

/// Parses a policy file's TOML, keeping where each key is.
fn parse_policy(name: &str, text: &str) -> Result<(PolicyFile, SpanIndex), Box<FileCheck>> {
    let loaded = load::parse(text)
        .map_err(|finding| unusable(name.to_owned(), Some(text.to_owned()), vec![*finding]))?;
    match serde_path_to_error::deserialize(&loaded.value) {
        Ok(file) => Ok((file, loaded.spans)),
        Err(error) => {
            let path = KeyPath::from(error.path());
            let finding = Finding::error(&INVALID, path, error.into_inner().to_string());
            Err(Box::new(FileCheck {
                spans: loaded.spans,
                ..unusable(name.to_owned(), Some(text.to_owned()), vec![finding])
            }))
        }
    }
}

/// Parses, validates and merges policy sources.
fn assemble(sources: Vec<Source>, errors: &mut PolicyErrors) -> Pack {
    let mut rules: BTreeMap<String, LoadedRule> = BTreeMap::new();
    let mut first_seen: BTreeMap<String, String> = BTreeMap::new();
    let mut overrides: Vec<(Override, String, KeyPath)> = Vec::new();
    for source in &sources {
        let (name, text, is_built_in) = match source {
            Source::BuiltIn(b) => (b.name, b.toml, true),
            Source::File { name, text } => (name.as_str(), text.as_str(), false),
        };
        let name = name.to_owned();
        // The built-in pack is read from its JSON; a file that does not read (or a user's
        // file) takes the TOML path, whose errors point into the file.
        let fast = match source {
            Source::BuiltIn(b) => serde_json::from_str::<PolicyFile>(b.json).ok(),
            Source::File { .. } => None,
        };
        let (file, spans) = match fast {
            Some(file) => (file, None),
            None => match parse_policy(&name, text) {
                Ok((file, spans)) => (file, Some(spans)),
                Err(check) => {
                    errors.push(*check);
                    continue;
                }
            },
        };
        let mut problems = Vec::new();
        for (i, rule) in file.rule.into_iter().enumerate() {
            let at = KeyPath::root().key("rule").index(i);
            let rule_problems = validate(&rule, &at, is_built_in);
            problems.extend(rule_problems);
            if let Some(first) = first_seen.get(&rule.id) {
                problems.push(
                    Finding::error(
                        &DUPLICATE_ID,
                        at.key("id"),
                        format!("rule id `{}` is already defined in {first}", rule.id),
                    )
                    .with_help(
                        "give the rule its own id, or change the existing one with an [[override]]",
                    ),
                );
                continue;
            }
            first_seen.insert(rule.id.clone(), name.clone());
            rules.insert(
                rule.id.clone(),
                LoadedRule {
                    severity: rule.severity,
                    severity_by_env: rule.severity_by_env.clone(),
                    rule,
                    source: name.clone(),
                },
            );
        }
        for (i, o) in file.overrides.into_iter().enumerate() {
            overrides.push((o, name.clone(), KeyPath::root().key("override").index(i)));
        }
        if !problems.is_empty() {
            let spans = spans
                .or_else(|| load::parse(text).ok().map(|l| l.spans))
                .unwrap_or_default();
            errors.push(FileCheck {
                spans,
                ..unusable(name, Some(text.to_owned()), problems)
            });
        }
    }
    for (o, name, at) in overrides {
        if o.disabled && rules.remove(&o.id).is_some() {
            continue;
        }
        match rules.get_mut(&o.id) {
            Some(rule) => {
                if let Some(severity) = o.severity {
                    // An organisation's re-levelling applies in every environment.
                    rule.severity = severity;
                    rule.severity_by_env.clear();
                }
            }
            None => {
                let known: Vec<&str> = rules.keys().map(String::as_str).collect();
                let help = crate::suggest::closest(&o.id, known)
                    .map(|best| format!("did you mean `{best}`?"));
                let finding = Finding::error(
                    &UNKNOWN_RULE,
                    at.key("id"),
                    format!("override names unknown rule `{}`", o.id),
                )
                .with_optional_help(help);
                push_problem(errors, name, finding);
            }
        }
    }
    let mut programs = Programs::default();
    for loaded in rules.values() {
        let rule = &loaded.rule;
        let each = rule.each.as_deref().filter(|e| !plain_path(e));
        for source in [rule.when.as_deref(), each, Some(rule.assert.as_str())]
            .into_iter()
            .flatten()
        {
            programs.insert(source);
        }
        for expression in interpolations(&rule.message) {
            programs.insert(expression);
        }
    }
    Pack {
        rules: rules.into_values().collect(),
        programs,
    }
}

/// Adds a finding to the error entry of a policy file (re-reading its spans once).
fn push_problem(errors: &mut PolicyErrors, name: String, finding: Finding) {
    if let Some(existing) = errors.iter_mut().find(|e| e.name == name) {
        existing.findings.push(finding);
        return;
    }
    let text = BUILT_IN
        .iter()
        .find(|b| b.name == name)
        .map(|b| b.toml.to_owned())
        .or_else(|| std::fs::read_to_string(&name).ok());
    let spans = text
        .as_deref()
        .and_then(|t| load::parse(t).ok())
        .map(|l| l.spans)
        .unwrap_or_default();
    errors.push(FileCheck {
        spans,
        ..unusable(name, text, vec![finding])
    });
}

/// Checks a rule's shape, pointing problems at the rule's keys. A custom rule's CEL is compiled
/// here, so a broken pack fails before any pipeline is checked; built-in rules (proven to
/// compile by the test suite) are not, which keeps start-up cheap.
fn validate(rule: &Rule, at: &KeyPath, built_in: bool) -> Vec<Finding> {
    let mut problems = Vec::new();
    let id_ok = rule.id.len() <= 64
        && rule.id.split('-').count() >= 2
        && rule.id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        });
    if !id_ok {
        problems.push(
            Finding::error(
                &INVALID_ID,
                at.key("id"),
                format!("rule id `{}` is not of the form AREA-THING-001", rule.id),
            )
            .with_help("ids are uppercase words and numbers joined by `-`, e.g. ORG-S3-001"),
        );
    }
    let expressions = [
        ("when", rule.when.as_deref()),
        ("each", rule.each.as_deref()),
        ("assert", Some(rule.assert.as_str())),
    ];
    for (key, source) in expressions {
        if let (Some(source), false) = (source, built_in)
            && let Err(error) = Program::compile(source)
        {
            problems.push(Finding::error(
                &CEL,
                at.key(key),
                format!("`{key}` is not valid CEL: {}", first_line(&error)),
            ));
        }
    }
    let messages = if built_in {
        Vec::new()
    } else {
        interpolations(&rule.message)
    };
    for expression in messages {
        if let Err(error) = Program::compile(expression) {
            problems.push(Finding::error(
                &CEL,
                at.key("message"),
                format!(
                    "`{{{{ {expression} }}}}` in the message is not valid CEL: {}",
                    first_line(&error)
                ),
            ));
        }
    }
    if !rule.at.is_empty() && KeyPath::parse_dotted(&rule.at).is_none() {
        problems.push(Finding::error(
            &INVALID,
            at.key("at"),
            format!("`{}` is not a dotted key path", rule.at),
        ));
    }
    if built_in && rule.example.is_none() {
        problems.push(Finding::error(
            &INVALID,
            at.key("id"),
            format!("built-in rule `{}` has no example", rule.id),
        ));
    }
    problems
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The `{{ expr }}` expressions of a message template.
pub(crate) fn interpolations(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_json_holds_the_same_rules_as_the_toml() {
        for file in BUILT_IN {
            let from_json: PolicyFile = serde_json::from_str(file.json)
                .unwrap_or_else(|e| panic!("{}: the JSON does not read: {e}", file.name));
            let (from_toml, _) = parse_policy(file.name, file.toml)
                .unwrap_or_else(|e| panic!("{}: {:?}", file.name, e.findings));
            assert!(!from_toml.rule.is_empty(), "{}", file.name);
            assert_eq!(
                serde_json::to_value(&from_json).unwrap(),
                serde_json::to_value(&from_toml).unwrap(),
                "{}",
                file.name
            );
        }
    }

    #[test]
    fn every_built_in_file_is_listed() {
        let mut on_disk: Vec<String> = std::fs::read_dir("policies")
            .unwrap()
            .map(|e| format!("policies/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = BUILT_IN.iter().map(|b| b.name.to_owned()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
    }
}
