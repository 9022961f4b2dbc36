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

/// The EMR release table: `data/emr-releases.toml`, as JSON (converted by `build.rs`).
const EMR_RELEASES: &str = include_str!(concat!(env!("OUT_DIR"), "/emr-releases.json"));

/// What pipegen knows of EMR releases (`data/emr-releases.toml`, with its sources).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmrReleases {
    /// The releases, oldest first.
    pub release: Vec<EmrRelease>,
    /// The Kafka connector's dependencies by Spark line.
    pub kafka_connector: Vec<KafkaConnector>,
    /// `aws-msk-iam-auth` versions by the Java they need, newest Java first.
    pub msk_iam_auth: Vec<MskIamAuth>,
    /// Jars EMR installs that the job puts on its classpath.
    pub cluster_jars: ClusterJars,
    /// The Apache XTable release the Polaris sync step runs.
    pub xtable: XTable,
}

/// One EMR release: what it bundles and how long AWS supports it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmrRelease {
    /// The release label.
    pub label: String,
    /// The release date, where AWS publishes it per label.
    pub released: Option<jiff::civil::Date>,
    /// The last day of standard support.
    pub standard_support_until: jiff::civil::Date,
    /// The upstream Spark version of EMR's build.
    pub spark: String,
    /// The upstream Hudi version.
    pub hudi: String,
    /// The upstream Iceberg version.
    pub iceberg: String,
    /// The Java major version applications run on by default.
    pub java: u8,
    /// The connector that serves `s3://` paths.
    pub s3: S3Connector,
}

impl EmrRelease {
    /// The Spark line (`3.5` of `3.5.6`).
    pub fn spark_line(&self) -> &str {
        self.spark
            .rsplit_once('.')
            .map_or(&self.spark, |(line, _)| line)
    }

    /// Whether the bundled Hudi is at least `major.minor`.
    pub fn hudi_at_least(&self, major: u32, minor: u32) -> bool {
        let mut parts = self.hudi.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        found >= (major, minor)
    }
}

/// The filesystem connector EMR serves `s3://` paths with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum S3Connector {
    /// EMRFS (before emr-7.10.0): `fs.s3a.*` settings do not reach `s3://` paths.
    Emrfs,
    /// Hadoop's S3A (emr-7.10.0 and later).
    S3a,
}

/// The Kafka connector's dependency versions on one Spark line.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConnector {
    /// `3.5`, `3.4`, …
    pub spark_line: String,
    /// `org.apache.kafka:kafka-clients`.
    pub kafka_clients: String,
    /// `org.apache.commons:commons-pool2`.
    pub commons_pool2: String,
}

/// An `aws-msk-iam-auth` version and the Java it needs.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MskIamAuth {
    /// The oldest Java it runs on.
    pub min_java: u8,
    /// The version.
    pub version: String,
}

/// Paths of jars EMR installs on every node.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterJars {
    /// The Hudi Spark bundle.
    pub hudi: String,
}

/// An Apache XTable release: its utilities bundle, staged in the artifact bucket.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XTable {
    /// The release.
    pub version: String,
    /// The bundled utilities jar's file name (`jars/<file>` in the artifact bucket).
    pub file: String,
    /// The oldest Java it runs on.
    pub min_java: u8,
}

/// The EMR release table.
pub fn emr_releases() -> &'static EmrReleases {
    static TABLE: std::sync::OnceLock<EmrReleases> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(EMR_RELEASES)
            .expect("data/emr-releases.toml has the table's shape (tests/emr_releases.rs)")
    })
}

/// The EMR release entry, if pipegen knows it.
pub fn emr_release(label: &str) -> Option<&'static EmrRelease> {
    emr_releases().release.iter().find(|r| r.label == label)
}

/// One Maven artifact the job needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// `group:artifact:version`.
    pub coordinates: String,
    /// The file name it is staged under in the artifact bucket (`jars/<file>`).
    pub file: String,
    /// Where to download it.
    pub url: String,
}

fn maven(group: &str, artifact: &str, version: &str) -> Artifact {
    let file = format!("{artifact}-{version}.jar");
    Artifact {
        coordinates: format!("{group}:{artifact}:{version}"),
        url: format!(
            "https://repo1.maven.org/maven2/{}/{artifact}/{version}/{file}",
            group.replace('.', "/")
        ),
        file,
    }
}

/// The artifacts the streaming job's Kafka source needs on `release`, pinned by the table: for
/// `--packages` (Maven resolves the rest) the first and the last; for pre-staged jars, all.
pub fn kafka_artifacts(release: &EmrRelease) -> Option<Vec<Artifact>> {
    let table = emr_releases();
    let connector = table
        .kafka_connector
        .iter()
        .find(|c| c.spark_line == release.spark_line())?;
    let auth = table
        .msk_iam_auth
        .iter()
        .find(|a| a.min_java <= release.java)?;
    let spark = &release.spark;
    let mut auth_jar = maven("software.amazon.msk", "aws-msk-iam-auth", &auth.version);
    // The release's shaded jar carries the AWS SDK the plain Maven jar only depends on.
    auth_jar.file = format!("aws-msk-iam-auth-{}-all.jar", auth.version);
    auth_jar.url = format!(
        "https://github.com/aws/aws-msk-iam-auth/releases/download/v{v}/aws-msk-iam-auth-{v}-all.jar",
        v = auth.version
    );
    Some(vec![
        maven("org.apache.spark", "spark-sql-kafka-0-10_2.12", spark),
        maven(
            "org.apache.spark",
            "spark-token-provider-kafka-0-10_2.12",
            spark,
        ),
        maven(
            "org.apache.kafka",
            "kafka-clients",
            &connector.kafka_clients,
        ),
        maven(
            "org.apache.commons",
            "commons-pool2",
            &connector.commons_pool2,
        ),
        auth_jar,
    ])
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

/// Regions where a cluster of standard MSK brokers takes exactly two client subnets, in two
/// availability zones; elsewhere two or three (Amazon MSK Developer Guide, "Create an MSK
/// Provisioned cluster", msk-create-cluster.html: US West (N. California)).
pub const MSK_TWO_AZ_REGIONS: &[&str] = &["us-west-1"];

/// AWS regions (commercial, GovCloud and China partitions): the `aws`, `aws-us-gov` and
/// `aws-cn` partitions of botocore's `endpoints.json` (tests/cost.rs compares them).
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
    "ap-southeast-6",
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
