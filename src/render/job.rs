//! The streaming job and its settings file. `render` writes `spark/streaming_job.py` (the
//! PySpark application the EMR step runs, `job/streaming_job.py` verbatim) and
//! `spark/job-settings.json` (everything the job needs, as [`JobSettings`]); `deploy.sh`
//! uploads both to the artifact bucket and the step passes the settings' S3 URI as the job's
//! only argument, so no setting travels in step arguments, whose length EMR limits.
//! `docs/job-contract.md` is what a job of the user's own (`spark.job.script`) must honour.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::context::{Settings, client_security, hudi_options, topic_configs};
use crate::facts;
use crate::model::{Column, Pipeline, SaslMechanism, SecurityProtocol, ValueFormat, wire_name};

/// The PySpark application `render` writes as `spark/streaming_job.py`.
pub const STREAMING_JOB: &str = include_str!("../../job/streaming_job.py");

/// The Polaris sync step's program, `render` writes it as `polaris/xtable_sync.py`.
pub const XTABLE_SYNC: &str = include_str!("../../job/xtable_sync.py");

/// The EMR bootstrap action `render` writes as `spark/bootstrap.sh`: boto3 for the job.
pub const BOOTSTRAP: &str = include_str!("../../job/bootstrap.sh");

/// The version of the settings format; the job refuses any other.
pub const SETTINGS_VERSION: u32 = 1;

/// The Spark setting (in the cluster's `spark-defaults`, from the stack) that holds the MSK
/// cluster's ARN: known only once the stack has created the cluster, so it cannot be in the
/// settings file `deploy.sh` uploads before.
pub const CLUSTER_ARN_SETTING: &str = "spark.pipegen.kafka.cluster.arn";

/// What the streaming job reads at start: `spark/job-settings.json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// The format version ([`SETTINGS_VERSION`]).
    pub version: u32,
    /// The pipeline's name.
    pub pipeline: String,
    /// The region of the cluster, the brokers, the secrets and the metrics.
    pub region: String,
    /// How the job reaches the Kafka cluster.
    pub kafka: KafkaSettings,
    /// The micro-batch trigger interval of every query, in seconds.
    pub trigger_interval_seconds: u32,
    /// The graceful stop.
    pub stop: StopSettings,
    /// The custom metrics the job publishes to CloudWatch.
    pub metrics: MetricsSettings,
    /// One streaming query per Hudi table.
    pub tables: Vec<TableSettings>,
    /// The Polaris catalog, when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polaris: Option<PolarisSettings>,
}

/// The Polaris (Iceberg REST) catalog: the job's session credential and the sync step.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolarisSettings {
    /// The catalog's name in the Spark session (`spark.sql.catalog.<catalog>`, configured in
    /// the cluster's `spark-defaults` without its credential).
    pub catalog: String,
    /// The namespace the tables are registered in; the job creates it at start if missing.
    pub namespace: String,
    /// The Spark setting the job sets to the credential before the catalog's first use.
    pub credential_setting: String,
    /// The secret holding the Polaris-issued OAuth client credential, `client_id:client_secret`
    /// (put there by a person: `deploy.sh` takes it as the secret's value).
    pub credential_secret: String,
    /// The sync step (`polaris/xtable_sync.py`).
    pub sync: SyncSettings,
}

/// The Polaris sync step: Apache XTable's RunSync, every interval, until the stop marker.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    /// Seconds from the start of one sync to the start of the next.
    pub interval_seconds: u32,
    /// The Apache XTable utilities bundle (`java -jar`), staged in the artifact bucket.
    pub jar: String,
    /// RunSync's `--datasetConfig` (`polaris/xtable-config.yaml`).
    pub dataset_config: String,
    /// RunSync's `--icebergCatalogConfig` without the credential
    /// (`polaris/xtable-catalog.json`); the step adds `catalogOptions.credential`.
    pub catalog_config: String,
}

/// How the job reaches the Kafka cluster.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KafkaSettings {
    /// The Spark setting holding the MSK cluster ARN, which the job passes to
    /// `kafka:GetBootstrapBrokers` at start.
    pub cluster_arn_setting: String,
    /// The field of GetBootstrapBrokers' answer naming the brokers of the client listener.
    pub bootstrap_field: String,
    /// Kafka source options every query passes (`kafka.`-prefixed client settings).
    pub options: BTreeMap<String, String>,
    /// The secret holding the SCRAM username and password, when clients use SCRAM.
    pub scram_secret: Option<String>,
    /// The pipeline's topics: the job creates the missing ones when it starts (from inside the
    /// VPC, with the queries' authentication) and adds partitions a topic lacks.
    pub topics: Vec<TopicSettings>,
}

