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
fn model_patterns_translate() {
    use pipegen::constraints::{split, translate};
    let t = |p: &str, whole: bool| translate(p, whole).unwrap();
    assert_eq!(t(r"^[a-z]{1,5}\Z", false), r"^[a-z]{1,5}\z");
    assert_eq!(t(r"[a-z[\]]*", true), r"^(?:[a-z\[\]]*)$");
    assert_eq!(t(r"[\u0020-\uD7FF]", false), r"[\x{0020}-\x{D7FF}]");
    assert_eq!(
        t(r"[\u0020\uD800\uDC00-\uDBFF\uDFFF]", false),
        r"[\x{0020}\x{10000}-\x{10FFFF}]"
    );
    // ASCII `\d`, `\w`, `\b`, and a `.` that stops at every line terminator.
    assert_eq!(t(r"\d{12}[\w-]", false), r"[0-9]{12}[A-Za-z0-9_-]");
    assert_eq!(
        t(r"\baws\b.", false),
        r"(?-u:\b)aws(?-u:\b)[^\n\r\x{2028}\x{2029}]"
    );
    // A leading negative look-ahead splits; any other look-around is refused.
    let s = split(r"^(?!a(b)|c)[^:]+$", true).unwrap();
    assert_eq!(s.accept, [r"^(?:^[^:]+$)$"]);
    assert_eq!(s.reject, [r"^(?:a(b)|c)"]);
    assert!(translate(r"a(?=b)", false).is_err());
    assert!(split(r"^a(?!b)", false).is_err());
}

/// Samples for the patterns: hostile strings, values close to valid AWS names and ARNs, and
/// random strings over each pattern's own characters and a few others (a fixed seed).
fn samples(pattern: &str) -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        "a",
        "A",
        "0",
        "-",
        "_",
        ".",
        "-a",
        "a-",
        "a.b",
        "a b",
        "a..b",
        "data-pipeline",
        "Data_Pipeline.v2",
        "alias/data-pipeline",
        "alias/aws/s3",
        "alias/a.b",
        "/aws/msk/x",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:123456789012:alias/x",
        "arn:aws:kms:us-east-1:xxx:key/xxx",
        "arn:aws:kms:us-east-1:\u{661}\u{662}\u{663}456789012:key/x",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::123456789012:policy/team/x",
        "arn:aws-cn:iam::aws:policy/x",
        "arn:aws:cloudformation:us-east-1:123456789012:stack/x/y",
        "MyStack-1",
        "1stack",
        "Cost Center (R&D)",
        "owner@example.com",
        "key=value:x/y+z",
        "x/action/y",
        "<script>alert(1)</script>",
        "<SCRIPT>x</SCRIPT>",
        "C:\\x",
        "a:b",
        ":a",
        "é",
        "日本語",
        "\u{661}\u{662}",
        "tab\tx",
        "line\nbreak",
        "cr\rx",
        "\u{2028}",
        "x\u{85}y",
        "nul\u{0}x",
        "rtl\u{202e}x",
        "😀",
        "\u{FFFE}",
        "\u{FFFD}",
        "${aws:userid}",
        "$(touch PWNED)",
        "`x`",
        "it's \"q\"",
        "ends\\",
        "%s%n",
        "{{ x }}",
        "* [a-z] ?",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    out.push("x".repeat(70));
    out.push("x".repeat(600));
    out.push("y".repeat(2048));
    let mut alphabet: Vec<char> = pattern.chars().filter(|c| !c.is_control()).collect();
    alphabet.extend("aZ09-_./:@ é\n\u{2028}".chars());
    alphabet.sort_unstable();
    alphabet.dedup();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64 ^ pattern.len() as u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        let len = (next() % 24) as usize;
        out.push(
            (0..len)
                .map(|_| alphabet[next() as usize % alphabet.len()])
                .collect(),
        );
    }
    out
}

/// The DFAs the build script compiles read every pattern as the regex engine cfn-lint checks
/// templates with (Python's `regex`, `tests/oracles/patterns.py`): never accepting what it
/// refuses, and agreeing with it wherever the dialects agree (see the script).
#[test]
fn the_compiled_patterns_read_as_cfn_lints_regex_engine() {
    let mut cases = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for constraint in pipegen::constraints::table() {
        let Some((pattern, whole)) = constraint.pattern() else {
            continue;
        };
        if !seen.insert((pattern, whole)) {
            continue;
        }
        let samples = samples(pattern);
        let ours: Vec<bool> = samples
            .iter()
            .map(|s| constraint.pattern_matches(s))
            .collect();
        cases.push(serde_json::json!({
            "pattern": pattern, "whole": whole, "samples": samples, "ours": ours,
        }));
    }
    assert!(cases.len() >= 15, "{} patterns", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.json");
    std::fs::write(&input, serde_json::to_string(&cases).unwrap()).unwrap();
    let output = std::process::Command::new(tool("PIPEGEN_TOOLS_PYTHON"))
        .arg(common::root().join("tests/oracles/patterns.py"))
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(report.contains("samples: "), "{report}");
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
