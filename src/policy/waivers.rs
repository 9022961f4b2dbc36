//! Waivers: accepted exceptions, with a reason and an expiry, declared in the pipeline file.
//!
//! A waived finding is kept and marked suppressed (never dropped). An expired waiver is an
//! error, a waiver for an unknown rule an error, a waiver that matches nothing a warning.

use super::Pack;
use crate::diagnostic::{Finding, Severity, Suppression};
use crate::model::Pipeline;
use crate::path::KeyPath;

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
                    "waiver::not-waivable",
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
                    "waiver::unknown-rule",
                    at.key("rule"),
                    format!("no rule has the id `{}`", waiver.rule),
                )
                .with_help(help),
            );
            continue;
        }
        if waiver.reason.trim().is_empty() {
            out.push(Finding::error(
                "waiver::no-reason",
                at.key("reason"),
                "a waiver needs a reason: why the risk is accepted, and by whom",
            ));
            continue;
        }
        if waiver.expires.0 < today {
            out.push(
                Finding::error(
                    "waiver::expired",
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
                        "waiver::invalid-path",
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
                    "waiver::unknown-path",
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
                    "waiver::unused",
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
