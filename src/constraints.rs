//! AWS's own constraints on the values pipegen writes, and the check that holds every value
//! from the pipeline file to them before anything is rendered.
//!
//! The table, `data/aws-constraints.toml`, is extracted by `scripts/aws_constraints.py` from the
//! CloudFormation resource provider schemas cfn-lint ships (`[[cloudformation]]`, by resource
//! type and property path) and from botocore's service models (`[[api]]`, by service,
//! operation and member path, for the calls the scripts make); a test re-extracts it from the
//! installed copies and fails when it is stale. [`values`] lists each value the render writes
//! into one of those properties or parameters, with the key it comes from.
//!
//! Patterns are kept as the models write them (ECMA-262 / JSON Schema, Java) and translated to
//! the `regex` dialect ([`split`], [`translate`]); `build.rs` compiles each to DFAs, so a run
//! reads them back instead of building an automaton. CloudFormation schema patterns apply as
//! JSON Schema says (a match anywhere; they carry their own anchors); botocore's apply to the
//! whole value, as the services enforce them. `tests/constraints.rs` holds the DFAs to the
//! regex engine cfn-lint uses, over hostile samples.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::code::{Builtin, ERROR, Example, Stage};
use crate::diagnostic::Finding;
use crate::facts;
use crate::model::Pipeline;
use crate::path::KeyPath;

