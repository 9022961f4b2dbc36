//! Waivers: accountable exceptions. Waived findings stay visible; expired, unused, unknown and
//! reason-less waivers are reported; `--no-waivers` ignores them all.

mod common;

use assert_cmd::Command;
use pipegen::diagnostic::Severity;

/// Production with Spot core nodes (REL-EMR-001) and the given waivers.
fn with_waivers(waivers: &str) -> pipegen::FileCheck {
    let patch = format!("[emr.core]\nmarket = \"SPOT\"\n{waivers}");
    common::check_patched("production.toml", &patch)
}

fn codes(check: &pipegen::FileCheck) -> Vec<(String, Severity, bool)> {
    check
        .findings
        .iter()
        .map(|f| (f.code.to_string(), f.severity, f.counts()))
        .collect()
}

#[test]
fn a_current_waiver_suppresses_but_keeps_the_finding() {
    let check = with_waivers(
        "[[waivers]]\nrule = \"REL-EMR-001\"\nreason = \"cost trial, platform team\"\nexpires = 2027-03-31\n",
    );
    let finding = check
        .findings
        .iter()
        .find(|f| f.code == "REL-EMR-001")
        .expect("still reported");
    let suppression = finding.suppressed.as_ref().expect("suppressed");
    assert_eq!(suppression.reason, "cost trial, platform team");
    assert_eq!(suppression.waiver.to_string(), "waivers[0]");
    assert!(
        check
            .findings
            .iter()
            .all(|f| !f.counts() || f.severity != Severity::Error)
    );
}

#[test]
fn an_expired_waiver_is_an_error_and_suppresses_nothing() {
    let check = with_waivers(
        "[[waivers]]\nrule = \"REL-EMR-001\"\nreason = \"cost trial\"\nexpires = 2026-01-31\n",
    );
    let expired = check
        .findings
        .iter()
        .find(|f| f.code == "waiver::expired")
        .expect("reported");
    assert_eq!(expired.severity, Severity::Error);
    assert_eq!(
        expired.path.as_ref().unwrap().to_string(),
        "waivers[0].expires"
    );
    assert!(
        check
            .spans
            .locate(expired.path.as_ref().unwrap(), false)
            .is_some()
    );
    let finding = check
        .findings
        .iter()
        .find(|f| f.code == "REL-EMR-001")
        .unwrap();
    assert!(finding.counts(), "an expired waiver must not suppress");
}

#[test]
fn an_unused_waiver_is_a_warning() {
    let check = common::check_patched(
        "production.toml",
        "[[waivers]]\nrule = \"SEC-MSK-001\"\nreason = \"legacy clients\"\nexpires = 2027-03-31\n",
    );
    assert!(
        codes(&check).contains(&("waiver::unused".into(), Severity::Warning, true)),
        "{:?}",
        codes(&check)
    );
}

#[test]
fn a_waiver_without_a_reason_is_a_schema_error() {
    let check = with_waivers("[[waivers]]\nrule = \"REL-EMR-001\"\nexpires = 2027-03-31\n");
    let missing = check
        .findings
        .iter()
        .find(|f| f.code == "schema::required")
        .expect("schema error");
    assert!(
        missing.message.contains("missing required key `reason`"),
        "{}",
        missing.message
    );
    let empty =
        with_waivers("[[waivers]]\nrule = \"REL-EMR-001\"\nreason = \" \"\nexpires = 2027-03-31\n");
    assert!(
        codes(&empty)
            .iter()
            .any(|(c, s, _)| c == "waiver::no-reason" && *s == Severity::Error)
    );
}

#[test]
fn unknown_and_unwaivable_rules_are_errors() {
    let check = with_waivers(
        "[[waivers]]\nrule = \"REL-EMR-01\"\nreason = \"typo\"\nexpires = 2027-03-31\n\
         [[waivers]]\nrule = \"CFX-004\"\nreason = \"we know\"\nexpires = 2027-03-31\n",
    );
    let unknown = check
        .findings
        .iter()
        .find(|f| f.code == "waiver::unknown-rule")
        .unwrap();
    assert_eq!(unknown.help.as_deref(), Some("did you mean `REL-EMR-001`?"));
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.code == "waiver::not-waivable")
    );
}

#[test]
fn a_scoped_waiver_covers_only_its_key() {
    let patch = "[[kafka.topics]]\nretention_ms = 2592000000\n[[kafka.topics]]\nretention_ms = 2592000000\n\
                 [[waivers]]\nrule = \"COST-MSK-001\"\nreason = \"replay window for user_events\"\n\
                 expires = 2027-03-31\nat = \"kafka.topics[0]\"\n";
    let check = common::check_patched("production.toml", patch);
    let hits: Vec<_> = check
        .findings
        .iter()
        .filter(|f| f.code == "COST-MSK-001")
        .collect();
    assert_eq!(hits.len(), 2);
    assert!(
        !hits[0].counts() && hits[1].counts(),
        "only topics[0] is waived"
    );
}

