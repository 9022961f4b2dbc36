//! Stage 2: the JSON Schema of the pipeline file.
//!
//! The schema is generated from the model's types (so doc comments become descriptions) and
//! committed as `schemas/pipeline.schema.json`; a test fails when the two drift apart. The
//! validator runs only when the typed model cannot be built, to report every problem at once,
//! each at its own key.

use serde_json::Value;

use crate::diagnostic::Finding;
use crate::model::Pipeline;
use crate::path::{KeyPath, Segment};

use crate::code::{Builtin, ERROR, Stage};
use crate::diagnostic::Severity;

/// `schema::unknown-key`: Every key is one the pipeline schema defines.
pub static UNKNOWN_KEY: Builtin = Builtin {
    id: "schema::unknown-key",
    stage: Stage::Schema,
    title: "Every key is one the pipeline schema defines",
    severities: ERROR,
    why: "a misspelled key is ignored, so the setting the user meant silently keeps its default",
    fix: "Use the key the finding suggests, or remove it.",
    example: None,
};

/// `schema::required`: Required keys are present.
pub static REQUIRED: Builtin = Builtin {
    id: "schema::required",
    stage: Stage::Schema,
    title: "Required keys are present",
    severities: ERROR,
    why: "the pipeline has no value to use for the missing key",
    fix: "Add the key the finding names.",
    example: None,
};

/// `schema::type`: Values have the type their key takes.
pub static TYPE: Builtin = Builtin {
    id: "schema::type",
    stage: Stage::Schema,
    title: "Values have the type their key takes",
    severities: ERROR,
    why: "a string where a number is expected (or the reverse) cannot be used",
    fix: "Write the value as the type the finding names (`6`, not `\"6\"`).",
    example: None,
};

/// `schema::enum`: Values are among their key's allowed choices.
pub static ENUM: Builtin = Builtin {
    id: "schema::enum",
    stage: Stage::Schema,
    title: "Values are among their key's allowed choices",
    severities: ERROR,
    why: "a value outside the choices (`\"GZIP\"` for `\"gzip\"`) is not one pipegen can render",
    fix: "Use one of the allowed values the finding lists.",
    example: None,
};

