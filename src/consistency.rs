//! Stage 3: cross-field consistency. These are correctness errors, not policy: a pipeline
//! that fails one cannot be deployed or cannot work, so they are never waivable.
//!
//! Every check has an id, a title and the failure it prevents ([`CHECKS`]); each id has a
//! failing and a passing case in `tests/cases/consistency.toml`.

use std::collections::BTreeMap;

use ipnet::IpNet;

use crate::aws;
use crate::diagnostic::Finding;
use crate::facts;
use crate::model::{
    ClientBroker, Pipeline, SaslMechanism, SecretPurpose, SecurityProtocol, SseAlgorithm,
    StorageClass, SubnetTier, TableType,
};
use crate::path::KeyPath;
use crate::suggest;

/// What a consistency check needs beyond the pipeline.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today's date, for end-of-support checks.
    pub today: jiff::civil::Date,
    /// The model as JSON (the pipeline after defaults).
    pub document: &'a serde_json::Value,
}

/// A consistency check's metadata.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// The stable id.
    pub id: &'static str,
    /// What must hold.
    pub title: &'static str,
    /// What goes wrong otherwise.
    pub prevents: &'static str,
}

const fn c(id: &'static str, title: &'static str, prevents: &'static str) -> Check {
    Check {
        id,
        title,
        prevents,
    }
}

/// Every consistency check.
pub const CHECKS: &[Check] = &[
    c(
        "CFX-001",
        "min.insync.replicas does not exceed the replication factor",
        "with acks=all every write fails with NotEnoughReplicas",
    ),
    c(
        "CFX-002",
        "Replication factors lie between 1 and the broker count",
        "topic creation fails with InvalidReplicationFactor; internal topics are never created",
    ),
    c(
        "CFX-003",
        "MSK client subnets: 2 or 3, each in its own availability zone",
        "CreateCluster is rejected",
    ),
    c(
        "CFX-004",
        "Broker count is a multiple of the number of client subnets",
        "MSK spreads brokers evenly across subnets and rejects an uneven count",
    ),
    c(
        "CFX-005",
        "Subnets fit the VPC, do not overlap, and cover the declared availability zones",
        "CreateSubnet fails, or brokers and nodes cannot be placed",
    ),
    c(
        "CFX-006",
        "S3 bucket names follow the S3 naming rules",
        "CreateBucket is rejected",
    ),
    c(
        "CFX-007",
        "Kafka version is offered by MSK and not past end of support",
        "CreateCluster is rejected, or MSK upgrades the cluster on its own schedule",
    ),
    c(
        "CFX-008",
        "MSK brokers use kafka.* instance types; EMR nodes use EC2 types",
        "a wrong-service instance type is rejected at create time",
    ),
    c(
        "CFX-009",
        "EMR release label is a release pipegen knows, in standard support",
        "RunJobFlow is rejected, or the job's dependencies cannot be pinned to the release's Spark, Hudi and Java; an old release runs without fixes",
    ),
    c(
        "CFX-011",
        "SCRAM secrets are named AmazonMSK_* and encrypted with a customer-managed key",
        "the secret cannot be associated with the cluster",
    ),
    c(
        "CFX-012",
        "Authentication, encryption in transit and client listener agree",
        "the cluster is rejected, or clients cannot connect",
    ),
    c(
        "CFX-013",
        "Hudi archival keeps more commits than the cleaner retains",
        "Hudi's precondition check fails the writer",
    ),
    c(
        "CFX-014",
        "Hudi compaction settings fit the table type",
        "a misconfigured writer, or settings that silently do nothing",
    ),
    c(
        "CFX-019",
        "Extra broker properties are ones MSK lets a configuration set",
        "CreateConfiguration is rejected",
    ),
    c(
        "CFX-022",
        "Budget limit, thresholds and subscribers are valid",
        "the budget is rejected by CloudFormation",
    ),
    c(
        "CFX-023",
        "Kafka topic names are valid and unique",
        "topic creation fails, or two definitions fight over one topic",
    ),
    c(
        "CFX-024",
        "Hudi table names are valid and unique, and each source topic is declared",
        "two writers share one table, or the stream reads a topic that does not exist",
    ),
    c(
        "CFX-025",
        "References to subnets, KMS keys and secrets resolve",
        "the template refers to resources that do not exist",
    ),
    c(
        "CFX-026",
        "Checkpoint, log, code and table locations are s3:// URIs",
        "Spark checkpoints to ephemeral HDFS, or EMR cannot write its logs",
    ),
    c(
        "CFX-027",
        "Alarm periods, evaluation windows and names are valid",
        "PutMetricAlarm is rejected",
    ),
    c(
        "CFX-028",
        "EMR instance groups and scaling limits are valid",
        "RunJobFlow is rejected",
    ),
    c(
        "CFX-029",
        "Spark settings are in range",
        "the Spark application fails at start",
    ),
    c(
        "CFX-030",
        "Pipeline name, region and tags are valid",
        "resource names and tags are rejected",
    ),
    c(
        "CFX-031",
        "Typed settings are not set a second time under their raw name",
        "two values for one setting, one silently winning",
    ),
    c(
        "CFX-032",
        "S3 lifecycle and replication rules are valid",
        "PutBucketLifecycleConfiguration or PutBucketReplication is rejected",
    ),
    c(
        "CFX-033",
        "Sizes and windows are within the service limits",
        "the resource is rejected at create time",
    ),
    c(
        "CFX-034",
        "What the cluster reads at start lives outside the stack that creates the cluster",
        "the job script or the EMR certificates would have to be in a bucket that does not exist yet when the stack starts EMR: the cluster fails to start",
    ),
    c(
        "CFX-035",
        "Names give distinct CloudFormation logical ids",
        "two resources with one logical id: the template has a duplicate key and CloudFormation rejects it (cfn-lint E0000)",
    ),
    c(
        "CFX-036",
        "Values meet the constraints AWS publishes for the properties and parameters they reach",
        "CloudFormation or the service rejects the value (pattern, length, allowed values) and the stack or the script fails",
    ),
    c(
        "CFX-037",
        "The render fits CloudFormation's and IAM's limits: template size, resources per stack, policy size per role",
        "the stack is rejected before it starts, or the role cannot be created",
    ),
    c(
        "CFX-038",
        "Each table declares the columns of its records: valid Avro names, once each, among them its record key, precombine and partition fields",
        "the streaming job cannot decode the records, or Hudi rejects the schema or a key field that is not in it, and the query fails",
    ),
    c(
        "CFX-039",
        "No archival lifecycle transition covers what the pipeline reads",
        "objects in GLACIER or DEEP_ARCHIVE cannot be read without a restore: the job's reads of its tables, checkpoints, code or certificates fail (InvalidObjectState)",
    ),
    c(
        "CFX-040",
        "The job's dependencies can be fetched, and its S3 tuning reaches the connector EMR uses",
        "spark-submit cannot resolve the Kafka connector and the step fails, or fs.s3a.* tuning silently does nothing",
    ),
    c(
        "CFX-041",
        "Every alarm queries a metric its publisher sends, with exactly its dimensions, at the configured monitoring level",
        "the alarm matches no data and sits in INSUFFICIENT_DATA: it never fires",
    ),
    c(
        "CFX-042",
        "The Polaris sync step can run beside the streaming step: Apache XTable's Java, a step failure action EMR accepts with concurrent steps",
        "the sync step cannot start (XTable needs Java 11) or EMR rejects the steps, so no table is registered in Polaris",
    ),
];

