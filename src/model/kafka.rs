//! Amazon MSK: the cluster, its broker settings, topics and client settings.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::ConfValue;
use super::yes;

/// The Amazon MSK cluster.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kafka {
    /// The MSK cluster name.
    pub cluster_name: String,
    /// The Apache Kafka version as MSK names it, e.g. `3.8.x` or `3.9.x.kraft`.
    pub version: String,
    /// The broker instance type, e.g. `kafka.m5.large`.
    pub instance_type: String,
    /// The number of broker nodes; a multiple of the number of client subnets.
    pub broker_count: NonZeroU32,
    /// Names of the subnets (from `network.subnets`) the brokers live in, one per AZ.
    pub subnets: Vec<String>,
    /// Broker EBS storage.
    #[serde(default)]
    pub storage: BrokerStorage,
    /// Encryption at rest and in transit.
    #[serde(default)]
    pub encryption: KafkaEncryption,
    /// Client authentication.
    #[serde(default)]
    pub auth: KafkaAuth,
    /// Public access to the brokers: `DISABLED` or `SERVICE_PROVIDED_EIPS`.
    #[serde(default)]
    pub public_access: PublicAccess,
    /// The CloudWatch metrics level (MSK default `DEFAULT`; only that level is free).
    #[serde(default)]
    pub enhanced_monitoring: EnhancedMonitoring,
    /// Open monitoring with Prometheus exporters on the brokers.
    #[serde(default)]
    pub open_monitoring: OpenMonitoring,
    /// Where broker logs are shipped.
    #[serde(default)]
    pub logging: BrokerLogs,
    /// Broker configuration (`server.properties`); unset keys keep the MSK default.
    #[serde(default)]
    pub broker: BrokerSettings,
    /// The topics the pipeline reads and writes.
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// Settings for the producers that write to the topics.
    #[serde(default)]
    pub producer: Producer,
    /// Settings for the consumer group that reads the topics.
    #[serde(default)]
    pub consumer: Consumer,
    /// How clients connect: security protocol, SASL mechanism, bootstrap port, truststore.
    /// Unset values are derived from `auth` and `encryption`.
    #[serde(default)]
    pub client: ClientSettings,
}

/// Broker EBS storage.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrokerStorage {
    /// EBS volume size per broker, in GiB (1–16384; MSK default 1000).
    #[serde(default = "thousand")]
    pub volume_size_gb: u32,
    /// Provisioned storage throughput per broker in MiB/s (kafka.m5.4xlarge and larger only).
    #[serde(default)]
    pub provisioned_throughput_mibps: Option<u32>,
}

impl Default for BrokerStorage {
    fn default() -> Self {
        BrokerStorage {
            volume_size_gb: thousand(),
            provisioned_throughput_mibps: None,
        }
    }
}

fn thousand() -> u32 {
    1000
}

/// Encryption of client–broker and broker–broker traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClientBroker {
    /// TLS only (port 9094, or 9096/9098 with SASL).
    #[default]
    Tls,
    /// Both TLS and plaintext listeners.
    TlsPlaintext,
    /// Plaintext only (port 9092).
    Plaintext,
}

/// MSK encryption settings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KafkaEncryption {
    /// The KMS key for broker volumes: a key name from `[kms]` or a key ARN. Unset means the
    /// AWS-managed key `aws/kafka`.
    #[serde(default)]
    pub at_rest_kms_key: Option<String>,
    /// Client–broker encryption: `TLS`, `TLS_PLAINTEXT` or `PLAINTEXT` (MSK default `TLS`).
    #[serde(default)]
    pub client_broker: ClientBroker,
    /// Encrypt traffic between brokers (MSK default `true`).
    #[serde(default = "yes")]
    pub in_cluster: bool,
}

impl Default for KafkaEncryption {
    fn default() -> Self {
        KafkaEncryption {
            at_rest_kms_key: None,
            client_broker: ClientBroker::Tls,
            in_cluster: true,
        }
    }
}

