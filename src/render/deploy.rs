//! What `deploy.sh` and its two small stacks (`cloudformation/bootstrap.yaml`, the artifact
//! bucket; `cloudformation/replica.yaml`, the replication destination) need: stack names and
//! regions, buckets, the objects the cluster reads at start and where they go, the secrets the
//! deployment must be given or must find. The templates read it as `deploy`.

use serde_json::{Value, json};

use crate::access::{log_buckets, split_s3, trail_bucket};
use crate::facts::{artifact_bucket, job_script, tls_certificates};
use crate::model::Pipeline;

/// The `deploy` part of the template context.
pub(super) fn context(pipeline: &Pipeline) -> Value {
    let name = &pipeline.pipeline.name;
    let region = &pipeline.pipeline.region;
    let tls = pipeline
        .emr
        .security_configuration
        .in_transit_encryption
        .then(|| object(&tls_certificates(pipeline)));
    let replica = pipeline.storage.replication.as_ref().map(|r| {
        json!({
            "stack": format!("{name}-replica"),
            "region": r.destination_region,
            "bucket": r.destination_bucket,
            "kms_key_arn": r.replica_kms_key_arn,
            "creates_key": matches!(crate::facts::replica_key(pipeline), Some(crate::facts::ReplicaKey::Created)),
        })
    });
    let declared_secrets: Vec<Value> = pipeline
        .secrets
        .iter()
        .filter_map(|s| {
            let arn = s.arn.as_ref()?;
            Some(json!({ "name": s.name, "arn": arn, "region": arn_region(arn, region) }))
        })
        .collect();
    json!({
        "stack": name,
        "region": region,
        "bootstrap_stack": format!("{name}-bootstrap"),
        "artifact_bucket": artifact_bucket(pipeline),
        "main_buckets": main_buckets(pipeline),
        "replica": replica,
        "key_name": pipeline.emr.key_name,
        "tls_certificates": tls,
        "job_script": object(&job_script(pipeline)),
        "job_settings": object(&crate::facts::job_settings(pipeline)),
        "rendered_job": crate::facts::rendered_job(pipeline),
        "staged_jars": staged_jars(pipeline),
        "job_bootstrap": object(&crate::facts::job_bootstrap(pipeline)),
        "bootstrap": crate::facts::needs_bootstrap(pipeline),
        "polaris_sync": polaris_sync(pipeline),
        "provided_secrets": super::context::provided_secrets(pipeline),
        "replica_key_parameter": super::context::replica_key_parameter(pipeline),
        "declared_secrets": declared_secrets,
        "tags": tags(pipeline),
    })
}

/// The buckets the main stack creates (as `access::stack_bucket` names them): the lake, the
/// log buckets, the trail's. Their names are global, so a taken one fails the stack's first
/// creation half-way; `deploy.sh` checks them first.
fn main_buckets(pipeline: &Pipeline) -> Vec<String> {
    let mut out = vec![pipeline.storage.bucket.clone()];
    out.extend(log_buckets(pipeline));
    if pipeline.audit.cloudtrail {
        out.push(trail_bucket(pipeline));
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|b| seen.insert(b.clone()));
    out
}

/// The jars `spark.job.dependencies = "artifacts"` stages in the artifact bucket: each with its
/// download URL, for the person who fetches them where there is internet access.
fn staged_jars(pipeline: &Pipeline) -> Vec<Value> {
    if pipeline.spark.job.dependencies != crate::model::JobDependencies::Artifacts {
        return Vec::new();
    }
    crate::facts::job_artifacts(pipeline)
        .iter()
        .map(|a| {
            let mut jar = object(&crate::facts::staged_jar(pipeline, &a.file));
            jar["file"] = json!(a.file);
            jar["url"] = json!(a.url);
            jar
        })
        .collect()
}

/// The Polaris sync step's objects: its three rendered files (`polaris/<file>` to `code/<file>`)
/// and the Apache XTable bundle a person provides (`XTABLE_JAR`).
fn polaris_sync(pipeline: &Pipeline) -> Value {
    if !crate::facts::polaris_sync(pipeline) {
        return Value::Null;
    }
    let xtable = &crate::aws::emr_releases().xtable;
    use crate::facts::{SYNC_CATALOG_CONFIG, SYNC_DATASET_CONFIG, SYNC_PROGRAM};
    let files: Vec<Value> = [SYNC_PROGRAM, SYNC_DATASET_CONFIG, SYNC_CATALOG_CONFIG]
        .iter()
        .map(|file| {
            let mut o = object(&crate::facts::polaris_code(pipeline, file));
            o["file"] = json!(format!("polaris/{file}"));
            o
        })
        .collect();
    let mut jar = object(&crate::facts::xtable_jar(pipeline));
    jar["file"] = json!(xtable.file);
    jar["version"] = json!(xtable.version);
    json!({ "files": files, "jar": jar })
}

/// An S3 object by its `s3://bucket/key` URI, and split into its bucket and key.
fn object(uri: &str) -> Value {
    let (bucket, key) = split_s3(uri).unwrap_or_default();
    json!({ "uri": uri, "bucket": bucket, "key": key })
}

/// The region an ARN names (`arn:partition:service:region:account:…`), or `default` when it
/// names none. Secrets Manager answers for a secret only in its own region.
fn arn_region(arn: &str, default: &str) -> String {
    match arn.split(':').nth(3) {
        Some(region) if !region.is_empty() => region.to_owned(),
        _ => default.to_owned(),
    }
}

/// The tags of the two small stacks' resources: the same as the main template's.
fn tags(pipeline: &Pipeline) -> Vec<Value> {
    let id = &pipeline.pipeline;
    let mut out = vec![
        json!({ "key": "pipegen:pipeline", "value": id.name }),
        json!({ "key": "Owner", "value": id.owner }),
    ];
    out.extend(id.tags.iter().map(|(k, v)| json!({ "key": k, "value": v })));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_regions() {
        assert_eq!(
            arn_region(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf",
                "us-east-1"
            ),
            "eu-west-1"
        );
        assert_eq!(arn_region("not-an-arn", "us-east-1"), "us-east-1");
    }

    #[test]
    fn objects_split_into_bucket_and_key() {
        assert_eq!(
            object("s3://b/certs/emr-tls.zip"),
            json!({ "uri": "s3://b/certs/emr-tls.zip", "bucket": "b", "key": "certs/emr-tls.zip" })
        );
    }
}