/// CFX-036: Values meet the constraints AWS publishes for the properties and parameters they reach.
pub static CFX_036: Builtin = Builtin {
    id: "CFX-036",
    stage: Stage::Consistency,
    title: "Values meet the constraints AWS publishes for the properties and parameters they reach",
    severities: ERROR,
    why: "CloudFormation or the service rejects the value (pattern, length, allowed values) and the stack or the script fails",
    fix: "Change the value to meet the constraint the finding quotes from AWS's published model.",
    example: Some(Example {
        fails: r#"
[[kms.keys]]
name = "main.key"
"#,
        passes: r#"
[pipeline.tags]
CostCenter = "R-and-D 42"
[[kms.keys]]
name = "main-key"
[[iam.statements]]
sid = "ReadReference"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::minimal-pipeline-lake/reference/*"]
[monitoring.sns]
topic_name = "alerts"
subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }]
[[monitoring.alarms]]
name = "lag"
namespace = "Pipeline/Minimal"
metric = "MaxOffsetsBehindLatest"
statistic = "Maximum"
period = 60
threshold = 1000
comparison = "GreaterThanThreshold"
evaluation_periods = 1
description = "Multi-line\ndescription"
"#,
    }),
};

/// The codes this module reports.
pub const CODES: &[&Builtin] = &[&CFX_036];

/// Runs this module's checks, as a consistency check.
pub fn run(pipeline: &Pipeline, ctx: &crate::consistency::Context, out: &mut Vec<Finding>) {
    check(pipeline, out);
    check_documented(pipeline, out);
    check_control_characters(ctx.document, out);
}

mod pattern;
pub use pattern::{split, translate};

/// One constraint, ready to apply.
pub struct Constraint {
    /// `AWS::KMS::Alias/AliasName` or `kms:CreateAlias/AliasName`.
    pub target: &'static str,
    /// Where it comes from: `CloudFormation schema (cfn-lint 1.58.0)` or `botocore 1.44.8`.
    pub source: &'static str,
    pattern: Option<&'static Pattern>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    allowed: Option<&'static [&'static str]>,
}

/// A pattern of the table, as the model writes it and as the build script compiled it.
struct Pattern {
    text: &'static str,
    /// Matched against the whole value (botocore), or anywhere in it (CloudFormation).
    whole: bool,
    matcher: Matcher,
}

/// How a pattern is matched.
enum Matcher {
    /// `^[class]{min,max}$`: every character in the class's ranges (ASCII ones in a bit set),
    /// their count within bounds.
    Class {
        ascii: [u64; 2],
        ranges: &'static [(char, char)],
        min: u32,
        max: Option<u32>,
    },
    /// Anything else, as DFAs ([`split`]): every `accept` DFA matches and no `reject` one.
    Dfa {
        accept: &'static [&'static Aligned<[u8]>],
        reject: &'static [&'static Aligned<[u8]>],
        /// The DFAs read back from their bytes, the first time a value reaches the pattern.
        dfas: OnceLock<Dfas>,
    },
}

/// A DFA's bytes, aligned as `regex-automata` reads a dense DFA in place.
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u32; 0],
    bytes: B,
}

type Dfa = regex_automata::dfa::dense::DFA<&'static [u32]>;

struct Dfas {
    accept: Vec<Dfa>,
    reject: Vec<Dfa>,
}

include!(concat!(env!("OUT_DIR"), "/aws_constraints.rs"));

fn read(list: &'static [&'static Aligned<[u8]>]) -> Vec<Dfa> {
    list.iter()
        .map(|aligned| {
            Dfa::from_bytes(&aligned.bytes)
                .expect("build.rs wrote the DFA for this target")
                .0
        })
        .collect()
}

impl Matcher {
    /// Reads the DFAs back, once.
    fn dfas(
        accept: &'static [&'static Aligned<[u8]>],
        reject: &'static [&'static Aligned<[u8]>],
        dfas: &'static OnceLock<Dfas>,
    ) -> &'static Dfas {
        dfas.get_or_init(|| Dfas {
            accept: read(accept),
            reject: read(reject),
        })
    }

    /// Whether the value matches, as the model's dialect reads the pattern.
    fn is_match(&'static self, value: &str) -> bool {
        use regex_automata::dfa::{Automaton, StartKind};
        match self {
            Matcher::Class {
                ascii,
                ranges,
                min,
                max,
            } => {
                let fits = |c: char| match u8::try_from(c) {
                    Ok(b) if b.is_ascii() => ascii[usize::from(b >> 6)] >> (b & 63) & 1 == 1,
                    _ => {
                        let i = ranges.partition_point(|r| r.1 < c);
                        ranges.get(i).is_some_and(|r| r.0 <= c)
                    }
                };
                let mut count = 0usize;
                for c in value.chars() {
                    if !fits(c) {
                        return false;
                    }
                    count += 1;
                }
                count >= *min as usize && max.is_none_or(|m| count <= m as usize)
            }
            Matcher::Dfa {
                accept,
                reject,
                dfas,
            } => {
                let found = |dfa: &Dfa| {
                    let anchored = match dfa.start_kind() {
                        StartKind::Anchored => regex_automata::Anchored::Yes,
                        _ => regex_automata::Anchored::No,
                    };
                    let input = regex_automata::Input::new(value)
                        .earliest(true)
                        .anchored(anchored);
                    dfa.try_search_fwd(&input)
                        .expect("the patterns have no Unicode word boundary (pattern.rs), so no DFA quits")
                        .is_some()
                };
                let dfas = Self::dfas(accept, reject, dfas);
                dfas.accept.iter().all(found) && !dfas.reject.iter().any(found)
            }
        }
    }

    /// Reads the DFAs back, if it has any.
    fn load(&'static self) {
        if let Matcher::Dfa {
            accept,
            reject,
            dfas,
        } = self
        {
            Self::dfas(accept, reject, dfas);
        }
    }
}

/// Every constraint of the table.
pub fn table() -> &'static [Constraint] {
    &TABLE
}

impl Constraint {
    /// What is wrong with a text value, if anything.
    pub fn text_problem(&self, value: &str) -> Option<String> {
        let chars = value.chars().count();
        if let Some(min) = self.min_length
            && chars < min
        {
            return Some(format!(
                "is {chars} characters; at least {min} are required"
            ));
        }
        if let Some(max) = self.max_length
            && chars > max
        {
            return Some(format!("is {chars} characters; at most {max} are allowed"));
        }
        if let Some(allowed) = self.allowed
            && !allowed.contains(&value)
        {
            return Some(format!("is not one of {}", allowed.join(", ")));
        }
        if let Some(pattern) = self.pattern
            && !pattern.matcher.is_match(value)
        {
            return Some(format!("does not match the pattern `{}`", pattern.text));
        }
        None
    }

    /// Reads the pattern's DFAs back (tests: every DFA of the table reads).
    pub fn compile(&self) {
        if let Some(pattern) = self.pattern {
            pattern.matcher.load();
        }
    }

    /// The pattern as the model writes it, and whether it applies to the whole value.
    pub fn pattern(&self) -> Option<(&'static str, bool)> {
        self.pattern.map(|p| (p.text, p.whole))
    }

    /// Whether a value matches the pattern (true without one).
    pub fn pattern_matches(&self, value: &str) -> bool {
        self.pattern.is_none_or(|p| p.matcher.is_match(value))
    }

    /// What is wrong with a number, if anything.
    pub fn number_problem(&self, value: f64) -> Option<String> {
        if let Some(min) = self.minimum
            && value < min
        {
            return Some(format!("is below the minimum {min}"));
        }
        if let Some(max) = self.maximum
            && value > max
        {
            return Some(format!("is above the maximum {max}"));
        }
        None
    }
}

/// A value the render writes into an AWS property or API parameter.
pub struct AwsValue<'a> {
    /// The targets: `Resource::Type/Property/Path` or `service:Operation/Member/Path`.
    pub targets: Vec<&'static str>,
    /// The value as written.
    pub value: Cow<'a, str>,
    /// The key it comes from.
    pub at: KeyPath,
}

fn p(dotted: &str) -> KeyPath {
    KeyPath::parse_dotted(dotted).expect("a valid built-in path")
}

/// Every resource type whose `Tags` the pipeline's tags reach and whose schema constrains
/// them, as its tag-key and tag-value targets (MSK constrains its tag keys only).
const TAG_KEYS: &[&str] = &[
    "AWS::EC2::InternetGateway/Tags/*/Key",
    "AWS::KMS::Key/Tags/*/Key",
    "AWS::S3::Bucket/Tags/*/Key",
    "AWS::SNS::Topic/Tags/*/Key",
    "AWS::SecretsManager::Secret/Tags/*/Key",
    "AWS::MSK::Cluster/Tags/{key}",
];
const TAG_VALUES: &[&str] = &[
    "AWS::EC2::InternetGateway/Tags/*/Value",
    "AWS::KMS::Key/Tags/*/Value",
    "AWS::S3::Bucket/Tags/*/Value",
    "AWS::SNS::Topic/Tags/*/Value",
    "AWS::SecretsManager::Secret/Tags/*/Value",
];

/// Every value from the pipeline (or derived from one) that reaches a constrained AWS
/// property or API parameter, with the key to report a problem at.
pub fn values<'a>(pipeline: &'a Pipeline) -> Vec<AwsValue<'a>> {
    let mut out: Vec<AwsValue<'_>> = Vec::new();
    let mut add = |targets: &[&'static str], value: Cow<'a, str>, at: KeyPath| {
        out.push(AwsValue {
            targets: targets.to_vec(),
            value,
            at,
        });
    };
    let name = &pipeline.pipeline.name;
    let at_name = p("pipeline.name");
    for (key, value) in &pipeline.pipeline.tags {
        let at = p("pipeline.tags").key(key.clone());
        add(TAG_KEYS, Cow::Borrowed(key), at.clone());
        add(TAG_VALUES, Cow::Borrowed(value), at);
    }
    add(TAG_VALUES, Cow::Borrowed(name), at_name.clone());
    add(
        TAG_VALUES,
        Cow::Borrowed(&pipeline.pipeline.owner),
        p("pipeline.owner"),
    );
    // Names and descriptions the template derives from the pipeline's name.
    let names = facts::names(pipeline);
    for description in [names.msk_security_group, names.admin_security_group] {
        add(
            &["AWS::EC2::SecurityGroup/GroupDescription"],
            Cow::Owned(description),
            at_name.clone(),
        );
    }
    add(
        &["AWS::IAM::Role/Description"],
        Cow::Owned(names.instance_role),
        at_name.clone(),
    );
    add(
        &["AWS::EMR::SecurityConfiguration/Name"],
        Cow::Owned(names.emr_security_configuration),
        at_name.clone(),
    );
    for stack in [
        name.clone(),
        format!("{name}-bootstrap"),
        format!("{name}-replica"),
    ] {
        add(
            &["cloudformation:CreateChangeSet/StackName"],
            Cow::Owned(stack),
            at_name.clone(),
        );
    }
    if pipeline.budget.is_some() {
        add(
            &["budgets:CreateBudget/Budget/BudgetName"],
            Cow::Owned(names.budget),
            at_name.clone(),
        );
    }
    let log_group = &[
        "AWS::Logs::LogGroup/LogGroupName",
        "logs:CreateLogGroup/logGroupName",
    ];
    let broker_at = if pipeline.kafka.logging.cloudwatch_log_group.is_some() {
        p("kafka.logging.cloudwatch_log_group")
    } else {
        at_name.clone()
    };
    add(log_group, Cow::Owned(names.broker_log_group), broker_at);
    for group in [
        names.flow_log_group,
        names.application_log_group,
        names.trail_log_group,
    ] {
        add(log_group, Cow::Owned(group), at_name.clone());
    }
    for (i, key) in pipeline.kms.keys.iter().enumerate() {
        let at = p("kms.keys").index(i);
        add(
            &["AWS::KMS::Alias/AliasName", "kms:CreateAlias/AliasName"],
            Cow::Owned(names.kms_aliases[&key.name].clone()),
            at.key("name"),
        );
        if let Some(d) = &key.description {
            add(
                &["AWS::KMS::Key/Description"],
                Cow::Borrowed(d),
                at.key("description"),
            );
        }
    }
    key_references(pipeline, &mut add);
    let kafka = &pipeline.kafka;
    add(
        &[
            "AWS::MSK::Cluster/ClusterName",
            "kafka:CreateCluster/ClusterName",
            "kafka:CreateClusterV2/ClusterName",
        ],
        Cow::Borrowed(&kafka.cluster_name),
        p("kafka.cluster_name"),
    );
    add(
        &[
            "AWS::MSK::Cluster/BrokerNodeGroupInfo/InstanceType",
            "kafka:CreateCluster/BrokerNodeGroupInfo/InstanceType",
        ],
        Cow::Borrowed(&kafka.instance_type),
        p("kafka.instance_type"),
    );
    for (i, secret) in pipeline.secrets.iter().enumerate() {
        if secret.arn.is_some() {
            continue;
        }
        let at = p("secrets").index(i);
        add(
            &[
                "AWS::SecretsManager::Secret/Name",
                "secretsmanager:CreateSecret/Name",
            ],
            Cow::Borrowed(&secret.name),
            at.key("name"),
        );
        if let Some(d) = &secret.description {
            add(
                &[
                    "AWS::SecretsManager::Secret/Description",
                    "secretsmanager:CreateSecret/Description",
                ],
                Cow::Borrowed(d),
                at.key("description"),
            );
        }
    }
    for (i, rule) in pipeline.storage.lifecycle.iter().enumerate() {
        add(
            &["AWS::S3::Bucket/LifecycleConfiguration/Rules/*/Id"],
            Cow::Borrowed(&rule.id),
            p("storage.lifecycle").index(i).key("id"),
        );
    }
    if let Some(sns) = &pipeline.monitoring.sns {
        add(
            &["AWS::SNS::Topic/TopicName"],
            Cow::Borrowed(&sns.topic_name),
            p("monitoring.sns.topic_name"),
        );
    }
    let namespace = facts::metrics_namespace(pipeline);
    for (i, alarm) in pipeline.monitoring.alarms.iter().enumerate() {
        let at = p("monitoring.alarms").index(i);
        add(
            &[
                "AWS::CloudWatch::Alarm/AlarmName",
                "cloudwatch:PutMetricAlarm/AlarmName",
            ],
            Cow::Borrowed(&alarm.name),
            at.key("name"),
        );
        if let Some(d) = &alarm.description {
            add(
                &[
                    "AWS::CloudWatch::Alarm/AlarmDescription",
                    "cloudwatch:PutMetricAlarm/AlarmDescription",
                ],
                Cow::Borrowed(d),
                at.key("description"),
            );
        }
        add(
            &[
                "AWS::CloudWatch::Alarm/MetricName",
                "cloudwatch:PutMetricAlarm/MetricName",
            ],
            Cow::Borrowed(&alarm.metric),
            at.key("metric"),
        );
        let (ns, ns_at) = match &alarm.namespace {
            Some(ns) => (Cow::Borrowed(ns.as_str()), at.key("namespace")),
            None => (Cow::Owned(namespace.clone()), p("monitoring.namespace")),
        };
        add(
            &[
                "AWS::CloudWatch::Alarm/Namespace",
                "cloudwatch:PutMetricAlarm/Namespace",
            ],
            ns,
            ns_at,
        );
        for (k, v) in &alarm.dimensions {
            let dat = at.key("dimensions").key(k.clone());
            add(
                &[
                    "AWS::CloudWatch::Alarm/Dimensions/*/Name",
                    "cloudwatch:PutMetricAlarm/Dimensions/*/Name",
                ],
                Cow::Borrowed(k),
                dat.clone(),
            );
            add(
                &[
                    "AWS::CloudWatch::Alarm/Dimensions/*/Value",
                    "cloudwatch:PutMetricAlarm/Dimensions/*/Value",
                ],
                Cow::Borrowed(v),
                dat,
            );
        }
    }
    let emr = &pipeline.emr;
    add(
        &["emr:RunJobFlow/Name"],
        Cow::Borrowed(&emr.cluster_name),
        p("emr.cluster_name"),
    );
    if let Some(key) = &emr.key_name {
        add(
            &["emr:RunJobFlow/Instances/Ec2KeyName"],
            Cow::Borrowed(key),
            p("emr.key_name"),
        );
    }
    if let Some(uri) = &emr.log_uri {
        add(
            &["emr:RunJobFlow/LogUri"],
            Cow::Borrowed(uri),
            p("emr.log_uri"),
        );
    }
    add(
        &[
            "emr:RunJobFlow/Steps/*/Name",
            "emr:AddJobFlowSteps/Steps/*/Name",
        ],
        Cow::Borrowed(&pipeline.spark.job.name),
        p("spark.job.name"),
    );
    for (arg, at) in crate::render::step_arguments(pipeline, false) {
        add(
            &[
                "emr:RunJobFlow/Steps/*/HadoopJarStep/Args/*",
                "emr:AddJobFlowSteps/Steps/*/HadoopJarStep/Args/*",
            ],
            Cow::Owned(arg.display()),
            at,
        );
    }
    for (i, arn) in pipeline.iam.managed_policies.iter().enumerate() {
        add(
            &["AWS::IAM::Role/ManagedPolicyArns/*"],
            Cow::Borrowed(arn),
            p("iam.managed_policies").index(i),
        );
    }
    if pipeline.audit.cloudtrail {
        let at = if pipeline.audit.trail_name.is_some() {
            p("audit.trail_name")
        } else {
            at_name.clone()
        };
        add(
            &["AWS::CloudTrail::Trail/TrailName"],
            Cow::Owned(names.trail),
            at,
        );
    }
    out
}

/// KMS keys given as ARNs (not names of `[[kms.keys]]`): each must be a key or alias ARN.
fn key_references<'a>(
    pipeline: &'a Pipeline,
    add: &mut impl FnMut(&[&'static str], Cow<'a, str>, KeyPath),
) {
    let mut refs = pipeline.kms_key_references();
    refs.push((
        p("storage.replication.replica_kms_key_arn"),
        pipeline
            .storage
            .replication
            .as_ref()
            .and_then(|r| r.replica_kms_key_arn.as_ref()),
    ));
    for (at, key) in refs {
        let Some(key) = key else { continue };
        if pipeline.kms.keys.iter().any(|k| k.name == *key) {
            continue;
        }
        add(&["AWS::Logs::LogGroup/KmsKeyId"], Cow::Borrowed(key), at);
    }
}

/// The finding for a value that breaks a constraint (CFX-036).
pub fn check(pipeline: &Pipeline, out: &mut Vec<Finding>) {
    let table = table();
    for value in values(pipeline) {
        'targets: for target in &value.targets {
            for c in table.iter().filter(|c| c.target == *target) {
                if let Some(problem) = c.text_problem(&value.value) {
                    let (what, property) = target.split_once('/').unwrap_or((target, ""));
                    out.push(
                        Finding::error(
                            &CFX_036,
                            value.at.clone(),
                            format!(
                                "`{}` {problem}, which {what} requires of {property}",
                                shorten(&value.value)
                            ),
                        )
                        .with_help(format!("the constraint comes from {}", c.source)),
                    );
                    break 'targets;
                }
            }
        }
    }
}