/// MSK client authentication. With every mode off, MSK accepts unauthenticated clients.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KafkaAuth {
    /// Allow unauthenticated clients.
    #[serde(default)]
    pub unauthenticated: bool,
    /// SASL/IAM: clients authenticate with AWS IAM (port 9098).
    #[serde(default)]
    pub iam: bool,
    /// SASL/SCRAM-SHA-512 with credentials in Secrets Manager (port 9096).
    #[serde(default)]
    pub scram: bool,
    /// Mutual TLS with certificates from AWS Private CA (port 9094).
    #[serde(default)]
    pub tls: bool,
    /// Names of the secrets (from `[[secrets]]`) holding SCRAM credentials; each must be
    /// named `AmazonMSK_…` and encrypted with a customer-managed key.
    #[serde(default)]
    pub scram_secrets: Vec<String>,
    /// ARNs of the AWS Private CAs that sign client certificates (mutual TLS).
    #[serde(default)]
    pub tls_certificate_authority_arns: Vec<String>,
}

impl KafkaAuth {
    /// Whether MSK will accept unauthenticated clients: explicitly, or because no mode is on.
    pub fn effectively_unauthenticated(&self) -> bool {
        self.unauthenticated || !(self.iam || self.scram || self.tls)
    }
}

/// Public access to the brokers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PublicAccess {
    /// Brokers are reachable only inside the VPC.
    #[default]
    Disabled,
    /// MSK assigns public Elastic IPs to the brokers.
    ServiceProvidedEips,
}

/// The MSK CloudWatch metrics level; each level publishes the metrics of the ones before it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EnhancedMonitoring {
    /// Cluster- and broker-level basics (free).
    #[default]
    Default,
    /// Adds per-broker metrics.
    PerBroker,
    /// Adds per-topic metrics on each broker.
    PerTopicPerBroker,
    /// Adds per-partition metrics.
    PerTopicPerPartition,
}

/// Prometheus open monitoring.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenMonitoring {
    /// Run the JMX exporter on every broker (port 11001).
    #[serde(default)]
    pub jmx_exporter: bool,
    /// Run the node exporter on every broker (port 11002).
    #[serde(default)]
    pub node_exporter: bool,
}

/// Broker log delivery. Leave all unset to ship no broker logs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrokerLogs {
    /// A CloudWatch Logs group to deliver broker logs to, e.g. `/aws/msk/data-pipeline`.
    #[serde(default)]
    pub cloudwatch_log_group: Option<String>,
    /// Days the CloudWatch log group keeps broker logs (one of CloudWatch Logs' retention
    /// values).
    #[serde(default = "super::ops::ninety_days")]
    pub cloudwatch_retention_days: u32,
    /// An S3 bucket to deliver broker logs to.
    #[serde(default)]
    pub s3_bucket: Option<String>,
    /// The key prefix inside `s3_bucket`.
    #[serde(default = "msk_prefix")]
    pub s3_prefix: String,
    /// A Kinesis Data Firehose delivery stream to deliver broker logs to.
    #[serde(default)]
    pub firehose_delivery_stream: Option<String>,
}

