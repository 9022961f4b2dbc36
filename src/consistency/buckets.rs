//! S3 bucket names.

use super::prelude::*;

/// CFX-006: S3 bucket names follow the S3 naming rules.
pub static CFX_006: Builtin = Builtin {
    id: "CFX-006",
    stage: Stage::Consistency,
    title: "S3 bucket names follow the S3 naming rules",
    severities: ERROR,
    why: "CreateBucket is rejected",
    fix: "Use 3 to 63 characters: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit, not shaped like an IP address.",
    example: Some(Example {
        fails: r#"
[storage]
bucket = "Data_Lake"
"#,
        passes: r#"
[storage]
bucket = "data-lake.prod-1"
[storage.access_logging]
bucket = "data-lake-logs"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_006];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    bucket_names(pipeline, ctx, out);
}

/// Why `name` is not a valid S3 bucket name, if it is not.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let len = name.len();
    if !(3..=63).contains(&len) {
        return Some(format!("is {len} characters long; S3 allows 3 to 63"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Some(format!(
            "contains {bad:?}; only lowercase letters, digits, hyphens and dots are allowed"
        ));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Some("must start and end with a letter or digit".to_owned());
    }
    if name.contains("..") {
        return Some("must not contain two adjacent dots".to_owned());
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some("must not be formatted as an IP address".to_owned());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Some(format!("must not start with `{prefix}`"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return Some(format!("must not end with `{suffix}`"));
        }
    }
    None
}

// CFX-006
fn bucket_names(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut buckets = vec![(p("storage.bucket"), Some(&pipeline.storage.bucket))];
    buckets.push((
        p("storage.access_logging.bucket"),
        pipeline.storage.access_logging.as_ref().map(|a| &a.bucket),
    ));
    buckets.push((
        p("storage.replication.destination_bucket"),
        pipeline
            .storage
            .replication
            .as_ref()
            .map(|r| &r.destination_bucket),
    ));
    buckets.push((p("audit.bucket"), pipeline.audit.bucket.as_ref()));
    // The derived artifact bucket name is reported at the lake bucket it comes from.
    let artifacts = facts::artifact_bucket(pipeline);
    let artifacts_at = if pipeline.storage.artifact_bucket.is_some() {
        p("storage.artifact_bucket")
    } else {
        p("storage.bucket")
    };
    // (Not when the lake's own name is already reported.)
    if pipeline.storage.artifact_bucket.is_some()
        || bucket_name_problem(&pipeline.storage.bucket).is_none()
    {
        buckets.push((artifacts_at, Some(&artifacts)));
    }
    buckets.push((
        p("kafka.logging.s3_bucket"),
        pipeline.kafka.logging.s3_bucket.as_ref(),
    ));
    for (path, name) in buckets {
        let Some(name) = name else { continue };
        if let Some(problem) = bucket_name_problem(name) {
            out.push(
                Finding::error(&CFX_006, path, format!("bucket name `{name}` {problem}"))
                    .with_help("S3 bucket names: 3–63 characters of a-z, 0-9, `-` and `.`, starting and ending with a letter or digit"),
            );
        }
    }
}
