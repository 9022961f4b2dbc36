//! What `pipegen rules` and `pipegen explain` print, generated from the rule data.

use std::fmt::Write;

use serde::Serialize;

use std::collections::BTreeMap;

use super::{Category, LoadedRule, Pack};
use crate::code::{Builtin, Stage};
use crate::diagnostic::Severity;

/// One rule or built-in code as `rules --format json` lists it.
#[derive(Serialize)]
pub struct RuleEntry<'a> {
    id: &'a str,
    title: &'a str,
    /// The rule's severity, or the highest a built-in code is reported at.
    severity: Severity,
    /// Every severity it is reported at, highest first.
    severities: Vec<Severity>,
    #[serde(skip_serializing_if = "no_overrides")]
    severity_by_env: Option<&'a BTreeMap<String, Severity>>,
    category: &'static str,
    rationale: &'a str,
    remediation: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    references: &'a [String],
    /// Where the rule is defined; for built-in codes, `pipegen`.
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    example: Option<Snippets<'a>>,
}

/// A failing and a passing patch, and the example they are merged over.
#[derive(Serialize)]
pub struct Snippets<'a> {
    base: &'static str,
    fail: &'a str,
    pass: &'a str,
}

impl<'a> RuleEntry<'a> {
    fn rule(r: &'a LoadedRule) -> Self {
        RuleEntry {
            id: &r.rule.id,
            title: &r.rule.title,
            severity: r.severity,
            severities: vec![r.severity],
            severity_by_env: Some(&r.severity_by_env),
            category: r.rule.category.name(),
            rationale: r.rule.rationale.trim(),
            remediation: r.rule.remediation.trim(),
            references: &r.rule.references,
            source: &r.source,
            example: r.rule.example.as_ref().map(|e| Snippets {
                base: e.base.file(),
                fail: e.fail.trim(),
                pass: e.pass.trim(),
            }),
        }
    }

    fn builtin(code: &'static Builtin) -> Self {
        let severities = code.severities_highest_first();
        RuleEntry {
            id: code.id,
            title: code.title,
            severity: severities.first().copied().unwrap_or(Severity::Error),
            severities,
            severity_by_env: None,
            category: code.stage.name(),
            rationale: code.why,
            remediation: code.fix,
            references: &[],
            source: "pipegen",
            example: code.example.map(|e| Snippets {
                base: "minimal.toml",
                fail: e.fails.trim(),
                pass: e.passes.trim(),
            }),
        }
    }

    fn severities(&self) -> String {
        crate::code::severities_text(&self.severities)
    }
}

fn no_overrides(overrides: &Option<&BTreeMap<String, Severity>>) -> bool {
    overrides.is_none_or(|o| o.is_empty())
}

/// Every category `rules --category` takes: the policy categories, then the built-in stages.
pub fn categories() -> impl Iterator<Item = &'static str> {
    use clap::ValueEnum;
    Category::value_variants()
        .iter()
        .map(|c| c.name())
        .chain(Stage::ALL.iter().map(|s| s.name()))
}

/// Every rule in id order, then every built-in code by stage; only those of `category` when
/// one is given.
pub fn entries<'a>(pack: &'a Pack, category: Option<&str>) -> Vec<RuleEntry<'a>> {
    pack.rules
        .iter()
        .map(RuleEntry::rule)
        .chain(crate::code::builtins().map(RuleEntry::builtin))
        .filter(|e| category.is_none_or(|c| c == e.category))
        .collect()
}

/// The entries as an aligned text table.
pub fn table(entries: &[RuleEntry<'_>]) -> String {
    let width = entries.iter().map(|e| e.id.len()).max().unwrap_or(2);
    let severity = entries
        .iter()
        .map(|e| e.severities().len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = format!(
        "{:width$}  {:severity$}  {:12}  TITLE\n",
        "ID", "SEVERITY", "CATEGORY"
    );
    for e in entries {
        let _ = writeln!(
            out,
            "{:width$}  {:severity$}  {:12}  {}",
            e.id,
            e.severities(),
            e.category,
            e.title
        );
    }
    let rules = entries
        .iter()
        .filter(|e| e.severity_by_env.is_some())
        .count();
    let _ = writeln!(
        out,
        "{rules} rules, {} built-in codes",
        entries.len() - rules
    );
    out
}

/// The rule with this id, compared without regard to case.
fn rule<'a>(pack: &'a Pack, id: &str) -> Option<&'a LoadedRule> {
    pack.get(id).or_else(|| {
        pack.rules
            .iter()
            .find(|r| r.rule.id.eq_ignore_ascii_case(id))
    })
}

/// Every id `explain` knows, for "did you mean".
pub fn ids(pack: &Pack) -> impl Iterator<Item = &str> {
    pack.rules
        .iter()
        .map(|r| r.rule.id.as_str())
        .chain(crate::code::builtins().map(|b| b.id))
}

/// The long explanation of a rule or built-in code (case-insensitive), or `None` for an
/// unknown id.
pub fn explain(pack: &Pack, id: &str) -> Option<String> {
    let (entry, waivable) = match rule(pack, id) {
        Some(loaded) => (RuleEntry::rule(loaded), true),
        None => (RuleEntry::builtin(crate::code::builtin(id)?), false),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}\n", entry.id, entry.title);
    let by_env: Vec<String> = entry
        .severity_by_env
        .into_iter()
        .flatten()
        .map(|(env, severity)| format!("{severity} in {env}"))
        .collect();
    let by_env = if by_env.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_env.join(", "))
    };
    let defined = if waivable {
        format!("Defined in: {}", entry.source)
    } else {
        "Built in; cannot be waived".to_owned()
    };
    let _ = writeln!(
        out,
        "Severity: {}{by_env}    Category: {}    {defined}\n",
        entry.severities(),
        entry.category,
    );
    let _ = writeln!(out, "Why it matters:\n  {}\n", entry.rationale);
    let _ = writeln!(out, "How to fix it:\n  {}\n", entry.remediation);
    if let Some(example) = &entry.example {
        for (what, patch) in [("Fails", example.fail), ("Passes", example.pass)] {
            let _ = writeln!(out, "{what} (merged over examples/{}):", example.base);
            for line in patch.lines() {
                let _ = writeln!(out, "  {line}");
            }
            out.push('\n');
        }
    }
    if !entry.references.is_empty() {
        let _ = writeln!(out, "References:");
        for reference in entry.references {
            let _ = writeln!(out, "  - {reference}");
        }
        out.push('\n');
    }
    if waivable {
        let _ = writeln!(
            out,
            "Waive with (in the pipeline file):\n  [[waivers]]\n  rule = \"{}\"\n  reason = \"…why the risk is accepted, and by whom…\"\n  expires = 2027-01-31  # the date after which it lapses",
            entry.id
        );
    }
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