/// Broker configuration. Each field is the Kafka property named in its description; unset
/// fields keep the MSK default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrokerSettings {
    /// `num.network.threads`: threads handling network requests.
    #[serde(default)]
    pub num_network_threads: Option<u32>,
    /// `num.io.threads`: threads doing disk I/O.
    #[serde(default)]
    pub num_io_threads: Option<u32>,
    /// `socket.send.buffer.bytes`: the SO_SNDBUF buffer of the socket server.
    #[serde(default)]
    pub socket_send_buffer_bytes: Option<i32>,
    /// `socket.receive.buffer.bytes`: the SO_RCVBUF buffer of the socket server.
    #[serde(default)]
    pub socket_receive_buffer_bytes: Option<i32>,
    /// `socket.request.max.bytes`: the largest request the broker accepts.
    #[serde(default)]
    pub socket_request_max_bytes: Option<i32>,
    /// `log.retention.hours`: default topic retention (Kafka default 168 = 7 days).
    #[serde(default)]
    pub log_retention_hours: Option<u32>,
    /// `log.segment.bytes`: the size of one log segment file.
    #[serde(default)]
    pub log_segment_bytes: Option<u32>,
    /// `log.retention.check.interval.ms`: how often the log cleaner checks for deletable
    /// segments. MSK does not accept this key; it goes to `broker.properties` only.
    #[serde(default)]
    pub log_retention_check_interval_ms: Option<u64>,
    /// `default.replication.factor` (MSK default 3 on 3-AZ clusters, 2 on 2-AZ clusters).
    #[serde(default)]
    pub default_replication_factor: Option<u16>,
    /// `min.insync.replicas` (MSK default 2 on 3-AZ clusters, 1 on 2-AZ clusters).
    #[serde(default)]
    pub min_insync_replicas: Option<u16>,
    /// `unclean.leader.election.enable` (MSK default **true**).
    #[serde(default)]
    pub unclean_leader_election_enable: Option<bool>,
    /// `auto.create.topics.enable` (MSK default false).
    #[serde(default)]
    pub auto_create_topics_enable: Option<bool>,
    /// `allow.everyone.if.no.acl.found` (MSK default **true**).
    #[serde(default)]
    pub allow_everyone_if_no_acl_found: Option<bool>,
    /// `num.partitions`: partitions of an auto-created topic (MSK default 1).
    #[serde(default)]
    pub num_partitions: Option<u32>,
    /// `offsets.topic.replication.factor` (MSK default 3).
    #[serde(default)]
    pub offsets_topic_replication_factor: Option<u16>,
    /// `transaction.state.log.replication.factor` (MSK default 3).
    #[serde(default)]
    pub transaction_state_log_replication_factor: Option<u16>,
    /// `transaction.state.log.min.isr` (MSK default 2).
    #[serde(default)]
    pub transaction_state_log_min_isr: Option<u16>,
    /// `message.max.bytes`: the largest record batch the broker accepts.
    #[serde(default)]
    pub message_max_bytes: Option<u32>,
    /// Other server properties, by their Kafka names, e.g. `"log.cleaner.delete.retention.ms"`.
    /// Only keys MSK lets a custom configuration set are accepted.
    #[serde(default)]
    pub extra: BTreeMap<String, ConfValue>,
}

impl BrokerSettings {
    /// Every typed setting by its Kafka name, with its value when set: the one list that
    /// `broker.properties`, the MSK configuration and the "set twice" check all read.
    pub fn typed(&self) -> Vec<(&'static str, Option<String>)> {
        fn text<T: ToString>(value: Option<T>) -> Option<String> {
            value.map(|v| v.to_string())
        }
        vec![
            ("num.network.threads", text(self.num_network_threads)),
            ("num.io.threads", text(self.num_io_threads)),
            (
                "socket.send.buffer.bytes",
                text(self.socket_send_buffer_bytes),
            ),
            (
                "socket.receive.buffer.bytes",
                text(self.socket_receive_buffer_bytes),
            ),
            (
                "socket.request.max.bytes",
                text(self.socket_request_max_bytes),
            ),
            ("log.retention.hours", text(self.log_retention_hours)),
            ("log.segment.bytes", text(self.log_segment_bytes)),
            (
                "log.retention.check.interval.ms",
                text(self.log_retention_check_interval_ms),
            ),
            (
                "default.replication.factor",
                text(self.default_replication_factor),
            ),
            ("min.insync.replicas", text(self.min_insync_replicas)),
            (
                "unclean.leader.election.enable",
                text(self.unclean_leader_election_enable),
            ),
            (
                "auto.create.topics.enable",
                text(self.auto_create_topics_enable),
            ),
            (
                "allow.everyone.if.no.acl.found",
                text(self.allow_everyone_if_no_acl_found),
            ),
            ("num.partitions", text(self.num_partitions)),
            (
                "offsets.topic.replication.factor",
                text(self.offsets_topic_replication_factor),
            ),
            (
                "transaction.state.log.replication.factor",
                text(self.transaction_state_log_replication_factor),
            ),
            (
                "transaction.state.log.min.isr",
                text(self.transaction_state_log_min_isr),
            ),
            ("message.max.bytes", text(self.message_max_bytes)),
        ]
    }
}

