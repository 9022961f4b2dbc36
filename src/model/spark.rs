//! Amazon EMR and the Spark Structured Streaming job it runs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{ConfValue, MemorySize};
use super::yes;

/// The EMR cluster.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Emr {
    /// The cluster name.
    pub cluster_name: String,
    /// The EMR release, `emr-X.Y.Z` (it fixes the Spark and Hudi versions).
    pub release_label: String,
    /// EMR applications to install.
    #[serde(default = "applications")]
    pub applications: Vec<String>,
    /// The name of the (private) subnet from `network.subnets` the cluster runs in.
    pub subnet: String,
    /// Where EMR writes cluster logs, an `s3://` URI.
    #[serde(default)]
    pub log_uri: Option<String>,
    /// An EC2 key pair for SSH to the nodes; unset means no SSH key.
    #[serde(default)]
    pub key_name: Option<String>,
    /// The primary (master) instance group.
    pub master: InstanceGroup,
    /// The core instance group (HDFS and executors).
    pub core: InstanceGroup,
    /// An optional task instance group (executors only).
    #[serde(default)]
    pub task: Option<InstanceGroup>,
    /// The EMR security configuration (encryption).
    #[serde(default)]
    pub security_configuration: EmrSecurity,
    /// EMR Block Public Access for the account and region (AWS default: on).
    #[serde(default = "yes")]
    pub block_public_access: bool,
    /// Protect the cluster from termination by API calls.
    #[serde(default)]
    pub termination_protection: bool,
    /// Terminate the cluster after this many idle seconds; unset keeps it running.
    #[serde(default)]
    pub idle_timeout_seconds: Option<u32>,
    /// EMR managed scaling limits, in instances.
    #[serde(default)]
    pub managed_scaling: Option<ManagedScaling>,
}

fn applications() -> Vec<String> {
    vec!["Spark".to_owned(), "Hadoop".to_owned()]
}

/// How EC2 capacity is bought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Market {
    /// On-demand instances.
    #[default]
    OnDemand,
    /// Spot instances (may be reclaimed with two minutes' notice).
    Spot,
}

/// An EBS volume type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VolumeType {
    /// General purpose SSD, gp3.
    #[default]
    Gp3,
    /// General purpose SSD, gp2.
    Gp2,
    /// Provisioned IOPS SSD.
    Io1,
    /// Throughput-optimised HDD.
    St1,
}

/// An EMR instance group.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceGroup {
    /// The EC2 instance type, e.g. `m5.xlarge`.
    pub instance_type: String,
    /// The number of instances.
    #[serde(default = "one")]
    pub count: u32,
    /// `ON_DEMAND` or `SPOT`.
    #[serde(default)]
    pub market: Market,
    /// EBS volume size per instance in GiB; unset uses the EMR default for the type.
    #[serde(default)]
    pub ebs_volume_gb: Option<u32>,
    /// EBS volume type.
    #[serde(default)]
    pub ebs_volume_type: VolumeType,
}

fn one() -> u32 {
    1
}

/// EMR managed scaling.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedScaling {
    /// The fewest instances.
    pub min_instances: u32,
    /// The most instances.
    pub max_instances: u32,
}

/// The EMR security configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmrSecurity {
    /// Encrypt EMRFS data in S3, local disks and EBS volumes with the KMS key.
    #[serde(default)]
    pub at_rest_encryption: bool,
    /// Encrypt traffic between nodes (TLS for Spark RPC, shuffle and web UIs).
    #[serde(default)]
    pub in_transit_encryption: bool,
    /// The KMS key for at-rest encryption: a key name from `[kms]` or a key ARN.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// The `s3://` URI of a zip of PEM certificates for in-transit encryption; unset means
    /// `s3://<artifact bucket>/certs/emr-tls.zip`, which `deploy.sh` uploads from
    /// `EMR_TLS_CERTIFICATES_ZIP` or finds already there.
    #[serde(default)]
    pub tls_certificates_s3_uri: Option<String>,
}

/// A compression codec for Spark internal data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SparkCodec {
    /// LZ4 (Spark default).
    #[default]
    Lz4,
    /// LZF.
    Lzf,
    /// Snappy.
    Snappy,
    /// Zstandard.
    Zstd,
}

