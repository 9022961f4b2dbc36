//! S3 locations the job, EMR and Hudi use.

use super::prelude::*;

/// CFX-026: Checkpoint, log, code and table locations are s3:// URIs.
pub static CFX_026: Builtin = Builtin {
    id: "CFX-026",
    stage: Stage::Consistency,
    title: "Checkpoint, log, code and table locations are s3:// URIs",
    severities: ERROR,
    why: "Spark checkpoints to ephemeral HDFS, or EMR cannot write its logs",
    fix: "Write checkpoint, log, code and table locations as `s3://bucket/prefix` URIs.",
    example: Some(Example {
        fails: r#"
[spark.streaming]
checkpoint_location = "hdfs:///checkpoints"
"#,
        passes: r#"
[spark.streaming]
checkpoint_location = "s3://minimal-pipeline-lake/checkpoints"
[spark.job]
script = "s3://minimal-pipeline-artifacts/code/job.py"
[emr]
log_uri = "s3://minimal-pipeline-lake/emr-logs/"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_026];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    locations(pipeline, ctx, out);
}

/// Why `uri` is not an `s3://bucket/...` URI, if it is not.
pub fn s3_uri_problem(uri: &str) -> Option<String> {
    let Some(rest) = uri.strip_prefix("s3://") else {
        let scheme = uri.split_once("://").map_or("a local path", |(s, _)| s);
        return Some(format!("uses {scheme}, not s3://"));
    };
    let bucket = rest.split('/').next().unwrap_or_default();
    super::bucket_name_problem(bucket)
        .map(|problem| format!("names bucket `{bucket}`, which {problem}"))
}

// CFX-026
fn locations(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let uris = [
        (
            p("spark.streaming.checkpoint_location"),
            pipeline.spark.streaming.checkpoint_location.as_ref(),
            "Spark checkpoints must survive the cluster: HDFS and local disks disappear with it",
        ),
        (
            p("emr.log_uri"),
            pipeline.emr.log_uri.as_ref(),
            "EMR writes cluster logs to S3 only",
        ),
        (
            p("spark.job.script"),
            pipeline.spark.job.script.as_ref(),
            "EMR steps read the job from S3",
        ),
        (
            p("hudi.base_path"),
            pipeline.hudi.base_path.as_ref(),
            "the lake lives in S3",
        ),
        (
            p("emr.security_configuration.tls_certificates_s3_uri"),
            pipeline
                .emr
                .security_configuration
                .tls_certificates_s3_uri
                .as_ref(),
            "EMR reads PEM certificates from S3",
        ),
    ];
    for (path, uri, why) in uris {
        let Some(uri) = uri else { continue };
        if let Some(problem) = s3_uri_problem(uri) {
            out.push(Finding::error(&CFX_026, path, format!("`{uri}` {problem}")).with_help(why));
        }
    }
    if let Some(polaris) = &pipeline.polaris
        && !(polaris.uri.starts_with("https://") || polaris.uri.starts_with("http://"))
    {
        out.push(
            Finding::error(
                &CFX_026,
                p("polaris.uri"),
                format!("`{}` is not an http(s) URL", polaris.uri),
            )
            .with_help(
                "the Polaris REST catalog URI looks like https://polaris.example.com/api/catalog",
            ),
        );
    }
}
