//! EMR instance groups, scaling and idle timeout.

use super::prelude::*;

/// CFX-028: EMR instance groups and scaling limits are valid.
pub static CFX_028: Builtin = Builtin {
    id: "CFX-028",
    stage: Stage::Consistency,
    title: "EMR instance groups and scaling limits are valid",
    severities: ERROR,
    why: "RunJobFlow is rejected",
    fix: "Run 1 or 3 primary nodes and at least one core node; keep managed scaling's minimum positive and at most its maximum, and the idle timeout between 60 seconds and 7 days.",
    example: Some(Example {
        fails: r#"
[emr.master]
count = 2
"#,
        passes: r#"
[emr.master]
count = 3
[emr.managed_scaling]
min_instances = 2
max_instances = 10
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_028];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    emr_groups(pipeline, ctx, out);
}

// CFX-028
fn emr_groups(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let emr = &pipeline.emr;
    if !matches!(emr.master.count, 1 | 3) {
        out.push(Finding::error(
            &CFX_028,
            p("emr.master.count"),
            format!("EMR runs 1 or 3 primary nodes, not {}", emr.master.count),
        ));
    }
    if emr.core.count == 0 {
        out.push(Finding::error(
            &CFX_028,
            p("emr.core.count"),
            "the core group needs at least one instance",
        ));
    }
    if let Some(scaling) = &emr.managed_scaling {
        if scaling.min_instances > scaling.max_instances {
            out.push(
                Finding::error(
                    &CFX_028,
                    p("emr.managed_scaling.min_instances"),
                    format!(
                        "min_instances ({}) exceeds max_instances ({})",
                        scaling.min_instances, scaling.max_instances
                    ),
                )
                .with_related(p("emr.managed_scaling.max_instances"), "set here"),
            );
        }
        if scaling.min_instances == 0 {
            out.push(Finding::error(
                &CFX_028,
                p("emr.managed_scaling.min_instances"),
                "managed scaling needs at least one instance",
            ));
        }
    }
    if let Some(seconds) = emr.idle_timeout_seconds
        && !(60..=604_800).contains(&seconds)
    {
        out.push(Finding::error(
            &CFX_028,
            p("emr.idle_timeout_seconds"),
            "the idle timeout must be between 60 seconds and 7 days",
        ));
    }
}
