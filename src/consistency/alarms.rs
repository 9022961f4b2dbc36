//! CloudWatch alarms: valid definitions that query metrics that exist.

use super::prelude::*;

/// CFX-027: Alarm periods, evaluation windows and names are valid.
pub static CFX_027: Builtin = Builtin {
    id: "CFX-027",
    stage: Stage::Consistency,
    title: "Alarm periods, evaluation windows and names are valid",
    severities: ERROR,
    why: "PutMetricAlarm is rejected",
    fix: "Use periods of 10, 30 or a multiple of 60 seconds, evaluation windows CloudWatch accepts, and alarm names of 1 to 255 characters, each once.",
    example: Some(Example {
        fails: r#"
[[monitoring.alarms]]
name = "lag"
metric = "MaxOffsetLag"
namespace = "AWS/Kafka"
period = 45
threshold = 1000
comparison = "GreaterThanThreshold"
notify = false
"#,
        passes: r#"
[monitoring.sns]
topic_name = "alerts"
[[monitoring.alarms]]
name = "lag"
metric = "MaxOffsetLag"
namespace = "AWS/Kafka"
statistic = "p99"
period = 60
threshold = 1000
comparison = "GreaterThanThreshold"
evaluation_periods = 5
datapoints_to_alarm = 3
dimensions = { "Consumer Group" = "spark-streaming-group-events", "Topic" = "events" }
"#,
    }),
};
/// CFX-041: Every alarm queries a metric its publisher sends, with exactly its dimensions, at the configured monitoring level.
pub static CFX_041: Builtin = Builtin {
    id: "CFX-041",
    stage: Stage::Consistency,
    title: "Every alarm queries a metric its publisher sends, with exactly its dimensions, at the configured monitoring level",
    severities: &[Severity::Error, Severity::Warning],
    why: "the alarm matches no data and sits in INSUFFICIENT_DATA: it never fires",
    fix: "Alarm on a metric its publisher sends, with exactly its dimensions, and raise MSK's enhanced monitoring level when the metric needs it.",
    example: Some(Example {
        fails: r#"
[[monitoring.alarms]]
name = "lag"
metric = "MaxOffsetLag"
namespace = "AWS/Kafka"
statistic = "Maximum"
period = 60
threshold = 1000
comparison = "GreaterThanThreshold"
evaluation_periods = 5
"#,
        passes: r#"
[monitoring.sns]
topic_name = "alerts"
[[monitoring.alarms]]
name = "urp"
metric = "UnderReplicatedPartitions"
namespace = "AWS/Kafka"
statistic = "Sum"
period = 300
threshold = 0
comparison = "GreaterThanThreshold"
evaluation_periods = 1
dimensions = { "Cluster Name" = "minimal" }
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_027, &CFX_041];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    alarms(pipeline, ctx, out);
    alarm_metrics(pipeline, ctx, out);
}

// CFX-027
fn alarms(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut names = Names::new(&CFX_027, "alarm name").up_to(255);
    for (i, alarm) in pipeline.monitoring.alarms.iter().enumerate() {
        let at = p("monitoring.alarms").index(i);
        names.declare(&alarm.name, at.key("name"), out);
        if !(alarm.period == 10
            || alarm.period == 30
            || (alarm.period > 0 && alarm.period % 60 == 0))
        {
            out.push(
                Finding::error(
                    &CFX_027,
                    at.key("period"),
                    format!("a period of {}s is not allowed", alarm.period),
                )
                .with_help("CloudWatch periods are 10, 30 or a multiple of 60 seconds"),
            );
        }
        if alarm.evaluation_periods == 0 {
            out.push(Finding::error(
                &CFX_027,
                at.key("evaluation_periods"),
                "evaluation_periods must be at least 1",
            ));
        } else if u64::from(alarm.period) * u64::from(alarm.evaluation_periods) > 86_400 {
            out.push(Finding::error(
                &CFX_027,
                at.key("evaluation_periods"),
                "period × evaluation_periods exceeds one day, the most CloudWatch evaluates",
            ));
        }
        if let Some(points) = alarm.datapoints_to_alarm
            && (points == 0 || points > alarm.evaluation_periods)
        {
            out.push(Finding::error(
                &CFX_027,
                at.key("datapoints_to_alarm"),
                format!(
                    "datapoints_to_alarm must be between 1 and evaluation_periods ({})",
                    alarm.evaluation_periods
                ),
            ));
        }
        if !alarm.threshold.is_finite() {
            out.push(Finding::error(
                &CFX_027,
                at.key("threshold"),
                "the threshold must be a finite number",
            ));
        }
        if alarm.namespace.is_none() && pipeline.monitoring.namespace.is_none() {
            out.push(
                Finding::error(
                    &CFX_027,
                    at.key("metric"),
                    format!("alarm `{}` has no namespace", alarm.name),
                )
                .with_help("set `namespace` on the alarm (e.g. AWS/Kafka) or monitoring.namespace for custom metrics"),
            );
        }
        if alarm.notify && pipeline.monitoring.sns.is_none() {
            out.push(
                Finding::error(
                    &CFX_027,
                    at.key("name"),
                    format!(
                        "alarm `{}` notifies the SNS topic, but none is declared",
                        alarm.name
                    ),
                )
                .with_help("declare [monitoring.sns], or set notify = false"),
            );
        }
    }
}

// CFX-041
fn alarm_metrics(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    use crate::metrics::{self, Mismatch};
    for (i, alarm) in pipeline.monitoring.alarms.iter().enumerate() {
        let at = p("monitoring.alarms").index(i);
        let namespace = alarm
            .namespace
            .clone()
            .unwrap_or_else(|| facts::metrics_namespace(pipeline));
        let shown = |sets: &[Vec<String>]| {
            sets.iter()
                .map(|s| format!("[{}]", s.join(", ")))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match metrics::alarm_query(pipeline, alarm) {
            Ok(_) => {}
            Err(Mismatch::Unknown) => out.push(
                Finding::warning(
                    &CFX_041,
                    at.key("metric"),
                    format!("`{}` is not a {namespace} metric pipegen knows", alarm.metric),
                )
                .with_help("check the name against the service's metric list (data/metrics.toml has its source): a misspelt metric never has data"),
            ),
            Err(Mismatch::NotPublished) => out.push(
                Finding::error(
                    &CFX_041,
                    at.key("metric"),
                    format!("the streaming job publishes no metric `{}` in {namespace}", alarm.metric),
                )
                .with_help(format!(
                    "the job publishes {} (docs/job-contract.md)",
                    metrics::table().job_metric.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
                )),
            ),
            Err(Mismatch::Dimensions(sets)) => {
                let given: Vec<&str> = alarm.dimensions.keys().map(String::as_str).collect();
                let target = if alarm.dimensions.is_empty() { at.key("metric") } else { at.key("dimensions") };
                out.push(
                    Finding::error(
                        &CFX_041,
                        target,
                        format!(
                            "{namespace} publishes `{}` with the dimensions {} only: [{}] matches no data, so the alarm never leaves INSUFFICIENT_DATA",
                            alarm.metric,
                            shown(&sets),
                            given.join(", ")
                        ),
                    )
                    .with_help(format!(
                        "give exactly those dimensions; pipegen adds `{}` (the cluster's id) on EMR metrics and sums a per-broker MSK metric over the brokers when `{}` is left out",
                        metrics::JOB_FLOW_ID,
                        metrics::BROKER_ID
                    )),
                );
            }
            Err(Mismatch::Level(level)) => out.push(
                Finding::error(
                    &CFX_041,
                    at.key("metric"),
                    format!(
                        "MSK publishes `{}` from enhanced_monitoring = \"{}\" only",
                        alarm.metric,
                        crate::model::wire_name(&level)
                    ),
                )
                .with_related(p("kafka.enhanced_monitoring"), "the cluster's level")
                .with_help("raise kafka.enhanced_monitoring (metrics above DEFAULT are charged), or alarm on a DEFAULT-level metric"),
            ),
        }
        if namespace == metrics::MSK
            && let Some(cluster) = alarm.dimensions.get(metrics::CLUSTER_NAME)
            && *cluster != pipeline.kafka.cluster_name
        {
            out.push(
                Finding::error(
                    &CFX_041,
                    at.key("dimensions").key(metrics::CLUSTER_NAME),
                    format!(
                        "`{cluster}` is not this pipeline's MSK cluster (`{}`): the alarm watches another cluster or none",
                        pipeline.kafka.cluster_name
                    ),
                )
                .with_related(p("kafka.cluster_name"), "the cluster's name"),
            );
        }
    }
}
