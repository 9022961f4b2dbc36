//! What `pipegen rules` and `pipegen explain` print, generated from the rule data.

use std::fmt::Write;

use serde::Serialize;

use super::{Category, Example, Pack};
use crate::diagnostic::Severity;

/// One rule as `rules --format json` lists it.
#[derive(Serialize)]
pub struct RuleEntry<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    severity_by_env: &'a std::collections::BTreeMap<String, Severity>,
    category: Category,
    rationale: &'a str,
    remediation: &'a str,
    references: &'a [String],
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    example: Option<&'a Example>,
}

/// Every rule, in id order.
pub fn entries(pack: &Pack) -> Vec<RuleEntry<'_>> {
    pack.rules
        .iter()
        .map(|r| RuleEntry {
            id: &r.rule.id,
            title: &r.rule.title,
            severity: r.severity,
            severity_by_env: &r.severity_by_env,
            category: r.rule.category,
            rationale: r.rule.rationale.trim(),
            remediation: r.rule.remediation.trim(),
            references: &r.rule.references,
            source: &r.source,
            example: r.rule.example.as_ref(),
        })
        .collect()
}

/// The rules as an aligned text table.
pub fn table(pack: &Pack) -> String {
    let width = pack
        .rules
        .iter()
        .map(|r| r.rule.id.len())
        .max()
        .unwrap_or(2);
    let mut out = format!(
        "{:width$}  {:8}  {:12}  TITLE\n",
        "ID", "SEVERITY", "CATEGORY"
    );
    for r in &pack.rules {
        let _ = writeln!(
            out,
            "{:width$}  {:8}  {:12}  {}",
            r.rule.id,
            r.severity.to_string(),
            r.rule.category.name(),
            r.rule.title
        );
    }
    let _ = writeln!(out, "{} rules", pack.rules.len());
    out
}

/// The long explanation of a rule or consistency check, or `None` for an unknown id.
pub fn explain(pack: &Pack, id: &str) -> Option<String> {
    let mut out = String::new();
    if let Some(check) = crate::consistency::check_info(id) {
        let _ = writeln!(out, "{} — {}\n", check.id, check.title);
        let _ = writeln!(
            out,
            "Kind: consistency check (always an error; cannot be waived)\n"
        );
        let _ = writeln!(out, "Otherwise: {}.", check.prevents);
        let _ = writeln!(out, "\nCases: tests/cases/consistency.toml");
        return Some(out);
    }
    let loaded = pack.get(id)?;
    let rule = &loaded.rule;
    let _ = writeln!(out, "{} — {}\n", rule.id, rule.title);
    let by_env: Vec<String> = loaded
        .severity_by_env
        .iter()
        .map(|(env, severity)| format!("{severity} in {env}"))
        .collect();
    let by_env = if by_env.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_env.join(", "))
    };
    let _ = writeln!(
        out,
        "Severity: {}{by_env}    Category: {}    Defined in: {}\n",
        loaded.severity,
        rule.category.name(),
        loaded.source
    );
    let _ = writeln!(out, "Why it matters:\n  {}\n", rule.rationale.trim());
    let _ = writeln!(out, "How to fix it:\n  {}\n", rule.remediation.trim());
    if let Some(example) = &rule.example {
        let base = example.base.file();
        let _ = writeln!(out, "Fails (merged over examples/{base}):");
        for line in example.fail.trim().lines() {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "\nPasses (merged over examples/{base}):");
        for line in example.pass.trim().lines() {
            let _ = writeln!(out, "  {line}");
        }
        out.push('\n');
    }
    if !rule.references.is_empty() {
        let _ = writeln!(out, "References:");
        for reference in &rule.references {
            let _ = writeln!(out, "  - {reference}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Waive with (in the pipeline file):\n  [[waivers]]\n  rule = \"{}\"\n  reason = \"…why the risk is accepted, and by whom…\"\n  expires = 2027-01-31  # the date after which it lapses",
        rule.id
    );
    Some(out)
}

/// `docs/rules.md`: every rule with its metadata.
pub fn markdown(pack: &Pack) -> String {
    let mut out = String::from(
        "# Policy rules\n\nGenerated from `policies/*.toml`; do not edit by hand. \
         `pipegen explain ID` prints the same, with a failing and a passing example.\n\n\
         | id | severity | category | title |\n|---|---|---|---|\n",
    );
    for r in &pack.rules {
        let _ = writeln!(
            out,
            "| [{id}](#{anchor}) | {} | {} | {} |",
            r.severity,
            r.rule.category.name(),
            r.rule.title,
            id = r.rule.id,
            anchor = r.rule.id.to_ascii_lowercase()
        );
    }
    for r in &pack.rules {
        let rule = &r.rule;
        let _ = write!(
            out,
            "\n## {}\n\n**{}** — {}, {}.\n\n{}\n\n**Fix:** {}\n",
            rule.id,
            rule.title,
            r.severity,
            rule.category.name(),
            rule.rationale.trim(),
            rule.remediation.trim()
        );
        if !rule.references.is_empty() {
            let _ = writeln!(out, "\n**References:** {}", rule.references.join("; "));
        }
    }
    out
}
