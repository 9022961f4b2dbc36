//! What the cluster reads at start exists before the stack that creates it.

use super::prelude::*;

/// CFX-034: What the cluster reads at start lives outside the stack that creates the cluster.
pub static CFX_034: Builtin = Builtin {
    id: "CFX-034",
    stage: Stage::Consistency,
    title: "What the cluster reads at start lives outside the stack that creates the cluster",
    severities: ERROR,
    why: "the job script or the EMR certificates would have to be in a bucket that does not exist yet when the stack starts EMR: the cluster fails to start",
    fix: "Leave the job script and certificate locations unset (deploy.sh uploads them to the artifact bucket, created first), and give the artifact bucket a name of its own.",
    example: Some(Example {
        fails: r#"
[spark.job]
script = "s3://minimal-pipeline-lake/code/job.py"
"#,
        passes: r#"
[spark.job]
script = "s3://minimal-pipeline-lake-artifacts/code/job.py"
[emr.security_configuration]
in_transit_encryption = true
tls_certificates_s3_uri = "s3://minimal-pipeline-lake-artifacts/certs/emr-tls.zip"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_034];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    prerequisites(pipeline, ctx, out);
}

// CFX-034
fn prerequisites(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let artifacts = facts::artifact_bucket(pipeline);
    if let Some(id) = crate::access::stack_bucket(pipeline, &artifacts) {
        out.push(
            Finding::error(
                &CFX_034,
                p("storage.artifact_bucket"),
                format!(
                    "the artifact bucket `{artifacts}` is a bucket the main stack creates ({id})"
                ),
            )
            .with_help(
                "name a bucket of its own: deploy.sh creates it first, in the bootstrap stack",
            ),
        );
    }
    let mut objects = vec![(
        p("spark.job.script"),
        pipeline.spark.job.script.as_ref(),
        "the EMR step reads the job",
    )];
    if pipeline.emr.security_configuration.in_transit_encryption {
        objects.push((
            p("emr.security_configuration.tls_certificates_s3_uri"),
            pipeline
                .emr
                .security_configuration
                .tls_certificates_s3_uri
                .as_ref(),
            "each EMR node reads the certificates as it starts",
        ));
    }
    for (path, uri, why) in objects {
        let Some(uri) = uri else { continue };
        let Some((name, _)) = crate::access::split_s3(uri) else {
            continue;
        };
        if let Some(id) = crate::access::stack_bucket(pipeline, name) {
            out.push(
                Finding::error(
                    &CFX_034,
                    path,
                    format!("`{uri}` is in `{name}`, which the same stack creates ({id}): {why} before anyone can upload it"),
                )
                .with_help(format!(
                    "leave it unset: deploy.sh uploads it to the artifact bucket `{artifacts}`, created first"
                )),
            );
        }
    }
}
