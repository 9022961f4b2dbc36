//! Facts about AWS services that checks and templates rely on, kept as data.
//!
//! Sources: the Amazon MSK "Supported Apache Kafka versions" and "Custom configurations"
//! pages, the Amazon EMR release-history pages (Spark and Hudi), and the AWS regions list, as
//! collected in the project's policy catalogue (2026).

/// One Apache Kafka version as MSK offers it.
#[derive(Debug, Clone, Copy)]
pub struct KafkaVersion {
    /// The version string MSK and CloudFormation use.
    pub version: &'static str,
    /// End of support (`YYYY-MM-DD`), when announced.
    pub end_of_support: Option<&'static str>,
    /// Only for Express brokers.
    pub express_only: bool,
}

const fn v(version: &'static str, end_of_support: Option<&'static str>) -> KafkaVersion {
    KafkaVersion {
        version,
        end_of_support,
        express_only: false,
    }
}

/// Every Kafka version MSK has offered. Versions 1.1.1–3.3.2 ended between June and
/// September 2024; they are listed with the last of those dates.
pub const KAFKA_VERSIONS: &[KafkaVersion] = &[
    v("1.1.1", Some("2024-09-11")),
    v("2.1.0", Some("2024-09-11")),
    v("2.2.1", Some("2024-09-11")),
    v("2.3.1", Some("2024-09-11")),
    v("2.4.1", Some("2024-09-11")),
    v("2.4.1.1", Some("2024-09-11")),
    v("2.5.1", Some("2024-09-11")),
    v("2.6.0", Some("2024-09-11")),
    v("2.6.1", Some("2024-09-11")),
    v("2.6.2", Some("2024-09-11")),
    v("2.6.3", Some("2024-09-11")),
    v("2.7.0", Some("2024-09-11")),
    v("2.7.1", Some("2024-09-11")),
    v("2.7.2", Some("2024-09-11")),
    v("2.8.0", Some("2024-09-11")),
    v("2.8.1", Some("2024-09-11")),
    v("2.8.2.tiered", Some("2025-01-14")),
    v("3.1.1", Some("2024-09-11")),
    v("3.2.0", Some("2024-09-11")),
    v("3.3.1", Some("2024-09-11")),
    v("3.3.2", Some("2024-09-11")),
    v("3.4.0", Some("2025-08-04")),
    v("3.5.1", Some("2025-10-23")),
    v("3.6.0", Some("2026-06-01")),
    v("3.7.x", None),
    v("3.7.x.kraft", None),
    v("3.8.x", None),
    v("3.8.x.kraft", None),
    v("3.9.x", None),
    v("3.9.x.kraft", None),
    v("4.0.x.kraft", None),
    v("4.1.x.kraft", None),
    KafkaVersion {
        version: "4.2.x.kraft",
        end_of_support: None,
        express_only: true,
    },
];

/// The version MSK recommends for new clusters.
pub const RECOMMENDED_KAFKA_VERSION: &str = "3.8.x";

/// The Kafka version entry, if MSK knows it.
pub fn kafka_version(version: &str) -> Option<&'static KafkaVersion> {
    KAFKA_VERSIONS.iter().find(|k| k.version == version)
}

/// One EMR release and the Spark and Hudi versions it bundles.
#[derive(Debug, Clone, Copy)]
pub struct EmrRelease {
    /// The release label.
    pub label: &'static str,
    /// The bundled Spark version.
    pub spark: &'static str,
    /// The bundled Hudi version.
    pub hudi: &'static str,
}

const fn r(label: &'static str, spark: &'static str, hudi: &'static str) -> EmrRelease {
    EmrRelease { label, spark, hudi }
}

