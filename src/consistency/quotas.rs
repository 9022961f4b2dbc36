//! Sizes and windows within the service quotas.

use super::prelude::*;

/// CFX-033: Sizes and windows are within the service limits.
pub static CFX_033: Builtin = Builtin {
    id: "CFX-033",
    stage: Stage::Consistency,
    title: "Sizes and windows are within the service limits",
    severities: ERROR,
    why: "the resource is rejected at create time",
    fix: "Bring the value within the service limit the finding names.",
    example: Some(Example {
        fails: r#"
[kafka.storage]
volume_size_gb = 0
"#,
        passes: r#"
[kafka.storage]
volume_size_gb = 500
[kafka.logging]
cloudwatch_log_group = "/aws/msk/minimal"
cloudwatch_retention_days = 90
[[kms.keys]]
name = "main"
deletion_window_days = 7
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_033];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    limits(pipeline, ctx, out);
}

// CFX-033
fn limits(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let volume = pipeline.kafka.storage.volume_size_gb;
    if !(1..=16_384).contains(&volume) {
        out.push(Finding::error(
            &CFX_033,
            p("kafka.storage.volume_size_gb"),
            format!("broker volumes are 1 to 16384 GiB, not {volume}"),
        ));
    }
    for (i, key) in pipeline.kms.keys.iter().enumerate() {
        if !(7..=30).contains(&key.deletion_window_days) {
            out.push(Finding::error(
                &CFX_033,
                p("kms.keys").index(i).key("deletion_window_days"),
                format!(
                    "the deletion window is 7 to 30 days, not {}",
                    key.deletion_window_days
                ),
            ));
        }
    }
    const RETENTION_DAYS: &[u32] = &[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653,
    ];
    let retentions = [
        (
            p("kafka.logging.cloudwatch_retention_days"),
            Some(pipeline.kafka.logging.cloudwatch_retention_days),
        ),
        (
            p("audit.cloudwatch_retention_days"),
            pipeline.audit.cloudwatch_retention_days,
        ),
        (
            p("monitoring.log_retention_days"),
            Some(pipeline.monitoring.log_retention_days),
        ),
    ];
    for (path, days) in retentions {
        if let Some(days) = days
            && !RETENTION_DAYS.contains(&days)
        {
            let nearest = RETENTION_DAYS
                .iter()
                .min_by_key(|d| d.abs_diff(days))
                .copied()
                .unwrap_or(90);
            out.push(
                Finding::error(
                    &CFX_033,
                    path,
                    format!("CloudWatch Logs cannot keep events for {days} days"),
                )
                .with_help(format!(
                    "allowed values are 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, … 3653; nearest: {nearest}"
                )),
            );
        }
    }
    for (i, topic) in pipeline.kafka.topics.iter().enumerate() {
        if let Some(ms) = topic.retention_ms
            && ms < -1
        {
            out.push(Finding::error(
                &CFX_033,
                p("kafka.topics").index(i).key("retention_ms"),
                format!("retention.ms is {ms}; use -1 for unlimited or a positive duration"),
            ));
        }
    }
}
