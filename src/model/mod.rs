//! The pipeline model: one typed description of the whole MSK → EMR → Hudi → Polaris deployment.
//!
//! Every field carries a doc comment; the JSON Schema (`schemas/pipeline.schema.json`) is
//! generated from these types, so the comments are what editors show while the user types.
//! Defaults follow AWS, Kafka, Spark and Hudi where those have one; a field that stays unset
//! means "the service default", and the `effective_*` helpers say what that default is.

mod build;
mod kafka;
mod lake;
mod ops;
mod spark;
mod storage;
pub mod types;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use build::{SetAside, build, build_setting_aside, deserialize};
pub use kafka::*;
pub use lake::*;
pub use ops::*;
pub use spark::*;
pub use storage::*;
pub use types::{Cidr, ConfValue, Date, MemorySize, Statistic};

/// A whole data pipeline: Kafka (Amazon MSK) → Spark (Amazon EMR) → Apache Hudi on S3 →
/// Apache Polaris, with its network, keys, secrets, audit, monitoring and budget.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pipegen pipeline")]
pub struct Pipeline {
    /// Who and where: name, environment, region, owner and tags.
    pub pipeline: Identity,
    /// The VPC, its subnets and the CIDRs allowed to administer the pipeline.
    pub network: Network,
    /// Customer-managed KMS keys that other sections refer to by name.
    #[serde(default)]
    pub kms: Kms,
    /// The Amazon MSK cluster, its topics and its clients.
    pub kafka: Kafka,
    /// The S3 data-lake bucket.
    pub storage: Storage,
    /// The Amazon EMR cluster that runs the Spark job.
    pub emr: Emr,
    /// Spark settings for the streaming job.
    #[serde(default)]
    pub spark: Spark,
    /// Apache Hudi tables written by the job, and their write, compaction, clustering and
    /// cleaning settings.
    #[serde(default)]
    pub hudi: Hudi,
    /// The Apache Polaris (Iceberg REST) catalog that the Hudi tables are registered in.
    #[serde(default)]
    pub polaris: Option<Polaris>,
    /// AWS Secrets Manager secrets the pipeline uses. Only references: a secret's value never
    /// appears in the pipeline file.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// API audit logging (AWS CloudTrail).
    #[serde(default)]
    pub audit: Audit,
    /// CloudWatch alarms, the SNS topic they notify, dashboards and endpoints.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// An AWS Budgets monthly cost budget.
    #[serde(default)]
    pub budget: Option<Budget>,
    /// Extra IAM permissions for the EMR instance role, beyond the least-privilege policy
    /// pipegen derives from the pipeline.
    #[serde(default)]
    pub iam: Iam,
    /// Expected usage, for the cost estimate. Unset values take the defaults `pipegen cost`
    /// states in its assumptions.
    #[serde(default)]
    pub usage: Usage,
    /// Accepted exceptions to policy rules, each with a reason and an expiry date.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// Per-environment overlays, e.g. `[env.dev.kafka] broker_count = 2`: selected with
    /// `--env dev`, merged over the rest of the file (tables merge; other values, arrays
    /// included, replace).
    #[serde(default)]
    pub env: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

/// Expected usage: what the cost of a pipeline depends on beyond its resources.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    /// Data stored in the lake bucket, in TB (1 TB = 1024 GB). Default 1.
    #[serde(default)]
    pub stored_tb: Option<f64>,
    /// Data produced into Kafka per day, in GB. Default 10.
    #[serde(default)]
    pub ingest_gb_per_day: Option<f64>,
    /// Consumer groups reading every record (the Spark job counts as one). Default 1.
    #[serde(default)]
    pub consumer_groups: Option<u32>,
    /// Data sent to the internet per month, in GB. Default 0.
    #[serde(default)]
    pub internet_egress_gb_per_month: Option<f64>,
    /// Data processed by NAT gateways per month, in GB. Default 0 (S3 traffic uses the
    /// gateway endpoint).
    #[serde(default)]
    pub nat_gb_per_month: Option<f64>,
    /// Hours per month the EMR cluster runs. Default 730 (always on).
    #[serde(default)]
    pub emr_hours_per_month: Option<f64>,
    /// S3 PUT/COPY/POST/LIST requests per month. Default 2,000,000.
    #[serde(default)]
    pub s3_put_requests_per_month: Option<f64>,
    /// S3 GET requests per month. Default 20,000,000.
    #[serde(default)]
    pub s3_get_requests_per_month: Option<f64>,
}