/// The metadata of a check id.
pub fn check_info(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

fn p(dotted: &str) -> KeyPath {
    KeyPath::parse_dotted(dotted).expect("a valid built-in path")
}

/// Runs every consistency check.
pub fn check(pipeline: &Pipeline, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let checks: &[fn(&Pipeline, &Context, &mut Vec<Finding>)] = &[
        replication,
        msk_placement,
        subnets,
        bucket_names,
        kafka_version,
        instance_types,
        release_label,
        scram_secrets,
        auth_and_listeners,
        hudi_cleaning,
        hudi_compaction,
        broker_extra,
        budget,
        topics,
        hudi_tables,
        references,
        locations,
        alarms,
        emr_groups,
        spark,
        identity,
        duplicated_settings,
        lifecycle,
        limits,
        prerequisites,
        logical_ids,
        table_columns,
        archived_reads,
        job_dependencies,
        polaris_sync,
        alarm_metrics,
        |pipeline, _, out| crate::constraints::check(pipeline, out),
        |pipeline, _, out| crate::constraints::check_documented(pipeline, out),
        |_, ctx, out| crate::constraints::check_control_characters(ctx.document, out),
    ];
    for check in checks {
        check(pipeline, ctx, &mut out);
    }
    out
}

// CFX-001, CFX-002
fn replication(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let brokers = pipeline.kafka.broker_count.get();
    let broker = &pipeline.kafka.broker;
    let default_rf = facts::default_replication_factor(pipeline);
    let rf_in_range = |path: KeyPath, what: &str, rf: u16, out: &mut Vec<Finding>| {
        if rf == 0 {
            out.push(
                Finding::error("CFX-002", path, format!("{what} is 0")).with_help(
                    "a replication factor counts copies of each partition; use 3 for production",
                ),
            );
        } else if u32::from(rf) > brokers {
            out.push(
                Finding::error(
                    "CFX-002",
                    path,
                    format!("{what} is {rf}, but the cluster has only {brokers} brokers"),
                )
                .with_related(p("kafka.broker_count"), "the broker count is set here")
                .with_help(format!(
                    "lower it to at most {brokers}, or add brokers (in multiples of the subnet count)"
                )),
            );
        }
    };
    if broker.default_replication_factor.is_some() {
        rf_in_range(
            p("kafka.broker.default_replication_factor"),
            "default.replication.factor",
            default_rf,
            out,
        );
    }
    for (field, name) in [
        (
            broker.offsets_topic_replication_factor,
            "offsets_topic_replication_factor",
        ),
        (
            broker.transaction_state_log_replication_factor,
            "transaction_state_log_replication_factor",
        ),
    ] {
        if let Some(rf) = field {
            let path = p("kafka.broker").key(name);
            rf_in_range(path, &name.replace('_', "."), rf, out);
        }
    }
    if let Some(isr) = broker.min_insync_replicas
        && isr > default_rf
    {
        out.push(
            Finding::error(
                "CFX-001",
                p("kafka.broker.min_insync_replicas"),
                format!(
                    "min.insync.replicas is {isr}, above default.replication.factor {default_rf}"
                ),
            )
            .with_help(
                "with acks=all no write to a default topic could succeed; use RF − 1 (2 for RF 3)",
            ),
        );
    }
    let txn_rf = broker.transaction_state_log_replication_factor.unwrap_or(3);
    let txn_isr = broker.transaction_state_log_min_isr.unwrap_or(2);
    if txn_isr > txn_rf {
        out.push(
            Finding::error(
                "CFX-001",
                p("kafka.broker.transaction_state_log_min_isr"),
                format!(
                    "transaction.state.log.min.isr is {txn_isr}, above transaction.state.log.replication.factor {txn_rf}"
                ),
            )
            .with_help("transactions would fail; keep it below the replication factor"),
        );
    }
    for (i, topic) in pipeline.kafka.topics.iter().enumerate() {
        let at = p("kafka.topics").index(i);
        let rf = facts::topic_replication_factor(pipeline, topic);
        let isr = facts::topic_min_insync_replicas(pipeline, topic);
        if topic.replication_factor.is_some() {
            rf_in_range(
                at.key("replication_factor"),
                &format!("topic `{}`: replication factor", topic.name),
                rf,
                out,
            );
        } else if u32::from(rf) > brokers {
            rf_in_range(
                at.key("name"),
                &format!("topic `{}`: the default replication factor", topic.name),
                rf,
                out,
            );
        }
        // A topic that sets neither value inherits the broker's, checked above.
        let sets_either = topic.min_insync_replicas.is_some() || topic.replication_factor.is_some();
        if isr > rf && sets_either {
            let path = if topic.min_insync_replicas.is_some() {
                at.key("min_insync_replicas")
            } else {
                at.key("replication_factor")
            };
            out.push(
                Finding::error(
                    "CFX-001",
                    path,
                    format!(
                        "topic `{}`: min.insync.replicas {isr} exceeds its replication factor {rf}",
                        topic.name
                    ),
                )
                .with_help(format!(
                    "with acks=all every write fails; use min.insync.replicas ≤ {}",
                    rf.saturating_sub(1).max(1)
                )),
            );
        }
    }
}

// CFX-003, CFX-004
fn msk_placement(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let kafka = &pipeline.kafka;
    let count = kafka.subnets.len();
    let region = pipeline.pipeline.region.as_str();
    let two_azs = aws::MSK_TWO_AZ_REGIONS.contains(&region);
    if !(2..=3).contains(&count) || (two_azs && count != 2) {
        let allowed = if two_azs {
            "exactly 2 (MSK offers two AZs in this region)"
        } else {
            "2 or 3"
        };
        out.push(
            Finding::error(
                "CFX-003",
                p("kafka.subnets"),
                format!("MSK needs {allowed} client subnets; {count} are listed"),
            )
            .with_help("list one private subnet per availability zone; 3 for production"),
        );
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name) in kafka.subnets.iter().enumerate() {
        let Some(subnet) = pipeline.subnet(name) else {
            continue;
        };
        if let Some(first) = seen.insert(subnet.az.as_str(), i) {
            out.push(
                Finding::error(
                    "CFX-003",
                    p("kafka.subnets").index(i),
                    format!(
                        "subnet `{name}` is in {}, like `{}`; MSK client subnets need distinct availability zones",
                        subnet.az, kafka.subnets[first]
                    ),
                )
                .with_related(p("kafka.subnets").index(first), "same availability zone"),
            );
        }
    }
    if count > 0 && !kafka.broker_count.get().is_multiple_of(count as u32) {
        let brokers = kafka.broker_count.get();
        let lower = brokers / count as u32 * count as u32;
        let upper = lower + count as u32;
        out.push(
            Finding::error(
                "CFX-004",
                p("kafka.broker_count"),
                format!("{brokers} brokers cannot be spread evenly over {count} client subnets"),
            )
            .with_related(p("kafka.subnets"), "the client subnets are listed here")
            .with_help(if lower == 0 {
                format!("use a multiple of {count}, e.g. {upper}")
            } else {
                format!("use a multiple of {count}, e.g. {lower} or {upper}")
            }),
        );
    }
}

// CFX-005
fn subnets(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let network = &pipeline.network;
    let vpc = network.vpc_cidr.0;
    let region = &pipeline.pipeline.region;
    if !matches!(vpc, IpNet::V4(_)) || !(16..=28).contains(&vpc.prefix_len()) {
        out.push(
            Finding::error(
                "CFX-005",
                p("network.vpc_cidr"),
                format!("the VPC CIDR `{vpc}` must be an IPv4 block between /16 and /28"),
            )
            .with_help("use a private range such as 10.0.0.0/16"),
        );
    }
    let mut zones: BTreeMap<&str, usize> = BTreeMap::new();
    // Zone names are judged against a known region only (CFX-030 reports an unknown one).
    let known_region = aws::REGIONS.contains(&region.as_str());
    for (i, az) in network.availability_zones.iter().enumerate() {
        let at = p("network.availability_zones").index(i);
        let suffix = az.strip_prefix(region.as_str());
        if known_region
            && !suffix.is_some_and(|s| s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase()))
        {
            out.push(
                Finding::error(
                    "CFX-005",
                    at.clone(),
                    format!("`{az}` is not an availability zone of {region}"),
                )
                .with_help(format!(
                    "availability zones of {region} are named {region}a, {region}b, …"
                )),
            );
        }
        if zones.insert(az, i).is_some() {
            out.push(Finding::error(
                "CFX-005",
                at,
                format!("availability zone `{az}` is listed twice"),
            ));
        }
    }
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, subnet) in network.subnets.iter().enumerate() {
        let at = p("network.subnets").index(i);
        if let Some(first) = names.insert(&subnet.name, i) {
            out.push(
                Finding::error(
                    "CFX-005",
                    at.key("name"),
                    format!("subnet name `{}` is used twice", subnet.name),
                )
                .with_related(
                    p("network.subnets").index(first).key("name"),
                    "first used here",
                ),
            );
        }
        let cidr = subnet.cidr.0;
        if !vpc.contains(&cidr) {
            out.push(
                Finding::error(
                    "CFX-005",
                    at.key("cidr"),
                    format!(
                        "subnet `{}` ({cidr}) lies outside the VPC {vpc}",
                        subnet.name
                    ),
                )
                .with_related(p("network.vpc_cidr"), "the VPC CIDR"),
            );
        } else if !(16..=28).contains(&cidr.prefix_len()) {
            out.push(Finding::error(
                "CFX-005",
                at.key("cidr"),
                format!(
                    "subnet `{}` is a /{}; AWS subnets are between /16 and /28",
                    subnet.name,
                    cidr.prefix_len()
                ),
            ));
        }
        if !zones.contains_key(subnet.az.as_str()) {
            let help = match suggest::closest(&subnet.az, zones.keys().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "add it to network.availability_zones, or use one listed there".to_owned(),
            };
            out.push(
                Finding::error(
                    "CFX-005",
                    at.key("az"),
                    format!("`{}` is not in network.availability_zones", subnet.az),
                )
                .with_help(help),
            );
        }
        for (j, other) in network.subnets.iter().enumerate().take(i) {
            if other.cidr.0.contains(&cidr) || cidr.contains(&other.cidr.0) {
                out.push(
                    Finding::error(
                        "CFX-005",
                        at.key("cidr"),
                        format!(
                            "subnet `{}` ({cidr}) overlaps subnet `{}` ({})",
                            subnet.name, other.name, other.cidr
                        ),
                    )
                    .with_related(
                        p("network.subnets").index(j).key("cidr"),
                        "overlapping block",
                    ),
                );
            }
        }
    }
    for (az, i) in &zones {
        let has_private = network
            .subnets
            .iter()
            .any(|s| s.az == *az && s.tier == SubnetTier::Private);
        if !has_private {
            out.push(
                Finding::error(
                    "CFX-005",
                    p("network.availability_zones").index(*i),
                    format!("availability zone `{az}` has no private subnet"),
                )
                .with_help("brokers and EMR nodes live in private subnets: add one for this zone, or drop the zone"),
            );
        }
    }
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
                Finding::error("CFX-006", path, format!("bucket name `{name}` {problem}"))
                    .with_help("S3 bucket names: 3–63 characters of a-z, 0-9, `-` and `.`, starting and ending with a letter or digit"),
            );
        }
    }
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
                "CFX-007",
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
                    "CFX-007",
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
                "CFX-007",
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
                "CFX-008",
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
                    "CFX-008",
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
                "CFX-009",
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
                "CFX-009",
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
                "CFX-009",
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
                    "CFX-041",
                    at.key("metric"),
                    format!("`{}` is not a {namespace} metric pipegen knows", alarm.metric),
                )
                .with_help("check the name against the service's metric list (data/metrics.toml has its source): a misspelt metric never has data"),
            ),
            Err(Mismatch::NotPublished) => out.push(
                Finding::error(
                    "CFX-041",
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
                        "CFX-041",
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
                    "CFX-041",
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
                    "CFX-041",
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
                "CFX-040",
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
                "CFX-040",
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
                "CFX-042",
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
                "CFX-042",
                p("spark.job.action_on_failure"),
                "the Polaris sync step runs beside the streaming step (StepConcurrencyLevel 2), and then EMR accepts only steps whose ActionOnFailure is CONTINUE",
            )
            .with_related(p("polaris"), "the Polaris catalog the sync step registers the tables in")
            .with_help("set spark.job.action_on_failure = \"CONTINUE\" (the alarms on the job's metrics report a failed step)"),
        );
    }
}