#[test]
fn no_waivers_flag_ignores_every_waiver() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("waived.toml");
    let patch = "[emr.core]\nmarket = \"SPOT\"\n[[waivers]]\nrule = \"REL-EMR-001\"\nreason = \"cost trial\"\nexpires = 2027-03-31\n";
    std::fs::write(&file, common::patched_text("production.toml", patch)).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", file.to_str().unwrap()];
        args.extend(extra);
        Command::cargo_bin("pipegen")
            .unwrap()
            .env("PIPEGEN_TODAY", "2026-11-26")
            .args(args)
            .output()
            .unwrap()
    };
    let waived = run(&["--strict"]);
    assert_eq!(
        waived.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&waived.stdout)
    );
    assert!(String::from_utf8_lossy(&waived.stdout).contains("1 waived"));
    let audit = run(&["--strict", "--no-waivers"]);
    assert_eq!(
        audit.status.code(),
        Some(1),
        "the warning counts again and --strict fails on it"
    );
}

/// A waived finding prints as one line (in full with `--show-waived`, not at all with `-q`),
/// keeps its own severity in every format, and every format names the levels alike.
#[test]
fn waived_findings_are_one_line_and_keep_their_severity() {
    let dir = tempfile::tempdir().unwrap();
    let text = common::patched_text(
        "production.toml",
        "[emr.core]\nmarket = \"SPOT\"\n[[waivers]]\nrule = \"REL-EMR-001\"\nreason = \"cost trial\"\nexpires = 2027-03-31\n",
    );
    std::fs::write(dir.path().join("p.toml"), &text).unwrap();
    let run = |args: &[&str]| {
        let output = common::pipegen_in(dir.path(), &[&["check", "p.toml"], args].concat());
        String::from_utf8(output.stdout).unwrap()
    };
    let line = text
        .lines()
        .position(|l| l.contains("market = \"SPOT\""))
        .unwrap()
        + 1;
    let human = run(&["--color", "never"]);
    let waived: Vec<&str> = human
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("waived "))
        .collect();
    assert_eq!(waived.len(), 1, "{human}");
    let prefix = format!("waived warning REL-EMR-001 at p.toml:{line}:10: ");
    assert!(
        waived[0].starts_with(&prefix) && waived[0].ends_with("(until 2027-03-31: cost trial)"),
        "{human}"
    );
    assert!(
        !human.contains("╭─[p.toml:"),
        "no snippet for a waived finding: {human}"
    );
    let full = run(&["--color", "never", "--show-waived"]);
    assert!(
        full.contains("Warning: REL-EMR-001") && full.contains("waived until 2027-03-31"),
        "{full}"
    );
    assert_eq!(run(&["-q"]), "", "nothing else to say");
    // JSON and SARIF: the waived finding is still a warning, marked waived / suppressed.
    let json: serde_json::Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "REL-EMR-001")
        .unwrap();
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["waived"]["reason"], "cost trial");
    let sarif: serde_json::Value = serde_json::from_str(&run(&["--format", "sarif"])).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "REL-EMR-001")
        .unwrap();
    assert_eq!(result["level"], "warning");
    assert!(result["suppressions"].is_array(), "{result}");
}

/// One word per level in every format: error, warning, note.
#[test]
fn every_format_names_the_levels_alike() {
    // The minimal example has notes (REL-KAFKA-001, COST-EMR-002); their header says so.
    let check = common::pipegen(&["check", "examples/minimal.toml", "--color", "never"]);
    let human = String::from_utf8(check.stdout).unwrap();
    assert!(human.contains("\nNote: "), "{human}");
    assert!(!human.contains("Advice") && !human.contains('☞'), "{human}");
    let json = common::pipegen(&["check", "examples/minimal.toml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let levels: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "note", "warning"].into_iter().collect());
    assert!(json["summary"]["notes"].as_u64().unwrap() > 0);
    let sarif = common::pipegen(&["check", "examples/minimal.toml", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let levels: std::collections::BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "note", "warning"].into_iter().collect());
}

/// A waiver scoped to a path that names no key says so, with the closest key, instead of
/// "matches no finding".
#[test]
fn a_waiver_at_a_path_that_names_no_key_says_so() {
    for (at, expected) in [
        (
            "kafka.topic[1]",
            "`kafka` has no key `topic`; did you mean `kafka.topics`?",
        ),
        ("kafka.topics[99]", "`kafka.topics` has"),
        (
            "kafka.broker_count.x",
            "`kafka.broker_count` is not a table",
        ),
    ] {
        let check = with_waivers(&format!(
            "[[waivers]]\nrule = \"REL-EMR-001\"\nreason = \"trial\"\nexpires = 2027-03-31\nat = \"{at}\"\n"
        ));
        let finding = check
            .findings
            .iter()
            .find(|f| f.code == "waiver::unknown-path")
            .unwrap_or_else(|| panic!("{at}: {:?}", codes(&check)));
        assert!(
            finding.message.contains(expected),
            "{at}: {}",
            finding.message
        );
        assert_eq!(finding.path.as_ref().unwrap().to_string(), "waivers[0].at");
        assert!(
            !check.findings.iter().any(|f| f.code == "waiver::unused"),
            "{at}"
        );
    }
}
