//! The S3 data-lake bucket.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// The S3 bucket that holds the lake, checkpoints, code and EMR logs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// The bucket name (3–63 characters: lowercase letters, digits, hyphens and dots).
    pub bucket: String,
    /// Keep every version of every object (S3 default: off).
    #[serde(default)]
    pub versioning: bool,
    /// Default server-side encryption.
    #[serde(default)]
    pub encryption: BucketEncryption,
    /// Block Public Access settings (all on by default, as for every new bucket).
    #[serde(default)]
    pub public_access_block: PublicAccessBlock,
    /// Deny every request that does not use TLS, in the bucket policy.
    #[serde(default = "yes")]
    pub require_tls: bool,
    /// Object ownership (`BucketOwnerEnforced` disables ACLs; the S3 default since 2023).
    #[serde(default)]
    pub object_ownership: ObjectOwnership,
    /// Lifecycle rules: transitions to cheaper classes, expirations, multipart clean-up.
    #[serde(default)]
    pub lifecycle: Vec<LifecycleRule>,
    /// Cross-region replication to a second bucket (disaster recovery).
    #[serde(default)]
    pub replication: Option<Replication>,
    /// Server access logging to a separate bucket.
    #[serde(default)]
    pub access_logging: Option<AccessLogging>,
    /// The artifact bucket `deploy.sh` creates first (its bootstrap stack) and uploads the
    /// templates, the job code and the EMR certificates to; unset means `<bucket>-artifacts`.
    /// It cannot be a bucket the main stack creates: EMR reads from it while the stack is
    /// still being created.
    #[serde(default)]
    pub artifact_bucket: Option<String>,
}

/// A server-side encryption algorithm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SseAlgorithm {
    /// SSE-S3, keys managed by S3 (the S3 default).
    #[default]
    #[serde(rename = "AES256")]
    Aes256,
    /// SSE-KMS.
    #[serde(rename = "aws:kms")]
    AwsKms,
    /// Dual-layer SSE-KMS.
    #[serde(rename = "aws:kms:dsse")]
    AwsKmsDsse,
}

/// Default bucket encryption.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketEncryption {
    /// `AES256` (SSE-S3), `aws:kms` or `aws:kms:dsse`.
    #[serde(default)]
    pub algorithm: SseAlgorithm,
    /// The KMS key for SSE-KMS: a key name from `[kms]` or a key ARN.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// Use an S3 Bucket Key to cut KMS requests (SSE-KMS only).
    #[serde(default)]
    pub bucket_key: bool,
}

/// The four S3 Block Public Access flags.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    /// Reject requests that add public ACLs.
    #[serde(default = "yes")]
    pub block_public_acls: bool,
    /// Reject bucket policies that grant public access.
    #[serde(default = "yes")]
    pub block_public_policy: bool,
    /// Ignore public ACLs.
    #[serde(default = "yes")]
    pub ignore_public_acls: bool,
    /// Restrict access to buckets with public policies.
    #[serde(default = "yes")]
    pub restrict_public_buckets: bool,
}

impl Default for PublicAccessBlock {
    fn default() -> Self {
        PublicAccessBlock {
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
        }
    }
}

/// S3 object ownership.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ObjectOwnership {
    /// ACLs disabled; the bucket owner owns every object.
    #[default]
    BucketOwnerEnforced,
    /// The bucket owner owns objects uploaded with `bucket-owner-full-control`.
    BucketOwnerPreferred,
    /// The uploader owns the object.
    ObjectWriter,
}

/// An S3 storage class a lifecycle rule can move objects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageClass {
    /// Standard-Infrequent Access (at least 30 days after creation).
    StandardIa,
    /// One Zone-Infrequent Access.
    OnezoneIa,
    /// Intelligent-Tiering.
    IntelligentTiering,
    /// Glacier Instant Retrieval.
    GlacierIr,
    /// Glacier Flexible Retrieval.
    Glacier,
    /// Glacier Deep Archive.
    DeepArchive,
}

/// A transition to another storage class.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Days after creation.
    pub days: u32,
    /// The target storage class.
    pub storage_class: StorageClass,
}

/// One lifecycle rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    /// The rule id.
    pub id: String,
    /// Apply only to keys under this prefix; unset applies to the whole bucket.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Whether the rule is active.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Transitions to cheaper storage classes, in increasing `days`.
    #[serde(default)]
    pub transitions: Vec<Transition>,
    /// Delete current versions this many days after creation.
    #[serde(default)]
    pub expiration_days: Option<u32>,
    /// Delete noncurrent versions this many days after they become noncurrent.
    #[serde(default)]
    pub noncurrent_expiration_days: Option<u32>,
    /// Abort multipart uploads left incomplete for this many days.
    #[serde(default)]
    pub abort_incomplete_multipart_days: Option<u32>,
}

/// Cross-region replication.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    /// The destination bucket's name.
    pub destination_bucket: String,
    /// The destination bucket's region (different from the pipeline's).
    pub destination_region: String,
    /// The storage class of the replicas; unset keeps the source object's class.
    #[serde(default)]
    pub storage_class: Option<StorageClass>,
    /// The KMS key ARN in the destination region that encrypts replicas of SSE-KMS objects.
    #[serde(default)]
    pub replica_kms_key_arn: Option<String>,
}

/// Server access logging.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessLogging {
    /// The bucket that receives the access logs (not the lake bucket itself).
    pub bucket: String,
    /// The key prefix for the log objects.
    #[serde(default = "access_log_prefix")]
    pub prefix: String,
}

fn access_log_prefix() -> String {
    "s3-access/".to_owned()
}