// CFX-011
fn scram_secrets(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let auth = &pipeline.kafka.auth;
    if auth.scram && auth.scram_secrets.is_empty() {
        out.push(
            Finding::error(
                "CFX-011",
                p("kafka.auth.scram"),
                "SASL/SCRAM is on but no credential secret is associated",
            )
            .with_help("declare a [[secrets]] entry named `AmazonMSK_…` and list it in kafka.auth.scram_secrets"),
        );
    }
    for (i, name) in auth.scram_secrets.iter().enumerate() {
        let at = p("kafka.auth.scram_secrets").index(i);
        if !name.starts_with("AmazonMSK_") {
            out.push(
                Finding::error(
                    "CFX-011",
                    at.clone(),
                    format!("SCRAM secret `{name}` must be named `AmazonMSK_…`"),
                )
                .with_help("MSK only associates secrets whose names start with AmazonMSK_"),
            );
        }
        if let Some((j, secret)) = pipeline
            .secrets
            .iter()
            .enumerate()
            .find(|(_, s)| &s.name == name)
            && secret.kms_key.is_none()
        {
            out.push(
                Finding::error(
                    "CFX-011",
                    p("secrets").index(j).key("name"),
                    format!("SCRAM secret `{name}` uses the default AWS-managed key"),
                )
                .with_related(at, "associated with the cluster here")
                .with_help("MSK rejects secrets encrypted with aws/secretsmanager: set `kms_key` to a key from [kms]"),
            );
        }
    }
}