/// Spark settings for the streaming job (`spark-defaults`). Defaults are Spark's.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spark {
    /// `spark.executor.memory`, e.g. `8g`.
    #[serde(default = "one_g")]
    pub executor_memory: MemorySize,
    /// `spark.driver.memory`, e.g. `4g`.
    #[serde(default = "one_g")]
    pub driver_memory: MemorySize,
    /// `spark.executor.cores`; unset uses the YARN default.
    #[serde(default)]
    pub executor_cores: Option<u32>,
    /// `spark.executor.instances`; unset leaves sizing to dynamic allocation.
    #[serde(default)]
    pub executor_instances: Option<u32>,
    /// `spark.memory.fraction`: share of heap for execution and storage (0–1).
    #[serde(default = "memory_fraction")]
    pub memory_fraction: f64,
    /// `spark.memory.storageFraction`: share of that immune to eviction (0–1).
    #[serde(default = "half")]
    pub memory_storage_fraction: f64,
    /// `spark.sql.shuffle.partitions`.
    #[serde(default = "shuffle_partitions")]
    pub shuffle_partitions: u32,
    /// `spark.shuffle.compress`.
    #[serde(default = "yes")]
    pub shuffle_compress: bool,
    /// `spark.shuffle.spill.compress`.
    #[serde(default = "yes")]
    pub shuffle_spill_compress: bool,
    /// `spark.io.compression.codec`.
    #[serde(default)]
    pub io_compression_codec: SparkCodec,
    /// The Structured Streaming query that reads Kafka and writes Hudi.
    #[serde(default)]
    pub streaming: Streaming,
    /// The EMR step that submits the job.
    #[serde(default)]
    pub job: Job,
    /// S3A filesystem settings (`spark.hadoop.fs.s3a.*`).
    #[serde(default)]
    pub s3a: S3a,
    /// Further Spark settings by their full names, e.g. `"spark.yarn.maxAppAttempts" = 4`.
    #[serde(default)]
    pub conf: BTreeMap<String, ConfValue>,
}

impl Default for Spark {
    fn default() -> Self {
        Spark {
            executor_memory: one_g(),
            driver_memory: one_g(),
            executor_cores: None,
            executor_instances: None,
            memory_fraction: memory_fraction(),
            memory_storage_fraction: half(),
            shuffle_partitions: shuffle_partitions(),
            shuffle_compress: true,
            shuffle_spill_compress: true,
            io_compression_codec: SparkCodec::Lz4,
            streaming: Streaming::default(),
            job: Job::default(),
            s3a: S3a::default(),
            conf: BTreeMap::new(),
        }
    }
}

fn one_g() -> MemorySize {
    "1g".parse().expect("a valid memory size")
}
fn memory_fraction() -> f64 {
    0.6
}
fn half() -> f64 {
    0.5
}
fn shuffle_partitions() -> u32 {
    200
}

/// Where a new streaming query starts in each topic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StartingOffsets {
    /// The oldest retained offsets.
    Earliest,
    /// Only new records (Spark default for streaming queries).
    #[default]
    Latest,
}

/// The Structured Streaming Kafka source and sink.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Streaming {
    /// The checkpoint base, an `s3://` URI; each table's query checkpoints under
    /// `<base>/<table>`. Unset means `s3://<bucket>/checkpoints/<pipeline>`.
    #[serde(default)]
    pub checkpoint_location: Option<String>,
    /// The processing-time trigger, in seconds between micro-batches.
    #[serde(default = "sixty")]
    pub trigger_interval_seconds: u32,
    /// `maxOffsetsPerTrigger`: the most records one micro-batch reads (the Structured
    /// Streaming rate limit); unset means unbounded.
    #[serde(default)]
    pub max_offsets_per_trigger: Option<u64>,
    /// `failOnDataLoss`: fail the query when offsets it needs were deleted by retention.
    #[serde(default = "yes")]
    pub fail_on_data_loss: bool,
    /// `startingOffsets` for a new query: `earliest` or `latest`.
    #[serde(default)]
    pub starting_offsets: StartingOffsets,
    /// Stop gracefully: the job watches a marker file and stops each query after its
    /// current micro-batch.
    #[serde(default)]
    pub graceful_stop: bool,
    /// Settings of the legacy DStream API, accepted so a configuration written for it can be
    /// migrated; Structured Streaming ignores them.
    #[serde(default)]
    pub legacy: LegacyDStream,
}

impl Default for Streaming {
    fn default() -> Self {
        Streaming {
            checkpoint_location: None,
            trigger_interval_seconds: sixty(),
            max_offsets_per_trigger: None,
            fail_on_data_loss: true,
            starting_offsets: StartingOffsets::Latest,
            graceful_stop: false,
            legacy: LegacyDStream::default(),
        }
    }
}

fn sixty() -> u32 {
    60
}