/// Extra IAM permissions for the EMR instance role (the role the Spark job runs as).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// Statements merged into the role's policy after the derived ones.
    #[serde(default)]
    pub statements: Vec<IamStatement>,
    /// Managed policy ARNs attached to the role.
    #[serde(default)]
    pub managed_policies: Vec<String>,
}

/// Whether an IAM statement allows or denies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Effect {
    /// Grants the actions.
    #[default]
    Allow,
    /// Refuses the actions, whatever else allows them.
    Deny,
}

/// One IAM policy statement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamStatement {
    /// The statement id.
    #[serde(default)]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    #[serde(default)]
    pub effect: Effect,
    /// Actions, e.g. `s3:GetObject`.
    #[serde(default)]
    pub actions: Vec<String>,
    /// `NotAction`: every action except these.
    #[serde(default)]
    pub not_actions: Vec<String>,
    /// Resource ARNs.
    #[serde(default)]
    pub resources: Vec<String>,
    /// `NotResource`: every resource except these.
    #[serde(default)]
    pub not_resources: Vec<String>,
}

/// The deployment stage.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Development.
    Dev,
    /// Pre-production.
    Staging,
    /// Production.
    Prod,
}

/// Pipeline identity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The pipeline's name: lowercase letters, digits and hyphens. Resource names are derived
    /// from it.
    pub name: String,
    /// The deployment stage: `dev`, `staging` or `prod`.
    pub environment: Environment,
    /// The AWS region, e.g. `us-east-1`.
    pub region: String,
    /// The team or person accountable for the pipeline (an email address or team name).
    pub owner: String,
    /// Tags applied to every taggable resource (e.g. the cost-allocation tags `Project`,
    /// `Environment`, `CostCenter`).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl Identity {
    /// How a pipeline name must look: resource names (buckets, clusters, stacks) are built
    /// from it, and S3 bucket names allow only lowercase letters, digits and hyphens here.
    pub const NAME_RULE: &str =
        "use 3–32 characters of a-z, 0-9 and `-`, starting with a letter and not ending with `-`";

    /// Whether `name` follows [`Identity::NAME_RULE`].
    pub fn name_is_valid(name: &str) -> bool {
        (3..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !name.ends_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }
}

/// Whether a subnet routes to an internet gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubnetTier {
    /// Routes 0.0.0.0/0 to an internet gateway; holds NAT gateways and load balancers only.
    Public,
    /// No route to an internet gateway; MSK brokers and EMR nodes live here.
    Private,
}

/// The VPC and its subnets.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The VPC's CIDR block, e.g. `10.0.0.0/16`.
    pub vpc_cidr: Cidr,
    /// The availability zones the pipeline spans, e.g. `["us-east-1a", "us-east-1b"]`.
    pub availability_zones: Vec<String>,
    /// The subnets, each in one availability zone.
    pub subnets: Vec<Subnet>,
    /// CIDRs of the bastion hosts allowed to reach EMR nodes on SSH (port 22).
    #[serde(default)]
    pub bastion_cidrs: Vec<Cidr>,
    /// CIDRs of the VPN allowed to reach the YARN, Spark history and Livy web UIs.
    #[serde(default)]
    pub vpn_cidrs: Vec<Cidr>,
    /// NAT gateways for the private subnets' outbound traffic: `none`, `single` (one, in the
    /// first public subnet) or `per_az` (one per AZ that has a public subnet).
    #[serde(default)]
    pub nat_gateways: NatGateways,
    /// Add an S3 gateway endpoint so S3 traffic from private subnets bypasses the NAT.
    #[serde(default = "yes")]
    pub s3_gateway_endpoint: bool,
    /// Send VPC flow logs to CloudWatch Logs.
    #[serde(default)]
    pub flow_logs: bool,
}

