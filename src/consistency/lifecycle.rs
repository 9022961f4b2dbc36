//! S3 lifecycle and replication rules, and archival of what the job reads.

use super::prelude::*;

/// CFX-032: S3 lifecycle and replication rules are valid.
pub static CFX_032: Builtin = Builtin {
    id: "CFX-032",
    stage: Stage::Consistency,
    title: "S3 lifecycle and replication rules are valid",
    severities: ERROR,
    why: "PutBucketLifecycleConfiguration or PutBucketReplication is rejected",
    fix: "Give each lifecycle rule a unique id of 1 to 255 characters and at least one action, with transitions in increasing days; give replication a destination bucket in another region.",
    example: Some(Example {
        fails: r#"
[[storage.lifecycle]]
id = "archive"
transitions = [{ days = 10, storage_class = "STANDARD_IA" }]
"#,
        passes: r#"
[[storage.lifecycle]]
id = "archive-old-data"
transitions = [{ days = 90, storage_class = "STANDARD_IA" }, { days = 180, storage_class = "GLACIER_IR" }]
abort_incomplete_multipart_days = 7
"#,
    }),
};
/// CFX-039: No archival lifecycle transition covers what the pipeline reads.
pub static CFX_039: Builtin = Builtin {
    id: "CFX-039",
    stage: Stage::Consistency,
    title: "No archival lifecycle transition covers what the pipeline reads",
    severities: ERROR,
    why: "objects in GLACIER or DEEP_ARCHIVE cannot be read without a restore: the job's reads of its tables, checkpoints, code or certificates fail (InvalidObjectState)",
    fix: "Transition what the pipeline reads to GLACIER_IR or INTELLIGENT_TIERING only, or give the archiving rule a `prefix` that holds nothing the pipeline reads.",
    example: Some(Example {
        fails: r#"
[[storage.lifecycle]]
id = "archive-old-data"
transitions = [{ days = 90, storage_class = "STANDARD_IA" }, { days = 180, storage_class = "GLACIER" }]
"#,
        passes: r#"
[[storage.lifecycle]]
id = "exports"
prefix = "exports/"
transitions = [{ days = 180, storage_class = "GLACIER" }]
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_032, &CFX_039];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    lifecycle(pipeline, ctx, out);
    archived_reads(pipeline, ctx, out);
}

// CFX-032
fn lifecycle(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let storage = &pipeline.storage;
    let mut ids = Names::new(&CFX_032, "lifecycle rule id").up_to(255);
    for (i, rule) in storage.lifecycle.iter().enumerate() {
        let at = p("storage.lifecycle").index(i);
        ids.declare(&rule.id, at.key("id"), out);
        let has_action = !rule.transitions.is_empty()
            || rule.expiration_days.is_some()
            || rule.noncurrent_expiration_days.is_some()
            || rule.abort_incomplete_multipart_days.is_some();
        if !has_action {
            out.push(Finding::error(
                &CFX_032,
                at.key("id"),
                format!("lifecycle rule `{}` has no action", rule.id),
            ));
        }
        let mut last: Option<u32> = None;
        for (j, transition) in rule.transitions.iter().enumerate() {
            let tat = at.key("transitions").index(j).key("days");
            let min = match transition.storage_class {
                StorageClass::StandardIa | StorageClass::OnezoneIa => 30,
                _ => 0,
            };
            if transition.days < min {
                out.push(
                    Finding::error(
                        &CFX_032,
                        tat.clone(),
                        format!(
                            "objects can move to {:?} only after {min} days, not {}",
                            transition.storage_class, transition.days
                        ),
                    )
                    .with_help(
                        "S3 rejects transitions to an infrequent-access class before 30 days",
                    ),
                );
            }
            if let Some(previous) = last
                && transition.days <= previous
            {
                out.push(Finding::error(
                    &CFX_032,
                    tat.clone(),
                    "transitions must be listed in increasing order of days",
                ));
            }
            last = Some(transition.days);
            if let Some(expire) = rule.expiration_days
                && expire <= transition.days
            {
                out.push(Finding::error(
                    &CFX_032,
                    at.key("expiration_days"),
                    format!(
                        "objects expire after {expire} days, before their transition at day {}",
                        transition.days
                    ),
                ));
            }
        }
        for (name, days) in [
            ("expiration_days", rule.expiration_days),
            (
                "noncurrent_expiration_days",
                rule.noncurrent_expiration_days,
            ),
            (
                "abort_incomplete_multipart_days",
                rule.abort_incomplete_multipart_days,
            ),
        ] {
            if days == Some(0) {
                out.push(Finding::error(
                    &CFX_032,
                    at.key(name),
                    format!("{name} must be at least 1"),
                ));
            }
        }
    }
    if storage.replication.is_some() && !storage.versioning {
        out.push(
            Finding::error(
                &CFX_032,
                p("storage.replication"),
                "cross-region replication requires versioning on the bucket",
            )
            .with_related(p("storage.versioning"), "versioning is off")
            .with_help("set storage.versioning = true"),
        );
    }
}

// CFX-039
/// What the pipeline reads from S3, as (bucket, key prefix, what it is).
fn read_locations(pipeline: &Pipeline) -> Vec<(String, String, &'static str)> {
    let mut uris = vec![
        (facts::hudi_base_path(pipeline), "the Hudi tables"),
        (
            facts::checkpoint_location(pipeline),
            "the streaming checkpoints",
        ),
        (facts::job_script(pipeline), "the job code"),
        (facts::job_settings(pipeline), "the job settings"),
    ];
    if pipeline.emr.security_configuration.in_transit_encryption {
        uris.push((facts::tls_certificates(pipeline), "the EMR certificates"));
    }
    uris.iter()
        .filter_map(|(uri, what)| {
            let (bucket, key) = crate::access::split_s3(uri)?;
            Some((bucket.to_owned(), key.to_owned(), *what))
        })
        .collect()
}

/// GLACIER and DEEP_ARCHIVE objects are "not available for real-time access": a GET fails
/// until the object is restored (Amazon S3 User Guide, "Understanding archival storage in S3
/// Glacier Flexible Retrieval and S3 Glacier Deep Archive"). The lifecycle rules apply to the
/// lake bucket.
fn archived_reads(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let bucket = &pipeline.storage.bucket;
    let reads: Vec<(String, String, &str)> = read_locations(pipeline)
        .into_iter()
        .filter(|(b, _, _)| b == bucket)
        .collect();
    for (i, rule) in pipeline.storage.lifecycle.iter().enumerate() {
        if !rule.enabled {
            continue;
        }
        let prefix = rule.prefix.as_deref().unwrap_or("");
        for (j, transition) in rule.transitions.iter().enumerate() {
            if !matches!(
                transition.storage_class,
                StorageClass::Glacier | StorageClass::DeepArchive
            ) {
                continue;
            }
            // The rule covers a location when one is a prefix of the other (the location as
            // a folder: a rule on `hudi_old/` does not cover `hudi/`).
            let covered: Vec<String> = reads
                .iter()
                .filter(|(_, key, _)| {
                    let folder = format!("{key}/");
                    folder.starts_with(prefix) || prefix.starts_with(&folder)
                })
                .map(|(_, key, what)| format!("{what} (`{key}`)"))
                .collect();
            if covered.is_empty() {
                continue;
            }
            out.push(
                Finding::error(
                    &CFX_039,
                    p("storage.lifecycle").index(i).key("transitions").index(j).key("storage_class"),
                    format!(
                        "rule `{}` moves {} to {} after {} days, where the pipeline can no longer read them: {}",
                        rule.id,
                        if prefix.is_empty() { "the whole bucket".to_owned() } else { format!("`{prefix}`") },
                        crate::model::wire_name(&transition.storage_class),
                        transition.days,
                        covered.join(", ")
                    ),
                )
                .with_help("use GLACIER_IR or INTELLIGENT_TIERING (both readable at once), or give the rule a `prefix` that holds only data nothing reads"),
            );
        }
    }
}
