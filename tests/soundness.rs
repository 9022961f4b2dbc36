//! Soundness: a pipeline `check` accepts renders output its real consumers accept.
//!
//! Hostile strings (quotes, `$(…)`, `${…}`, backticks, line breaks, control characters, a
//! leading `-`, a trailing `\`, right-to-left overrides, 2 KB strings, …) go at every string key
//! of the examples (the named cases are in `tests/cases/`). Each pipeline either fails
//! `check`, or its render passes cfn-lint (0 errors, through its Python API in one process for
//! every template), checkov (0 failed, on every render of production.toml, the production-like
//! input, all three stacks in one run), ShellCheck, `bash -n`, the JSON / YAML / properties
//! parsers (`tests/oracles/consumers.py cfn`), and the aws CLI's own parameter validation for
//! every call its alarm script makes (`consumers.py aws`, the real awscli driver and botocore's
//! service models, nothing sent);
//! and nothing a value holds is ever executed.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::tool;
use serde_json::Value;

/// The strings each string key receives, in turn.
const HOSTILE: &[&str] = &[
    "it's \"quoted\"",
    "$(touch PWNED)",
    "${HOME}",
    "${aws:userid}/x",
    "`touch PWNED`",
    "line\nbreak",
    "tab\tand\u{1}control",
    "-starts-with-dash",
    "ends-with-backslash\\",
    "rtl\u{202e}override",
    "a=b:c #d !e",
    "{{ template }}{% raw %}",
    "%s%n%x",
    "ünïcödé ☃ 😀",
    "; rm -rf / #",
    "* [a-z] ?",
];

/// Every string in a document with the path to set it again.
fn string_paths(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::String(_) => out.push(path.clone()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Value::from(i));
                string_paths(item, path, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push(Value::from(key.clone()));
                string_paths(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn set(document: &mut Value, path: &[Value], new: Value) {
    let mut at = document;
    for step in path {
        at = match step {
            Value::String(key) => &mut at[key.as_str()],
            _ => &mut at[step.as_u64().unwrap() as usize],
        };
    }
    *at = new;
}

/// The cases: each string key of each example with two hostile strings (rotating through the
/// list) and a 2 KB string.
fn cases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for example in ["production.toml", "minimal.toml", "insecure.toml"] {
        let text = std::fs::read_to_string(common::root().join("examples").join(example)).unwrap();
        let document = pipegen::load::parse(&text).unwrap().value;
        let mut paths = Vec::new();
        string_paths(&document, &mut Vec::new(), &mut paths);
        for (i, path) in paths.iter().enumerate() {
            let picks = [
                HOSTILE[i % HOSTILE.len()].to_owned(),
                HOSTILE[(i * 7 + 3) % HOSTILE.len()].to_owned(),
            ];
            let long = "x".repeat(2048);
            for value in picks.into_iter().chain([long]) {
                let mut patched = document.clone();
                let old = path_value(&document, path);
                // Half the cases keep the original text around the hostile part, so that
                // values stay close to valid and reach the render.
                let value = if i % 2 == 0 {
                    format!("{old}{value}")
                } else {
                    value
                };
                set(&mut patched, path, Value::from(value));
                let name = format!("{example} {} ", describe(path));
                out.push((name, toml_edit::ser::to_string_pretty(&patched).unwrap()));
            }
        }
    }
    out
}

fn path_value<'a>(document: &'a Value, path: &[Value]) -> &'a str {
    let mut at = document;
    for step in path {
        at = match step {
            Value::String(key) => &at[key.as_str()],
            _ => &at[step.as_u64().unwrap() as usize],
        };
    }
    at.as_str().unwrap_or_default()
}