/// What happens to old records of a topic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CleanupPolicy {
    /// Delete segments older than the retention.
    #[default]
    #[serde(rename = "delete")]
    Delete,
    /// Keep the latest record per key.
    #[serde(rename = "compact")]
    Compact,
    /// Compact, and delete segments older than the retention.
    #[serde(rename = "compact,delete")]
    CompactDelete,
}

/// A Kafka topic.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The topic name: at most 249 characters from `[a-zA-Z0-9._-]`.
    pub name: String,
    /// The number of partitions.
    pub partitions: NonZeroU32,
    /// Replicas per partition; unset means the broker's `default.replication.factor`.
    #[serde(default)]
    pub replication_factor: Option<u16>,
    /// `min.insync.replicas` for this topic; unset means the broker's value.
    #[serde(default)]
    pub min_insync_replicas: Option<u16>,
    /// `retention.ms`: how long records are kept (-1 keeps them forever); unset means the
    /// broker's `log.retention.hours`.
    #[serde(default)]
    pub retention_ms: Option<i64>,
    /// `cleanup.policy`: `delete`, `compact` or `compact,delete`.
    #[serde(default)]
    pub cleanup_policy: CleanupPolicy,
    /// Other topic-level configs by their Kafka names, e.g. `"max.message.bytes"`.
    #[serde(default)]
    pub config: BTreeMap<String, ConfValue>,
}

/// Producer acknowledgements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Acks {
    /// Wait for all in-sync replicas (Kafka ≥ 3.0 default).
    #[default]
    #[serde(rename = "all")]
    All,
    /// Wait for the leader only.
    #[serde(rename = "1")]
    Leader,
    /// Do not wait.
    #[serde(rename = "0")]
    None,
}

/// A compression codec for Kafka records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// No compression.
    #[default]
    None,
    /// gzip.
    Gzip,
    /// Snappy.
    Snappy,
    /// LZ4.
    Lz4,
    /// Zstandard.
    Zstd,
}

/// Producer settings (`producer.properties`). Defaults are Kafka's.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Producer {
    /// `acks`: `all`, `1` or `0`.
    #[serde(default)]
    pub acks: Acks,
    /// `compression.type`: `none`, `gzip`, `snappy`, `lz4` or `zstd`.
    #[serde(default)]
    pub compression_type: Compression,
    /// `batch.size` in bytes.
    #[serde(default = "batch_size")]
    pub batch_size: u32,
    /// `linger.ms`: how long to wait to fill a batch.
    #[serde(default = "linger_ms")]
    pub linger_ms: u32,
    /// `buffer.memory` in bytes.
    #[serde(default = "buffer_memory")]
    pub buffer_memory: u64,
    /// `max.in.flight.requests.per.connection` (at most 5 with idempotence).
    #[serde(default = "five")]
    pub max_in_flight_requests_per_connection: u32,
    /// `enable.idempotence`: exactly-once per partition.
    #[serde(default = "yes")]
    pub enable_idempotence: bool,
    /// Other producer configs by their Kafka names.
    #[serde(default)]
    pub extra: BTreeMap<String, ConfValue>,
}

impl Default for Producer {
    fn default() -> Self {
        Producer {
            acks: Acks::All,
            compression_type: Compression::None,
            batch_size: batch_size(),
            linger_ms: linger_ms(),
            buffer_memory: buffer_memory(),
            max_in_flight_requests_per_connection: five(),
            enable_idempotence: true,
            extra: BTreeMap::new(),
        }
    }
}

