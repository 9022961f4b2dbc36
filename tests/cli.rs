//! The `pipegen` binary end to end: exit codes, reports, hostile input.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn pipegen() -> Command {
    let mut cmd = Command::cargo_bin("pipegen").unwrap();
    cmd.current_dir(common::root())
        .env("PIPEGEN_TODAY", "2026-11-26")
        .env_remove("NO_COLOR");
    cmd
}

fn run(args: &[&str]) -> Output {
    pipegen().args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let output = run(&all);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", stdout(&output));
    });
    (output.status.code().expect("exited, not killed"), value)
}

#[test]
fn production_example_is_clean() {
    let output = run(&["check", "examples/production.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "0 errors, 0 warnings in 1 file\n");
    let output = run(&["check", "--strict", "examples/production.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn broken_example_reports_every_finding_at_its_key() {
    let (code, report) = json(&["check", "examples/broken.toml"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() >= 10, "{report:#}");
    let source = std::fs::read_to_string(common::root().join("examples/broken.toml")).unwrap();
    let lines: Vec<&str> = source.lines().collect();
    for finding in findings {
        if finding["key_path"].is_null() && finding["message"].as_str().unwrap().contains("(add `[")
        {
            continue; // a missing table: file-level
        }
        let line = finding["line"].as_u64().expect("every finding has a line") as usize;
        let column = finding["column"].as_u64().expect("and a column") as usize;
        let code = finding["code"].as_str().unwrap();
        if !(code.starts_with("CFX-") || code.starts_with("schema::")) {
            // Policy findings about a missing key point at the nearest table that exists.
            continue;
        }
        let path = finding["key_path"].as_str().unwrap();
        let last_key = path
            .rsplit(['.', '['])
            .next()
            .unwrap()
            .trim_end_matches(']');
        // The labelled line holds the key (or, for `key = value`, its value on that line).
        let text = lines[line - 1];
        assert!(column <= text.chars().count() + 1, "{finding:#}");
        assert!(
            text.contains(last_key) || last_key.parse::<usize>().is_ok(),
            "line {line} `{text}` does not hold `{path}`"
        );
    }
    insta::assert_json_snapshot!("broken_json", report);
}

#[test]
fn broken_example_human_report() {
    let output = run(&["check", "examples/broken.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    insta::assert_snapshot!("broken_human", text);
}

#[test]
fn wrong_type_unknown_key_and_consistency_in_one_run() {
    let (code, report) = json(&["check", "tests/fixtures/mixed.toml"]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let code = f["code"].as_str().unwrap();
            code.starts_with("CFX-") || code.starts_with("schema::")
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["key_path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            // The typo first: it explains what follows from it.
            (
                "schema::unknown-key".into(),
                "kafka.enhanced_monitorng".into(),
                22,
                1
            ),
            ("CFX-004".into(), "kafka.broker_count".into(), 20, 16),
            (
                "schema::type".into(),
                "kafka.storage.volume_size_gb".into(),
                25,
                18
            ),
        ]
    );
    let unknown = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "schema::unknown-key")
        .unwrap();
    assert_eq!(unknown["help"], "did you mean `enhanced_monitoring`?");
    let output = run(&["check", "tests/fixtures/mixed.toml"]);
    insta::assert_snapshot!("mixed_human", stdout(&output));
}

#[test]
fn toml_syntax_error_is_unusable_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[pipeline]\nname = \"x\"\nowner = \n").unwrap();
    let (code, report) = json(&["check", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "load::syntax");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(3), Some(9))
    );
}

/// Writes `bytes` to a file and checks it; returns the exit code and the report text.
fn check_bytes(name: &str, bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    check_path(&file)
}

fn check_path(path: &Path) -> (i32, String) {
    let output = run(&["check", path.to_str().unwrap()]);
    let code = output
        .status
        .code()
        .expect("pipegen exited normally (no crash, no signal)");
    let text = stdout(&output);
    assert!(!text.contains("panicked"), "{text}");
    (code, text)
}

#[test]
fn hostile_inputs_get_clear_errors_and_the_right_exit_code() {
    let deep_arrays = format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let deep_tables = format!("a = {}1{}\n", "{ b = ".repeat(10_000), " }".repeat(10_000));
    let deep_keys = format!("{} = 1\n", vec!["k"; 10_000].join("."));
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let huge = format!("# {}\n", "x".repeat(5 * 1024 * 1024));
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        ("empty", Vec::new(), 1, "missing required key `pipeline`"),
        ("garbage", garbage, 2, "is not UTF-8 text"),
        (
            "latin1",
            b"name = \"caf\xe9\"\n".to_vec(),
            2,
            "is not UTF-8 text",
        ),
        (
            "huge",
            huge.into_bytes(),
            2,
            "a pipeline file may be at most 4 MiB",
        ),
        ("deep_arrays", deep_arrays.into_bytes(), 2, "invalid TOML"),
        ("deep_tables", deep_tables.into_bytes(), 2, "invalid TOML"),
        ("deep_keys", deep_keys.into_bytes(), 2, "invalid TOML"),
        (
            "duplicate",
            b"[pipeline]\nname = \"a\"\nname = \"b\"\n".to_vec(),
            2,
            "duplicate key",
        ),
        (
            "wrong_types",
            b"pipeline = 1\nnetwork = \"x\"\nkafka = []\nstorage = true\nemr = 1.5\n".to_vec(),
            1,
            "expected a table",
        ),
        (
            "nan",
            b"[pipeline]\nname = nan\n".to_vec(),
            1,
            "expected a string",
        ),
    ];
    for (name, bytes, expected, message) in cases {
        let (code, text) = check_bytes(&format!("{name}.toml"), &bytes);
        assert_eq!(code, expected, "{name}: {text}");
        assert!(
            text.contains(message),
            "{name}: expected `{message}` in\n{text}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    // A folder is searched for pipelines; one without any is a usage error.
    let output = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no pipeline files found"));
    // Given as the file to render, a folder is not a pipeline file.
    let out = dir.path().join("out");
    let render = run(&[
        "render",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(render.status.code(), Some(2));
    assert!(stdout(&render).contains("is a directory"));
    let (code, text) = check_path(&dir.path().join("missing.toml"));
    assert_eq!(code, 2);
    assert!(text.contains("no such file"), "{text}");
}

#[test]
fn several_files_share_one_summary_and_the_worst_exit_code() {
    let output = run(&["check", "examples/production.toml", "examples/broken.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).ends_with("in 2 files\n"),
        "{}",
        stdout(&output)
    );
    let output = run(&["check", "examples/broken.toml", "no-such-file.toml"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--format", "xml", "examples/minimal.toml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    let bad_date = pipegen()
        .env("PIPEGEN_TODAY", "tomorrow")
        .args(["check", "examples/minimal.toml"])
        .output()
        .unwrap();
    assert_eq!(bad_date.status.code(), Some(2));
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let output = run(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let committed: Value = serde_json::from_str(pipegen::schema::COMMITTED).unwrap();
    assert_eq!(printed, committed);
    assert!(jsonschema::meta::is_valid(&printed));
}

#[test]
fn insecure_example_trips_every_category_at_its_key() {
    let (code, report) = json(&["check", "examples/insecure.toml"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    let mut categories = std::collections::BTreeSet::new();
    for finding in findings {
        let code = finding["code"].as_str().unwrap();
        let missing_table = finding["message"].as_str().unwrap().contains("(add `[");
        assert!(
            missing_table || (finding["line"].is_u64() && finding["column"].is_u64()),
            "{finding:#}"
        );
        assert!(
            code.contains('-') && !code.starts_with("CFX-"),
            "insecure.toml is meant to be valid and consistent: {finding:#}"
        );
        categories.insert(code.split('-').next().unwrap().to_owned());
    }
    let expected: std::collections::BTreeSet<String> = ["COST", "DQ", "OPS", "REL", "SEC"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(categories, expected);
    let at = |code: &str| {
        let f = findings.iter().find(|f| f["code"] == code).unwrap();
        (
            f["key_path"].as_str().unwrap().to_owned(),
            f["line"].as_u64().unwrap(),
            f["column"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        at("SEC-MSK-001"),
        ("kafka.encryption.client_broker".into(), 32, 17)
    );
    assert_eq!(
        at("SEC-NET-001"),
        ("network.bastion_cidrs[0]".into(), 15, 18)
    );
    assert_eq!(
        at("SEC-IAM-001"),
        ("iam.statements[0].actions".into(), 89, 11)
    );
    assert_eq!(
        at("REL-KAFKA-001"),
        ("kafka.topics[0].replication_factor".into(), 46, 22)
    );
    insta::assert_json_snapshot!("insecure_json", report);
}

/// One typo sets aside only what it breaks: the rest of the file is checked, findings that
/// only follow from the set-aside value are not reported, and the typo comes first.
#[test]
fn a_typo_sets_aside_only_what_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, text: &str| -> Vec<(String, String, String)> {
        std::fs::write(dir.path().join(name), text).unwrap();
        common::json_findings(dir.path(), &[name])
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_owned(),
                    f["key_path"].as_str().unwrap_or_default().to_owned(),
                    format!("{} {}", f["message"], f["help"]),
                )
            })
            .collect()
    };
    // A misspelled key in a new first topic: that topic is set aside, every finding of the
    // file is still reported, the old first topic's now at index 1.
    let insecure = std::fs::read_to_string(common::root().join("examples/insecure.toml")).unwrap();
    let before = check("insecure.toml", &insecure);
    let typo = insecure.replacen(
        "[[kafka.topics]]\nname = \"orders\"",
        "[[kafka.topics]]\nname = \"clicks\"\npartition = 3\n\n[[kafka.topics]]\nname = \"orders\"",
        1,
    );
    assert_ne!(typo, insecure);
    let after = check("typo.toml", &typo);
    assert_eq!(
        after[0].0, "schema::unknown-key",
        "the typo first: {after:?}"
    );
    assert_eq!(after[0].1, "kafka.topics[0].partition");
    assert!(
        after[0].2.contains("did you mean `partitions`?"),
        "{:?}",
        after[0]
    );
    let moved = |path: &str| path.replace("kafka.topics[0]", "kafka.topics[1]");
    for (code, path, _) in &before {
        assert!(
            after.iter().any(|(c, p, _)| c == code && *p == moved(path)),
            "{code} at {path} vanished: {after:#?}"
        );
    }
    let extra: Vec<_> = after
        .iter()
        .filter(|(c, p, _)| !before.iter().any(|(bc, bp, _)| bc == c && moved(bp) == *p))
        .collect();
    assert_eq!(
        extra.len(),
        2,
        "only the typo and its missing key: {extra:#?}"
    );

    let production =
        std::fs::read_to_string(common::root().join("examples/production.toml")).unwrap();
    // (patch, the only findings expected)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "monthly_limit_usd = 3000",
            "monthly_limit = 3000",
            &["schema::unknown-key", "schema::required"],
        ),
        (
            "versioning = true",
            "versioning = \"yes\"",
            &["schema::type"],
        ),
        (
            "region = \"us-east-1\"",
            "region = \"us-eats-1\"",
            &["CFX-030"],
        ),
    ];
    for (from, to, expected) in cases {
        let text = production.replacen(from, to, 1);
        assert_ne!(text, production, "{from}");
        let found = check("p.toml", &text);
        let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(codes, *expected, "{to}: {found:#?}");
    }
    // insecure.toml has one Hudi table.
    let found = check(
        "h.toml",
        &insecure.replacen("[[hudi.tables]]", "[hudi.tables]", 1),
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "schema::type" && f.2.contains("written `[[hudi.tables]]`")),
        "{found:#?}"
    );
}
