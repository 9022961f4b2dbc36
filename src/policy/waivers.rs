//! Waivers: accepted exceptions, with a reason and an expiry, declared in the pipeline file.
//!
//! A waived finding is kept and marked suppressed (never dropped). An expired waiver is an
//! error, a waiver for an unknown rule an error, a waiver that matches nothing a warning.

use super::Pack;
use crate::diagnostic::{Finding, Severity, Suppression};
use crate::model::Pipeline;
use crate::path::KeyPath;

use crate::code::{Builtin, ERROR, Stage};

/// `waiver::not-waivable`: Waivers accept policy findings only.
pub static NOT_WAIVABLE: Builtin = Builtin {
    id: "waiver::not-waivable",
    stage: Stage::Waiver,
    title: "Waivers accept policy findings only",
    severities: ERROR,
    why: "consistency, schema and load findings mean the pipeline cannot deploy or run: accepting one would not make it work",
    fix: "Fix the finding instead of waiving it.",
    example: None,
};

/// `waiver::unknown-rule`: A waiver names a rule that exists.
pub static UNKNOWN_RULE: Builtin = Builtin {
    id: "waiver::unknown-rule",
    stage: Stage::Waiver,
    title: "A waiver names a rule that exists",
    severities: ERROR,
    why: "a waiver for a misspelled rule accepts nothing, and the finding it was meant for stays",
    fix: "Use the rule id the finding suggests (`pipegen rules` lists them).",
    example: None,
};

/// `waiver::no-reason`: Every waiver gives its reason.
pub static NO_REASON: Builtin = Builtin {
    id: "waiver::no-reason",
    stage: Stage::Waiver,
    title: "Every waiver gives its reason",
    severities: ERROR,
    why: "a waiver without a reason cannot be reviewed",
    fix: "Say why the finding is accepted, in `reason`.",
    example: None,
};

/// `waiver::expired`: Waivers have not expired.
pub static EXPIRED: Builtin = Builtin {
    id: "waiver::expired",
    stage: Stage::Waiver,
    title: "Waivers have not expired",
    severities: ERROR,
    why: "an expired waiver no longer accepts its finding: the decision must be taken again",
    fix: "Fix the finding, or renew the waiver with a new `expires` date and reason.",
    example: None,
};

/// `waiver::invalid-path`: A waiver's `at` is a key path.
pub static INVALID_PATH: Builtin = Builtin {
    id: "waiver::invalid-path",
    stage: Stage::Waiver,
    title: "A waiver's `at` is a key path",
    severities: ERROR,
    why: "an `at` that is not a path cannot scope the waiver",
    fix: "Write `at` as a dotted key path such as `kafka.topics[0].name`.",
    example: None,
};

/// `waiver::unknown-path`: A waiver's `at` names a key in the file.
pub static UNKNOWN_PATH: Builtin = Builtin {
    id: "waiver::unknown-path",
    stage: Stage::Waiver,
    title: "A waiver's `at` names a key in the file",
    severities: ERROR,
    why: "a waiver scoped to a key that does not exist accepts nothing",
    fix: "Point `at` at a key the file has, or remove it to waive the rule everywhere.",
    example: None,
};

/// `waiver::unused`: Every waiver accepts some finding.
pub static UNUSED: Builtin = Builtin {
    id: "waiver::unused",
    stage: Stage::Waiver,
    title: "Every waiver accepts some finding",
    severities: &[Severity::Warning],
    why: "a waiver that matches nothing is stale: it would silently accept a future finding",
    fix: "Remove the waiver, or correct its rule or `at`.",
    example: None,
};

/// The codes this stage reports.
pub const CODES: &[&Builtin] = &[
    &NOT_WAIVABLE,
    &UNKNOWN_RULE,
    &NO_REASON,
    &EXPIRED,
    &INVALID_PATH,
    &UNKNOWN_PATH,
    &UNUSED,
];