/// EMR releases pipegen knows the Spark and Hudi versions of.
pub const EMR_RELEASES: &[EmrRelease] = &[
    r("emr-6.10.0", "3.3.1", "0.12.2"),
    r("emr-6.10.1", "3.3.1", "0.12.2"),
    r("emr-6.11.0", "3.3.2", "0.13.0"),
    r("emr-6.11.1", "3.3.2", "0.13.0"),
    r("emr-6.12.0", "3.4.0", "0.13.1"),
    r("emr-6.13.0", "3.4.1", "0.13.1"),
    r("emr-6.14.0", "3.4.1", "0.13.1"),
    r("emr-6.15.0", "3.4.1", "0.14.0"),
    r("emr-7.0.0", "3.5.0", "0.14.0"),
    r("emr-7.1.0", "3.5.0", "0.14.1"),
    r("emr-7.2.0", "3.5.1", "0.14.1"),
    r("emr-7.3.0", "3.5.1", "0.15.0"),
    r("emr-7.4.0", "3.5.2", "0.15.0"),
    r("emr-7.5.0", "3.5.2", "0.15.0"),
    r("emr-7.6.0", "3.5.3", "0.15.0"),
    r("emr-7.7.0", "3.5.3", "0.15.0"),
    r("emr-7.8.0", "3.5.4", "0.15.0"),
    r("emr-7.9.0", "3.5.5", "0.15.0"),
    r("emr-7.10.0", "3.5.5", "0.15.0"),
    r("emr-7.11.0", "3.5.6", "1.0.2"),
    r("emr-7.12.0", "3.5.6", "1.0.2"),
    r("emr-7.13.0", "3.5.6", "1.0.2"),
];

/// The EMR release entry, if pipegen knows it.
pub fn emr_release(label: &str) -> Option<&'static EmrRelease> {
    EMR_RELEASES.iter().find(|r| r.label == label)
}

/// Broker properties a custom MSK configuration may set (Standard brokers).
pub const MSK_SETTABLE_PROPERTIES: &[&str] = &[
    "allow.everyone.if.no.acl.found",
    "auto.create.topics.enable",
    "compression.type",
    "connections.max.idle.ms",
    "default.replication.factor",
    "delete.topic.enable",
    "group.initial.rebalance.delay.ms",
    "group.max.session.timeout.ms",
    "group.min.session.timeout.ms",
    "leader.imbalance.per.broker.percentage",
    "local.retention.bytes",
    "local.retention.ms",
    "log.cleaner.delete.retention.ms",
    "log.cleaner.min.cleanable.ratio",
    "log.cleanup.policy",
    "log.flush.interval.messages",
    "log.flush.interval.ms",
    "log.message.timestamp.difference.max.ms",
    "log.message.timestamp.type",
    "log.retention.bytes",
    "log.retention.hours",
    "log.retention.minutes",
    "log.retention.ms",
    "log.roll.ms",
    "log.segment.bytes",
    "max.incremental.fetch.session.cache.slots",
    "message.max.bytes",
    "min.insync.replicas",
    "num.io.threads",
    "num.network.threads",
    "num.partitions",
    "num.recovery.threads.per.data.dir",
    "num.replica.fetchers",
    "offsets.retention.minutes",
    "offsets.topic.replication.factor",
    "replica.fetch.max.bytes",
    "replica.fetch.response.max.bytes",
    "replica.lag.time.max.ms",
    "replica.selector.class",
    "replica.socket.receive.buffer.bytes",
    "socket.receive.buffer.bytes",
    "socket.request.max.bytes",
    "socket.send.buffer.bytes",
    "transaction.max.timeout.ms",
    "transaction.state.log.min.isr",
    "transaction.state.log.replication.factor",
    "transactional.id.expiration.ms",
    "unclean.leader.election.enable",
    "zookeeper.connection.timeout.ms",
    "zookeeper.session.timeout.ms",
];

