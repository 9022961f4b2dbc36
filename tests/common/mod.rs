//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use pipegen::{Context, FileCheck};
use serde_json::Value;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixed date tests check against (end-of-support decisions depend on it).
pub fn ctx() -> Context {
    Context {
        today: "2026-11-26".parse().unwrap(),
    }
}

/// Checks an example as shipped.
pub fn check_example(name: &str) -> FileCheck {
    pipegen::check_file(&root().join("examples").join(name), &ctx())
}

/// Deep-merges a TOML patch over an example (tables merge; other values replace) and checks
/// the result as TOML text, so spans are real.
pub fn patched_text(example: &str, patch: &str) -> String {
    let base = std::fs::read_to_string(root().join("examples").join(example)).unwrap();
    let mut merged = pipegen::load::parse(&base).unwrap().value;
    let patch = pipegen::load::parse(patch)
        .expect("the patch is TOML")
        .value;
    merge(&mut merged, patch);
    toml_edit::ser::to_string_pretty(&merged).expect("the merged document serialises")
}

/// Checks an example with a patch applied.
pub fn check_patched(example: &str, patch: &str) -> FileCheck {
    pipegen::check_source(
        "patched.toml".to_owned(),
        patched_text(example, patch),
        &ctx(),
    )
}

fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}
