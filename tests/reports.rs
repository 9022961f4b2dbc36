//! Machine-readable reports, checked by their real consumers where one exists: SARIF by the
//! official SARIF validator, JUnit by an XML parser, GitHub annotations by their grammar.

mod common;

use std::process::Command as Process;

use serde_json::Value;

use common::pipegen;

/// A pipeline with a waived finding, so every format shows a suppression.
fn waived_pipeline(dir: &std::path::Path) -> String {
    let patch = r#"
[emr.core]
market = "SPOT"
[[waivers]]
rule = "REL-EMR-001"
reason = "Spot core nodes accepted for the Q1 cost trial (platform team, ticket PLAT-42)"
expires = 2027-03-31
"#;
    let path = dir.join("waived.toml");
    std::fs::write(&path, common::patched_text("production.toml", patch)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn sarif_passes_the_official_validator() {
    let tool = std::env::var("PIPEGEN_SARIF_MULTITOOL").expect(
        "PIPEGEN_SARIF_MULTITOOL is not set: run the tests with scripts/test.sh, which installs \
         @microsoft/sarif-multitool",
    );
    let dir = tempfile::tempdir().unwrap();
    let waived = waived_pipeline(dir.path());
    for (name, input) in [
        ("insecure", "examples/insecure.toml"),
        ("waived", waived.as_str()),
    ] {
        let output = pipegen(&["check", input, "examples/broken.toml", "--format", "sarif"]);
        assert_eq!(output.status.code(), Some(1));
        let sarif = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&sarif, &output.stdout).unwrap();
        let log = dir.path().join(format!("{name}.validation.sarif"));
        let validation = Process::new(&tool)
            .args([
                "validate",
                sarif.to_str().unwrap(),
                "-o",
                log.to_str().unwrap(),
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        let text = String::from_utf8_lossy(&validation.stdout);
        assert!(validation.status.success(), "{text}");
        assert!(text.contains("Analysis completed successfully"), "{text}");
        let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error ")).collect();
        assert!(
            errors.is_empty(),
            "SARIF validator errors:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn sarif_carries_rule_metadata_levels_locations_and_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let waived = waived_pipeline(dir.path());
    let output = pipegen(&[
        "check",
        &waived,
        "examples/insecure.toml",
        "--format",
        "sarif",
    ]);
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "SEC-MSK-001").unwrap();
    assert_eq!(
        rule["shortDescription"]["text"],
        "Client-broker traffic is TLS only"
    );
    assert!(
        rule["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("plaintext listener")
    );
    assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    let results = run["results"].as_array().unwrap();
    let waived_result = results
        .iter()
        .find(|r| r["ruleId"] == "REL-EMR-001")
        .unwrap();
    assert_eq!(waived_result["suppressions"][0]["kind"], "inSource");
    assert!(
        waived_result["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("PLAT-42")
    );
    let tls = results
        .iter()
        .find(|r| r["ruleId"] == "SEC-MSK-001")
        .unwrap();
    assert_eq!(tls["level"], "error");
    let region = &tls["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(32), Some(17))
    );
    assert_eq!(
        tls["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/insecure.toml"
    );
    let warning = results
        .iter()
        .find(|r| r["ruleId"] == "REL-S3-001")
        .unwrap();
    assert_eq!(warning["level"], "warning");
}

#[test]
fn junit_is_xml_with_one_case_per_rule_per_file() {
    let output = pipegen(&[
        "check",
        "examples/production.toml",
        "examples/insecure.toml",
        "--format",
        "junit",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit output parses as XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    let rules = common::ctx().pack.rules.len() + pipegen::consistency::CHECKS.len();
    for suite in &suites {
        let cases = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert!(cases >= rules, "{cases} cases for {rules} rules and checks");
    }
    let insecure = suites
        .iter()
        .find(|s| s.attribute("name") == Some("examples/insecure.toml"))
        .unwrap();
    let failed: Vec<&str> = insecure
        .children()
        .filter(|c| c.children().any(|f| f.has_tag_name("failure")))
        .filter_map(|c| c.attribute("name"))
        .collect();
    assert!(
        failed.contains(&"SEC-MSK-001") && failed.contains(&"SEC-IAM-001"),
        "{failed:?}"
    );
    assert!(
        !failed.contains(&"REL-S3-001"),
        "warnings fail only under --deny warnings"
    );
    let production = suites
        .iter()
        .find(|s| s.attribute("name") == Some("examples/production.toml"))
        .unwrap();
    assert_eq!(production.attribute("failures"), Some("0"));
}

#[test]
fn github_annotations_follow_the_workflow_command_grammar() {
    let output = pipegen(&["check", "examples/insecure.toml", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let mut annotations = 0;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("::") {
            annotations += 1;
            let (head, message) = rest.split_once("::").expect("::cmd props::message");
            let (command, properties) = head.split_once(' ').unwrap();
            assert!(["error", "warning", "notice"].contains(&command), "{line}");
            assert!(
                properties.starts_with("file=examples/insecure.toml,line="),
                "{line}"
            );
            assert!(!message.contains('\n') && !message.is_empty());
        }
    }
    assert!(annotations > 40, "{annotations} annotations");
    assert!(text.contains("::error file=examples/insecure.toml,line=32,col=17,endLine=32,endColumn=28,title=SEC-MSK-001::"));
    assert!(text.trim_end().ends_with("in 1 file"));
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let output = pipegen(&[
        "check",
        "examples/insecure.toml",
        "--format",
        "sarif",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(
        summary.starts_with("28 errors, 25 warnings in 1 file"),
        "{summary}"
    );
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let unwritable = pipegen(&[
        "check",
        "examples/production.toml",
        "--output",
        "/nonexistent/dir/r.json",
    ]);
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("cannot write the report"));
}
