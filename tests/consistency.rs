//! One table-driven test for every consistency check: each id has failing and passing cases
//! in `tests/cases/consistency.toml`, applied as patches over `examples/minimal.toml`.

mod common;

use std::collections::BTreeSet;

use pipegen::consistency::CHECKS;
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

#[test]
fn consistency_cases() {
    let text =
        std::fs::read_to_string(common::root().join("tests/cases/consistency.toml")).unwrap();
    let cases: Cases = toml_edit::de::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
    for case in &cases.case {
        assert!(
            CHECKS.iter().any(|c| c.id == case.check),
            "case `{}` names unknown check {}",
            case.name,
            case.check
        );
        let check = common::check_patched("minimal.toml", &case.patch);
        assert!(check.usable, "case `{}`: patched file unusable", case.name);
        // Policy findings are beside the point here: minimal.toml sets few security options.
        let errors: Vec<String> = check
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .filter(|f| f.code.starts_with("CFX-") || f.code.contains("::"))
            .map(|f| format!("{} {}", f.code, f.message))
            .collect();
        match case.expect.as_str() {
            "fail" => {
                let hits: Vec<_> = check
                    .findings
                    .iter()
                    .filter(|f| f.code == case.check)
                    .collect();
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
        covered.insert((case.check.clone(), case.expect.clone()));
    }
    for check in CHECKS {
        for expect in ["fail", "pass"] {
            if !covered.contains(&(check.id.to_owned(), expect.to_owned())) {
                failures.push(format!("{} has no `{expect}` case", check.id));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn check_ids_are_unique_and_documented() {
    let mut seen = BTreeSet::new();
    for check in CHECKS {
        assert!(seen.insert(check.id), "duplicate check id {}", check.id);
        assert!(
            !check.title.is_empty() && !check.prevents.is_empty(),
            "{}",
            check.id
        );
    }
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
        .filter(|f| f.code.starts_with("CFX-") || f.code.contains("::"))
        .map(|f| f.message.as_str())
        .collect();
    assert!(invalid.is_empty(), "minimal.toml: {invalid:#?}");
    assert!(check.findings.iter().any(|f| f.code.starts_with("SEC-")));
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