// CFX-012
fn auth_and_listeners(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let kafka = &pipeline.kafka;
    let auth = &kafka.auth;
    let enc = &kafka.encryption;
    let sasl = auth.iam || auth.scram;
    if sasl && !enc.in_cluster {
        out.push(
            Finding::error(
                "CFX-012",
                p("kafka.encryption.in_cluster"),
                "SASL authentication (IAM or SCRAM) requires in-cluster encryption",
            )
            .with_help("set in_cluster = true"),
        );
    }
    if sasl && enc.client_broker == ClientBroker::Plaintext {
        out.push(
            Finding::error(
                "CFX-012",
                p("kafka.encryption.client_broker"),
                "SASL authentication (IAM or SCRAM) needs TLS between clients and brokers",
            )
            .with_help("set client_broker = \"TLS\""),
        );
    }
    if sasl && enc.client_broker == ClientBroker::TlsPlaintext && !auth.unauthenticated {
        out.push(
            Finding::error(
                "CFX-012",
                p("kafka.encryption.client_broker"),
                "TLS_PLAINTEXT with SASL requires unauthenticated access to be on as well",
            )
            .with_help("use client_broker = \"TLS\" so every client authenticates"),
        );
    }
    if auth.tls && enc.client_broker != ClientBroker::Tls {
        out.push(Finding::error(
            "CFX-012",
            p("kafka.encryption.client_broker"),
            "mutual TLS authentication requires client_broker = \"TLS\"",
        ));
    }
    if auth.tls && auth.tls_certificate_authority_arns.is_empty() {
        out.push(
            Finding::error(
                "CFX-012",
                p("kafka.auth.tls"),
                "mutual TLS is on but no certificate authority is listed",
            )
            .with_help("list the AWS Private CA ARNs in kafka.auth.tls_certificate_authority_arns"),
        );
    }
    let listeners = facts::listeners(kafka);
    let client = &kafka.client;
    if client.security_protocol == Some(SecurityProtocol::SaslPlaintext) {
        out.push(
            Finding::error(
                "CFX-012",
                p("kafka.client.security_protocol"),
                "Amazon MSK offers no SASL_PLAINTEXT listener",
            )
            .with_help("SASL on MSK runs over TLS: use SASL_SSL"),
        );
        return;
    }
    let offered = |l: &facts::Listener| match l.mechanism {
        Some(m) => format!(
            "{} ({}) on {}",
            protocol_name(l.protocol),
            mechanism_name(m),
            l.port
        ),
        None => format!("{} on {}", protocol_name(l.protocol), l.port),
    };
    let offered_list = if listeners.is_empty() {
        "none".to_owned()
    } else {
        listeners.iter().map(offered).collect::<Vec<_>>().join(", ")
    };
    if let Some(protocol) = client.security_protocol
        && !listeners.iter().any(|l| l.protocol == protocol)
    {
        out.push(
            Finding::error(
                "CFX-012",
                p("kafka.client.security_protocol"),
                format!(
                    "clients use {} but the cluster's auth and encryption open no such listener",
                    protocol_name(protocol)
                ),
            )
            .with_help(format!("the cluster offers: {offered_list}")),
        );
    }
    if let Some(mechanism) = client.sasl_mechanism {
        if client
            .security_protocol
            .is_some_and(|p| p != SecurityProtocol::SaslSsl)
        {
            out.push(Finding::error(
                "CFX-012",
                p("kafka.client.sasl_mechanism"),
                "a SASL mechanism is set but the security protocol is not SASL_SSL",
            ));
        } else if !listeners.iter().any(|l| l.mechanism == Some(mechanism)) {
            out.push(
                Finding::error(
                    "CFX-012",
                    p("kafka.client.sasl_mechanism"),
                    format!(
                        "clients use {} but that authentication mode is off in kafka.auth",
                        mechanism_name(mechanism)
                    ),
                )
                .with_help(format!("the cluster offers: {offered_list}")),
            );
        }
    }
    // The rendered clients (the streaming job, producer.properties, consumer.properties) all
    // connect through one listener; SCRAM that none of them uses is an open door to watch.
    if auth.scram
        && let Some(listener) = facts::client_listener(kafka)
        && listener.mechanism != Some(SaslMechanism::ScramSha512)
    {
        out.push(
            Finding::info(
                "CFX-012",
                p("kafka.auth.scram"),
                format!(
                    "SASL/SCRAM is on but the rendered clients authenticate with {}",
                    listener.mechanism.map_or("TLS only", mechanism_name)
                ),
            )
            .with_help("turn SCRAM off unless clients outside this pipeline use it: its secrets are credentials to rotate and guard"),
        );
    }
    if let Some(port) = client.bootstrap_port {
        let public = pipeline.kafka.public_access != crate::model::PublicAccess::Disabled;
        let matches = |l: &facts::Listener| {
            l.port == port || (public && l.port + aws::ports::PUBLIC_OFFSET == port)
        };
        if !listeners.iter().any(matches) {
            out.push(
                Finding::error(
                    "CFX-012",
                    p("kafka.client.bootstrap_port"),
                    format!("no listener is open on port {port} with this auth and encryption"),
                )
                .with_help(format!("the cluster offers: {offered_list}")),
            );
        } else if facts::client_listener(kafka).is_none() {
            out.push(
                Finding::error(
                    "CFX-012",
                    p("kafka.client.bootstrap_port"),
                    format!("port {port} does not serve the client's security protocol and SASL mechanism"),
                )
                .with_help(format!("the cluster offers: {offered_list}")),
            );
        }
    }
}

fn protocol_name(protocol: SecurityProtocol) -> &'static str {
    match protocol {
        SecurityProtocol::Plaintext => "PLAINTEXT",
        SecurityProtocol::Ssl => "SSL",
        SecurityProtocol::SaslSsl => "SASL_SSL",
        SecurityProtocol::SaslPlaintext => "SASL_PLAINTEXT",
    }
}

fn mechanism_name(mechanism: SaslMechanism) -> &'static str {
    match mechanism {
        SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        SaslMechanism::AwsMskIam => "AWS_MSK_IAM",
    }
}

// CFX-013
fn hudi_cleaning(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let cleaning = &pipeline.hudi.cleaning;
    if cleaning.keep_max_commits <= cleaning.keep_min_commits {
        out.push(
            Finding::error(
                "CFX-013",
                p("hudi.cleaning.keep_max_commits"),
                format!(
                    "keep_max_commits ({}) must be greater than keep_min_commits ({})",
                    cleaning.keep_max_commits, cleaning.keep_min_commits
                ),
            )
            .with_related(p("hudi.cleaning.keep_min_commits"), "set here"),
        );
    }
    if cleaning.keep_min_commits <= cleaning.commits_retained {
        out.push(
            Finding::error(
                "CFX-013",
                p("hudi.cleaning.keep_min_commits"),
                format!(
                    "keep_min_commits ({}) must be greater than commits_retained ({})",
                    cleaning.keep_min_commits, cleaning.commits_retained
                ),
            )
            .with_related(p("hudi.cleaning.commits_retained"), "set here")
            .with_help("archival must keep more commits than the cleaner retains, or the writer fails its precondition check"),
        );
    }
}

