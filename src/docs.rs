//! Reference documentation generated from the code, so it cannot drift: the pipeline file's
//! keys (from the JSON Schema) and the consistency checks (from their table). Tests keep
//! `docs/configuration.md` and `docs/checks.md` in step with this output.

use std::fmt::Write;

use serde_json::Value;

use crate::code::{Builtin, Stage};
use crate::schema;

/// Markdown listing every key of the pipeline file with its type, default and description.
pub fn configuration_markdown() -> String {
    let root: Value = serde_json::from_str(schema::COMMITTED).expect("the schema is JSON");
    let mut out = String::from(
        "# Pipeline file reference\n\n\
         Generated from `schemas/pipeline.schema.json` (itself generated from the Rust types); \
         do not edit by hand. `[]` marks an array element, `<name>` a key you choose.\n\n",
    );
    let mut rows = Vec::new();
    collect(&root, &root, String::new(), &mut rows, 0);
    let mut section = String::new();
    for (key, kind, default, required, description) in rows {
        let top = key.split(['.', '[']).next().unwrap_or_default().to_owned();
        if top != section {
            let _ = write!(
                out,
                "\n## `{top}`\n\n| key | type | default | description |\n|---|---|---|---|\n"
            );
            section = top;
        }
        let default = if required {
            "**required**".to_owned()
        } else {
            default.map(|d| format!("`{d}`")).unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "| `{key}` | {kind} | {default} | {} |",
            description.replace('\n', " ").replace('|', "\\|")
        );
    }
    out
}

type Row = (String, String, Option<String>, bool, String);

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .map_or(node, |n| resolve(root, n)),
        None => node,
    }
}

fn collect(root: &Value, node: &Value, prefix: String, rows: &mut Vec<Row>, depth: usize) {
    let node = resolve(root, node);
    let required: Vec<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let target = resolve(root, property);
        let description = property
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // A table's default is the sum of its keys' defaults, listed on their own rows.
        let default = property
            .get("default")
            .filter(|d| !is_empty(d) && !d.is_object())
            .map(|d| d.to_string());
        rows.push((
            key.clone(),
            type_name(root, target),
            default,
            required.contains(&name.as_str()),
            description,
        ));
        if depth > 8 {
            continue;
        }
        match target.get("type").and_then(Value::as_str) {
            Some("object") if target.get("properties").is_some() => {
                collect(root, target, key, rows, depth + 1);
            }
            Some("object") => {
                if let Some(values) = target.get("additionalProperties").filter(|v| v.is_object()) {
                    let values = resolve(root, values);
                    if values.get("properties").is_some() {
                        collect(root, values, format!("{key}.<name>"), rows, depth + 1);
                    }
                }
            }
            Some("array") => {
                if let Some(items) = target.get("items") {
                    collect(root, items, format!("{key}[]"), rows, depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn type_name(root: &Value, node: &Value) -> String {
    let node = resolve(root, node);
    let choices: Vec<String> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| node.get(*k)?.as_array())
        .flatten()
        .filter_map(|b| {
            let b = resolve(root, b);
            b.get("const")
                .map(|c| format!("`{c}`"))
                .or_else(|| b.get("type").and_then(Value::as_str).map(str::to_owned))
        })
        .collect();
    if !choices.is_empty() {
        return choices.join(" \\| ");
    }
    if let Some(options) = node.get("enum").and_then(Value::as_array) {
        return options
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    match node.get("type").and_then(Value::as_str) {
        Some("array") => {
            let item = node
                .get("items")
                .map_or("any".to_owned(), |i| type_name(root, i));
            if item.contains('|') {
                format!("array of ({item})")
            } else {
                format!("array of {item}")
            }
        }
        Some("object") if node.get("properties").is_some() => "table".to_owned(),
        Some("object") => match node.get("additionalProperties") {
            Some(values) if values.is_object() => format!("table of {}", type_name(root, values)),
            _ => "table".to_owned(),
        },
        Some(t) => t.to_owned(),
        None => "any".to_owned(),
    }
}

/// Markdown explaining every built-in code: the consistency checks in full (what, why, fix,
/// a failing and a passing example), then the load, config, schema, policy and waiver codes.
pub fn checks_markdown() -> String {
    let mut out = String::from(
        "# Built-in codes\n\n\
         Generated from the code that reports them (`src/consistency/`, `src/load.rs`, …); do \
         not edit by hand. `pipegen explain ID` prints the same; `pipegen rules --category \
         consistency` lists them.\n\n\
         ## Consistency checks\n\n\
         These check correctness, not policy: a pipeline that fails one cannot be deployed or \
         cannot work, so they fail `pipegen check` (exit 1) and cannot be waived. A few report \
         a setting that silently does nothing; those are warnings.\n\n\
         | id | severity | must hold | otherwise |\n|---|---|---|---|\n",
    );
    let severities =
        |code: &Builtin| crate::code::severities_text(&code.severities_highest_first());
    let checks: Vec<&Builtin> = crate::consistency::codes().collect();
    for code in &checks {
        let anchor = code.id.to_lowercase();
        let _ = writeln!(
            out,
            "| [{}](#{anchor}) | {} | {} | {} |",
            code.id,
            severities(code),
            code.title,
            code.why
        );
    }
    for code in &checks {
        let _ = write!(
            out,
            "\n### {}\n\n**{}.** Otherwise {}.\n\n**Fix:** {}\n",
            code.id, code.title, code.why, code.fix
        );
        if let Some(example) = code.example {
            for (what, patch) in [("Fails", example.fails), ("Passes", example.passes)] {
                let _ = write!(
                    out,
                    "\n{what} (merged over `examples/minimal.toml`):\n\n```toml\n{}\n```\n",
                    patch.trim()
                );
            }
        }
    }
    out.push_str(
        "\n## Load, config, schema, policy and waiver codes\n\n\
         A load or config error means the file cannot be used (exit 2); the others fail the \
         run like any error. None can be waived.\n\n\
         | id | severity | must hold | otherwise | fix |\n|---|---|---|---|---|\n",
    );
    for code in crate::code::builtins().filter(|c| c.stage != Stage::Consistency) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            code.id,
            severities(code),
            code.title,
            code.why,
            code.fix.replace('|', "\\|")
        );
    }
    out
}