/// `schema::minimum`: Numbers are at least their minimum.
pub static MINIMUM: Builtin = Builtin {
    id: "schema::minimum",
    stage: Stage::Schema,
    title: "Numbers are at least their minimum",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::maximum`: Numbers are at most their maximum.
pub static MAXIMUM: Builtin = Builtin {
    id: "schema::maximum",
    stage: Stage::Schema,
    title: "Numbers are at most their maximum",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::exclusiveMinimum`: Numbers are above their lower bound.
pub static EXCLUSIVE_MINIMUM: Builtin = Builtin {
    id: "schema::exclusiveMinimum",
    stage: Stage::Schema,
    title: "Numbers are above their lower bound",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::exclusiveMaximum`: Numbers are below their upper bound.
pub static EXCLUSIVE_MAXIMUM: Builtin = Builtin {
    id: "schema::exclusiveMaximum",
    stage: Stage::Schema,
    title: "Numbers are below their upper bound",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::minLength`: Strings are at least their minimum length.
pub static MIN_LENGTH: Builtin = Builtin {
    id: "schema::minLength",
    stage: Stage::Schema,
    title: "Strings are at least their minimum length",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::maxLength`: Strings are at most their maximum length.
pub static MAX_LENGTH: Builtin = Builtin {
    id: "schema::maxLength",
    stage: Stage::Schema,
    title: "Strings are at most their maximum length",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::minItems`: Lists hold at least their minimum number of items.
pub static MIN_ITEMS: Builtin = Builtin {
    id: "schema::minItems",
    stage: Stage::Schema,
    title: "Lists hold at least their minimum number of items",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::maxItems`: Lists hold at most their maximum number of items.
pub static MAX_ITEMS: Builtin = Builtin {
    id: "schema::maxItems",
    stage: Stage::Schema,
    title: "Lists hold at most their maximum number of items",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::pattern`: Strings match their key's pattern.
pub static PATTERN: Builtin = Builtin {
    id: "schema::pattern",
    stage: Stage::Schema,
    title: "Strings match their key's pattern",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::format`: Strings are in their key's format.
pub static FORMAT: Builtin = Builtin {
    id: "schema::format",
    stage: Stage::Schema,
    title: "Strings are in their key's format",
    severities: ERROR,
    why: "the value is outside what the key accepts: the render would be rejected or wrong",
    fix: "Bring the value within the bound the finding and the key's description give (`docs/configuration.md`).",
    example: None,
};

/// `schema::invalid`: The file matches the pipeline schema.
pub static INVALID: Builtin = Builtin {
    id: "schema::invalid",
    stage: Stage::Schema,
    title: "The file matches the pipeline schema",
    severities: ERROR,
    why: "the value cannot be used as written",
    fix: "Fix the value at the location shown; `docs/configuration.md` describes every key.",
    example: None,
};

/// `check::skipped`: Consistency checks and policies ran.
pub static SKIPPED: Builtin = Builtin {
    id: "check::skipped",
    stage: Stage::Schema,
    title: "Consistency checks and policies ran",
    severities: &[Severity::Info],
    why: "when the model cannot be built, nothing after the schema runs, and silence must not read as a pass",
    fix: "Fix the errors reported before it, then check again.",
    example: None,
};

/// The code of a finding from a JSON Schema keyword with no finding of its own.
fn keyword_code(keyword: &str) -> &'static Builtin {
    CODES
        .iter()
        .copied()
        .find(|code| code.id.strip_prefix("schema::") == Some(keyword))
        .unwrap_or(&INVALID)
}

/// The codes this stage reports.
pub const CODES: &[&Builtin] = &[
    &UNKNOWN_KEY,
    &REQUIRED,
    &TYPE,
    &ENUM,
    &MINIMUM,
    &MAXIMUM,
    &EXCLUSIVE_MINIMUM,
    &EXCLUSIVE_MAXIMUM,
    &MIN_LENGTH,
    &MAX_LENGTH,
    &MIN_ITEMS,
    &MAX_ITEMS,
    &PATTERN,
    &FORMAT,
    &INVALID,
    &SKIPPED,
];

/// The committed schema, as published by `pipegen schema`.
pub const COMMITTED: &str = include_str!("../schemas/pipeline.schema.json");

/// Where the committed schema lives, relative to the crate root.
pub const COMMITTED_PATH: &str = "schemas/pipeline.schema.json";

/// Generates the schema from the Rust types.
pub fn generate() -> String {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<Pipeline>();
    let mut value = schema.to_value();
    strip_null(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("a schema serialises");
    text.push('\n');
    text
}

/// TOML has no null: drop the `null` alternatives schemars adds for `Option` fields, so
/// editors offer only the real type.
pub(crate) fn strip_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".to_owned(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(branches)) = map.get_mut(key) {
                    branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
                    if branches.len() == 1 {
                        let only = branches.remove(0);
                        map.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, v) in inner {
                                map.entry(k).or_insert(v);
                            }
                        }
                    }
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("enum") {
                options.retain(|o| !o.is_null());
            }
            map.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// Validates a document against the committed schema; one finding per violation.
pub fn validate(instance: &Value) -> Vec<Finding> {
    let schema: Value = serde_json::from_str(COMMITTED).expect("the committed schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the committed schema compiles");
    let mut findings: Vec<Finding> = validator
        .iter_errors(instance)
        .flat_map(|error| to_findings(&schema, &error))
        .collect();
    findings.sort_by(|a, b| a.path.cmp(&b.path));
    findings
}

fn to_findings(schema: &Value, error: &jsonschema::ValidationError<'_>) -> Vec<Finding> {
    use jsonschema::error::ValidationErrorKind as K;
    let path = KeyPath::from_pointer(error.instance_path().as_str());
    let owner = if path.segments().is_empty() {
        "the top level".to_owned()
    } else {
        format!("`{path}`")
    };
    match error.kind() {
        K::AdditionalProperties { unexpected } => {
            let allowed = properties_at(schema, &path);
            unexpected
                .iter()
                .map(|name| {
                    let finding = Finding::error(
                        &UNKNOWN_KEY,
                        path.key(name),
                        format!("unknown key `{name}` in {owner}"),
                    )
                    .at_key(path.key(name));
                    match crate::suggest::closest(name, allowed.iter().map(String::as_str)) {
                        Some(best) => finding.with_help(format!("did you mean `{best}`?")),
                        None if !allowed.is_empty() => {
                            finding.with_help(format!("{owner} accepts: {}", allowed.join(", ")))
                        }
                        None => finding,
                    }
                })
                .collect()
        }
        K::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            vec![
                Finding::error(
                    &REQUIRED,
                    path.clone(),
                    format!("missing required key `{name}` in {owner}"),
                )
                .at_key(path.clone())
                .with_optional_help(describe(schema, &path.key(name))),
            ]
        }
        K::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(t) => toml_type(&t.to_string()),
                jsonschema::error::TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| toml_type(&t.to_string()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            vec![type_finding(
                schema,
                &path,
                &owner,
                &article(&expected),
                error.instance(),
            )]
        }
        K::Enum { options } => vec![enum_finding(
            &path,
            &owner,
            error.instance(),
            options.as_array().map(Vec::as_slice).unwrap_or_default(),
        )],
        K::OneOfNotValid { .. } | K::AnyOf { .. } => {
            let node = node_at(schema, &path);
            match node.and_then(|n| const_choices(schema, n)) {
                Some(choices) => vec![enum_finding(&path, &owner, error.instance(), &choices)],
                None => {
                    let types = node.map(|n| branch_types(schema, n)).unwrap_or_default();
                    let expected = if types.is_empty() {
                        "another value".to_owned()
                    } else {
                        types.join(" or ")
                    };
                    vec![type_finding(
                        schema,
                        &path,
                        &owner,
                        &expected,
                        error.instance(),
                    )]
                }
            }
        }
        K::Pattern { .. } | K::Format { .. } => {
            vec![
                Finding::error(
                    keyword_code(error.kind().keyword()),
                    path.clone(),
                    format!(
                        "{} is not a valid value for {owner}",
                        display_json(error.instance())
                    ),
                )
                .with_optional_help(describe(schema, &path)),
            ]
        }
        other => {
            vec![
                Finding::error(
                    keyword_code(other.keyword()),
                    path.clone(),
                    format!("{owner}: {error}"),
                )
                .with_optional_help(describe(schema, &path)),
            ]
        }
    }
}

fn type_finding(
    schema: &Value,
    path: &KeyPath,
    owner: &str,
    expected: &str,
    instance: &Value,
) -> Finding {
    let finding = Finding::error(
        &TYPE,
        path.clone(),
        format!(
            "expected {expected} for {owner}, found {}",
            json_kind(instance)
        ),
    );
    // `[hudi.tables]` where `[[hudi.tables]]` was meant: say how TOML writes a list of tables.
    if expected == "an array" && instance.is_object() {
        return finding.with_help(format!(
            "a list of tables is written `[[{path}]]`, once per entry; `[{path}]` is a single table"
        ));
    }
    finding.with_optional_help(describe(schema, path))
}

fn enum_finding(path: &KeyPath, owner: &str, instance: &Value, options: &[Value]) -> Finding {
    let choices: Vec<String> = options.iter().map(display_json).collect();
    let found = display_json(instance);
    let finding = Finding::error(
        &ENUM,
        path.clone(),
        format!("{found} is not a valid value for {owner}"),
    );
    let unquoted: Vec<&str> = choices.iter().map(|c| c.trim_matches('"')).collect();
    let help = match crate::suggest::closest(found.trim_matches('"'), unquoted.iter().copied()) {
        Some(best) => format!("did you mean \"{best}\"? (one of: {})", choices.join(", ")),
        None => format!("expected one of: {}", choices.join(", ")),
    };
    finding.with_help(help)
}

/// The allowed constants of an enum node (`enum`, or `oneOf`/`anyOf` of `const`s).
fn const_choices(root: &Value, node: &Value) -> Option<Vec<Value>> {
    if let Some(options) = node.get("enum").and_then(Value::as_array) {
        return Some(options.clone());
    }
    let branches = node
        .get("oneOf")
        .or_else(|| node.get("anyOf"))
        .and_then(Value::as_array)?;
    branches
        .iter()
        .map(|b| {
            let b = resolve(root, b)?;
            b.get("const")
                .cloned()
                .map(|c| vec![c])
                .or_else(|| b.get("enum").and_then(Value::as_array).cloned())
        })
        .collect::<Option<Vec<Vec<Value>>>>()
        .map(|v| v.into_iter().flatten().collect())
}

/// The JSON types the branches of an `anyOf`/`oneOf` node accept, e.g. `["a boolean", …]`.
fn branch_types(root: &Value, node: &Value) -> Vec<String> {
    let mut types: Vec<String> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| node.get(*k)?.as_array())
        .flatten()
        .filter_map(|b| {
            resolve(root, b)?
                .get("type")?
                .as_str()
                .map(|t| article(&toml_type(t)))
        })
        .collect();
    types.dedup();
    types
}

/// JSON Schema's type names as a TOML user knows them.
fn toml_type(json_type: &str) -> String {
    match json_type {
        "object" => "table".to_owned(),
        "null" => "nothing".to_owned(),
        other => other.to_owned(),
    }
}

fn article(word: &str) -> String {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

fn json_kind(value: &Value) -> String {
    match value {
        Value::Null => "a NaN or infinite float".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {:?}", truncate(s)),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "a table".to_owned(),
    }
}

fn display_json(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", truncate(s)),
        other => truncate(&other.to_string()),
    }
}

fn truncate(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The schema node describing the value at `path`.
fn node_at<'a>(root: &'a Value, path: &KeyPath) -> Option<&'a Value> {
    let mut node = resolve(root, root)?;
    for segment in path.segments() {
        node = match segment {
            Segment::Key(key) => branch(root, node, |n| {
                n.get("properties")
                    .and_then(|p| p.get(key))
                    .or_else(|| n.get("additionalProperties").filter(|a| a.is_object()))
            })?,
            Segment::Index(_) => branch(root, node, |n| n.get("items"))?,
        };
        node = resolve(root, node)?;
    }
    Some(node)
}

/// Applies `step` to a node, or to the first of its `anyOf`/`oneOf` branches where it applies.
fn branch<'a>(
    root: &'a Value,
    node: &'a Value,
    step: impl Fn(&'a Value) -> Option<&'a Value>,
) -> Option<&'a Value> {
    step(node).or_else(|| {
        ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| node.get(*k)?.as_array())
            .flatten()
            .find_map(|b| step(resolve(root, b)?))
    })
}

/// Follows a local `$ref`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#')?;
            resolve(root, root.pointer(pointer)?)
        }
        None => Some(node),
    }
}

/// The keys the schema allows in the table at `path`, sorted.
fn properties_at(root: &Value, path: &KeyPath) -> Vec<String> {
    let mut names: Vec<String> = node_at(root, path)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The schema's description of the value at `path` (used as help text).
fn describe(root: &Value, path: &KeyPath) -> Option<String> {
    node_at(root, path)
        .and_then(|n| n.get("description"))
        .and_then(Value::as_str)
        .map(|d| format!("`{path}`: {d}"))
}
