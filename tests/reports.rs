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
    let rules = common::ctx().pack.rules.len() + pipegen::consistency::codes().count();
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
            // File-level findings (a missing table) carry the file only.
            assert!(
                properties.starts_with("file=examples/insecure.toml,line=")
                    || properties.starts_with("file=examples/insecure.toml,title="),
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
        summary.starts_with("28 errors, 24 warnings in 1 file"),
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

/// Every format counts columns in characters: a line with non-ASCII text before the finding,
/// and a file starting with a BOM, give the same line:column in the human report as in JSON,
/// SARIF and GitHub annotations.
#[test]
fn every_format_counts_columns_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(common::root().join("examples/minimal.toml")).unwrap();
    let text = minimal.replacen(
        "name = \"minimal\"",
        "name = \"minimal\"\ntags = { \"Équipe\" = \"données\", Project = 5 }",
        1,
    );
    for (name, text) in [
        ("accents.toml", text.clone()),
        ("bom.toml", format!("\u{feff}owner = 1\n{text}")),
    ] {
        std::fs::write(dir.path().join(name), &text).unwrap();
        let run = |args: &[&str]| {
            let output = common::pipegen_in(
                dir.path(),
                &[&["check", name, "--color", "never"], args].concat(),
            );
            String::from_utf8(output.stdout).unwrap()
        };
        let json: serde_json::Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
        let findings = json["findings"].as_array().unwrap();
        let positions: Vec<String> = findings
            .iter()
            .filter(|f| f["code"].as_str().unwrap().starts_with("schema::"))
            .map(|f| format!("{name}:{}:{}", f["line"], f["column"]))
            .collect();
        assert!(!positions.is_empty(), "{findings:?}");
        let human = run(&[]);
        let sarif: serde_json::Value = serde_json::from_str(&run(&["--format", "sarif"])).unwrap();
        let sarif_positions: Vec<String> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"].as_str().unwrap().starts_with("schema::"))
            .map(|r| {
                let region = &r["locations"][0]["physicalLocation"]["region"];
                format!("{name}:{}:{}", region["startLine"], region["startColumn"])
            })
            .collect();
        assert_eq!(positions, sarif_positions, "SARIF, {name}");
        let github = run(&["--format", "github"]);
        for position in &positions {
            assert!(
                human.contains(&format!("[{position}]")),
                "human, {position}: {human}"
            );
            let (_, at) = position.split_once(':').unwrap();
            let (line, column) = at.split_once(':').unwrap();
            assert!(
                github.contains(&format!("line={line},col={column}")),
                "github, {position}: {github}"
            );
        }
    }
}

/// A finding about a missing top-level table is file-level and says what to add; a value
/// pasted by mistake is echoed shortened, so the report stays small.
#[test]
fn missing_tables_and_long_values() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(common::root().join("examples/minimal.toml")).unwrap();
    let without_monitoring: String = {
        let mut keep = true;
        let mut out = String::new();
        for line in minimal.lines() {
            if line.starts_with('[') {
                keep = !line.starts_with("[monitoring");
            }
            if keep {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    };
    assert!(!without_monitoring.contains("[monitoring"));
    std::fs::write(dir.path().join("m.toml"), &without_monitoring).unwrap();
    let output = common::pipegen_in(dir.path(), &["check", "m.toml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let alarm = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "OPS-ALARM-001")
        .unwrap();
    assert!(
        alarm["message"]
            .as_str()
            .unwrap()
            .ends_with("(add `[monitoring]`)"),
        "{alarm}"
    );
    assert!(
        alarm["key_path"].is_null() && alarm["line"].is_null(),
        "{alarm}"
    );
    let human = common::pipegen_in(dir.path(), &["check", "m.toml", "--color", "never"]);
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(
        !human.contains("╰── monitoring"),
        "not labelled on another table: {human}"
    );

    let long = "a".repeat(50_000);
    let text = minimal
        .replacen("name = \"minimal\"", &format!("name = \"{long}\""), 1)
        .replacen("bucket = \"", &format!("bucket = \"{long}"), 1);
    std::fs::write(dir.path().join("long.toml"), &text).unwrap();
    let output = common::pipegen_in(dir.path(), &["check", "long.toml", "--format", "json"]);
    assert!(
        output.stdout.len() < 64 * 1024,
        "{} bytes",
        output.stdout.len()
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let name = findings.iter().find(|f| f["code"] == "CFX-030").unwrap();
    assert!(
        name["message"]
            .as_str()
            .unwrap()
            .contains("…(50002 characters)"),
        "{name}"
    );
    assert!(
        findings
            .iter()
            .all(|f| f["message"].as_str().unwrap().len() < 400)
    );
}
