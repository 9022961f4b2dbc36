//! The built-in policy pack: every rule fires on its failing example and stays silent on its
//! passing one (one table-driven test), and its metadata is complete.

mod common;

use std::collections::BTreeSet;

use pipegen::diagnostic::Severity;

#[test]
fn every_rule_fires_on_its_failing_example_and_not_on_its_passing_one() {
    let ctx = common::ctx();
    let mut failures = Vec::new();
    for loaded in &ctx.pack.rules {
        let rule = &loaded.rule;
        let Some(example) = &rule.example else {
            failures.push(format!("{}: no example", rule.id));
            continue;
        };
        let base = example.base.file();
        let failing = common::check_patched(base, &example.fail);
        let hits: Vec<_> = failing
            .findings
            .iter()
            .filter(|f| f.code == rule.id)
            .collect();
        if hits.is_empty() {
            failures.push(format!("{}: did not fire on its failing example", rule.id));
        }
        for hit in &hits {
            let located = hit
                .path
                .as_ref()
                .and_then(|p| failing.spans.locate(p, hit.at_key));
            // A finding about a missing table is file-level and names the table to add.
            let missing_table = hit.path.is_none() && hit.message.contains("(add `[");
            if located.is_none() && !missing_table {
                failures.push(format!(
                    "{}: finding `{}` has no location",
                    rule.id, hit.message
                ));
            }
        }
        let passing = common::check_patched(base, &example.pass);
        if passing.findings.iter().any(|f| f.code == rule.id) {
            failures.push(format!("{}: fired on its passing example", rule.id));
        }
        for (case, check) in [("failing", &failing), ("passing", &passing)] {
            for finding in &check.findings {
                let broken = finding.code.as_str().starts_with("policy::")
                    || (case == "passing"
                        && finding.severity == Severity::Error
                        && (finding.code.as_str().starts_with("schema::")
                            || finding.code.as_str().starts_with("CFX-")));
                if broken {
                    failures.push(format!(
                        "{}: {case} example: {} {}",
                        rule.id, finding.code, finding.message
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_pack_is_large_documented_and_uniquely_named() {
    let ctx = common::ctx();
    let rules = &ctx.pack.rules;
    assert!(rules.len() >= 50, "only {} rules", rules.len());
    let mut ids = BTreeSet::new();
    for loaded in rules {
        let rule = &loaded.rule;
        assert!(ids.insert(rule.id.clone()), "duplicate id {}", rule.id);
        assert!(
            !rule.rationale.trim().is_empty(),
            "{} lacks a rationale",
            rule.id
        );
        assert!(
            !rule.remediation.trim().is_empty(),
            "{} lacks a remediation",
            rule.id
        );
        assert!(!rule.references.is_empty(), "{} lacks references", rule.id);
        let prefix = rule.id.split('-').next().unwrap();
        let expected = match rule.category {
            pipegen::policy::Category::Security => "SEC",
            pipegen::policy::Category::Reliability => "REL",
            pipegen::policy::Category::Cost => "COST",
            pipegen::policy::Category::Operations => "OPS",
            pipegen::policy::Category::DataQuality => "DQ",
        };
        assert_eq!(
            prefix, expected,
            "{}: id prefix does not match its category",
            rule.id
        );
    }
}

#[test]
fn every_code_is_unique_documented_and_named_for_its_stage() {
    use pipegen::code::Stage;
    let pack = &common::ctx().pack;
    let mut seen: BTreeSet<String> = pack
        .rules
        .iter()
        .map(|r| r.rule.id.to_lowercase())
        .collect();
    for code in pipegen::code::builtins() {
        // Ids are compared without regard to case, as `explain` and waivers look them up.
        assert!(
            seen.insert(code.id.to_lowercase()),
            "{} is declared twice, or is also a rule",
            code.id
        );
        assert!(
            !code.title.is_empty() && !code.why.is_empty() && !code.fix.is_empty(),
            "{} is not documented",
            code.id
        );
        assert!(!code.severities.is_empty(), "{} has no severity", code.id);
        let named = match code.stage {
            Stage::Consistency => code.id.starts_with("CFX-") && code.example.is_some(),
            // Reported when the model cannot be built, before any check runs.
            _ if code.id == "check::skipped" => code.stage == Stage::Schema,
            stage => code.id.starts_with(&format!("{}::", stage.name())),
        };
        assert!(named, "{} does not follow its stage's naming", code.id);
        assert!(
            pipegen::code::builtin(&code.id.to_uppercase()).is_some_and(|b| b.id == code.id),
            "{} is not found whatever its case",
            code.id
        );
    }
}

#[test]
fn the_fast_cel_parser_builds_the_same_tree_as_the_reference_parser() {
    // pipegen compiles rules with the `cel` crate's Pratt parser; its default (ANTLR) parser
    // is the reference. Every expression of the built-in pack must parse the same with both.
    let pack = &common::ctx().pack;
    let mut compared = 0;
    for source in pack.programs.sources() {
        let fast = pipegen::policy::Program::compile(source)
            .unwrap_or_else(|e| panic!("`{source}` does not parse: {e}"));
        let reference = cel::Program::compile(source)
            .unwrap_or_else(|e| panic!("`{source}` does not parse with the reference: {e}"));
        assert_eq!(
            fast.expression(),
            reference.expression(),
            "`{source}` parses differently"
        );
        compared += 1;
    }
    assert!(compared > 100, "only {compared} expressions compared");
}
