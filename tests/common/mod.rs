//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use pipegen::{Context, FileCheck};
use serde_json::Value;

pub mod moto;
pub mod properties;

/// Runs the `pipegen` binary from the crate root with the tests' fixed date.
pub fn pipegen(args: &[&str]) -> std::process::Output {
    pipegen_in(&root(), args)
}

/// The `findings` of `pipegen check --format json` run in `dir` with `args` (after `check`).
pub fn json_findings(dir: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let output = pipegen_in(dir, &[&["check", "--format", "json"], args].concat());
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["findings"].as_array().expect("findings").clone()
}

/// Runs the pipegen binary in `dir` (where it looks for `pipegen.toml`), with today pinned.
pub fn pipegen_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("pipegen")
        .unwrap()
        .current_dir(dir)
        .env("PIPEGEN_TODAY", "2026-11-26")
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap()
}

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The context tests check with: the built-in pack (compiled once per test binary) and a
/// fixed date (end of support and waiver expiry depend on it).
pub fn ctx() -> &'static Context {
    static CONTEXT: std::sync::OnceLock<Context> = std::sync::OnceLock::new();
    CONTEXT.get_or_init(|| {
        Context::builtin("2026-11-26".parse().unwrap()).expect("the built-in pack loads")
    })
}

/// Checks an example as shipped.
pub fn check_example(name: &str) -> FileCheck {
    pipegen::check_file(&root().join("examples").join(name), ctx())
}

/// Deep-merges a TOML patch over an example and checks the result as TOML text, so spans are
/// real. Tables merge key by key; arrays of tables merge element by element (a patch
/// `[[kafka.topics]]` changes the first topic); any other value replaces.
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
        ctx(),
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
        (Value::Array(base), Value::Array(patch))
            if !patch.is_empty()
                && patch.iter().all(Value::is_object)
                && base.iter().all(Value::is_object) =>
        {
            for (i, value) in patch.into_iter().enumerate() {
                match base.get_mut(i) {
                    Some(existing) => merge(existing, value),
                    None => base.push(value),
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

/// The path of an external tool the test script installed (`scripts/test.sh`); a test that
/// needs one fails, loudly, when it is missing.
pub fn tool(variable: &str) -> PathBuf {
    let path = std::env::var_os(variable).unwrap_or_else(|| {
        panic!(
            "{variable} is not set: run the tests with scripts/test.sh, which installs the tools"
        )
    });
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "{variable}={} does not exist",
        path.display()
    );
    path
}

/// Checkov over every CloudFormation template under a folder, offline: its JSON report, and
/// each failed check as `check resource in file`.
pub fn checkov(dir: &std::path::Path) -> (Value, Vec<String>) {
    let output = std::process::Command::new(tool("PIPEGEN_CHECKOV"))
        .arg("-d")
        .arg(dir)
        .args([
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
        ])
        .args(["-o", "json"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        let text: String = String::from_utf8_lossy(&output.stdout)
            .chars()
            .take(4000)
            .collect();
        panic!("checkov output is not JSON ({e}): {text}")
    });
    let failed = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{} {} in {}", c["check_id"], c["resource"], c["file_path"]))
        .collect();
    (report, failed)
}

/// Runs a command and asserts it succeeded, showing what it printed if not.
pub fn succeeds(command: &mut std::process::Command) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
