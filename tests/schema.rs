//! The committed schema matches the Rust types, is a valid JSON Schema, and accepts the
//! examples. Regenerate it with `PIPEGEN_UPDATE_SCHEMA=1 cargo test --test schema`.

use std::path::Path;

use pipegen::schema;

#[test]
fn committed_schema_is_fresh() {
    let generated = schema::generate();
    if generated == schema::COMMITTED {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(schema::COMMITTED_PATH);
    if std::env::var_os("PIPEGEN_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write the schema");
        return;
    }
    let first_difference = generated
        .lines()
        .zip(schema::COMMITTED.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(i, (generated, committed))| {
            format!(
                "line {}:\n  committed: {committed}\n  generated: {generated}",
                i + 1
            )
        })
        .unwrap_or_else(|| "the files differ in length".to_owned());
    panic!(
        "{} is stale; run `PIPEGEN_UPDATE_SCHEMA=1 cargo test --test schema` and commit it\nfirst difference at {first_difference}",
        schema::COMMITTED_PATH
    );
}

#[test]
fn schema_is_a_valid_json_schema() {
    let value: serde_json::Value = serde_json::from_str(schema::COMMITTED).unwrap();
    assert!(
        jsonschema::meta::is_valid(&value),
        "not a valid JSON Schema"
    );
    assert_eq!(
        value["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn schema_accepts_every_example() {
    let schema: serde_json::Value = serde_json::from_str(schema::COMMITTED).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(examples).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ../schemas/pipeline.schema.json\n"),
            "{} lacks the #:schema directive",
            path.display()
        );
        let loaded = pipegen::load::parse(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&loaded.value)
            .map(|e| format!("{}: {e}", e.instance_path().as_str()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        seen += 1;
    }
    assert!(seen >= 3, "expected the three examples, found {seen}");
}

#[test]
fn every_property_is_documented() {
    let value: serde_json::Value = serde_json::from_str(schema::COMMITTED).unwrap();
    let mut undocumented = Vec::new();
    let mut visit = |name: &str, node: &serde_json::Value| {
        for (key, prop) in node["properties"].as_object().into_iter().flatten() {
            if prop.get("description").is_none() {
                undocumented.push(format!("{name}.{key}"));
            }
        }
    };
    visit("(root)", &value);
    for (name, def) in value["$defs"].as_object().unwrap() {
        visit(name, def);
    }
    assert!(
        undocumented.is_empty(),
        "fields without a doc comment: {undocumented:?}"
    );
}

mod common;

#[derive(serde::Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    code: String,
    key_path: String,
    contains: String,
    patch: String,
}

/// Schema violations are reported with the right code, at the right key, located in the file.
#[test]
fn schema_cases() {
    let text = std::fs::read_to_string(common::root().join("tests/cases/schema.toml")).unwrap();
    let cases: Cases = toml_edit::de::from_str(&text).unwrap();
    let mut failures = Vec::new();
    for case in &cases.case {
        let check = common::check_patched("minimal.toml", &case.patch);
        let hit = check.findings.iter().find(|f| {
            f.code == case.code
                && f.path.as_ref().map(|p| p.to_string()).as_deref() == Some(&case.key_path)
        });
        let Some(hit) = hit else {
            let found: Vec<String> = check
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "{} at {:?}: {}",
                        f.code,
                        f.path.as_ref().map(|p| p.to_string()),
                        f.message
                    )
                })
                .collect();
            failures.push(format!(
                "`{}`: no {} at {}; found {found:#?}",
                case.name, case.code, case.key_path
            ));
            continue;
        };
        let text = format!("{} {}", hit.message, hit.help.clone().unwrap_or_default());
        if !text.contains(&case.contains) {
            failures.push(format!(
                "`{}`: `{text}` lacks `{}`",
                case.name, case.contains
            ));
        }
        let path = hit.path.as_ref().unwrap();
        if check.spans.locate(path, hit.at_key).is_none() {
            failures.push(format!("`{}`: finding has no location", case.name));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn committed_config_schema_is_fresh() {
    let generated = pipegen::config::schema();
    if generated == pipegen::config::COMMITTED_SCHEMA {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/pipegen-config.schema.json");
    if std::env::var_os("PIPEGEN_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write the schema");
        return;
    }
    panic!(
        "schemas/pipegen-config.schema.json is stale; run `PIPEGEN_UPDATE_SCHEMA=1 cargo test --test schema`"
    );
}

/// `schemas/job-settings.schema.json`, the contract of the streaming job's settings file,
/// is what the Rust type says; and the settings every example renders validate against it.
#[test]
fn committed_job_settings_schema_is_fresh_and_holds_the_renders() {
    let generated = pipegen::render::job::settings_schema();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/job-settings.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if generated != committed {
        if std::env::var_os("PIPEGEN_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).expect("write the schema");
        } else {
            panic!(
                "schemas/job-settings.schema.json is stale; run `PIPEGEN_UPDATE_SCHEMA=1 cargo test --test schema`"
            );
        }
    }
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(
        jsonschema::meta::is_valid(&schema),
        "not a valid JSON Schema"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for example in ["production.toml", "minimal.toml"] {
        let check = common::check_example(example);
        let pipeline = check.model.as_ref().expect("the example has a model");
        let settings: serde_json::Value =
            serde_json::from_str(&pipegen::render::job::settings_json(pipeline)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&settings)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:#?}");
        checked += 1;
    }
    // A settings file the job must refuse is refused by the schema too.
    let check = common::check_example("production.toml");
    let mut settings: serde_json::Value = serde_json::from_str(
        &pipegen::render::job::settings_json(check.model.as_ref().unwrap()),
    )
    .unwrap();
    settings["tables"][0]["unknown"] = serde_json::json!(1);
    assert!(
        !validator.is_valid(&settings),
        "additional keys are refused"
    );
    assert_eq!(checked, 2);
}

/// A table left out and the same table written empty are the same pipeline: every type's
/// `Default` (what an absent table becomes) agrees with its fields' serde defaults (what an
/// empty one becomes), so a default lives in one place. Walks every table the minimal
/// example leaves out.
#[test]
fn an_absent_table_equals_an_empty_one() {
    let text = std::fs::read_to_string(common::root().join("examples/minimal.toml")).unwrap();
    let document = pipegen::load::parse(&text).unwrap().value;
    let (Some(model), _) = pipegen::model::build(&document) else {
        panic!("minimal builds")
    };
    let resolved = serde_json::to_value(&model).unwrap();
    let mut absent = Vec::new();
    fn walk(
        model: &serde_json::Value,
        document: Option<&serde_json::Value>,
        path: &mut Vec<String>,
        out: &mut Vec<Vec<String>>,
    ) {
        let serde_json::Value::Object(fields) = model else {
            return;
        };
        for (key, value) in fields {
            if !value.is_object() || key == "env" {
                continue;
            }
            path.push(key.clone());
            let given = document.and_then(|d| d.get(key));
            if given.is_none() {
                out.push(path.clone());
            }
            walk(value, given, path, out);
            path.pop();
        }
    }
    walk(&resolved, Some(&document), &mut Vec::new(), &mut absent);
    assert!(absent.len() >= 10, "{absent:?}");
    for path in &absent {
        let mut with_empty = document.clone();
        let mut node = &mut with_empty;
        for key in path {
            node = node
                .as_object_mut()
                .unwrap()
                .entry(key.clone())
                .or_insert_with(|| serde_json::json!({}));
        }
        let (Some(rebuilt), _) = pipegen::model::build(&with_empty) else {
            continue; // a table whose required keys an empty one lacks
        };
        let rebuilt = serde_json::to_value(&rebuilt).unwrap();
        let pointer = format!("/{}", path.join("/"));
        assert_eq!(
            resolved.pointer(&pointer),
            rebuilt.pointer(&pointer),
            "[{}] absent and empty differ",
            path.join(".")
        );
    }
}