/// How many NAT gateways to create.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NatGateways {
    /// No NAT gateway: private subnets have no internet egress.
    None,
    /// One NAT gateway shared by all private subnets.
    #[default]
    Single,
    /// One NAT gateway per availability zone with a public subnet.
    PerAz,
}

/// One subnet.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    /// The name other sections use to refer to this subnet (e.g. `private-1`).
    pub name: String,
    /// The subnet's CIDR block; must lie inside the VPC CIDR.
    pub cidr: Cidr,
    /// The availability zone, one of `network.availability_zones`.
    pub az: String,
    /// `public` or `private`.
    pub tier: SubnetTier,
}

/// Customer-managed KMS keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kms {
    /// The keys; other sections refer to a key by its `name` (or give a full key ARN).
    #[serde(default)]
    pub keys: Vec<KmsKey>,
}

/// A symmetric customer-managed KMS key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// The name other sections use for this key; the alias is `alias/<pipeline>-<name>`.
    pub name: String,
    /// What the key protects.
    #[serde(default)]
    pub description: Option<String>,
    /// Rotate the key material every year (AWS default: off).
    #[serde(default)]
    pub rotation: bool,
    /// Days between a deletion request and the key's deletion, 7–30 (AWS default 30).
    #[serde(default = "thirty")]
    pub deletion_window_days: u32,
}

/// The name a value serialises to (`Market::OnDemand` → `ON_DEMAND`): how enums appear in the
/// file, in facts and in rendered output.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub(crate) fn yes() -> bool {
    true
}

fn thirty() -> u32 {
    30
}

impl Pipeline {
    /// The subnet with this name.
    pub fn subnet(&self, name: &str) -> Option<&Subnet> {
        self.network.subnets.iter().find(|s| s.name == name)
    }

    /// The secret with this name.
    pub fn secret(&self, name: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.name == name)
    }

    /// Every place that names a KMS key (a name from `[kms]` or a key ARN), with its key path;
    /// `None` where the pipeline leaves it unset.
    pub fn kms_key_references(&self) -> Vec<(crate::path::KeyPath, Option<&String>)> {
        let p = |dotted: &str| {
            crate::path::KeyPath::parse_dotted(dotted).expect("a valid built-in path")
        };
        let mut refs = vec![
            (
                p("kafka.encryption.at_rest_kms_key"),
                self.kafka.encryption.at_rest_kms_key.as_ref(),
            ),
            (
                p("storage.encryption.kms_key"),
                self.storage.encryption.kms_key.as_ref(),
            ),
            (
                p("emr.security_configuration.kms_key"),
                self.emr.security_configuration.kms_key.as_ref(),
            ),
            (p("audit.kms_key"), self.audit.kms_key.as_ref()),
            (
                p("monitoring.sns.kms_key"),
                self.monitoring
                    .sns
                    .as_ref()
                    .and_then(|s| s.kms_key.as_ref()),
            ),
        ];
        for (i, secret) in self.secrets.iter().enumerate() {
            refs.push((
                p("secrets").index(i).key("kms_key"),
                secret.kms_key.as_ref(),
            ));
        }
        refs
    }

    /// Whether `reference` names a key in `[kms]`, or is a full KMS key ARN.
    pub fn kms_key_resolves(&self, reference: &str) -> bool {
        reference.starts_with("arn:aws:kms:") || self.kms.keys.iter().any(|k| k.name == reference)
    }

    /// The number of distinct availability zones the MSK client subnets are in.
    pub fn msk_az_count(&self) -> usize {
        let mut azs: Vec<&str> = self
            .kafka
            .subnets
            .iter()
            .filter_map(|name| self.subnet(name))
            .map(|s| s.az.as_str())
            .collect();
        azs.sort_unstable();
        azs.dedup();
        azs.len()
    }
}