/// A topic as the pipeline declares it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicSettings {
    /// The topic's name.
    pub name: String,
    /// Its partition count.
    pub partitions: u32,
    /// Its replication factor.
    pub replication_factor: u16,
    /// The topic configs it is created with.
    pub configs: BTreeMap<String, String>,
}

/// The graceful stop: the job polls for a marker object and, when it appears, lets every
/// query finish its running micro-batch, stops them and deletes the marker.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StopSettings {
    /// The marker's URI; null when `spark.streaming.graceful_stop` is off.
    pub marker: Option<String>,
    /// How often the job looks for the marker.
    pub poll_seconds: u32,
}

/// The custom metrics.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// The CloudWatch namespace.
    pub namespace: String,
    /// Each metric is published once per dimension set: the sets the rendered alarms on the
    /// namespace use, then the per-table set. A value `{table}` stands for the query's table.
    pub dimension_sets: Vec<Vec<Dimension>>,
    /// The CloudWatch unit of each metric the job publishes, by name (`data/metrics.toml`): the job
    /// publishes these and no others.
    pub units: BTreeMap<String, String>,
}

/// A CloudWatch dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// The dimension's name.
    pub name: String,
    /// Its value (`{table}`: the table's name).
    pub value: String,
}

/// One table's streaming query.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableSettings {
    /// The Hudi table.
    pub name: String,
    /// The Kafka topic it is read from.
    pub topic: String,
    /// The consumer group of this table's query alone: queries sharing a group id would each
    /// read only part of the data (Spark Structured Streaming + Kafka Integration Guide,
    /// `kafka.group.id`).
    pub group_id: String,
    /// The table's base path (`s3://`).
    pub path: String,
    /// The query's checkpoint location (`s3://`).
    pub checkpoint: String,
    /// `startingOffsets` (used only when the checkpoint is empty).
    pub starting_offsets: String,
    /// `failOnDataLoss`.
    pub fail_on_data_loss: bool,
    /// `maxOffsetsPerTrigger` for this query: the pipeline's cap shared by partitions, so the
    /// per-partition rate it stands for is kept.
    pub max_offsets_per_trigger: Option<u64>,
    /// How the record value is encoded.
    pub value_format: ValueFormat,
    /// The value's fields, decoded into the table's columns.
    pub columns: Vec<Column>,
    /// The Hudi write options (`hoodie.*`).
    pub hudi_options: BTreeMap<String, String>,
}

/// The per-table dimension set every metric is published with.
fn table_dimensions(pipeline: &Pipeline) -> Vec<Dimension> {
    vec![
        Dimension {
            name: "Pipeline".into(),
            value: pipeline.pipeline.name.clone(),
        },
        Dimension {
            name: "Table".into(),
            value: "{table}".into(),
        },
    ]
}

