//! Secrets, audit, monitoring, budget and waivers.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{Date, Statistic};
use super::yes;

/// What a secret is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecretPurpose {
    /// SASL/SCRAM credentials for MSK.
    Scram,
    /// OAuth client credentials for the Polaris catalog.
    Polaris,
    /// A truststore or keystore password.
    Truststore,
    /// Anything else.
    #[default]
    Other,
}

/// A reference to an AWS Secrets Manager secret. The value is never in the pipeline file:
/// `render` creates the secret with a generated value, or refers to an existing one by `arn`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The secret's name in Secrets Manager (SCRAM secrets must start with `AmazonMSK_`).
    pub name: String,
    /// What the secret is for.
    #[serde(default)]
    pub purpose: SecretPurpose,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// The KMS key that encrypts the secret: a key name from `[kms]` or a key ARN. Unset
    /// means the AWS-managed key `aws/secretsmanager`.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// The ARN of an existing secret; unset means `render` creates it.
    #[serde(default)]
    pub arn: Option<String>,
}

/// API audit logging with AWS CloudTrail.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// Create a CloudTrail trail.
    #[serde(default)]
    pub cloudtrail: bool,
    /// The trail name; unset means `<pipeline>-audit`.
    #[serde(default)]
    pub trail_name: Option<String>,
    /// Record events from every region.
    #[serde(default)]
    pub multi_region: bool,
    /// Write digest files that make log tampering detectable.
    #[serde(default)]
    pub log_file_validation: bool,
    /// The bucket that receives the trail's log files (not the lake bucket).
    #[serde(default)]
    pub bucket: Option<String>,
    /// The KMS key that encrypts the log files: a key name from `[kms]` or a key ARN.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// Also deliver the trail to a CloudWatch Logs group, kept this many days.
    #[serde(default)]
    pub cloudwatch_retention_days: Option<u32>,
    /// Record S3 data events (object reads and writes) on the lake bucket.
    #[serde(default)]
    pub s3_data_events: bool,
}

/// Monitoring: alarms, their SNS topic, dashboards and endpoints.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// The CloudWatch namespace of the job's custom metrics, e.g. `DataPipeline/Production`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The SNS topic alarms notify.
    #[serde(default)]
    pub sns: Option<SnsTopic>,
    /// CloudWatch alarms.
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    /// Render a Grafana dashboard.
    #[serde(default = "yes")]
    pub dashboards: bool,
    /// Days application and EMR log groups keep their events (one of CloudWatch Logs'
    /// retention values).
    #[serde(default = "ninety_days")]
    pub log_retention_days: u32,
    /// The Prometheus endpoint the dashboards read.
    #[serde(default)]
    pub prometheus_endpoint: Option<String>,
    /// The Grafana endpoint dashboards are imported into.
    #[serde(default)]
    pub grafana_endpoint: Option<String>,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            namespace: None,
            sns: None,
            alarms: Vec::new(),
            dashboards: true,
            log_retention_days: ninety_days(),
            prometheus_endpoint: None,
            grafana_endpoint: None,
        }
    }
}

/// The log retention the deployment guide keeps, and pipegen's default.
pub(crate) fn ninety_days() -> u32 {
    90
}

/// An SNS topic for alarm notifications.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    /// The topic name.
    pub topic_name: String,
    /// The KMS key that encrypts messages: a key name from `[kms]` or a key ARN.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// Who is notified.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// An SNS delivery protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SnsProtocol {
    /// An email address.
    Email,
    /// An HTTPS endpoint (e.g. PagerDuty or Opsgenie).
    Https,
    /// An SQS queue ARN.
    Sqs,
    /// A Lambda function ARN.
    Lambda,
    /// A phone number.
    Sms,
}

/// An SNS subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// `email`, `https`, `sqs`, `lambda` or `sms`.
    pub protocol: SnsProtocol,
    /// The address, URL, ARN or number.
    pub endpoint: String,
}

/// A CloudWatch comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Comparison {
    /// `>=`.
    GreaterThanOrEqualToThreshold,
    /// `>`.
    GreaterThanThreshold,
    /// `<`.
    LessThanThreshold,
    /// `<=`.
    LessThanOrEqualToThreshold,
}

/// How an alarm treats missing data points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MissingData {
    /// Missing points count as neither good nor bad (CloudWatch default).
    #[default]
    Missing,
    /// Missing points are good.
    NotBreaching,
    /// Missing points are bad.
    Breaching,
    /// Keep the current state.
    Ignore,
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    /// The alarm name.
    pub name: String,
    /// What the alarm means.
    #[serde(default)]
    pub description: Option<String>,
    /// The metric name, e.g. `ErrorRate` or `UnderReplicatedPartitions`.
    pub metric: String,
    /// The metric namespace, e.g. `AWS/Kafka`; unset means `monitoring.namespace`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The statistic: `SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum` or a percentile.
    #[serde(default)]
    pub statistic: Statistic,
    /// The period in seconds: 10, 30 or a multiple of 60.
    #[serde(default = "three_hundred")]
    pub period: u32,
    /// The threshold the statistic is compared with.
    pub threshold: f64,
    /// The comparison operator.
    pub comparison: Comparison,
    /// Periods to evaluate.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// Breaching periods (of `evaluation_periods`) that trigger the alarm; unset means all.
    #[serde(default)]
    pub datapoints_to_alarm: Option<u32>,
    /// Metric dimensions, e.g. `{ "Cluster Name" = "data-pipeline-prod" }`.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// How missing data points are treated.
    #[serde(default)]
    pub treat_missing_data: MissingData,
    /// Notify the pipeline's SNS topic when the alarm fires and recovers.
    #[serde(default = "yes")]
    pub notify: bool,
}

fn three_hundred() -> u32 {
    300
}
fn one() -> u32 {
    1
}

/// Whether a budget alert compares actual or forecasted spend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BudgetAlertKind {
    /// Spend so far this month.
    #[default]
    Actual,
    /// Spend AWS forecasts for the month.
    Forecasted,
}

/// A budget notification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetAlert {
    /// Percent of the limit that triggers the alert (0–1000).
    pub threshold_percent: f64,
    /// `ACTUAL` or `FORECASTED`.
    #[serde(default)]
    pub kind: BudgetAlertKind,
}

/// An AWS Budgets monthly cost budget, in USD.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The monthly limit in USD.
    pub monthly_limit_usd: f64,
    /// Notifications.
    #[serde(default = "budget_alerts")]
    pub alerts: Vec<BudgetAlert>,
    /// Who is notified: email addresses or SNS topic ARNs.
    #[serde(default)]
    pub subscribers: Vec<String>,
}

fn budget_alerts() -> Vec<BudgetAlert> {
    vec![
        BudgetAlert {
            threshold_percent: 80.0,
            kind: BudgetAlertKind::Actual,
        },
        BudgetAlert {
            threshold_percent: 100.0,
            kind: BudgetAlertKind::Forecasted,
        },
    ]
}

/// An accepted exception to a policy rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule id, e.g. `REL-EMR-001`.
    pub rule: String,
    /// Why the exception is acceptable, and who accepted it.
    pub reason: String,
    /// The date after which the waiver no longer applies.
    pub expires: Date,
    /// Limit the waiver to findings at this key path (e.g. `kafka.topics[2]`) or below it.
    #[serde(default)]
    pub at: Option<String>,
}