/// MSK Standard broker instance types.
pub const MSK_INSTANCE_TYPES: &[&str] = &[
    "kafka.t3.small",
    "kafka.m5.large",
    "kafka.m5.xlarge",
    "kafka.m5.2xlarge",
    "kafka.m5.4xlarge",
    "kafka.m5.8xlarge",
    "kafka.m5.12xlarge",
    "kafka.m5.16xlarge",
    "kafka.m5.24xlarge",
    "kafka.m7g.large",
    "kafka.m7g.xlarge",
    "kafka.m7g.2xlarge",
    "kafka.m7g.4xlarge",
    "kafka.m7g.8xlarge",
    "kafka.m7g.12xlarge",
    "kafka.m7g.16xlarge",
];

/// AWS regions (commercial, GovCloud and China partitions).
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// The MSK client ports: plaintext, TLS, SASL/SCRAM and IAM inside the VPC.
pub mod ports {
    /// Plaintext listener.
    pub const PLAINTEXT: u16 = 9092;
    /// TLS listener (unauthenticated or mutual TLS).
    pub const TLS: u16 = 9094;
    /// SASL/SCRAM over TLS.
    pub const SCRAM: u16 = 9096;
    /// IAM over TLS.
    pub const IAM: u16 = 9098;
    /// The public-access variants add 100 (9194, 9196, 9198).
    pub const PUBLIC_OFFSET: u16 = 100;
}

/// Memory YARN offers on one node (`yarn.nodemanager.resource.memory-mb`, the EMR default per
/// instance type), in MiB.
pub const YARN_MEMORY_MB: &[(&str, u32)] = &[
    ("c5.xlarge", 6144),
    ("c5.2xlarge", 12288),
    ("c5.4xlarge", 24576),
    ("m5.xlarge", 12288),
    ("m5.2xlarge", 24576),
    ("m5.4xlarge", 57344),
    ("m5.8xlarge", 122880),
    ("m5.12xlarge", 184320),
    ("m5.16xlarge", 253952),
    ("m5.24xlarge", 376832),
    ("m6g.xlarge", 12288),
    ("m6g.2xlarge", 24576),
    ("m6g.4xlarge", 57344),
    ("m7g.xlarge", 12288),
    ("m7g.2xlarge", 24576),
    ("m7g.4xlarge", 57344),
    ("r5.xlarge", 24576),
    ("r5.2xlarge", 57344),
    ("r5.4xlarge", 122880),
    ("r6g.xlarge", 24576),
    ("r6g.2xlarge", 57344),
    ("r6g.4xlarge", 122880),
];

/// YARN memory of one node of an instance type, when pipegen knows it.
pub fn yarn_memory_mb(instance_type: &str) -> Option<u32> {
    YARN_MEMORY_MB
        .iter()
        .find(|(t, _)| *t == instance_type)
        .map(|(_, mb)| *mb)
}

/// vCPUs of an EC2 instance type, from its size (`xlarge` = 4, `2xlarge` = 8, …).
pub fn vcpus(instance_type: &str) -> Option<u32> {
    let size = instance_type.rsplit('.').next()?;
    match size {
        "medium" => Some(1),
        "large" => Some(2),
        "xlarge" => Some(4),
        _ => size
            .strip_suffix("xlarge")
            .and_then(|n| n.parse::<u32>().ok())
            .map(|n| n * 4),
    }
}

/// Managed policies that grant far more than a pipeline needs.
pub const BROAD_MANAGED_POLICIES: &[&str] = &[
    "AdministratorAccess",
    "PowerUserAccess",
    "IAMFullAccess",
    "AmazonS3FullAccess",
    "AmazonMSKFullAccess",
    "AmazonEMRFullAccessPolicy_v2",
    "AmazonElasticMapReduceFullAccess",
    "SecretsManagerReadWrite",
    "AWSKeyManagementServicePowerUser",
];

/// Actions that accept no resource narrower than `*`.
pub const UNSCOPABLE_ACTIONS: &[&str] = &[
    "cloudwatch:PutMetricData",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:DescribeSecurityGroups",
    "kafka:GetBootstrapBrokers",
    "kafka:ListClusters",
    "kafka:ListClustersV2",
    "logs:DescribeLogGroups",
    "s3:ListAllMyBuckets",
    "sts:GetCallerIdentity",
];
