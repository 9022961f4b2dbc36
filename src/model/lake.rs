//! Apache Hudi tables on S3 and the Apache Polaris catalog they are registered in.

use std::num::NonZeroU32;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// Hudi settings shared by every table, and the tables.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hudi {
    /// The base `s3://` URI under which each table lives at `<base>/<table>`; unset means
    /// `s3://<bucket>/hudi`.
    #[serde(default)]
    pub base_path: Option<String>,
    /// Write settings.
    #[serde(default)]
    pub write: HudiWrite,
    /// Compaction settings (MERGE_ON_READ tables).
    #[serde(default)]
    pub compaction: Compaction,
    /// Clustering settings.
    #[serde(default)]
    pub clustering: Clustering,
    /// Cleaning and archival settings.
    #[serde(default)]
    pub cleaning: Cleaning,
    /// The tables, each fed by one Kafka topic.
    #[serde(default)]
    pub tables: Vec<HudiTable>,
}

/// Hudi write settings. Defaults are Hudi's.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HudiWrite {
    /// `hoodie.insert.shuffle.parallelism` (0 lets Hudi decide).
    #[serde(default)]
    pub insert_shuffle_parallelism: u32,
    /// `hoodie.upsert.shuffle.parallelism` (0 lets Hudi decide).
    #[serde(default)]
    pub upsert_shuffle_parallelism: u32,
    /// `hoodie.bulkinsert.shuffle.parallelism` (0 lets Hudi decide).
    #[serde(default)]
    pub bulkinsert_shuffle_parallelism: u32,
    /// `hoodie.delete.shuffle.parallelism` (0 lets Hudi decide).
    #[serde(default)]
    pub delete_shuffle_parallelism: u32,
    /// `hoodie.combine.before.insert`: deduplicate a batch by record key before insert.
    #[serde(default)]
    pub combine_before_insert: bool,
    /// `hoodie.combine.before.upsert`: deduplicate a batch by record key before upsert.
    #[serde(default = "yes")]
    pub combine_before_upsert: bool,
    /// `hoodie.datasource.write.hive_style_partitioning`: `field=value` partition folders.
    #[serde(default)]
    pub hive_style_partitioning: bool,
    /// `hoodie.metadata.enable`: keep the metadata table (file listings, indexes).
    #[serde(default = "yes")]
    pub metadata_enabled: bool,
}

impl Default for HudiWrite {
    fn default() -> Self {
        HudiWrite {
            insert_shuffle_parallelism: 0,
            upsert_shuffle_parallelism: 0,
            bulkinsert_shuffle_parallelism: 0,
            delete_shuffle_parallelism: 0,
            combine_before_insert: false,
            combine_before_upsert: true,
            hive_style_partitioning: false,
            metadata_enabled: true,
        }
    }
}

/// Hudi compaction (merging log files into base files on MERGE_ON_READ tables).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compaction {
    /// `hoodie.compact.inline`: compact synchronously after a commit.
    #[serde(default)]
    pub inline: bool,
    /// `hoodie.compact.schedule.inline`: schedule compaction plans inline, execute elsewhere.
    #[serde(default)]
    pub schedule_inline: bool,
    /// `hoodie.datasource.compaction.async.enable`: compact asynchronously in the streaming job.
    #[serde(default = "yes")]
    pub async_enabled: bool,
    /// `hoodie.compact.inline.max.delta.commits`: delta commits between compactions.
    #[serde(default = "five")]
    pub max_delta_commits: u32,
    /// `hoodie.compaction.strategy`: the compaction strategy class.
    #[serde(default = "strategy")]
    pub strategy: String,
    /// `hoodie.compaction.target.io`: MB of I/O one compaction run may spend.
    #[serde(default = "target_io")]
    pub target_io_mb: u64,
}

impl Default for Compaction {
    fn default() -> Self {
        Compaction {
            inline: false,
            schedule_inline: false,
            async_enabled: true,
            max_delta_commits: five(),
            strategy: strategy(),
            target_io_mb: target_io(),
        }
    }
}

fn five() -> u32 {
    5
}
fn strategy() -> String {
    "org.apache.hudi.table.action.compact.strategy.LogFileSizeBasedCompactionStrategy".to_owned()
}
fn target_io() -> u64 {
    512_000
}

/// Hudi clustering (rewriting small files into larger, sorted ones).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clustering {
    /// `hoodie.clustering.inline`: cluster synchronously after commits.
    #[serde(default)]
    pub inline: bool,
    /// `hoodie.clustering.async.enabled`: cluster asynchronously in the streaming job.
    #[serde(default)]
    pub async_enabled: bool,
    /// `hoodie.clustering.inline.max.commits`: commits between clustering runs.
    #[serde(default = "four")]
    pub max_commits: u32,
    /// `hoodie.clustering.plan.strategy.target.file.max.bytes`: the target file size.
    #[serde(default = "gib")]
    pub target_file_max_bytes: u64,
    /// `hoodie.clustering.plan.strategy.small.file.limit`: files below this size are rewritten.
    #[serde(default = "small_file")]
    pub small_file_limit: u64,
}

impl Default for Clustering {
    fn default() -> Self {
        Clustering {
            inline: false,
            async_enabled: false,
            max_commits: four(),
            target_file_max_bytes: gib(),
            small_file_limit: small_file(),
        }
    }
}