/// The settings file of a pipeline.
pub fn settings(pipeline: &Pipeline) -> JobSettings {
    let streaming = &pipeline.spark.streaming;
    let namespace = facts::metrics_namespace(pipeline);
    let mut dimension_sets: Vec<Vec<Dimension>> = pipeline
        .monitoring
        .alarms
        .iter()
        .filter(|a| a.namespace.as_ref().is_none_or(|n| *n == namespace))
        .filter(|a| {
            crate::metrics::table()
                .job_metric
                .iter()
                .any(|m| m.name == a.metric)
        })
        .map(|a| {
            a.dimensions
                .iter()
                .map(|(name, value)| Dimension {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect()
        })
        .collect();
    dimension_sets.sort();
    dimension_sets.dedup();
    let per_table = table_dimensions(pipeline);
    if !dimension_sets.contains(&per_table) {
        dimension_sets.push(per_table);
    }
    let partitions = |topic: &str| {
        pipeline
            .kafka
            .topics
            .iter()
            .find(|t| t.name == topic)
            .map_or(1, |t| u64::from(t.partitions.get()))
    };
    let total: u64 = pipeline
        .hudi
        .tables
        .iter()
        .map(|t| partitions(&t.source_topic))
        .sum();
    let tables = pipeline
        .hudi
        .tables
        .iter()
        .map(|table| TableSettings {
            name: table.name.clone(),
            topic: table.source_topic.clone(),
            group_id: facts::table_consumer_group(pipeline, table),
            path: format!("{}/{}", facts::hudi_base_path(pipeline), table.name),
            checkpoint: format!("{}/{}", facts::checkpoint_location(pipeline), table.name),
            starting_offsets: wire_name(&streaming.starting_offsets),
            fail_on_data_loss: streaming.fail_on_data_loss,
            max_offsets_per_trigger: streaming.max_offsets_per_trigger.map(|max| {
                (max * partitions(&table.source_topic))
                    .div_ceil(total.max(1))
                    .max(1)
            }),
            value_format: table.value_format,
            columns: table.columns.clone(),
            hudi_options: hudi_options(pipeline, table).into_iter().collect(),
        })
        .collect();
    let listener = facts::client_listener(&pipeline.kafka);
    let scram = listener.is_some_and(|l| l.mechanism == Some(SaslMechanism::ScramSha512));
    JobSettings {
        version: SETTINGS_VERSION,
        pipeline: pipeline.pipeline.name.clone(),
        region: pipeline.pipeline.region.clone(),
        kafka: KafkaSettings {
            cluster_arn_setting: CLUSTER_ARN_SETTING.to_owned(),
            bootstrap_field: bootstrap_field(listener.map(|l| (l.protocol, l.mechanism))),
            options: kafka_options(client_security(pipeline)),
            scram_secret: scram
                .then(|| pipeline.kafka.auth.scram_secrets.first().cloned())
                .flatten(),
            topics: pipeline
                .kafka
                .topics
                .iter()
                .map(|t| TopicSettings {
                    name: t.name.clone(),
                    partitions: t.partitions.get(),
                    replication_factor: facts::topic_replication_factor(pipeline, t),
                    configs: topic_configs(pipeline, t).into_iter().collect(),
                })
                .collect(),
        },
        trigger_interval_seconds: streaming.trigger_interval_seconds,
        stop: StopSettings {
            marker: streaming
                .graceful_stop
                .then(|| facts::stop_marker(pipeline)),
            poll_seconds: 10,
        },
        metrics: MetricsSettings {
            namespace,
            dimension_sets,
            units: crate::metrics::job_units(),
        },
        tables,
        polaris: pipeline.polaris.as_ref().map(|p| PolarisSettings {
            catalog: p.catalog_name.clone(),
            namespace: p.namespace.clone(),
            credential_setting: super::context::polaris_credential_key(&p.catalog_name),
            credential_secret: p.credential_secret.clone(),
            sync: SyncSettings {
                interval_seconds: p.sync_interval_minutes.get().saturating_mul(60),
                jar: facts::xtable_jar(pipeline),
                dataset_config: facts::polaris_code(pipeline, facts::SYNC_DATASET_CONFIG),
                catalog_config: facts::polaris_code(pipeline, facts::SYNC_CATALOG_CONFIG),
            },
        }),
    }
}

/// The Kafka source options of the client settings (`kafka.` + the consumer setting). The
/// SCRAM JAAS line and the truststore password are filled in by the job from the secret; the
/// rendered placeholders are not passed on.
fn kafka_options(client: Settings) -> BTreeMap<String, String> {
    client
        .into_iter()
        .filter(|(_, v)| !v.contains("${"))
        .map(|(k, v)| (format!("kafka.{k}"), v))
        .collect()
}

/// The GetBootstrapBrokers answer field for a listener (MSK API Reference,
/// GetBootstrapBrokers: `BootstrapBrokerString`, `…Tls`, `…SaslScram`, `…SaslIam`).
fn bootstrap_field(listener: Option<(SecurityProtocol, Option<SaslMechanism>)>) -> String {
    match listener {
        Some((_, Some(SaslMechanism::AwsMskIam))) => "BootstrapBrokerStringSaslIam",
        Some((_, Some(SaslMechanism::ScramSha512))) => "BootstrapBrokerStringSaslScram",
        Some((SecurityProtocol::Ssl, None)) => "BootstrapBrokerStringTls",
        _ => "BootstrapBrokerString",
    }
    .to_owned()
}

/// The settings as the file's bytes: pretty JSON, keys in a fixed order, a final newline.
pub fn settings_json(pipeline: &Pipeline) -> String {
    let mut text =
        serde_json::to_string_pretty(&settings(pipeline)).expect("job settings serialise as JSON");
    text.push('\n');
    text
}

/// The JSON Schema of the settings file (`schemas/job-settings.schema.json`).
pub fn settings_schema() -> String {
    let schema = schemars::schema_for!(JobSettings);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serialises");
    text.push('\n');
    text
}
