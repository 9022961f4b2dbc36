//! pipegen: a configuration compiler and policy linter for Kafka (MSK) → Spark (EMR) →
//! Hudi (S3) → Polaris pipelines.
//!
//! The flow, one module per stage:
//!
//! ```text
//! TOML text ─► load (spans kept) ─► schema (JSON Schema) ─► model (typed, defaults applied)
//!           ─► consistency (cross-field correctness) ─► facts (derived values) ─► report
//! ```
//!
//! ```
//! let ctx = pipegen::Context::builtin("2026-11-26".parse().unwrap()).unwrap();
//! let text = std::fs::read_to_string("examples/broken.toml").unwrap();
//! let check = pipegen::check_source("broken.toml".into(), text, &ctx);
//! assert!(check.usable);
//! let codes: Vec<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
//! assert!(codes.contains(&"CFX-004")); // 4 brokers over 3 client subnets
//! ```

pub mod access;
pub mod aws;
pub mod code;
pub mod config;
pub mod consistency;
pub mod constraints;
pub mod cost;
pub mod diagnostic;
pub mod docs;
pub mod facts;
pub mod init;
pub mod limits;
pub mod load;
pub mod metrics;
pub mod model;
pub mod options;
pub mod overlays;
pub mod path;
pub mod policy;
pub mod render;
pub mod report;
pub mod scan;
pub mod schema;
pub mod suggest;

use std::path::Path;

use diagnostic::Finding;
use load::SpanIndex;
use model::Pipeline;

/// What a run needs besides the files: today's date, the policy pack, and whether waivers apply.
#[derive(Debug)]
pub struct Context {
    /// Today's date (end of support, waiver expiry).
    pub today: jiff::civil::Date,
    /// The rules to evaluate.
    pub pack: policy::Pack,
    /// Apply the pipeline's waivers (`--no-waivers` turns them off).
    pub waivers: bool,
    /// The `[env.<name>]` overlay to apply (`--env`).
    pub env: Option<String>,
    /// The price table (`facts.cost`): built in, or with `pipegen.toml [cost] prices`.
    pub prices: std::borrow::Cow<'static, cost::Prices>,
}

impl Context {
    /// A context with the built-in pack and waivers on.
    pub fn builtin(today: jiff::civil::Date) -> Result<Self, policy::PolicyErrors> {
        Ok(Context {
            today,
            pack: policy::load(&[])?,
            waivers: true,
            env: None,
            prices: std::borrow::Cow::Borrowed(cost::Prices::builtin()),
        })
    }
}

/// The outcome of checking one file.
#[derive(Debug)]
pub struct FileCheck {
    /// The file's name as shown in reports.
    pub name: String,
    /// The text, when it could be read.
    pub source: Option<String>,
    /// Where each key is in the text.
    pub spans: SpanIndex,
    /// Everything found, in file order.
    pub findings: Vec<Finding>,
    /// False when the file could not be used at all (unreadable, not TOML).
    pub usable: bool,
    /// The typed model, when it could be built.
    pub model: Option<Pipeline>,
}

impl FileCheck {
    fn unusable(name: String, source: Option<String>, finding: Finding) -> Self {
        FileCheck {
            name,
            source,
            spans: SpanIndex::default(),
            findings: vec![finding],
            usable: false,
            model: None,
        }
    }
}

/// Reads and checks one pipeline file.
pub fn check_file(path: &Path, ctx: &Context) -> FileCheck {
    let name = path.display().to_string();
    match load::read(path) {
        Ok(text) => check_source(name, text, ctx),
        Err(finding) => FileCheck::unusable(name, None, *finding),
    }
}

/// `--env all`: check each file once per overlay.
pub const ALL_ENVS: &str = "all";

/// Reads and checks one pipeline file: once, or once per overlay with `--env all`.
pub fn check_path(path: &Path, ctx: &Context) -> Vec<FileCheck> {
    if ctx.env.as_deref() != Some(ALL_ENVS) {
        return vec![check_file(path, ctx)];
    }
    let name = path.display().to_string();
    match load::read(path) {
        Ok(text) => check_source_all(name, text, ctx),
        Err(finding) => vec![FileCheck::unusable(name, None, *finding)],
    }
}

/// Checks pipeline text: load → schema/model → consistency → facts → policies → waivers.
/// With `--env all` (see [`check_source_all`]) use the latter.
pub fn check_source(name: String, text: String, ctx: &Context) -> FileCheck {
    match load::parse(&text) {
        Ok(loaded) => check_loaded(name, text, loaded, ctx.env.as_deref(), ctx),
        Err(finding) => FileCheck::unusable(name, Some(text), *finding),
    }
}

/// `--env all`: the file checked once per overlay it defines (each named `FILE [env.NAME]`),
/// or once as written, with a note, when it defines none.
pub fn check_source_all(name: String, text: String, ctx: &Context) -> Vec<FileCheck> {
    let loaded = match load::parse(&text) {
        Ok(loaded) => loaded,
        Err(finding) => return vec![FileCheck::unusable(name, Some(text), *finding)],
    };
    let envs = overlays::names(&loaded);
    if envs.is_empty() {
        let mut check = check_loaded(name, text, loaded, None, ctx);
        check.findings.push(diagnostic::Finding::new(
            &crate::load::ENV,
            diagnostic::Severity::Info,
            "the file defines no [env.*] overlays; checked as written",
        ));
        return vec![check];
    }
    envs.iter()
        .map(|env| {
            let shown = format!("{name} [env.{env}]");
            check_loaded(shown, text.clone(), loaded.clone(), Some(env), ctx)
        })
        .collect()
}