// CFX-014
fn hudi_compaction(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let global = &pipeline.hudi.compaction;
    if global.inline && global.async_enabled {
        out.push(
            Finding::error(
                "CFX-014",
                p("hudi.compaction.async_enabled"),
                "compaction is set to run both inline and asynchronously",
            )
            .with_related(p("hudi.compaction.inline"), "inline compaction is on here")
            .with_help("choose one: async for streaming writers, inline for batch writers"),
        );
    }
    // `[hudi.compaction]` applies to the MERGE_ON_READ tables without a block of their own; on
    // COPY_ON_WRITE tables Hudi never compacts (there are no log files to merge).
    let global_used = pipeline
        .hudi
        .tables
        .iter()
        .any(|t| t.table_type == TableType::MergeOnRead && t.compaction.is_none());
    if !global_used && *global != crate::model::Compaction::default() {
        let why = if pipeline.hudi.tables.is_empty() {
            "there are no Hudi tables"
        } else if pipeline
            .hudi
            .tables
            .iter()
            .all(|t| t.table_type == TableType::CopyOnWrite)
        {
            "every table is COPY_ON_WRITE"
        } else {
            "every MERGE_ON_READ table has its own compaction block"
        };
        out.push(
            Finding::warning(
                "CFX-014",
                p("hudi.compaction"),
                format!(
                    "[hudi.compaction] applies to no table: {why}, so these settings have no effect"
                ),
            )
            .with_help("remove [hudi.compaction], or make a table MERGE_ON_READ"),
        );
    }
    for (i, table) in pipeline.hudi.tables.iter().enumerate() {
        let Some(compaction) = &table.compaction else {
            continue;
        };
        let at = p("hudi.tables").index(i).key("compaction");
        if table.table_type == TableType::CopyOnWrite {
            out.push(
                Finding::warning(
                    "CFX-014",
                    at,
                    format!(
                        "table `{}` is COPY_ON_WRITE; its compaction settings have no effect",
                        table.name
                    ),
                )
                .with_help("remove them, or make the table MERGE_ON_READ"),
            );
        } else if compaction.inline && compaction.async_enabled {
            out.push(Finding::error(
                "CFX-014",
                at.key("async_enabled"),
                format!(
                    "table `{}`: compaction is set to run both inline and asynchronously",
                    table.name
                ),
            ));
        }
    }
}

// CFX-019
fn broker_extra(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    for key in pipeline.kafka.broker.extra.keys() {
        if !aws::MSK_SETTABLE_PROPERTIES.contains(&key.as_str()) {
            let help = match suggest::closest(key, aws::MSK_SETTABLE_PROPERTIES.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "MSK manages listener, security, log-directory and broker-identity settings itself".to_owned(),
            };
            out.push(
                Finding::error(
                    "CFX-019",
                    p("kafka.broker.extra").key(key),
                    format!("`{key}` cannot be set in an MSK configuration"),
                )
                .at_key(p("kafka.broker.extra").key(key))
                .with_help(help),
            );
        }
    }
}

// CFX-022
fn budget(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let Some(budget) = &pipeline.budget else {
        return;
    };
    if !(budget.monthly_limit_usd.is_finite() && budget.monthly_limit_usd > 0.0) {
        out.push(Finding::error(
            "CFX-022",
            p("budget.monthly_limit_usd"),
            "the monthly limit must be a positive amount of USD",
        ));
    }
    for (i, alert) in budget.alerts.iter().enumerate() {
        let t = alert.threshold_percent;
        if !(t.is_finite() && t > 0.0 && t <= 1000.0) {
            out.push(Finding::error(
                "CFX-022",
                p("budget.alerts").index(i).key("threshold_percent"),
                format!("threshold {t}% is outside AWS Budgets' range (0, 1000]"),
            ));
        }
    }
    for (i, subscriber) in budget.subscribers.iter().enumerate() {
        let email = subscriber.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !subscriber.contains(char::is_whitespace)
        });
        let sns = subscriber.starts_with("arn:aws:sns:");
        if !(email || sns) {
            out.push(
                Finding::error(
                    "CFX-022",
                    p("budget.subscribers").index(i),
                    format!("`{subscriber}` is neither an email address nor an SNS topic ARN"),
                )
                .with_help("AWS Budgets notifies email addresses and SNS topics"),
            );
        }
    }
}

/// Why `name` is not a valid Kafka topic name, if it is not.
pub fn topic_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".to_owned());
    }
    if name.len() > 249 {
        return Some(format!(
            "is {} characters long; Kafka allows 249",
            name.len()
        ));
    }
    if name == "." || name == ".." {
        return Some("cannot be `.` or `..`".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!(
            "contains {bad:?}; Kafka allows only ASCII letters, digits, `.`, `_` and `-`"
        ));
    }
    None
}

// CFX-023
fn topics(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, topic) in pipeline.kafka.topics.iter().enumerate() {
        let at = p("kafka.topics").index(i).key("name");
        if let Some(problem) = topic_name_problem(&topic.name) {
            out.push(Finding::error(
                "CFX-023",
                at.clone(),
                format!("topic name {:?} {problem}", topic.name),
            ));
        }
        // Kafka treats `.` and `_` as colliding in metric names.
        let canonical = topic.name.replace('.', "_");
        if let Some(first) = seen.insert(canonical, i) {
            let same = pipeline.kafka.topics[first].name == topic.name;
            out.push(
                Finding::error(
                    "CFX-023",
                    at,
                    if same {
                        format!("topic `{}` is declared twice", topic.name)
                    } else {
                        format!(
                            "topic `{}` collides with `{}`: Kafka treats `.` and `_` alike in metric names",
                            topic.name, pipeline.kafka.topics[first].name
                        )
                    },
                )
                .with_related(p("kafka.topics").index(first).key("name"), "first declared here"),
            );
        }
    }
}

// CFX-024
fn hudi_tables(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let topic_names = pipeline.kafka.topics.iter().map(|t| t.name.as_str());
    let declared: std::collections::HashSet<&str> = topic_names.clone().collect();
    for (i, table) in pipeline.hudi.tables.iter().enumerate() {
        let at = p("hudi.tables").index(i);
        let valid = !table.name.is_empty()
            && table.name.len() <= 128
            && table
                .name
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && table
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            out.push(
                Finding::error(
                    "CFX-024",
                    at.key("name"),
                    format!("table name {:?} is not a valid identifier", table.name),
                )
                .with_help("use letters, digits and underscores, starting with a letter (catalogs reject other names)"),
            );
        }
        if let Some(first) = seen.insert(&table.name, i) {
            out.push(
                Finding::error(
                    "CFX-024",
                    at.key("name"),
                    format!("Hudi table `{}` is declared twice", table.name),
                )
                .with_related(
                    p("hudi.tables").index(first).key("name"),
                    "first declared here",
                ),
            );
        }
        if !declared.contains(table.source_topic.as_str()) {
            let help = match suggest::closest(&table.source_topic, topic_names.clone()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "declare the topic under [[kafka.topics]]".to_owned(),
            };
            out.push(
                Finding::error(
                    "CFX-024",
                    at.key("source_topic"),
                    format!(
                        "source topic `{}` is not declared in kafka.topics",
                        table.source_topic
                    ),
                )
                .with_help(help),
            );
        }
        if table.record_key.split(',').any(|f| f.trim().is_empty()) {
            out.push(Finding::error(
                "CFX-024",
                at.key("record_key"),
                format!(
                    "table `{}`: the record key has an empty field name",
                    table.name
                ),
            ));
        }
    }
}

