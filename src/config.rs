//! The project configuration: an optional `pipegen.toml`, found by walking up from the working
//! directory, that sets a repository's defaults. Command-line flags win over it.
//!
//! ```toml
//! [check]
//! format = "sarif"
//! policies = ["policies/acme"]      # relative to this file
//! strict = true
//! skip = ["COST-EMR-002"]
//! severity = { "SEC-NET-004" = "error" }
//!
//! [render]
//! out = "deploy"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::FileCheck;
use crate::diagnostic::{Finding, Severity};
use crate::load::{self, SpanIndex};
use crate::path::KeyPath;
use crate::policy::Category;
use crate::report::Format;

use crate::code::{Builtin, ERROR, Stage};

/// `config::invalid`: pipegen.toml matches its schema.
pub static INVALID: Builtin = Builtin {
    id: "config::invalid",
    stage: Stage::Config,
    title: "pipegen.toml matches its schema",
    severities: ERROR,
    why: "a repository configuration pipegen cannot read would silently change what every check reports",
    fix: "Fix the value at the location shown; `docs/configuration.md` lists every key.",
    example: None,
};

/// `config::unknown-key`: pipegen.toml has only keys pipegen knows.
pub static UNKNOWN_KEY: Builtin = Builtin {
    id: "config::unknown-key",
    stage: Stage::Config,
    title: "pipegen.toml has only keys pipegen knows",
    severities: ERROR,
    why: "a misspelled key (`serverity`) would be ignored, and the setting the user meant would not apply",
    fix: "Use the key the finding suggests, or remove it.",
    example: None,
};

/// The codes this stage reports.
pub const CODES: &[&Builtin] = &[&INVALID, &UNKNOWN_KEY];

/// The configuration file's name.
pub const FILE_NAME: &str = "pipegen.toml";

/// `pipegen.toml`: a repository's defaults for pipegen.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pipegen project configuration")]
pub struct ProjectConfig {
    /// Defaults for `pipegen check`.
    #[serde(default)]
    pub check: CheckConfig,
    /// Defaults for `pipegen render`.
    #[serde(default)]
    pub render: RenderConfig,
    /// The cost estimate (`pipegen cost`, the budget rules).
    #[serde(default)]
    pub cost: CostConfig,
}

/// The cost estimate's settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostConfig {
    /// A price file merged over the built-in table, relative to this file: regions, groups
    /// or single prices to add or override, each group with its `source` and `read` date,
    /// in the shape of pipegen's `data/prices.toml`.
    #[serde(default)]
    pub prices: Option<PathBuf>,
}

/// Defaults for `pipegen check`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// The report format when `--format` is not given.
    #[serde(default)]
    pub format: Option<Format>,
    /// Policy folders loaded in addition to `--policies`, relative to this file.
    #[serde(default)]
    pub policies: Vec<PathBuf>,
    /// Fail on warnings too (like `--strict`).
    #[serde(default)]
    pub strict: bool,
    /// Rules never run (added to `--skip`).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Run only these categories when `--only` is not given.
    #[serde(default)]
    pub only: Vec<Category>,
    /// New severities for rules, by id (the organisation's re-levelling).
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// Defaults for `pipegen render`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderConfig {
    /// The output folder when `--out` is not given, relative to this file.
    #[serde(default)]
    pub out: Option<PathBuf>,
    /// A template override folder when `--templates` is not given, relative to this file.
    #[serde(default)]
    pub templates: Option<PathBuf>,
}

/// The configuration in force for `start`, with relative paths resolved; `Ok(None)` when no
/// `pipegen.toml` is found up to the filesystem root. A broken file is an unusable `FileCheck`.
pub fn discover(start: &Path) -> Result<Option<(PathBuf, ProjectConfig)>, Box<FileCheck>> {
    let mut dir = Some(start);
    while let Some(current) = dir {
        let candidate = current.join(FILE_NAME);
        if candidate.is_file() && is_config(&candidate) {
            return load(&candidate).map(|c| Some((candidate, c)));
        }
        dir = current.parent();
    }
    Ok(None)
}

/// A `pipegen.toml` could also be a pipeline file named by convention; a configuration has
/// no `[pipeline]` table.
fn is_config(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| !t.lines().any(|l| l.trim() == "[pipeline]"))
}

fn unusable(
    name: String,
    source: Option<String>,
    spans: SpanIndex,
    finding: Finding,
) -> Box<FileCheck> {
    Box::new(FileCheck {
        name,
        source,
        spans,
        findings: vec![finding],
        usable: false,
        model: None,
    })
}

/// Reads and validates a configuration file; paths become relative to its folder.
pub fn load(path: &Path) -> Result<ProjectConfig, Box<FileCheck>> {
    let name = path.display().to_string();
    let text =
        load::read(path).map_err(|f| unusable(name.clone(), None, SpanIndex::default(), *f))?;
    let loaded = match load::parse(&text) {
        Ok(loaded) => loaded,
        Err(f) => return Err(unusable(name, Some(text), SpanIndex::default(), *f)),
    };
    let mut config: ProjectConfig = match serde_path_to_error::deserialize(&loaded.value) {
        Ok(config) => config,
        Err(error) => {
            let path = KeyPath::from(error.path());
            let message = error.into_inner().to_string();
            let finding = unknown_key(&path, &message)
                .unwrap_or_else(|| Finding::error(&INVALID, path, message));
            return Err(unusable(name, Some(text), loaded.spans, finding));
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    for folder in &mut config.check.policies {
        *folder = base.join(&*folder);
    }
    config.render.out = config.render.out.map(|p| base.join(p));
    config.render.templates = config.render.templates.map(|p| base.join(p));
    config.cost.prices = config.cost.prices.map(|p| base.join(p));
    Ok(config)
}

/// serde's "unknown field `formt`, expected one of `format`, …" as pipegen says it of a
/// pipeline file: at the key, with the closest known key.
fn unknown_key(path: &KeyPath, message: &str) -> Option<Finding> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let table = path.parent();
    let within = if table.segments().is_empty() {
        "the configuration".to_owned()
    } else {
        format!("`[{table}]`")
    };
    let help = match crate::suggest::closest(key, known.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("known keys: {}", known.join(", ")),
    };
    Some(
        Finding::error(
            &UNKNOWN_KEY,
            path.clone(),
            format!("unknown key `{key}` in {within}"),
        )
        .at_key(path.clone())
        .with_help(help),
    )
}

/// The committed configuration schema.
pub const COMMITTED_SCHEMA: &str = include_str!("../schemas/pipegen-config.schema.json");

/// The configuration's JSON Schema, generated from the types.
pub fn schema() -> String {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<ProjectConfig>();
    let mut value = schema.to_value();
    crate::schema::strip_null(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("a schema serialises");
    text.push('\n');
    text
}
