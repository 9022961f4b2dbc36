//! Distinct CloudFormation logical ids.

use super::prelude::*;

/// CFX-035: Names give distinct CloudFormation logical ids.
pub static CFX_035: Builtin = Builtin {
    id: "CFX-035",
    stage: Stage::Consistency,
    title: "Names give distinct CloudFormation logical ids",
    severities: ERROR,
    why: "two resources with one logical id: the template has a duplicate key and CloudFormation rejects it (cfn-lint E0000)",
    fix: "Rename one of the two entries so that their names differ by more than case and separators.",
    example: Some(Example {
        fails: r#"
[[monitoring.alarms]]
name = "high-lag"
metric = "MaxOffsetsBehindLatest"
statistic = "Maximum"
period = 60
threshold = 1000
comparison = "GreaterThanThreshold"
evaluation_periods = 1
namespace = "Pipeline/Minimal"
notify = false

[[monitoring.alarms]]
name = "High_Lag"
metric = "MaxOffsetsBehindLatest"
statistic = "Maximum"
period = 60
threshold = 2000
comparison = "GreaterThanThreshold"
evaluation_periods = 1
namespace = "Pipeline/Minimal"
notify = false
"#,
        passes: r#"
[[monitoring.alarms]]
name = "high-lag"
metric = "MaxOffsetsBehindLatest"
statistic = "Maximum"
period = 60
threshold = 1000
comparison = "GreaterThanThreshold"
evaluation_periods = 1
namespace = "Pipeline/Minimal"
notify = false

[[monitoring.alarms]]
name = "very-high-lag"
metric = "MaxOffsetsBehindLatest"
statistic = "Maximum"
period = 60
threshold = 2000
comparison = "GreaterThanThreshold"
evaluation_periods = 1
namespace = "Pipeline/Minimal"
notify = false
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_035];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    logical_ids(pipeline, ctx, out);
}

// CFX-035
fn logical_ids(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let ids = facts::named_logical_ids(pipeline);
    let mut first: BTreeMap<&str, &KeyPath> = BTreeMap::new();
    let mut reported = std::collections::BTreeSet::new();
    let subscriptions = pipeline
        .monitoring
        .sns
        .as_ref()
        .map_or(0, |s| s.subscriptions.len());
    let numbered = |id: &str| {
        id.strip_prefix("AlarmSubscription")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=subscriptions).contains(&n))
    };
    for (id, at) in &ids {
        // CloudFormation quotas: a logical id is at most 255 characters (and a longer one is
        // also past YAML's 1,024-character limit on a key, at four times that).
        if id.len() > 255 && reported.insert(at.clone()) {
            out.push(
                Finding::error(
                    &CFX_035,
                    at.clone(),
                    format!(
                        "this name gives a logical id of {} characters; CloudFormation takes at most 255",
                        id.len()
                    ),
                )
                .with_help("shorten the name"),
            );
            continue;
        }
        let fixed = facts::FIXED_LOGICAL_IDS.contains(&id.as_str()) || numbered(id);
        if fixed && reported.insert(at.clone()) {
            out.push(
                Finding::error(
                    &CFX_035,
                    at.clone(),
                    format!("this name gives the logical id `{id}`, which the template already uses for its own resource"),
                )
                .with_help("choose another name"),
            );
            continue;
        }
        match first.get(id.as_str()) {
            Some(earlier) if *earlier != at => {
                if reported.insert(at.clone()) {
                    out.push(
                        Finding::error(
                            &CFX_035,
                            at.clone(),
                            format!("this name and an earlier one both give the logical id `{id}`"),
                        )
                        .with_related((*earlier).clone(), "the earlier name")
                        .with_help("logical ids keep only letters and digits, capitalised per word: names that differ only in case or separators collide"),
                    );
                }
            }
            Some(_) => {}
            None => {
                first.insert(id, at);
            }
        }
    }
}