// CFX-025
fn references(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let subnet_names: Vec<&str> = pipeline
        .network
        .subnets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut subnet_refs: Vec<(KeyPath, &String)> = pipeline
        .kafka
        .subnets
        .iter()
        .enumerate()
        .map(|(i, s)| (p("kafka.subnets").index(i), s))
        .collect();
    subnet_refs.push((p("emr.subnet"), &pipeline.emr.subnet));
    for (path, name) in subnet_refs {
        if pipeline.subnet(name).is_none() {
            out.push(unresolved(
                path,
                "subnet",
                name,
                &subnet_names,
                "network.subnets",
            ));
        }
    }

    let key_names: Vec<&str> = pipeline.kms.keys.iter().map(|k| k.name.as_str()).collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, key) in pipeline.kms.keys.iter().enumerate() {
        if let Some(first) = seen.insert(&key.name, i) {
            out.push(
                Finding::error(
                    "CFX-025",
                    p("kms.keys").index(i).key("name"),
                    format!("KMS key name `{}` is used twice", key.name),
                )
                .with_related(p("kms.keys").index(first).key("name"), "first used here"),
            );
        }
    }
    let key_refs = pipeline.kms_key_references();
    for (path, reference) in key_refs {
        if let Some(reference) = reference
            && !pipeline.kms_key_resolves(reference)
        {
            out.push(unresolved(
                path,
                "KMS key",
                reference,
                &key_names,
                "kms.keys (or give a key ARN)",
            ));
        }
    }
    // S3 encrypts the replicas with a key of the destination bucket's region (S3 User Guide,
    // "Replicating objects created with server-side encryption": "the KMS key must have been
    // created in the same AWS Region as the destination buckets").
    if let Some(r) = &pipeline.storage.replication
        && let Some(arn) = &r.replica_kms_key_arn
        && let Some(region) = arn.split(':').nth(3)
        && arn.starts_with("arn:")
        && region != r.destination_region
    {
        out.push(
            Finding::error(
                "CFX-025",
                p("storage.replication.replica_kms_key_arn"),
                format!(
                    "the replica key is in `{region}`, but the replicas are written in `{}`",
                    r.destination_region
                ),
            )
            .with_related(p("storage.replication.destination_region"), "the destination region")
            .with_help("give a key of the destination region, or remove replica_kms_key_arn and the replica stack creates one"),
        );
    }
    let storage_enc = &pipeline.storage.encryption;
    if storage_enc.algorithm == SseAlgorithm::Aes256 && storage_enc.kms_key.is_some() {
        out.push(
            Finding::error(
                "CFX-025",
                p("storage.encryption.kms_key"),
                "a KMS key is set but the bucket encrypts with AES256 (SSE-S3)",
            )
            .with_help("set algorithm = \"aws:kms\" to use the key, or remove kms_key"),
        );
    }
    if pipeline.emr.security_configuration.at_rest_encryption
        && pipeline.emr.security_configuration.kms_key.is_none()
    {
        out.push(
            Finding::error(
                "CFX-025",
                p("emr.security_configuration.at_rest_encryption"),
                "at-rest encryption is on but no KMS key is given for local disks",
            )
            .with_help("set emr.security_configuration.kms_key to a key from [kms]"),
        );
    }

    let secret_names: Vec<&str> = pipeline.secrets.iter().map(|s| s.name.as_str()).collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, secret) in pipeline.secrets.iter().enumerate() {
        if let Some(first) = seen.insert(&secret.name, i) {
            out.push(
                Finding::error(
                    "CFX-025",
                    p("secrets").index(i).key("name"),
                    format!("secret `{}` is declared twice", secret.name),
                )
                .with_related(p("secrets").index(first).key("name"), "first declared here"),
            );
        }
    }
    let mut secret_refs: Vec<(KeyPath, &String, Option<SecretPurpose>)> = pipeline
        .kafka
        .auth
        .scram_secrets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                p("kafka.auth.scram_secrets").index(i),
                s,
                Some(SecretPurpose::Scram),
            )
        })
        .collect();
    if let Some(polaris) = &pipeline.polaris {
        secret_refs.push((
            p("polaris.credential_secret"),
            &polaris.credential_secret,
            Some(SecretPurpose::Polaris),
        ));
    }
    if let Some(secret) = &pipeline.kafka.client.truststore_password_secret {
        secret_refs.push((p("kafka.client.truststore_password_secret"), secret, None));
    }
    for (path, name, purpose) in secret_refs {
        match pipeline.secret(name) {
            None => out.push(unresolved(
                path,
                "secret",
                name,
                &secret_names,
                "[[secrets]]",
            )),
            Some(secret) => {
                if let Some(purpose) = purpose
                    && secret.purpose != purpose
                    && secret.purpose != SecretPurpose::Other
                {
                    out.push(Finding::error(
                        "CFX-025",
                        path,
                        format!("secret `{name}` is declared for another purpose"),
                    ));
                }
            }
        }
    }
}

fn unresolved(path: KeyPath, what: &str, name: &str, known: &[&str], declare_in: &str) -> Finding {
    let help = match suggest::closest(name, known.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if known.is_empty() => format!("declare it in {declare_in}"),
        None => format!("declared in {declare_in}: {}", known.join(", ")),
    };
    Finding::error("CFX-025", path, format!("no {what} named `{name}`")).with_help(help)
}

/// Why `uri` is not an `s3://bucket/...` URI, if it is not.
pub fn s3_uri_problem(uri: &str) -> Option<String> {
    let Some(rest) = uri.strip_prefix("s3://") else {
        let scheme = uri.split_once("://").map_or("a local path", |(s, _)| s);
        return Some(format!("uses {scheme}, not s3://"));
    };
    let bucket = rest.split('/').next().unwrap_or_default();
    bucket_name_problem(bucket).map(|problem| format!("names bucket `{bucket}`, which {problem}"))
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
            out.push(Finding::error("CFX-026", path, format!("`{uri}` {problem}")).with_help(why));
        }
    }
    if let Some(polaris) = &pipeline.polaris
        && !(polaris.uri.starts_with("https://") || polaris.uri.starts_with("http://"))
    {
        out.push(
            Finding::error(
                "CFX-026",
                p("polaris.uri"),
                format!("`{}` is not an http(s) URL", polaris.uri),
            )
            .with_help(
                "the Polaris REST catalog URI looks like https://polaris.example.com/api/catalog",
            ),
        );
    }
}

