//! Custom policy packs: adding rules, re-levelling and disabling built-ins, running their
//! tests, and clear errors (exit 2) pointing into broken policy files. Plus the severity gates.

mod common;

use std::process::Output;

use serde_json::Value;

use common::pipegen;

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_custom_pack_adds_a_rule_and_relevels_and_disables_built_ins() {
    let pack = "tests/fixtures/custom-pack";
    let fixture = "tests/fixtures/custom-pack/fixtures/unclassified.toml";
    let output = pipegen(&["check", fixture, "--policies", pack, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let find = |code: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .cloned()
    };
    let org = find("ORG-TAG-001").expect("the custom rule fires");
    assert_eq!(org["severity"], "error");
    assert_eq!(
        org["message"],
        "pipeline `unclassified` has no valid DataClassification tag"
    );
    assert_eq!(
        find("SEC-NET-004").unwrap()["severity"],
        "error",
        "re-levelled from warning"
    );
    assert!(find("COST-EMR-002").is_none(), "disabled by the pack");
    let without = pipegen(&["check", fixture, "--format", "json"]);
    let report: Value = serde_json::from_slice(&without.stdout).unwrap();
    let built_in = report["findings"].as_array().unwrap();
    assert!(
        built_in
            .iter()
            .any(|f| f["code"] == "SEC-NET-004" && f["severity"] == "warning")
    );
    assert!(built_in.iter().any(|f| f["code"] == "COST-EMR-002"));
}

#[test]
fn test_policies_runs_the_pack_fixtures() {
    let output = pipegen(&["test-policies", "tests/fixtures/custom-pack"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = text(&output);
    assert!(report.contains("PASS an unclassified pipeline is caught"));
    assert!(report.ends_with("2 passed, 0 failed\n"), "{report}");
}

#[test]
fn test_policies_fails_on_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path();
    std::fs::create_dir_all(pack.join("fixtures")).unwrap();
    std::fs::copy(
        common::root().join("tests/fixtures/custom-pack/org.toml"),
        pack.join("org.toml"),
    )
    .unwrap();
    std::fs::copy(
        common::root().join("tests/fixtures/custom-pack/fixtures/classified.toml"),
        pack.join("fixtures/classified.toml"),
    )
    .unwrap();
    std::fs::write(
        pack.join("wrong.test.toml"),
        "[[test]]\nname = \"expects the wrong thing\"\npipeline = \"fixtures/classified.toml\"\nexpect = [\"ORG-TAG-001\"]\n",
    )
    .unwrap();
    let output = pipegen(&["test-policies", pack.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output)
            .contains("FAIL expects the wrong thing: expected ORG-TAG-001 to fire; it did not")
    );
}

#[test]
fn broken_policy_files_are_clear_errors_in_the_policy_file() {
    let cases = [
        ("syntax", "load::syntax", 1, "unclosed array table"),
        (
            "unknown-field",
            "policy::invalid",
            8,
            "unknown field `asert`",
        ),
        ("cel", "policy::cel", 8, "`assert` is not valid CEL"),
        (
            "duplicate-id",
            "policy::duplicate-id",
            2,
            "already defined in policies/kafka.toml",
        ),
        (
            "unknown-override",
            "policy::unknown-rule",
            2,
            "unknown rule `SEC-MSK-01`",
        ),
    ];
    for (dir, code, line, message) in cases {
        let pack = format!("tests/fixtures/bad-packs/{dir}");
        let output = pipegen(&[
            "check",
            "examples/production.toml",
            "--policies",
            &pack,
            "--format",
            "json",
        ]);
        assert_eq!(output.status.code(), Some(2), "{dir}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let finding = &report["findings"][0];
        assert_eq!(finding["file"], format!("{pack}/rules.toml"), "{dir}");
        assert_eq!(finding["code"], code, "{dir}");
        assert_eq!(finding["line"], line, "{dir}: {finding:#}");
        assert!(
            finding["message"].as_str().unwrap().contains(message),
            "{dir}: {finding:#}"
        );
    }
    let missing = pipegen(&[
        "check",
        "examples/production.toml",
        "--policies",
        "no/such/dir",
    ]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn severity_gates_and_rule_selection() {
    // insecure.toml has errors of every category; --only narrows them, --skip drops one.
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "examples/insecure.toml", "--format", "json"];
        all.extend(args);
        let output = pipegen(&all);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let security = codes(&["--only", "security"]);
    assert!(
        security.iter().all(|c| c.starts_with("SEC-")),
        "{security:?}"
    );
    let two = codes(&["--only", "cost", "--only", "data-quality"]);
    assert!(
        two.iter()
            .all(|c| c.starts_with("COST-") || c.starts_with("DQ-"))
            && two.iter().any(|c| c.starts_with("DQ-"))
    );
    let skipped = codes(&["--skip", "SEC-MSK-001"]);
    assert!(
        !skipped.contains(&"SEC-MSK-001".to_owned()) && skipped.contains(&"SEC-MSK-002".to_owned())
    );
    // A file with only warnings: 0 normally, 1 with --deny warnings or --strict.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warn.toml");
    std::fs::write(
        &file,
        common::patched_text("production.toml", "[network]\nflow_logs = false\n"),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    assert_eq!(pipegen(&["check", path]).status.code(), Some(0));
    assert_eq!(
        pipegen(&["check", path, "--deny", "warnings"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(pipegen(&["check", path, "--strict"]).status.code(), Some(1));
}

#[test]
fn rules_and_explain_come_from_the_rule_data() {
    let output = pipegen(&["rules", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let rules: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() >= 50);
    for rule in rules {
        for key in [
            "id",
            "title",
            "severity",
            "category",
            "rationale",
            "remediation",
        ] {
            assert!(
                rule[key].as_str().is_some_and(|v| !v.is_empty()),
                "{key} in {rule:#}"
            );
        }
        // Built-in codes document themselves; policy rules cite their sources.
        if rule["source"] != "pipegen" {
            assert!(
                !rule["references"].as_array().unwrap().is_empty(),
                "{rule:#}"
            );
        }
    }
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for code in [
        "SEC-MSK-001",
        "CFX-014",
        "schema::unknown-key",
        "load::utf8",
        "waiver::unused",
    ] {
        assert!(ids.contains(&code), "rules lists no {code}");
    }
    let table = text(&pipegen(&["rules"]));
    assert!(
        table.starts_with("ID ")
            && table.contains("SEC-MSK-001")
            && table.contains("CFX-014")
            && table.ends_with(" built-in codes\n"),
        "{table}"
    );
    let checks = text(&pipegen(&["rules", "--category", "consistency"]));
    assert!(
        checks.contains("CFX-014") && !checks.contains("SEC-MSK-001"),
        "{checks}"
    );
    assert!(
        checks.contains("error or warning"),
        "CFX-014's real severity: {checks}"
    );
    let wrong = pipegen(&["rules", "--category", "consistensy"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("did you mean `consistency`?"));
    let explain = text(&pipegen(&["explain", "SEC-IAM-001"]));
    for part in [
        "Why it matters:",
        "How to fix it:",
        "Fails (merged over",
        "Passes (merged over",
        "References:",
        "actions = [\"s3:*\"]",
    ] {
        assert!(explain.contains(part), "{part} missing from\n{explain}");
    }
    // Every built-in code is explained in full, whatever the case it is written in.
    let check = text(&pipegen(&["explain", "cfx-004"]));
    for part in [
        "CFX-004 — ",
        "Category: consistency",
        "Built in; cannot be waived",
        "Why it matters:",
        "How to fix it:",
        "Fails (merged over examples/minimal.toml):",
        "Passes (merged over examples/minimal.toml):",
    ] {
        assert!(check.contains(part), "{part} missing from\n{check}");
    }
    assert!(!check.contains("[[waivers]]"), "{check}");
    let stage = text(&pipegen(&["explain", "LOAD::UTF8"]));
    assert!(
        stage.starts_with("load::utf8 — ") && stage.contains("Category: load"),
        "{stage}"
    );
    assert!(text(&pipegen(&["explain", "sec-msk-001"])).starts_with("SEC-MSK-001 — "));
    let unknown = pipegen(&["explain", "SEC-MSK-01"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean SEC-MSK-001?"));
}
