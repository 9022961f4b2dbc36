//! Stage 7: render. Templates (minijinja, embedded, overridable with `--templates DIR`) over
//! the model and facts write every artifact of the deployment; each value passes through the
//! escape of its file's syntax. Output is deterministic and written atomically.

mod context;
mod deploy;
pub mod escape;
pub mod job;
mod write;

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::Pipeline;

pub use context::step_arguments;
pub use write::{Stale, check as check_output, write, write_over};

/// Every template, by name. Names are the output paths, except `hudi/table.properties`
/// (rendered once per table as `hudi/<table>.properties`) and `pipeline.env` (`.env`).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "cloudformation/pipeline.yaml",
        include_str!("../../templates/cloudformation/pipeline.yaml"),
    ),
    (
        "kafka/broker.properties",
        include_str!("../../templates/kafka/broker.properties"),
    ),
    (
        "kafka/producer.properties",
        include_str!("../../templates/kafka/producer.properties"),
    ),
    (
        "kafka/consumer.properties",
        include_str!("../../templates/kafka/consumer.properties"),
    ),
    (
        "kafka/topics.txt",
        include_str!("../../templates/kafka/topics.txt"),
    ),
    (
        "kafka/create-topics.sh",
        include_str!("../../templates/kafka/create-topics.sh"),
    ),
    (
        "spark/spark-config.json",
        include_str!("../../templates/spark/spark-config.json"),
    ),
    (
        "spark/spark-defaults.conf",
        include_str!("../../templates/spark/spark-defaults.conf"),
    ),
    (
        "spark/emr-step.json",
        include_str!("../../templates/spark/emr-step.json"),
    ),
    (
        "hudi/table.properties",
        include_str!("../../templates/hudi/table.properties"),
    ),
    (
        "polaris/catalog.properties",
        include_str!("../../templates/polaris/catalog.properties"),
    ),
    (
        "polaris/xtable-config.yaml",
        include_str!("../../templates/polaris/xtable-config.yaml"),
    ),
    (
        "polaris/xtable-catalog.json",
        include_str!("../../templates/polaris/xtable-catalog.json"),
    ),
    (
        "monitoring/create-alarms.sh",
        include_str!("../../templates/monitoring/create-alarms.sh"),
    ),
    (
        "monitoring/grafana-dashboard.json",
        include_str!("../../templates/monitoring/grafana-dashboard.json"),
    ),
    ("pipeline.env", include_str!("../../templates/pipeline.env")),
    ("deploy.sh", include_str!("../../templates/deploy.sh")),
    (
        "cloudformation/bootstrap.yaml",
        include_str!("../../templates/cloudformation/bootstrap.yaml"),
    ),
    (
        "cloudformation/replica.yaml",
        include_str!("../../templates/cloudformation/replica.yaml"),
    ),
];

/// One rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The path below the output folder, `/`-separated.
    pub path: String,
    /// The file's bytes.
    pub content: String,
    /// Whether the file is a script (written executable).
    pub executable: bool,
}

/// Why rendering failed.
#[derive(Debug)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenderError {}

/// Loads the templates: the embedded ones, each replaced by `overrides/<name>` if present.
fn environment(overrides: Option<&Path>) -> Result<Environment<'static>, RenderError> {
    environment_of(overrides, |_| true)
}

/// An environment with the templates `keep` selects.
fn environment_of(
    overrides: Option<&Path>,
    keep: impl Fn(&str) -> bool,
) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(escape::mode_for);
    env.set_formatter(escape::formatter);
    env.add_filter("key", escape::key_filter);
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax.keep_trailing_newline(true);
    env.set_syntax(syntax.build().map_err(|e| RenderError(e.to_string()))?);
    if let Some(dir) = overrides {
        check_overrides(dir)?;
    }
    for (name, source) in TEMPLATES.iter().filter(|(name, _)| keep(name)) {
        let custom = overrides.map(|dir| dir.join(name)).filter(|p| p.is_file());
        let text = match custom {
            Some(path) => std::fs::read_to_string(&path).map_err(|e| {
                RenderError(format!("cannot read template `{}`: {e}", path.display()))
            })?,
            None => (*source).to_owned(),
        };
        env.add_template_owned(*name, text)
            .map_err(|e| RenderError(format!("template `{name}`: {e}")))?;
    }
    Ok(env)
}