// CFX-027
fn alarms(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, alarm) in pipeline.monitoring.alarms.iter().enumerate() {
        let at = p("monitoring.alarms").index(i);
        if let Some(first) = seen.insert(&alarm.name, i) {
            out.push(
                Finding::error(
                    "CFX-027",
                    at.key("name"),
                    format!("alarm `{}` is declared twice", alarm.name),
                )
                .with_related(
                    p("monitoring.alarms").index(first).key("name"),
                    "first declared here",
                ),
            );
        }
        if alarm.name.is_empty() || alarm.name.len() > 255 {
            out.push(Finding::error(
                "CFX-027",
                at.key("name"),
                "alarm names are 1 to 255 characters",
            ));
        }
        if !(alarm.period == 10
            || alarm.period == 30
            || (alarm.period > 0 && alarm.period % 60 == 0))
        {
            out.push(
                Finding::error(
                    "CFX-027",
                    at.key("period"),
                    format!("a period of {}s is not allowed", alarm.period),
                )
                .with_help("CloudWatch periods are 10, 30 or a multiple of 60 seconds"),
            );
        }
        if alarm.evaluation_periods == 0 {
            out.push(Finding::error(
                "CFX-027",
                at.key("evaluation_periods"),
                "evaluation_periods must be at least 1",
            ));
        } else if u64::from(alarm.period) * u64::from(alarm.evaluation_periods) > 86_400 {
            out.push(Finding::error(
                "CFX-027",
                at.key("evaluation_periods"),
                "period × evaluation_periods exceeds one day, the most CloudWatch evaluates",
            ));
        }
        if let Some(points) = alarm.datapoints_to_alarm
            && (points == 0 || points > alarm.evaluation_periods)
        {
            out.push(Finding::error(
                "CFX-027",
                at.key("datapoints_to_alarm"),
                format!(
                    "datapoints_to_alarm must be between 1 and evaluation_periods ({})",
                    alarm.evaluation_periods
                ),
            ));
        }
        if !alarm.threshold.is_finite() {
            out.push(Finding::error(
                "CFX-027",
                at.key("threshold"),
                "the threshold must be a finite number",
            ));
        }
        if alarm.namespace.is_none() && pipeline.monitoring.namespace.is_none() {
            out.push(
                Finding::error(
                    "CFX-027",
                    at.key("metric"),
                    format!("alarm `{}` has no namespace", alarm.name),
                )
                .with_help("set `namespace` on the alarm (e.g. AWS/Kafka) or monitoring.namespace for custom metrics"),
            );
        }
        if alarm.notify && pipeline.monitoring.sns.is_none() {
            out.push(
                Finding::error(
                    "CFX-027",
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

// CFX-028
fn emr_groups(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let emr = &pipeline.emr;
    if !matches!(emr.master.count, 1 | 3) {
        out.push(Finding::error(
            "CFX-028",
            p("emr.master.count"),
            format!("EMR runs 1 or 3 primary nodes, not {}", emr.master.count),
        ));
    }
    if emr.core.count == 0 {
        out.push(Finding::error(
            "CFX-028",
            p("emr.core.count"),
            "the core group needs at least one instance",
        ));
    }
    if let Some(scaling) = &emr.managed_scaling {
        if scaling.min_instances > scaling.max_instances {
            out.push(
                Finding::error(
                    "CFX-028",
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
                "CFX-028",
                p("emr.managed_scaling.min_instances"),
                "managed scaling needs at least one instance",
            ));
        }
    }
    if let Some(seconds) = emr.idle_timeout_seconds
        && !(60..=604_800).contains(&seconds)
    {
        out.push(Finding::error(
            "CFX-028",
            p("emr.idle_timeout_seconds"),
            "the idle timeout must be between 60 seconds and 7 days",
        ));
    }
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
                "CFX-029",
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
                "CFX-029",
                p("spark").key(name),
                format!("{name} must be at least 1"),
            ));
        }
    }
    if spark.shuffle_partitions == 0 {
        out.push(Finding::error(
            "CFX-029",
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
                    "CFX-029",
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
                    "CFX-029",
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
            "CFX-029",
            p("spark.streaming.max_offsets_per_trigger"),
            "maxOffsetsPerTrigger must be at least 1",
        ));
    }
}

// CFX-030
fn identity(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let id = &pipeline.pipeline;
    if !crate::model::Identity::name_is_valid(&id.name) {
        out.push(
            Finding::error(
                "CFX-030",
                p("pipeline.name"),
                format!(
                    "pipeline name {:?} cannot be used in resource names",
                    id.name
                ),
            )
            .with_help(crate::model::Identity::NAME_RULE),
        );
    }
    if !aws::REGIONS.contains(&id.region.as_str()) {
        let help = match suggest::closest(&id.region, aws::REGIONS.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "use a region code such as us-east-1".to_owned(),
        };
        out.push(
            Finding::error(
                "CFX-030",
                p("pipeline.region"),
                format!("`{}` is not an AWS region", id.region),
            )
            .with_help(help),
        );
    }
    if let Some(replication) = &pipeline.storage.replication {
        if !aws::REGIONS.contains(&replication.destination_region.as_str()) {
            out.push(Finding::error(
                "CFX-030",
                p("storage.replication.destination_region"),
                format!("`{}` is not an AWS region", replication.destination_region),
            ));
        } else if replication.destination_region == id.region {
            out.push(
                Finding::error(
                    "CFX-030",
                    p("storage.replication.destination_region"),
                    "cross-region replication targets the pipeline's own region",
                )
                .with_help("choose another region so a regional outage does not take both copies"),
            );
        }
    }
    for (key, value) in &id.tags {
        let at = p("pipeline.tags").key(key);
        if key.is_empty() || key.chars().count() > 128 || key.starts_with("aws:") {
            out.push(
                Finding::error(
                    "CFX-030",
                    at.clone(),
                    format!("tag key {key:?} is not allowed"),
                )
                .at_key(at.clone())
                .with_help("tag keys are 1–128 characters and may not start with `aws:`"),
            );
        }
        if value.chars().count() > 256 {
            out.push(Finding::error(
                "CFX-030",
                at,
                format!("the value of tag `{key}` is longer than 256 characters"),
            ));
        }
    }
}

// CFX-031
fn duplicated_settings(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    const TOPIC_TYPED: &[&str] = &["retention.ms", "cleanup.policy", "min.insync.replicas"];
    const PRODUCER_TYPED: &[&str] = &[
        "acks",
        "compression.type",
        "batch.size",
        "linger.ms",
        "buffer.memory",
        "max.in.flight.requests.per.connection",
        "enable.idempotence",
    ];
    const CONSUMER_TYPED: &[&str] = &[
        "group.id",
        "auto.offset.reset",
        "enable.auto.commit",
        "max.poll.records",
        "fetch.min.bytes",
        "fetch.max.wait.ms",
    ];
    const SPARK_TYPED: &[&str] = &[
        "spark.executor.memory",
        "spark.driver.memory",
        "spark.executor.cores",
        "spark.executor.instances",
        "spark.memory.fraction",
        "spark.memory.storageFraction",
        "spark.sql.shuffle.partitions",
        "spark.shuffle.compress",
        "spark.shuffle.spill.compress",
        "spark.io.compression.codec",
        "spark.streaming.backpressure.enabled",
        "spark.streaming.kafka.maxRatePerPartition",
        "spark.streaming.stopGracefullyOnShutdown",
        "spark.streaming.receiver.writeAheadLog.enable",
    ];
    let mut report = |base: KeyPath, keys: Vec<&String>, typed: &[&str]| {
        for key in keys {
            if typed.contains(&key.as_str()) {
                let field = key
                    .trim_start_matches("spark.")
                    .replace(['.'], "_")
                    .to_ascii_lowercase();
                out.push(
                    Finding::error(
                        "CFX-031",
                        base.key(key.as_str()),
                        format!("`{key}` has a typed setting of its own"),
                    )
                    .at_key(base.key(key.as_str()))
                    .with_help(format!(
                        "set it with the typed key (`{field}` or its section) so it is checked and rendered once"
                    )),
                );
            }
        }
    };
    let kafka = &pipeline.kafka;
    let broker_typed: Vec<&str> = kafka.broker.typed().into_iter().map(|(k, _)| k).collect();
    report(
        p("kafka.broker.extra"),
        kafka.broker.extra.keys().collect(),
        &broker_typed,
    );
    report(
        p("kafka.producer.extra"),
        kafka.producer.extra.keys().collect(),
        PRODUCER_TYPED,
    );
    report(
        p("kafka.consumer.extra"),
        kafka.consumer.extra.keys().collect(),
        CONSUMER_TYPED,
    );
    for (i, topic) in kafka.topics.iter().enumerate() {
        report(
            p("kafka.topics").index(i).key("config"),
            topic.config.keys().collect(),
            TOPIC_TYPED,
        );
    }
    report(
        p("spark.conf"),
        pipeline.spark.conf.keys().collect(),
        SPARK_TYPED,
    );
}