/// Applies the pipeline's waivers to `findings`; returns findings about the waivers themselves.
pub fn apply(
    pipeline: &Pipeline,
    document: &serde_json::Value,
    pack: &Pack,
    findings: &mut [Finding],
    today: jiff::civil::Date,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, waiver) in pipeline.waivers.iter().enumerate() {
        let at = KeyPath::root().key("waivers").index(i);
        if waiver.rule.starts_with("CFX-") || waiver.rule.contains("::") {
            out.push(
                Finding::error(
                    &NOT_WAIVABLE,
                    at.key("rule"),
                    format!("`{}` is a correctness check; it cannot be waived", waiver.rule),
                )
                .with_help("consistency and schema errors describe a pipeline that cannot work: fix the pipeline"),
            );
            continue;
        }
        if pack.get(&waiver.rule).is_none() {
            let known = pack.rules.iter().map(|r| r.rule.id.as_str());
            let help = crate::suggest::closest(&waiver.rule, known)
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| "`pipegen rules` lists every rule id".to_owned());
            out.push(
                Finding::error(
                    &UNKNOWN_RULE,
                    at.key("rule"),
                    format!("no rule has the id `{}`", waiver.rule),
                )
                .with_help(help),
            );
            continue;
        }
        if waiver.reason.trim().is_empty() {
            out.push(Finding::error(
                &NO_REASON,
                at.key("reason"),
                "a waiver needs a reason: why the risk is accepted, and by whom",
            ));
            continue;
        }
        if waiver.expires.0 < today {
            out.push(
                Finding::error(
                    &EXPIRED,
                    at.key("expires"),
                    format!(
                        "the waiver for {} expired on {}",
                        waiver.rule, waiver.expires
                    ),
                )
                .with_help("fix the finding, or renew the waiver with a new reason and date"),
            );
            continue;
        }
        let scope = match &waiver.at {
            Some(text) => match KeyPath::parse_dotted(text) {
                Some(path) => Some(path),
                None => {
                    out.push(Finding::error(
                        &INVALID_PATH,
                        at.key("at"),
                        format!("`{text}` is not a key path such as `kafka.topics[2]`"),
                    ));
                    continue;
                }
            },
            None => None,
        };
        if let Some(scope) = &scope
            && let Err(problem) = names_a_key(document, scope)
        {
            out.push(
                Finding::error(
                    &UNKNOWN_PATH,
                    at.key("at"),
                    format!("`{scope}` names no key of the pipeline: {problem}"),
                )
                .with_help("`at` is the dotted path of a key the waived finding is about"),
            );
            continue;
        }
        let mut used = false;
        for finding in findings.iter_mut() {
            let in_scope = match (&scope, &finding.path) {
                (None, _) => true,
                (Some(scope), Some(path)) => path.starts_with(scope),
                (Some(_), None) => false,
            };
            if finding.code == waiver.rule && in_scope && finding.suppressed.is_none() {
                finding.suppressed = Some(Suppression {
                    reason: waiver.reason.clone(),
                    expires: waiver.expires,
                    waiver: at.clone(),
                });
                used = true;
            }
        }
        if !used {
            out.push(
                Finding::new(
                    &UNUSED,
                    Severity::Warning,
                    format!("the waiver for {} matches no finding", waiver.rule),
                )
                .at(at.key("rule"))
                .with_help("remove it: the pipeline no longer needs the exception"),
            );
        }
    }
    out
}

/// Whether `path` names a key of the model (`document`); if not, where it leaves it and the
/// closest key there.
fn names_a_key(document: &serde_json::Value, path: &KeyPath) -> Result<(), String> {
    use crate::path::Segment;
    let mut node = document;
    let mut walked = KeyPath::root();
    for segment in path.segments() {
        let next = match (segment, node) {
            (Segment::Key(key), serde_json::Value::Object(map)) => {
                map.get(key).ok_or_else(|| {
                    let hint = crate::suggest::closest(key, map.keys().map(String::as_str))
                        .map(|best| format!("; did you mean `{}`?", walked.key(best)))
                        .unwrap_or_default();
                    format!("{} has no key `{key}`{hint}", display(&walked))
                })?
            }
            (Segment::Index(i), serde_json::Value::Array(items)) => items
                .get(*i)
                .ok_or_else(|| format!("{} has {} entries", display(&walked), items.len()))?,
            (Segment::Key(key), _) => {
                return Err(format!(
                    "{} is not a table, so it has no key `{key}`",
                    display(&walked)
                ));
            }
            (Segment::Index(_), _) => return Err(format!("{} is not a list", display(&walked))),
        };
        walked.push(segment.clone());
        node = next;
    }
    Ok(())
}

fn display(path: &KeyPath) -> String {
    if path.segments().is_empty() {
        "the pipeline".to_owned()
    } else {
        format!("`{path}`")
    }
}