/// A value as a message shows it: at most 60 characters, control characters escaped.
fn shorten(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    if escaped.chars().count() > 60 {
        let head: String = escaped.chars().take(57).collect();
        format!("{head}…")
    } else {
        escaped
    }
}

/// Constraints AWS documents but publishes in no model pipegen reads (CFX-036 too).
pub fn check_documented(pipeline: &Pipeline, out: &mut Vec<Finding>) {
    // "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and
    // numbers (0-9)." (IAM User Guide, "IAM JSON policy elements: Sid")
    for (i, st) in pipeline.iam.statements.iter().enumerate() {
        if let Some(sid) = &st.sid
            && !sid.chars().all(|c| c.is_ascii_alphanumeric())
        {
            out.push(
                Finding::error(
                    &CFX_036,
                    p("iam.statements").index(i).key("sid"),
                    format!("Sid `{}` has characters IAM does not accept", shorten(sid)),
                )
                .with_help("IAM takes only A-Z, a-z and 0-9 in a Sid (IAM User Guide, \"IAM JSON policy elements: Sid\")"),
            );
        }
    }
    // An email subscription's endpoint is an email address (SNS API Reference, Subscribe:
    // "For the email protocol, the endpoint is an email address").
    if let Some(sns) = &pipeline.monitoring.sns {
        for (i, sub) in sns.subscriptions.iter().enumerate() {
            let email = sub.protocol == crate::model::SnsProtocol::Email;
            if email && !looks_like_email(&sub.endpoint) {
                out.push(
                    Finding::error(
                        &CFX_036,
                        p("monitoring.sns.subscriptions").index(i).key("endpoint"),
                        format!("`{}` is not an email address", shorten(&sub.endpoint)),
                    )
                    .with_help("SNS delivers email subscriptions to an address such as oncall@example.com (SNS API Reference, Subscribe)"),
                );
            }
        }
    }
}