// CFX-032
fn lifecycle(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let storage = &pipeline.storage;
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in storage.lifecycle.iter().enumerate() {
        let at = p("storage.lifecycle").index(i);
        if let Some(first) = ids.insert(&rule.id, i) {
            out.push(
                Finding::error(
                    "CFX-032",
                    at.key("id"),
                    format!("lifecycle rule id `{}` is used twice", rule.id),
                )
                .with_related(
                    p("storage.lifecycle").index(first).key("id"),
                    "first used here",
                ),
            );
        }
        if rule.id.is_empty() || rule.id.len() > 255 {
            out.push(Finding::error(
                "CFX-032",
                at.key("id"),
                "lifecycle rule ids are 1 to 255 characters",
            ));
        }
        let has_action = !rule.transitions.is_empty()
            || rule.expiration_days.is_some()
            || rule.noncurrent_expiration_days.is_some()
            || rule.abort_incomplete_multipart_days.is_some();
        if !has_action {
            out.push(Finding::error(
                "CFX-032",
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
                        "CFX-032",
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
                    "CFX-032",
                    tat.clone(),
                    "transitions must be listed in increasing order of days",
                ));
            }
            last = Some(transition.days);
            if let Some(expire) = rule.expiration_days
                && expire <= transition.days
            {
                out.push(Finding::error(
                    "CFX-032",
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
                    "CFX-032",
                    at.key(name),
                    format!("{name} must be at least 1"),
                ));
            }
        }
    }
    if storage.replication.is_some() && !storage.versioning {
        out.push(
            Finding::error(
                "CFX-032",
                p("storage.replication"),
                "cross-region replication requires versioning on the bucket",
            )
            .with_related(p("storage.versioning"), "versioning is off")
            .with_help("set storage.versioning = true"),
        );
    }
}

// CFX-033
fn limits(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let volume = pipeline.kafka.storage.volume_size_gb;
    if !(1..=16_384).contains(&volume) {
        out.push(Finding::error(
            "CFX-033",
            p("kafka.storage.volume_size_gb"),
            format!("broker volumes are 1 to 16384 GiB, not {volume}"),
        ));
    }
    for (i, key) in pipeline.kms.keys.iter().enumerate() {
        if !(7..=30).contains(&key.deletion_window_days) {
            out.push(Finding::error(
                "CFX-033",
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
                    "CFX-033",
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
                "CFX-033",
                p("kafka.topics").index(i).key("retention_ms"),
                format!("retention.ms is {ms}; use -1 for unlimited or a positive duration"),
            ));
        }
    }
}

// CFX-034
fn prerequisites(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let artifacts = facts::artifact_bucket(pipeline);
    if let Some(id) = crate::access::stack_bucket(pipeline, &artifacts) {
        out.push(
            Finding::error(
                "CFX-034",
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
                    "CFX-034",
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

// CFX-035
fn logical_ids(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let ids = facts::named_logical_ids(pipeline);
    let mut first: BTreeMap<&str, &KeyPath> = BTreeMap::new();
    let mut reported = std::collections::BTreeSet::new();
    let subscriptions = pipeline
        .monitoring
        .sns
        .as_ref()
        .map_or(0, |s| s.subscriptions.len());
    let numbered = |id: &str| {
        id.strip_prefix("AlarmSubscription")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=subscriptions).contains(&n))
    };
    for (id, at) in &ids {
        // CloudFormation quotas: a logical id is at most 255 characters (and a longer one is
        // also past YAML's 1,024-character limit on a key, at four times that).
        if id.len() > 255 && reported.insert(at.clone()) {
            out.push(
                Finding::error(
                    "CFX-035",
                    at.clone(),
                    format!(
                        "this name gives a logical id of {} characters; CloudFormation takes at most 255",
                        id.len()
                    ),
                )
                .with_help("shorten the name"),
            );
            continue;
        }
        let fixed = facts::FIXED_LOGICAL_IDS.contains(&id.as_str()) || numbered(id);
        if fixed && reported.insert(at.clone()) {
            out.push(
                Finding::error(
                    "CFX-035",
                    at.clone(),
                    format!("this name gives the logical id `{id}`, which the template already uses for its own resource"),
                )
                .with_help("choose another name"),
            );
            continue;
        }
        match first.get(id.as_str()) {
            Some(earlier) if *earlier != at => {
                if reported.insert(at.clone()) {
                    out.push(
                        Finding::error(
                            "CFX-035",
                            at.clone(),
                            format!("this name and an earlier one both give the logical id `{id}`"),
                        )
                        .with_related((*earlier).clone(), "the earlier name")
                        .with_help("logical ids keep only letters and digits, capitalised per word: names that differ only in case or separators collide"),
                    );
                }
            }
            Some(_) => {}
            None => {
                first.insert(id, at);
            }
        }
    }
}

// CFX-038
/// Hudi turns the Spark schema into an Avro schema, whose names must start with a letter or
/// `_` and hold only letters, digits and `_` (Apache Avro Specification, "Names").
fn avro_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn table_columns(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    for (i, table) in pipeline.hudi.tables.iter().enumerate() {
        let at = p("hudi.tables").index(i);
        if table.columns.is_empty() {
            if facts::rendered_job(pipeline) {
                out.push(
                    Finding::error(
                        "CFX-038",
                        at.key("name"),
                        format!("table `{}` declares no columns: the streaming job decodes each record's value into them", table.name),
                    )
                    .with_help("list the record's fields: `columns = [{ name = \"event_id\", type = \"string\" }, ...]`"),
                );
            }
            continue;
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (j, column) in table.columns.iter().enumerate() {
            let here = at.key("columns").index(j).key("name");
            if !avro_name(&column.name) {
                out.push(
                    Finding::error("CFX-038", here.clone(), format!("column name {:?} is not a valid Avro name", column.name))
                        .with_help("Hudi writes an Avro schema: start with a letter or `_`, then letters, digits and `_`"),
                );
            }
            if let Some(first) = seen.insert(&column.name, j) {
                out.push(
                    Finding::error(
                        "CFX-038",
                        here,
                        format!("column `{}` is declared twice", column.name),
                    )
                    .with_related(
                        at.key("columns").index(first).key("name"),
                        "first declared here",
                    ),
                );
            }
        }
        let names = || table.columns.iter().map(|c| c.name.as_str());
        let mut fields: Vec<(&str, &str)> = table
            .record_key
            .split(',')
            .map(|f| ("record_key", f.trim()))
            .collect();
        fields.extend(
            table
                .precombine_field
                .iter()
                .map(|f| ("precombine_field", f.trim())),
        );
        if let Some(path) = &table.partition_path {
            // `field:TYPE` is the custom key generator's form: the field is before the colon.
            fields.extend(
                path.split(',')
                    .map(|f| ("partition_path", f.split(':').next().unwrap_or(f).trim())),
            );
        }
        for (key, field) in fields {
            if field.is_empty() || names().any(|n| n == field) {
                continue;
            }
            let help = match suggest::closest(field, names()) {
                Some(best) => format!("did you mean `{best}`? Or declare `{field}` under columns"),
                None => format!("declare `{field}` under columns"),
            };
            out.push(
                Finding::error(
                    "CFX-038",
                    at.key(key),
                    format!(
                        "table `{}`: `{field}` is not one of its columns",
                        table.name
                    ),
                )
                .with_help(help),
            );
        }
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
                    "CFX-039",
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