fn describe(path: &[Value]) -> String {
    path.iter()
        .map(|p| match p {
            Value::String(s) => s.clone(),
            other => format!("[{other}]"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn write_render(dir: &Path, files: &[pipegen::render::Artifact]) {
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.content).unwrap();
        if file.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn every_pipeline_check_accepts_renders_what_its_consumers_accept() {
    let cases = cases();
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    let work = tempfile::tempdir().unwrap();
    let stub = work.path().join("bin");
    std::fs::create_dir_all(&stub).unwrap();
    std::fs::copy(
        common::root().join("tests/oracles/aws-recorder"),
        stub.join("aws"),
    )
    .unwrap();
    let mut rendered: Vec<(String, PathBuf)> = Vec::new();
    let mut templates = BTreeSet::new();
    let mut rejected = 0;
    for (i, (name, text)) in cases.iter().enumerate() {
        let check = pipegen::check_source(format!("case{i}.toml"), text.clone(), common::ctx());
        let errors = check
            .findings
            .iter()
            .any(|f| f.counts() && f.severity == pipegen::diagnostic::Severity::Error);
        if !check.usable || errors {
            rejected += 1;
            continue;
        }
        let pipeline = check.model.as_ref().unwrap();
        let files = pipegen::render::render(pipeline, "case.toml", text.as_bytes(), None)
            .unwrap_or_else(|e| panic!("{name}: check passed, render failed: {e}"));
        // Identical templates are linted once.
        let template = files
            .iter()
            .find(|f| f.path == "cloudformation/pipeline.yaml")
            .unwrap();
        // `check` renders to measure limits only past these bounds: they must be bounds.
        let size = template.content.len();
        let document = serde_json::to_value(pipeline).unwrap();
        let bound = pipegen::limits::template_bound(pipeline, &document);
        assert!(
            size <= bound,
            "{name}: template of {size} bytes, bound {bound}"
        );
        let resources = pipegen::limits::count_resources(&template.content);
        let bound = pipegen::limits::resource_bound(pipeline);
        assert!(
            resources <= bound,
            "{name}: {resources} resources, bound {bound}"
        );
        let fresh = templates.insert(template.content.clone());
        let dir = work.path().join(format!("case{i}"));
        let kept: Vec<pipegen::render::Artifact> = files
            .into_iter()
            .filter(|f| fresh || !f.path.starts_with("cloudformation/"))
            .collect();
        write_render(&dir, &kept);
        rendered.push((name.clone(), dir));
    }
    let dirs: Vec<&PathBuf> = rendered.iter().map(|(_, d)| d).collect();
    assert!(
        dirs.len() >= 100,
        "only {} of {} cases passed check: the property says little",
        dirs.len(),
        cases.len()
    );

    // Templates, JSON, YAML, properties.
    let (ok, report) = run(Command::new(tool("PIPEGEN_TOOLS_PYTHON"))
        .arg(common::root().join("tests/oracles/consumers.py"))
        .arg("cfn")
        .args(&dirs));
    assert!(ok, "consumers.py cfn: {}", findings(&report, &rendered));

    // Checkov judges security settings: on every template rendered from production.toml (the
    // production-like input), all three stacks, in one run.
    let checkov = work.path().join("checkov");
    for (name, dir) in rendered
        .iter()
        .filter(|(n, _)| n.starts_with("production.toml"))
    {
        let from = dir.join("cloudformation");
        let Ok(entries) = std::fs::read_dir(&from) else {
            continue; // the same template as an earlier case's
        };
        let to = checkov.join(dir.file_name().unwrap());
        std::fs::create_dir_all(&to).unwrap();
        for entry in entries {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let checked = std::fs::read_dir(&checkov).map_or(0, Iterator::count);
    assert!(
        checked >= 20,
        "only {checked} production templates for checkov"
    );
    let (checkov_report, failed) = common::checkov(&checkov);
    assert!(failed.is_empty(), "checkov failed: {failed:#?}");
    let summary = &checkov_report["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{summary:#}");
    let checks_passed = summary["passed"].clone();

    // Scripts: ShellCheck (one run for all), bash -n, and the alarm script run for real with
    // the recorder as `aws`, every call then judged by the real CLI.
    let scripts: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| {
            walkdir::WalkDir::new(d)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "sh"))
                .map(|e| e.path().to_owned())
        })
        .collect();
    let (ok, report) = run(Command::new(tool("PIPEGEN_SHELLCHECK")).args(&scripts));
    assert!(ok, "shellcheck: {}", short(&report));
    for script in &scripts {
        let (ok, report) = run(Command::new("bash").arg("-n").arg(script));
        assert!(ok, "bash -n {}: {report}", script.display());
    }
    let path = format!(
        "{}:{}",
        stub.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut records = Vec::new();
    for (name, dir) in &rendered {
        let record = dir.join("aws-calls.jsonl");
        let (ok, report) = run(Command::new(dir.join("monitoring/create-alarms.sh"))
            .current_dir(dir)
            .env("PATH", &path)
            .env("PIPEGEN_AWS_RECORD", &record)
            .env(
                "ALARM_TOPIC_ARN",
                "arn:aws:sns:us-east-1:123456789012:alerts",
            ));
        assert!(ok, "{name}: create-alarms.sh: {report}");
        if record.exists() {
            records.push(record);
        }
        assert!(
            !dir.join("PWNED").exists() && !common::root().join("PWNED").exists(),
            "{name}: a value was executed"
        );
    }
    let (ok, report) = run(Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
        .arg(common::root().join("tests/oracles/consumers.py"))
        .arg("aws")
        .args(&records));
    assert!(ok, "consumers.py aws: {}", short(&report));
    // The figures, for the record (`cargo test --test soundness -- --nocapture`).
    use std::io::Write;
    writeln!(
        std::io::stderr(),
        "soundness: {} cases, {rejected} rejected by check, {} rendered ({} distinct templates linted, {checked} production renders through checkov: {} checks passed), {} scripts, {} recorded aws call files",
        cases.len(),
        rendered.len(),
        templates.len(),
        checks_passed,
        scripts.len(),
        records.len()
    )
    .unwrap();
}

/// The folders of a consumers.py report that have findings, named by their case.
fn findings(report: &str, rendered: &[(String, PathBuf)]) -> String {
    let Ok(parsed) = serde_json::from_str::<Value>(report) else {
        return short(report);
    };
    let mut out = String::new();
    for (dir, found) in parsed["dirs"].as_object().into_iter().flatten() {
        if found.as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let case = rendered
            .iter()
            .find(|(_, d)| d.to_str() == Some(dir.as_str()))
            .map_or("?", |(n, _)| n.as_str());
        out.push_str(&format!("{case} ({dir}): {found:#}\n"));
    }
    short(&out)
}

fn short(report: &str) -> String {
    report.chars().take(6000).collect()
}