/// DStream-only settings. Structured Streaming ignores all of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyDStream {
    /// `spark.streaming.backpressure.enabled`.
    #[serde(default)]
    pub backpressure_enabled: Option<bool>,
    /// `spark.streaming.kafka.maxRatePerPartition` (records per second per partition).
    #[serde(default)]
    pub kafka_max_rate_per_partition: Option<u32>,
    /// `spark.streaming.stopGracefullyOnShutdown`.
    #[serde(default)]
    pub stop_gracefully_on_shutdown: Option<bool>,
    /// `spark.streaming.receiver.writeAheadLog.enable`.
    #[serde(default)]
    pub receiver_write_ahead_log: Option<bool>,
}

/// What EMR does when the step fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionOnFailure {
    /// Keep the cluster and run the next step.
    #[default]
    Continue,
    /// Cancel pending steps and wait.
    CancelAndWait,
    /// Terminate the cluster.
    TerminateCluster,
}

/// Where the Spark driver runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeployMode {
    /// In a YARN container.
    #[default]
    Cluster,
    /// On the primary node.
    Client,
}

/// The EMR step that submits the streaming job.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// The step name.
    #[serde(default = "job_name")]
    pub name: String,
    /// The job's entry point, an `s3://` URI of a `.py` file or a jar, of your own program
    /// (which must honour `docs/job-contract.md`); unset means the job pipegen renders
    /// (`spark/streaming_job.py`), which `deploy.sh` uploads to
    /// `s3://<artifact bucket>/code/streaming_job.py`.
    #[serde(default)]
    pub script: Option<String>,
    /// `CONTINUE`, `CANCEL_AND_WAIT` or `TERMINATE_CLUSTER`.
    #[serde(default)]
    pub action_on_failure: ActionOnFailure,
    /// `cluster` or `client`.
    #[serde(default)]
    pub deploy_mode: DeployMode,
    /// Extra arguments passed to the job, after the settings file's URI.
    #[serde(default)]
    pub args: Vec<String>,
    /// Where spark-submit gets the Kafka connector and `aws-msk-iam-auth` (pinned per EMR
    /// release in `data/emr-releases.toml`): `maven` (`--packages`, resolved from Maven Central
    /// at submit: needs internet egress) or `artifacts` (`--jars` from
    /// `s3://<artifact bucket>/jars/`, staged beforehand; `deploy.sh` checks and lists them).
    #[serde(default)]
    pub dependencies: JobDependencies,
}

/// Where the job's jars come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobDependencies {
    /// Maven Central, through the cluster's internet egress.
    #[default]
    Maven,
    /// Jars staged in the artifact bucket, for clusters without internet egress.
    Artifacts,
}

impl Default for Job {
    fn default() -> Self {
        Job {
            name: job_name(),
            script: None,
            action_on_failure: ActionOnFailure::Continue,
            deploy_mode: DeployMode::Cluster,
            args: Vec::new(),
            dependencies: JobDependencies::Maven,
        }
    }
}

fn job_name() -> String {
    "Streaming Processor".to_owned()
}

impl S3a {
    /// Whether any setting is given.
    pub fn is_set(&self) -> bool {
        *self != S3a::default()
    }
}

/// Where S3A buffers blocks before uploading them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FastUploadBuffer {
    /// Local disk.
    Disk,
    /// Heap arrays.
    Array,
    /// Off-heap byte buffers.
    Bytebuffer,
}

/// S3A settings; unset fields keep the Hadoop default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3a {
    /// `fs.s3a.multipart.size` in bytes.
    #[serde(default)]
    pub multipart_size: Option<u64>,
    /// `fs.s3a.multipart.threshold` in bytes.
    #[serde(default)]
    pub multipart_threshold: Option<u64>,
    /// `fs.s3a.fast.upload`.
    #[serde(default)]
    pub fast_upload: Option<bool>,
    /// `fs.s3a.fast.upload.buffer`: `disk`, `array` or `bytebuffer`.
    #[serde(default)]
    pub fast_upload_buffer: Option<FastUploadBuffer>,
    /// `fs.s3a.connection.maximum`.
    #[serde(default)]
    pub connection_maximum: Option<u32>,
    /// `fs.s3a.threads.max`.
    #[serde(default)]
    pub threads_max: Option<u32>,
    /// `fs.s3a.connection.establish.timeout` in milliseconds.
    #[serde(default)]
    pub connection_establish_timeout_ms: Option<u32>,
    /// `fs.s3a.connection.timeout` in milliseconds.
    #[serde(default)]
    pub connection_timeout_ms: Option<u32>,
}