fn four() -> u32 {
    4
}
fn gib() -> u64 {
    1_073_741_824
}
fn small_file() -> u64 {
    314_572_800
}

/// Hudi cleaning and archival.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cleaning {
    /// `hoodie.cleaner.commits.retained`: commits whose file versions are kept.
    #[serde(default = "ten")]
    pub commits_retained: u32,
    /// `hoodie.keep.min.commits`: the fewest commits kept in the active timeline.
    #[serde(default = "twenty")]
    pub keep_min_commits: u32,
    /// `hoodie.keep.max.commits`: the most commits kept in the active timeline.
    #[serde(default = "thirty")]
    pub keep_max_commits: u32,
}

impl Default for Cleaning {
    fn default() -> Self {
        Cleaning {
            commits_retained: ten(),
            keep_min_commits: twenty(),
            keep_max_commits: thirty(),
        }
    }
}

fn ten() -> u32 {
    10
}
fn twenty() -> u32 {
    20
}
fn thirty() -> u32 {
    30
}

/// The Hudi table type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TableType {
    /// Columnar base files rewritten on update.
    #[default]
    CopyOnWrite,
    /// Base files plus row-based log files, merged by compaction.
    MergeOnRead,
}

/// The Hudi write operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Insert or update by record key.
    #[default]
    Upsert,
    /// Insert without index lookup (duplicates possible).
    Insert,
    /// Bulk load.
    BulkInsert,
    /// Delete by record key.
    Delete,
    /// Replace the partitions written.
    InsertOverwrite,
}

/// A Hudi table fed by one Kafka topic.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HudiTable {
    /// The table name (`hoodie.table.name`): letters, digits and underscores.
    pub name: String,
    /// The Kafka topic (from `kafka.topics`) the table is written from.
    pub source_topic: String,
    /// `COPY_ON_WRITE` or `MERGE_ON_READ`.
    #[serde(default)]
    pub table_type: TableType,
    /// The record key field(s), comma-separated (`hoodie.datasource.write.recordkey.field`).
    pub record_key: String,
    /// The field that decides which duplicate wins (`hoodie.datasource.write.precombine.field`).
    #[serde(default)]
    pub precombine_field: Option<String>,
    /// The partition path field(s), comma-separated
    /// (`hoodie.datasource.write.partitionpath.field`); unset means unpartitioned.
    #[serde(default)]
    pub partition_path: Option<String>,
    /// The write operation.
    #[serde(default)]
    pub operation: Operation,
    /// Compaction for this table, replacing `[hudi.compaction]` as a whole.
    #[serde(default)]
    pub compaction: Option<Compaction>,
    /// Clustering for this table, replacing `[hudi.clustering]` as a whole.
    #[serde(default)]
    pub clustering: Option<Clustering>,
    /// How each Kafka record's value is encoded.
    #[serde(default)]
    pub value_format: ValueFormat,
    /// The fields of each record, in order: the rendered job decodes every value into these
    /// columns, and they are the table's schema. Required when the rendered job runs (no
    /// `spark.job.script`); the record key, precombine and partition fields must be among them.
    #[serde(default)]
    pub columns: Vec<Column>,
}

/// The encoding of a Kafka record's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    /// A UTF-8 JSON object per record (Spark's `from_json`; a value that does not parse gives
    /// a row of nulls, which the job counts as an error and does not write).
    #[default]
    Json,
}

/// A column of a table: a field of the record value.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The field name in the record, and the column name.
    pub name: String,
    /// The Spark SQL type the field is read as.
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// A Spark SQL type (written as Spark's DDL names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// `STRING`.
    String,
    /// `BOOLEAN`.
    Boolean,
    /// `INT` (32-bit).
    Int,
    /// `BIGINT` (64-bit).
    Bigint,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `DATE` (JSON: `yyyy-MM-dd`).
    Date,
    /// `TIMESTAMP` (JSON: ISO 8601).
    Timestamp,
}

/// The Apache Polaris catalog (an Iceberg REST catalog).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Polaris {
    /// The catalog's REST endpoint, e.g. `https://polaris.example.com/api/catalog`.
    pub uri: String,
    /// The Polaris catalog (warehouse) name.
    pub warehouse: String,
    /// The name the Spark session gives the catalog (`spark.sql.catalog.<name>`).
    #[serde(default = "catalog_name")]
    pub catalog_name: String,
    /// The namespace the tables are registered in.
    #[serde(default = "namespace")]
    pub namespace: String,
    /// The secret (from `[[secrets]]`) holding the OAuth client id and secret.
    pub credential_secret: String,
    /// The OAuth scope requested.
    #[serde(default = "scope")]
    pub scope: String,
    /// How often the rendered sync step runs Apache XTable, which writes each Hudi table's
    /// Iceberg metadata and commits it to the catalog, in minutes.
    #[serde(default = "sync_interval_minutes")]
    pub sync_interval_minutes: NonZeroU32,
}

fn catalog_name() -> String {
    "polaris".to_owned()
}
fn namespace() -> String {
    "default".to_owned()
}
fn scope() -> String {
    "PRINCIPAL_ROLE:ALL".to_owned()
}
fn sync_interval_minutes() -> NonZeroU32 {
    NonZeroU32::new(15).expect("15 is not zero")
}