/// A file in the overrides folder that replaces no template is almost always a typo.
fn check_overrides(dir: &Path) -> Result<(), RenderError> {
    if !dir.is_dir() {
        return Err(RenderError(format!(
            "`{}` is not a directory of templates",
            dir.display()
        )));
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| RenderError(format!("cannot read `{}`: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = relative.to_string_lossy().replace('\\', "/");
        if !TEMPLATES.iter().any(|(t, _)| *t == name) {
            let known = TEMPLATES.iter().map(|(t, _)| *t);
            let hint = crate::suggest::closest(&name, known)
                .map(|b| format!("; did you mean `{b}`?"))
                .unwrap_or_default();
            return Err(RenderError(format!(
                "`{}` overrides no template{hint} (`pipegen render --list-templates` lists them)",
                entry.path().display()
            )));
        }
    }
    Ok(())
}

/// A file name component made only of safe characters.
fn file_component(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '_') {
        "table".to_owned()
    } else {
        cleaned
    }
}

/// The main CloudFormation template alone, with the built-in templates: what `check` measures
/// (template size, resource count) before anything is written.
pub fn main_template(pipeline: &Pipeline) -> Result<String, RenderError> {
    static ENV: std::sync::OnceLock<Result<Environment<'static>, String>> =
        std::sync::OnceLock::new();
    let env = ENV
        .get_or_init(|| {
            environment_of(None, |n| n == "cloudformation/pipeline.yaml").map_err(|e| e.0)
        })
        .as_ref()
        .map_err(|e| RenderError(e.clone()))?;
    let name = "cloudformation/pipeline.yaml";
    let json = context::build(pipeline);
    env.get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(&json)))
        .map_err(|e| RenderError(format!("template `{name}`: {e}")))
}

/// Renders every artifact of a pipeline, plus `manifest.json`.
pub fn render(
    pipeline: &Pipeline,
    input_name: &str,
    input: &[u8],
    overrides: Option<&Path>,
) -> Result<Vec<Artifact>, RenderError> {
    let env = environment(overrides)?;
    let json = context::build(pipeline);
    // Converted to template values once, shared by every template (minijinja values are
    // reference-counted; converting per template was most of a render's time).
    let ctx = minijinja::Value::from(minijinja::value::Serde(&json));
    let mut out = Vec::new();
    for (name, _) in TEMPLATES {
        let template = env
            .get_template(name)
            .map_err(|e| RenderError(format!("template `{name}`: {e}")))?;
        if *name == "hudi/table.properties" {
            let failed = |e: minijinja::Error| RenderError(format!("template `{name}`: {e}"));
            let tables = ctx.get_attr("hudi_tables").map_err(failed)?;
            for table in tables.try_iter().map_err(failed)? {
                let table_name = table.get_attr("name").map_err(failed)?;
                let file = file_component(table_name.as_str().unwrap_or_default());
                let scope = minijinja::context! { table => table, ..ctx.clone() };
                let content = template.render(scope).map_err(failed)?;
                out.push(artifact(format!("hudi/{file}.properties"), content));
            }
            continue;
        }
        if name.starts_with("polaris/") && pipeline.polaris.is_none() {
            continue;
        }
        if *name == "monitoring/grafana-dashboard.json" && !pipeline.monitoring.dashboards {
            continue;
        }
        if *name == "cloudformation/replica.yaml" && pipeline.storage.replication.is_none() {
            continue;
        }
        let content = template
            .render(ctx.clone())
            .map_err(|e| RenderError(format!("template `{name}`: {e}")))?;
        let path = if *name == "pipeline.env" {
            ".env".to_owned()
        } else {
            (*name).to_owned()
        };
        out.push(artifact(path, content));
    }
    // The job's settings, from the model (not a template: its schema is the contract), and
    // the job itself when the step runs pipegen's.
    out.push(artifact(
        "spark/job-settings.json".to_owned(),
        job::settings_json(pipeline),
    ));
    if crate::facts::rendered_job(pipeline) {
        out.push(artifact(
            "spark/streaming_job.py".to_owned(),
            job::STREAMING_JOB.to_owned(),
        ));
    }
    if crate::facts::needs_bootstrap(pipeline) {
        out.push(artifact(
            "spark/bootstrap.sh".to_owned(),
            job::BOOTSTRAP.to_owned(),
        ));
    }
    if crate::facts::polaris_sync(pipeline) {
        out.push(artifact(
            format!("polaris/{}", crate::facts::SYNC_PROGRAM),
            job::XTABLE_SYNC.to_owned(),
        ));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(&out, &pipeline.pipeline.name, input_name, input);
    out.push(artifact("manifest.json".to_owned(), manifest));
    Ok(out)
}

fn artifact(path: String, content: String) -> Artifact {
    let executable = path.ends_with(".sh");
    Artifact {
        path,
        content,
        executable,
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `manifest.json`: every file with its sha256, the pipegen version, the pipeline's name and
/// the input's sha256.
fn manifest(files: &[Artifact], pipeline: &str, input_name: &str, input: &[u8]) -> String {
    let entries: Vec<Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "path": f.path,
                "sha256": sha256(f.content.as_bytes()),
                "bytes": f.content.len(),
            })
        })
        .collect();
    let mut map = BTreeMap::new();
    map.insert(
        "generator",
        serde_json::json!(format!("pipegen {}", env!("CARGO_PKG_VERSION"))),
    );
    map.insert(
        "input",
        serde_json::json!({ "file": input_name, "sha256": sha256(input) }),
    );
    map.insert("files", Value::Array(entries));
    map.insert("pipeline", serde_json::json!(pipeline));
    let mut text = serde_json::to_string_pretty(&map).expect("the manifest serialises");
    text.push('\n');
    text
}
