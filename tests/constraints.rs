//! The AWS constraints table against the real models, and the values `check` holds to it.

mod common;

use common::tool;

/// `data/aws-constraints.toml` is what the installed cfn-lint's provider schemas and the aws
/// CLI's botocore say today: re-extracted, it is the same (a looser or stale table fails).
#[test]
fn the_table_is_what_the_installed_models_say() {
    let output = std::process::Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
        .arg(common::root().join("scripts/aws_constraints.py"))
        .arg("--check")
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "data/aws-constraints.toml is stale:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every pattern compiles, and every target `check` sends values to is in the table (a
/// target the table lacks would check nothing).
#[test]
fn every_target_is_in_the_table_and_every_pattern_compiles() {
    let table = pipegen::constraints::table();
    assert!(table.len() > 80, "only {} constraints", table.len());
    for constraint in table {
        constraint.compile();
    }
    for example in ["production.toml", "minimal.toml", "insecure.toml"] {
        let pipeline = common::check_example(example).model.unwrap();
        for value in pipegen::constraints::values(&pipeline) {
            for target in &value.targets {
                assert!(
                    table.iter().any(|c| c.target == *target),
                    "{target} (for {}) is not in data/aws-constraints.toml",
                    value.at
                );
            }
        }
    }
}

#[test]
fn ecma_patterns_translate() {
    use pipegen::constraints::translate;
    assert_eq!(translate(r"^[a-z]{1,5}\Z", false), r"^[a-z]{1,5}\z");
    assert_eq!(translate(r"[a-z[\]]*", true), r"^(?:[a-z\[\]]*)$");
    assert_eq!(translate(r"[\u0020-\uD7FF]", false), r"[\x{0020}-\x{D7FF}]");
    assert_eq!(
        translate(r"[\u0020\uD800\uDC00-\uDBFF\uDFFF]", false),
        r"[\x{0020}\x{10000}-\x{10FFFF}]"
    );
}

/// A value breaks the constraint it reaches, with the AWS rule named in the message.
#[test]
fn a_broken_constraint_names_the_rule_and_its_source() {
    let check = common::check_patched("minimal.toml", "[[kms.keys]]\nname = \"main.key\"\n");
    let finding = check
        .findings
        .iter()
        .find(|f| f.code == "CFX-036")
        .expect("CFX-036 for an alias with a dot");
    assert!(
        finding.message.contains("AWS::KMS::Alias"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("AliasName"), "{}", finding.message);
    assert!(
        finding
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("cfn-lint 1.58.0"),
        "{:?}",
        finding.help
    );
    assert_eq!(
        finding.path.as_ref().unwrap().to_string(),
        "kms.keys[0].name"
    );
}
