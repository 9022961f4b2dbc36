//! Every `[env.<name>]` overlay is checked on every run, not only the one `--env` selects:
//! each is merged over the file on its own and the schema findings it causes are reported at
//! the overlay's keys; an overlay named after no environment is flagged.

use serde_json::Value;

use crate::diagnostic::{Finding, Severity};
use crate::load::Loaded;
use crate::model::Environment;
use crate::path::{KeyPath, Segment};

/// The environment names an overlay may have (`pipeline.environment`'s values).
fn environments() -> Vec<String> {
    <Environment as clap::ValueEnum>::value_variants()
        .iter()
        .map(crate::model::wire_name)
        .collect()
}

/// The overlays the file defines, in file order.
pub fn names(loaded: &Loaded) -> Vec<String> {
    let Some(Value::Object(envs)) = loaded.value.get("env") else {
        return Vec::new();
    };
    let mut names: Vec<(usize, String)> = envs
        .keys()
        .map(|name| {
            let at = loaded
                .spans
                .locate(&KeyPath::root().key("env").key(name.clone()), true)
                .map_or(usize::MAX, |s| s.start);
            (at, name.clone())
        })
        .collect();
    names.sort();
    names.into_iter().map(|(_, name)| name).collect()
}

/// Findings about every overlay but `selected` (whose findings come from checking the merged
/// file itself): its name, and the schema findings merging it causes, at its own keys.
pub fn check(loaded: &Loaded, selected: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let environments = environments();
    for name in names(loaded) {
        let path = KeyPath::root().key("env").key(name.clone());
        if !environments.contains(&name) {
            let hint = crate::suggest::closest(&name, environments.iter().map(String::as_str))
                .map(|best| format!("did you mean `{best}`? "))
                .unwrap_or_default();
            findings.push(
                Finding::new(
                    &crate::load::ENV_NAME,
                    Severity::Warning,
                    format!(
                        "overlay `[env.{name}]` is named after no environment, so no \
                         `pipeline.environment` selects it by name"
                    ),
                )
                .at_key(path.clone())
                .with_help(format!(
                    "{hint}overlays are named dev, staging or prod and applied with `--env NAME`"
                )),
            );
        }
        if selected == Some(name.as_str()) {
            continue;
        }
        findings.extend(schema_findings(loaded, &name, &path));
    }
    findings
}

/// The schema findings of the file with overlay `name` merged, kept when the overlay set the
/// value they are about (the rest are the file's own) and moved to the overlay's key paths.
fn schema_findings(loaded: &Loaded, name: &str, path: &KeyPath) -> Vec<Finding> {
    let Some(overlay) = loaded.value.get("env").and_then(|e| e.get(name)) else {
        return Vec::new();
    };
    let mut merged = loaded.clone();
    if let Err(finding) = merged.apply_env(name) {
        // Not a table: the one thing to say about it.
        return vec![*finding];
    }
    let (_, findings) = crate::model::build(&merged.value);
    findings
        .into_iter()
        .filter(|f| f.severity != Severity::Info)
        .filter_map(|mut f| {
            let inner = f.path.clone()?;
            set_by(overlay, &inner).then(|| {
                f.path = Some(path.join(&inner));
                f.message = format!("{} (in [env.{name}])", f.message);
                f
            })
        })
        .collect()
}

/// Whether the value at `path` of the merged file came from `overlay`: the overlay holds the
/// whole path, or replaced a value (an array, a scalar) on the way to it. Tables merge, so a
/// path that leaves the overlay's tables is the file's own.
fn set_by(overlay: &Value, path: &KeyPath) -> bool {
    let mut node = overlay;
    for segment in path.segments() {
        node = match (segment, node) {
            (Segment::Key(key), Value::Object(map)) => match map.get(key) {
                Some(child) => child,
                None => return false,
            },
            // An array or scalar replaces the file's value whole.
            _ => return true,
        };
    }
    true
}
