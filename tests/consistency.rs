//! One table-driven test for every consistency check: each check's own failing and passing
//! example, and the further cases in `tests/cases/consistency.toml`, applied as patches over
//! `examples/minimal.toml`; the severities each check declares are the ones it reports.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use pipegen::code::Builtin;
use pipegen::consistency;
use pipegen::diagnostic::Severity;
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    check: String,
    expect: String,
    name: String,
    patch: String,
}

/// Every case: each check's own example (the failing and the passing snippet `explain`
/// prints), then the further cases of `tests/cases/consistency.toml`.
fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(common::root().join("tests/cases/consistency.toml")).unwrap();
    let file: Cases = toml_edit::de::from_str(&text).unwrap();
    let mut cases = Vec::new();
    for code in consistency::codes() {
        let example = code
            .example
            .expect("every consistency check has an example");
        for (expect, patch) in [("fail", example.fails), ("pass", example.passes)] {
            cases.push(Case {
                check: code.id.to_owned(),
                expect: expect.to_owned(),
                name: format!("its own `{expect}` example"),
                patch: patch.to_owned(),
            });
        }
    }
    cases.extend(file.case);
    cases
}

/// Whether a finding comes from pipegen's own stages rather than a policy rule.
fn built_in(f: &pipegen::diagnostic::Finding) -> bool {
    f.code.builtin().is_some()
}

#[test]
fn consistency_cases() {
    let mut failures = Vec::new();
    // The severities each check was seen reporting, to hold its declared ones to.
    let mut seen: BTreeMap<&str, BTreeSet<Severity>> = BTreeMap::new();
    let codes: Vec<&'static Builtin> = consistency::codes().collect();
    for case in &cases() {
        let Some(code) = codes.iter().find(|c| c.id == case.check) else {
            panic!("case `{}` names unknown check {}", case.name, case.check);
        };
        let check = common::check_patched("minimal.toml", &case.patch);
        assert!(check.usable, "case `{}`: patched file unusable", case.name);
        // Policy findings are beside the point here: minimal.toml sets few security options.
        let errors: Vec<String> = check
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error && built_in(f))
            .map(|f| format!("{} {}", f.code, f.message))
            .collect();
        for f in check.findings.iter().filter(|f| f.code.is(code)) {
            seen.entry(code.id).or_default().insert(f.severity);
        }
        match case.expect.as_str() {
            "fail" => {
                let hits: Vec<_> = check.findings.iter().filter(|f| f.code.is(code)).collect();
                if hits.is_empty() {
                    failures.push(format!(
                        "{} `{}`: expected it to fire; found {errors:?}",
                        case.check, case.name
                    ));
                }
                for hit in hits {
                    let located = hit
                        .path
                        .as_ref()
                        .and_then(|p| check.spans.locate(p, hit.at_key));
                    // A finding about a table the file lacks is file-level and says so.
                    if located.is_none()
                        && !hit
                            .message
                            .contains("is not in the file: its defaults apply")
                    {
                        failures.push(format!(
                            "{} `{}`: finding `{}` has no location in the file",
                            case.check, case.name, hit.message
                        ));
                    }
                }
            }
            "pass" => {
                if !errors.is_empty() {
                    failures.push(format!(
                        "{} `{}`: expected no errors; found {errors:?}",
                        case.check, case.name
                    ));
                }
            }
            other => panic!(
                "case `{}`: expect must be fail or pass, not {other}",
                case.name
            ),
        }
    }
    // CFX-037 measures the render, which the cases do not reach: tests/limits.rs covers it.
    for code in codes.iter().filter(|c| c.id != "CFX-037") {
        let declared: BTreeSet<Severity> = code.severities.iter().copied().collect();
        let observed = seen.remove(code.id).unwrap_or_default();
        if declared != observed {
            failures.push(format!(
                "{} declares severities {declared:?}, the cases show {observed:?}",
                code.id
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn production_is_clean_and_minimal_is_valid() {
    let check = common::check_example("production.toml");
    let messages: Vec<String> = check
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.code, f.severity, f.message))
        .collect();
    assert!(messages.is_empty(), "production.toml: {messages:#?}");
    // minimal.toml is schema-valid and consistent; the policies have plenty to say about it.
    let check = common::check_example("minimal.toml");
    let invalid: Vec<&str> = check
        .findings
        .iter()
        .filter(|f| built_in(f))
        .map(|f| f.message.as_str())
        .collect();
    assert!(invalid.is_empty(), "minimal.toml: {invalid:#?}");
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.code.as_str().starts_with("SEC-"))
    );
}

#[test]
fn broken_example_trips_several_checks() {
    let check = common::check_example("broken.toml");
    let codes: BTreeSet<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
    for code in [
        "CFX-001", "CFX-002", "CFX-004", "CFX-005", "CFX-006", "CFX-007", "CFX-008", "CFX-023",
        "CFX-024", "CFX-026",
    ] {
        assert!(
            codes.contains(code),
            "broken.toml should trip {code}; got {codes:?}"
        );
    }
}
