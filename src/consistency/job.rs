//! The streaming job: its dependencies, its Spark settings and the Polaris sync step.

use super::prelude::*;

/// CFX-029: Spark settings are in range.
pub static CFX_029: Builtin = Builtin {
    id: "CFX-029",
    stage: Stage::Consistency,
    title: "Spark settings are in range",
    severities: ERROR,
    why: "the Spark application fails at start",
    fix: "Keep each Spark setting within the range the finding names.",
    example: Some(Example {
        fails: r#"
[spark]
memory_fraction = 1.5
"#,
        passes: r#"
[spark]
memory_fraction = 0.7
executor_memory = "8g"
executor_cores = 4
[spark.conf]
"spark.hadoop.fs.s3a.threads.max" = 64
"#,
    }),
};
/// CFX-040: The job's dependencies can be fetched, and its S3 tuning reaches the connector EMR uses.
pub static CFX_040: Builtin = Builtin {
    id: "CFX-040",
    stage: Stage::Consistency,
    title: "The job's dependencies can be fetched, and its S3 tuning reaches the connector EMR uses",
    severities: &[Severity::Error, Severity::Warning],
    why: "spark-submit cannot resolve the Kafka connector and the step fails, or fs.s3a.* tuning silently does nothing",
    fix: "Stage the job's jars in the artifact bucket (`spark.job.dependencies = \"artifacts\"`) when the subnets have no egress; tune EMRFS instead of `fs.s3a.*` on releases before emr-7.10.0.",
    example: Some(Example {
        fails: r#"
[emr]
release_label = "emr-7.9.0"
[spark.s3a]
connection_maximum = 200
"#,
        passes: r#"
[emr]
release_label = "emr-7.10.0"
[spark.s3a]
connection_maximum = 200
"#,
    }),
};
/// CFX-042: The Polaris sync step can run beside the streaming step: Apache XTable's Java, a step failure action EMR accepts with concurrent steps.
pub static CFX_042: Builtin = Builtin {
    id: "CFX-042",
    stage: Stage::Consistency,
    title: "The Polaris sync step can run beside the streaming step: Apache XTable's Java, a step failure action EMR accepts with concurrent steps",
    severities: ERROR,
    why: "the sync step cannot start (XTable needs Java 11) or EMR rejects the steps, so no table is registered in Polaris",
    fix: "Use a release with Java 11 or later (emr-7.x) for the sync step, and keep the streaming step's `action_on_failure` at CONTINUE.",
    example: Some(Example {
        fails: r#"
[emr]
release_label = "emr-6.15.0"
[[secrets]]
name = "polaris"
purpose = "polaris"
[polaris]
uri = "https://polaris.example.com/api/catalog"
warehouse = "lake"
credential_secret = "polaris"
"#,
        passes: r#"
[spark.job]
action_on_failure = "CONTINUE"
[[secrets]]
name = "polaris"
purpose = "polaris"
[polaris]
uri = "https://polaris.example.com/api/catalog"
warehouse = "lake"
credential_secret = "polaris"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_029, &CFX_040, &CFX_042];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    spark(pipeline, ctx, out);
    job_dependencies(pipeline, ctx, out);
    polaris_sync(pipeline, ctx, out);
}

// CFX-029
fn spark(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let spark = &pipeline.spark;
    for (name, value) in [
        ("memory_fraction", spark.memory_fraction),
        ("memory_storage_fraction", spark.memory_storage_fraction),
    ] {
        if !(value > 0.0 && value < 1.0) {
            out.push(Finding::error(
                &CFX_029,
                p("spark").key(name),
                format!("{name} is {value}; it must be between 0 and 1 (exclusive)"),
            ));
        }
    }
    for (name, value) in [
        ("executor_cores", spark.executor_cores),
        ("executor_instances", spark.executor_instances),
    ] {
        if value == Some(0) {
            out.push(Finding::error(
                &CFX_029,
                p("spark").key(name),
                format!("{name} must be at least 1"),
            ));
        }
    }
    if spark.shuffle_partitions == 0 {
        out.push(Finding::error(
            &CFX_029,
            p("spark.shuffle_partitions"),
            "shuffle_partitions must be at least 1",
        ));
    }
    for size in [
        ("executor_memory", &spark.executor_memory),
        ("driver_memory", &spark.driver_memory),
    ] {
        if size.1.mebibytes() < 450 {
            out.push(
                Finding::error(
                    &CFX_029,
                    p("spark").key(size.0),
                    format!("{} is {}; Spark needs at least 450m", size.0, size.1),
                )
                .with_help("Spark reserves 300 MiB of every heap and refuses smaller ones"),
            );
        }
    }
    for key in spark.conf.keys() {
        if !key.starts_with("spark.") {
            out.push(
                Finding::error(
                    &CFX_029,
                    p("spark.conf").key(key),
                    format!("`{key}` is not a Spark setting (they start with `spark.`)"),
                )
                .at_key(p("spark.conf").key(key))
                .with_help("Hadoop settings go in as `spark.hadoop.<name>`"),
            );
        }
    }
    if spark.streaming.max_offsets_per_trigger == Some(0) {
        out.push(Finding::error(
            &CFX_029,
            p("spark.streaming.max_offsets_per_trigger"),
            "maxOffsetsPerTrigger must be at least 1",
        ));
    }
}

// CFX-040
fn job_dependencies(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    use crate::model::{JobDependencies, NatGateways};
    let Some(release) = aws::emr_release(&pipeline.emr.release_label) else {
        return;
    };
    // EMR serves s3:// with EMRFS before 7.10.0: Hadoop's fs.s3a.* settings tune a connector
    // nothing uses (https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-fs.html).
    if release.s3 == aws::S3Connector::Emrfs && pipeline.spark.s3a.is_set() {
        out.push(
            Finding::warning(
                &CFX_040,
                p("spark.s3a"),
                format!(
                    "{} serves s3:// paths with EMRFS: these fs.s3a.* settings have no effect",
                    release.label
                ),
            )
            .with_help("remove [spark.s3a], tune EMRFS (fs.s3.* in the emrfs-site classification), or use emr-7.10.0 or later, where S3A serves s3://"),
        );
    }
    if pipeline.spark.job.dependencies == JobDependencies::Maven
        && pipeline.network.nat_gateways == NatGateways::None
    {
        out.push(
            Finding::error(
                &CFX_040,
                p("spark.job.dependencies"),
                "the job's Kafka connector is fetched from Maven Central at submit, but the cluster's subnets have no internet egress (network.nat_gateways = \"none\")",
            )
            .with_related(p("network.nat_gateways"), "no NAT gateway")
            .with_help("set spark.job.dependencies = \"artifacts\" and stage the jars in the artifact bucket (deploy.sh lists them), or add a NAT gateway"),
        );
    }
}

// CFX-042
fn polaris_sync(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    use crate::model::ActionOnFailure;
    if !facts::polaris_sync(pipeline) {
        return;
    }
    let xtable = &aws::emr_releases().xtable;
    if let Some(release) = aws::emr_release(&pipeline.emr.release_label)
        && release.java < xtable.min_java
    {
        out.push(
            Finding::error(
                &CFX_042,
                p("emr.release_label"),
                format!(
                    "the Polaris sync step runs Apache XTable {} (Java {} or later), but {} runs Java {}",
                    xtable.version, xtable.min_java, release.label, release.java
                ),
            )
            .with_related(p("polaris"), "the Polaris catalog the step registers the tables in")
            .with_help("use an emr-7 release (Java 17)"),
        );
    }
    // With more than one step at a time, EMR accepts only steps whose ActionOnFailure is
    // CONTINUE (EMR Management Guide, "Considerations for running multiple steps in parallel";
    // API Reference, StepConfig).
    if pipeline.spark.job.action_on_failure != ActionOnFailure::Continue {
        out.push(
            Finding::error(
                &CFX_042,
                p("spark.job.action_on_failure"),
                "the Polaris sync step runs beside the streaming step (StepConcurrencyLevel 2), and then EMR accepts only steps whose ActionOnFailure is CONTINUE",
            )
            .with_related(p("polaris"), "the Polaris catalog the sync step registers the tables in")
            .with_help("set spark.job.action_on_failure = \"CONTINUE\" (the alarms on the job's metrics report a failed step)"),
        );
    }
}