fn batch_size() -> u32 {
    16_384
}
fn linger_ms() -> u32 {
    5
}
fn buffer_memory() -> u64 {
    33_554_432
}
fn five() -> u32 {
    5
}

/// Where a new consumer group starts reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OffsetReset {
    /// The oldest retained record.
    Earliest,
    /// Only new records.
    #[default]
    Latest,
    /// Fail when no committed offset exists.
    None,
}

/// Consumer settings (`consumer.properties`). Defaults are Kafka's.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consumer {
    /// `group.id`; unset means `<pipeline name>-consumer`.
    #[serde(default)]
    pub group_id: Option<String>,
    /// `auto.offset.reset`: `earliest`, `latest` or `none`.
    #[serde(default)]
    pub auto_offset_reset: OffsetReset,
    /// `enable.auto.commit`.
    #[serde(default = "yes")]
    pub enable_auto_commit: bool,
    /// `max.poll.records`.
    #[serde(default = "max_poll_records")]
    pub max_poll_records: u32,
    /// `fetch.min.bytes`.
    #[serde(default = "one")]
    pub fetch_min_bytes: u32,
    /// `fetch.max.wait.ms`.
    #[serde(default = "fetch_max_wait_ms")]
    pub fetch_max_wait_ms: u32,
    /// Other consumer configs by their Kafka names.
    #[serde(default)]
    pub extra: BTreeMap<String, ConfValue>,
}

impl Default for Consumer {
    fn default() -> Self {
        Consumer {
            group_id: None,
            auto_offset_reset: OffsetReset::Latest,
            enable_auto_commit: true,
            max_poll_records: max_poll_records(),
            fetch_min_bytes: one(),
            fetch_max_wait_ms: fetch_max_wait_ms(),
            extra: BTreeMap::new(),
        }
    }
}

fn max_poll_records() -> u32 {
    500
}
fn one() -> u32 {
    1
}
fn fetch_max_wait_ms() -> u32 {
    500
}

/// The Kafka `security.protocol` a client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SecurityProtocol {
    /// No TLS, no authentication (port 9092).
    Plaintext,
    /// TLS, optionally with client certificates (port 9094).
    Ssl,
    /// SASL over TLS: SCRAM (9096) or IAM (9098).
    SaslSsl,
    /// SASL without TLS (not offered by MSK).
    SaslPlaintext,
}

/// The SASL mechanism a client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SaslMechanism {
    /// SASL/SCRAM with SHA-512 (MSK's only SCRAM variant).
    #[serde(rename = "SCRAM-SHA-512")]
    ScramSha512,
    /// IAM access control.
    #[serde(rename = "AWS_MSK_IAM")]
    AwsMskIam,
}

/// How clients connect. Unset values are derived from `kafka.auth` and `kafka.encryption`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    /// `security.protocol`.
    #[serde(default)]
    pub security_protocol: Option<SecurityProtocol>,
    /// `sasl.mechanism`.
    #[serde(default)]
    pub sasl_mechanism: Option<SaslMechanism>,
    /// The bootstrap port clients use (9092 plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM).
    #[serde(default)]
    pub bootstrap_port: Option<u16>,
    /// `ssl.truststore.location` on the client hosts; unset uses the JVM's default truststore,
    /// which already trusts the MSK broker certificates.
    #[serde(default)]
    pub truststore_location: Option<String>,
    /// The secret (from `[[secrets]]`) holding the truststore password, when a truststore is set.
    #[serde(default)]
    pub truststore_password_secret: Option<String>,
}

fn msk_prefix() -> String {
    "msk/".to_owned()
}

/// The same defaults as an absent `[kafka.logging]` deserialises to.
impl Default for BrokerLogs {
    fn default() -> Self {
        BrokerLogs {
            cloudwatch_log_group: None,
            cloudwatch_retention_days: super::ops::ninety_days(),
            s3_bucket: None,
            s3_prefix: msk_prefix(),
            firehose_delivery_stream: None,
        }
    }
}