/// The stages after loading, with overlay `env` applied.
fn check_loaded(
    name: String,
    text: String,
    mut loaded: load::Loaded,
    env: Option<&str>,
    ctx: &Context,
) -> FileCheck {
    let mut overlay_findings = overlays::check(&loaded, env);
    if let Some(env) = env {
        match loaded.apply_env(env) {
            Ok(note) => overlay_findings.extend(note),
            Err(finding) => {
                return FileCheck {
                    spans: loaded.spans,
                    ..FileCheck::unusable(name, Some(text), *finding)
                };
            }
        }
    }
    let (model, mut findings, aside) = model::build_setting_aside(&loaded.value);
    findings.append(&mut overlay_findings);
    if let Some(pipeline) = &model {
        // The model as JSON, built once: what the policies, the facts and some checks read.
        let document = serde_json::to_value(pipeline).expect("the model serialises");
        let mut derived = consistency::check(
            pipeline,
            &consistency::Context {
                today: ctx.today,
                document: &document,
            },
        );
        // The limits are measured on the render, which only a consistent pipeline has.
        if !findings
            .iter()
            .chain(&derived)
            .any(|f| f.severity == diagnostic::Severity::Error)
        {
            derived.extend(limits::check(pipeline, &document));
        }
        let facts = facts::build(pipeline, &document, &ctx.prices);
        let mut policy_findings = policy::evaluate(&ctx.pack, pipeline, &document, &facts);
        // Paths into the model become paths into the file, and what only follows from a
        // value recovery set aside (a default standing in for it) is dropped.
        remap(&mut derived, &aside);
        remap(&mut policy_findings, &aside);
        derived.retain(|f| !aside.explains(f));
        policy_findings.retain(|f| !aside.explains(f));
        if ctx.waivers {
            let mut about_waivers = policy::apply_waivers(
                pipeline,
                &document,
                &ctx.pack,
                &mut policy_findings,
                ctx.today,
            );
            remap(&mut about_waivers, &aside);
            findings.extend(about_waivers);
        }
        findings.extend(derived);
        findings.extend(policy_findings);
    }
    for finding in &mut findings {
        missing_table(finding, &loaded.spans);
        shorten_echoes(&mut finding.message);
    }
    // File order: unknown keys first (a typo explains what follows from it: a required key
    // missing, a default in its place), then by position (unlocated findings last, notes
    // after problems at the same place), then code, so output is stable.
    let position = |f: &Finding| {
        f.span
            .clone()
            .or_else(|| loaded.spans.locate(f.path.as_ref()?, f.at_key))
            .map_or(usize::MAX, |s| s.start)
    };
    findings.sort_by_cached_key(|f| {
        let note = f.severity == diagnostic::Severity::Info;
        let typo = f.code.is(&schema::UNKNOWN_KEY);
        (!typo, position(f), note, f.code.clone(), f.message.clone())
    });
    FileCheck {
        name,
        source: Some(text),
        spans: loaded.spans,
        findings,
        usable: true,
        model,
    }
}

/// A finding about a top-level table the file lacks has no place in the file: it is a
/// file-level finding that says so. A rule's asks for the table (and loses its key path, as
/// the JSON report documents for missing tables); a consistency check's is about a value
/// derived from the table's defaults, so it keeps its path and says the defaults apply.
fn missing_table(finding: &mut Finding, spans: &SpanIndex) {
    if finding.span.is_some() {
        return;
    }
    let Some(path::Segment::Key(table)) = finding.path.as_ref().and_then(|p| p.segments().first())
    else {
        return;
    };
    if spans
        .locate(&path::KeyPath::root().key(table.clone()), true)
        .is_some()
    {
        return;
    }
    if finding.code.stage() == Some(code::Stage::Consistency) {
        finding.message = format!(
            "{} (`[{table}]` is not in the file: its defaults apply)",
            finding.message
        );
    } else {
        finding.message = format!("{} (add `[{table}]`)", finding.message);
        finding.path = None;
    }
}

/// The longest run of non-blank characters a message echoes whole; longer ones (a value
/// pasted by mistake, a generated name) keep their start and say how long they were, so a
/// report stays readable and small whatever the file holds.
const ECHO_LIMIT: usize = 120;

fn shorten_echoes(message: &mut String) {
    if message.len() <= ECHO_LIMIT {
        return;
    }
    let mut out = String::with_capacity(ECHO_LIMIT * 2);
    let mut changed = false;
    for (i, word) in message.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let count = word.chars().count();
        if count > ECHO_LIMIT {
            out.extend(word.chars().take(ECHO_LIMIT / 2));
            out.push_str(&format!("…({count} characters)"));
            changed = true;
        } else {
            out.push_str(word);
        }
    }
    if changed {
        *message = out;
    }
}

/// Moves findings about the model built after recovery to the file's coordinates (an array
/// element set aside shifts the indices after it).
fn remap(findings: &mut [Finding], aside: &model::SetAside) {
    if aside.removed.is_empty() {
        return;
    }
    for finding in findings {
        if let Some(path) = &finding.path {
            finding.path = Some(aside.original(path));
        }
        for related in &mut finding.related {
            related.path = aside.original(&related.path);
        }
    }
}
