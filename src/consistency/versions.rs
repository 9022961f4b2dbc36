//! Versions and instance types: what MSK and EMR offer.

use super::prelude::*;

/// CFX-007: Kafka version is offered by MSK and not past end of support.
pub static CFX_007: Builtin = Builtin {
    id: "CFX-007",
    stage: Stage::Consistency,
    title: "Kafka version is offered by MSK and not past end of support",
    severities: ERROR,
    why: "CreateCluster is rejected, or MSK upgrades the cluster on its own schedule",
    fix: "Set `kafka.version` to a version MSK offers that is still supported (the finding suggests one).",
    example: Some(Example {
        fails: r#"
[kafka]
version = "3.4.0"
"#,
        passes: r#"
[kafka]
version = "3.9.x.kraft"
"#,
    }),
};
/// CFX-008: MSK brokers use kafka.* instance types; EMR nodes use EC2 types.
pub static CFX_008: Builtin = Builtin {
    id: "CFX-008",
    stage: Stage::Consistency,
    title: "MSK brokers use kafka.* instance types; EMR nodes use EC2 types",
    severities: ERROR,
    why: "a wrong-service instance type is rejected at create time",
    fix: "Use `kafka.*` types (`kafka.m7g.large`) for brokers and EC2 types (`m6g.xlarge`) for EMR nodes.",
    example: Some(Example {
        fails: r#"
[kafka]
instance_type = "m5.large"
"#,
        passes: r#"
[kafka]
instance_type = "kafka.m7g.large"
[emr.core]
instance_type = "m6g.2xlarge"
"#,
    }),
};
/// CFX-009: EMR release label is a release pipegen knows, in standard support.
pub static CFX_009: Builtin = Builtin {
    id: "CFX-009",
    stage: Stage::Consistency,
    title: "EMR release label is a release pipegen knows, in standard support",
    severities: &[Severity::Error, Severity::Warning],
    why: "RunJobFlow is rejected, or the job's dependencies cannot be pinned to the release's Spark, Hudi and Java; an old release runs without fixes",
    fix: "Use an EMR release label pipegen knows (`data/emr-releases.toml`), in standard support.",
    example: Some(Example {
        fails: r#"
[emr]
release_label = "emr-7.12"
"#,
        passes: r#"
[emr]
release_label = "emr-6.15.0"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_007, &CFX_008, &CFX_009];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    kafka_version(pipeline, ctx, out);
    instance_types(pipeline, ctx, out);
    release_label(pipeline, ctx, out);
}

// CFX-007
fn kafka_version(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    let version = &pipeline.kafka.version;
    let at = p("kafka.version");
    let Some(known) = aws::kafka_version(version) else {
        let names = aws::KAFKA_VERSIONS.iter().map(|k| k.version);
        let help = match suggest::closest(version, names) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "MSK offers e.g. `{}` (recommended), `3.9.x`, `4.0.x.kraft`",
                aws::RECOMMENDED_KAFKA_VERSION
            ),
        };
        out.push(
            Finding::error(
                &CFX_007,
                at,
                format!("Kafka `{version}` is not a version Amazon MSK offers"),
            )
            .with_help(help),
        );
        return;
    };
    if let Some(end) = known.end_of_support {
        let end_date: jiff::civil::Date = end.parse().expect("a valid built-in date");
        if end_date <= ctx.today {
            out.push(
                Finding::error(
                    &CFX_007,
                    at.clone(),
                    format!("Kafka {version} reached end of support on Amazon MSK on {end}"),
                )
                .with_help(format!(
                    "MSK no longer creates clusters on it and upgrades existing ones at any time; use `{}`",
                    aws::RECOMMENDED_KAFKA_VERSION
                )),
            );
        }
    }
    if known.express_only {
        out.push(
            Finding::error(
                &CFX_007,
                at,
                format!("Kafka {version} is offered only for Express brokers"),
            )
            .with_help("use a Standard-broker version such as `4.1.x.kraft`"),
        );
    }
}

// CFX-008
fn instance_types(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let msk = &pipeline.kafka.instance_type;
    if !aws::MSK_INSTANCE_TYPES.contains(&msk.as_str()) {
        let help = match suggest::closest(msk, aws::MSK_INSTANCE_TYPES.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => {
                "MSK Standard brokers are kafka.t3.small, kafka.m5.* and kafka.m7g.*".to_owned()
            }
        };
        out.push(
            Finding::error(
                &CFX_008,
                p("kafka.instance_type"),
                format!("`{msk}` is not an MSK broker instance type"),
            )
            .with_help(help),
        );
    }
    let emr = &pipeline.emr;
    let groups = [
        ("master", Some(&emr.master)),
        ("core", Some(&emr.core)),
        ("task", emr.task.as_ref()),
    ];
    for (name, group) in groups {
        let Some(group) = group else { continue };
        let ty = &group.instance_type;
        let shaped = ty.split_once('.').is_some_and(|(family, size)| {
            !family.is_empty()
                && !size.is_empty()
                && family
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && size
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if ty.starts_with("kafka.") || !shaped {
            out.push(
                Finding::error(
                    &CFX_008,
                    p("emr").key(name).key("instance_type"),
                    format!("`{ty}` is not an EC2 instance type EMR can use"),
                )
                .with_help("EMR nodes use EC2 types such as `m5.xlarge`; `kafka.*` types are for MSK brokers"),
            );
        }
    }
}

// CFX-009
fn release_label(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    let label = &pipeline.emr.release_label;
    let shaped = label.strip_prefix("emr-").is_some_and(|rest| {
        let parts: Vec<&str> = rest.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    if !shaped {
        out.push(
            Finding::error(
                &CFX_009,
                p("emr.release_label"),
                format!("`{label}` is not an EMR release label"),
            )
            .with_help("release labels look like `emr-7.12.0`"),
        );
        return;
    }
    let releases = &aws::emr_releases().release;
    let Some(release) = aws::emr_release(label) else {
        let (first, last) = (&releases[0].label, &releases[releases.len() - 1].label);
        out.push(
            Finding::error(
                &CFX_009,
                p("emr.release_label"),
                format!("`{label}` is not an EMR release pipegen knows"),
            )
            .with_help(format!(
                "pipegen knows {first} to {last} (data/emr-releases.toml): it must know the release's Spark, Hudi and Java to render the job's dependencies; \
                 a newer release needs a newer pipegen"
            )),
        );
        return;
    };
    if ctx.today > release.standard_support_until {
        let newest = &releases[releases.len() - 1];
        out.push(
            Finding::warning(
                &CFX_009,
                p("emr.release_label"),
                format!(
                    "`{label}` (Spark {}, Hudi {}) left standard support on {}",
                    release.spark, release.hudi, release.standard_support_until
                ),
            )
            .with_help(format!(
                "move to {} (Spark {}, Hudi {}); releases get 24 months of standard support",
                newest.label, newest.spark, newest.hudi
            )),
        );
    }
}