/// `local@domain.tld` with no spaces or control characters: what SNS accepts as an address.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let clean = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() && c != '@');
    clean(local)
        && clean(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Control characters in any text of the file (CFX-036). AWS names and identifiers refuse
/// them, and in the few free-text fields that take them (descriptions) only tab and line
/// breaks have a use; NUL, escape sequences and the C1 controls are never data.
pub fn check_control_characters(document: &serde_json::Value, out: &mut Vec<Finding>) {
    walk(document, &mut Vec::new(), out);
}

/// One step of the path to a value, borrowed while walking (a path is built only for a
/// finding).
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn walk<'a>(value: &'a serde_json::Value, steps: &mut Vec<Step<'a>>, out: &mut Vec<Finding>) {
    match value {
        serde_json::Value::String(text) => {
            let Some(c) = text.chars().find(|c| c.is_control()) else {
                return;
            };
            let prose = matches!(steps.last(), Some(Step::Key(k)) if k.ends_with("description") || *k == "reason");
            if prose
                && text
                    .chars()
                    .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            {
                return;
            }
            let bad = if prose {
                text.chars()
                    .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                    .unwrap_or(c)
            } else {
                c
            };
            let at = steps
                .iter()
                .fold(KeyPath::default(), |at, step| match step {
                    Step::Key(k) => at.key(*k),
                    Step::Index(i) => at.index(*i),
                });
            out.push(
                Finding::error(
                    &CFX_036,
                    at,
                    format!(
                        "`{}` holds the control character U+{:04X}",
                        shorten(text),
                        u32::from(bad)
                    ),
                )
                .with_help(if prose {
                    "descriptions and reasons may hold tabs and line breaks, no other control characters"
                } else {
                    "names, identifiers and settings take no control characters (line breaks included)"
                }),
            );
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                walk(item, steps, out);
                steps.pop();
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                steps.push(Step::Key(key));
                walk(item, steps, out);
                steps.pop();
            }
        }
        _ => {}
    }
}
