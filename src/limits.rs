//! Service limits of the deployment, computed from what the render writes, so `check` reports
//! them before anything is written (CFX-037):
//!
//! - a template deployed through S3 holds at most 1 MB (1,048,576 bytes), and a stack at most
//!   500 resources (CloudFormation User Guide, "CloudFormation quotas");
//! - the inline policies of one IAM role hold at most 10,240 characters together, whitespace
//!   not counted (IAM User Guide, "IAM and AWS STS quotas": "Role policy size");
//! - each EMR step argument at most 10,280 characters: in botocore's EMR model, checked with the
//!   other model constraints (CFX-036).
//!
//! The policy size is counted on the policies as IAM stores them: references resolved, with
//! the longest partition (`aws-us-gov`), a 12-digit account, the region, and the lengths of
//! the ARNs the references stand for.

use crate::access::{self, Expr, Part, Role};
use crate::diagnostic::Finding;
use crate::model::Pipeline;
use crate::path::KeyPath;

/// The largest template CloudFormation reads from S3.
pub const TEMPLATE_BYTES: usize = 1_048_576;
/// The most resources one stack holds.
pub const STACK_RESOURCES: usize = 500;
/// The most characters the inline policies of one role hold together.
pub const ROLE_POLICY_CHARACTERS: usize = 10_240;

fn p(dotted: &str) -> KeyPath {
    KeyPath::parse_dotted(dotted).expect("a valid built-in path")
}

/// The limits, from the rendered main template and the access model.
pub fn check(pipeline: &Pipeline, document: &serde_json::Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let tables = pipeline.hudi.tables.len();
    let topics = pipeline.kafka.topics.len();
    let biggest = if tables > topics {
        (p("hudi.tables"), format!("{tables} Hudi tables"))
    } else {
        (p("kafka.topics"), format!("{topics} topics"))
    };
    // Rendering costs more than the rest of `check`: the template is rendered and measured only
    // when an upper bound of its size or resource count passes a limit (the bounds are
    // property-tested against the render, tests/soundness.rs).
    let resources = resource_bound(pipeline);
    let measure = resources > STACK_RESOURCES
        || template_bound_of(pipeline, document, resources) > TEMPLATE_BYTES;
    match measure.then(|| crate::render::main_template(pipeline)) {
        None => {}
        Some(Ok(template)) => {
            if template.len() > TEMPLATE_BYTES {
                out.push(
                    Finding::error(
                        "CFX-037",
                        biggest.0.clone(),
                        format!(
                            "the CloudFormation template would be {} bytes, past the {TEMPLATE_BYTES} CloudFormation reads; {} write most of it",
                            template.len(),
                            biggest.1
                        ),
                    )
                    .with_help("split the pipeline into several, each with its own stack"),
                );
            }
            let resources = count_resources(&template);
            if resources > STACK_RESOURCES {
                let alarms = pipeline.monitoring.alarms.len();
                let at = if alarms * 2 > resources {
                    p("monitoring.alarms")
                } else {
                    p("network.subnets")
                };
                out.push(
                    Finding::error(
                        "CFX-037",
                        at,
                        format!(
                            "the stack would hold {resources} resources, past CloudFormation's {STACK_RESOURCES}"
                        ),
                    )
                    .with_help("split the pipeline into several, each with its own stack"),
                );
            }
        }
        Some(Err(e)) => out.push(Finding::error(
            "CFX-037",
            p("pipeline"),
            format!("the template cannot be rendered to measure it: {e}"),
        )),
    }
    let needs = access::needs(pipeline);
    for role in Role::ALL {
        let mut size: usize = needs
            .iter()
            .filter(|n| n.role == role)
            .map(|n| statement_size(pipeline, n))
            .sum();
        if role == Role::EmrInstance {
            size += pipeline
                .iam
                .statements
                .iter()
                .map(|st| {
                    serde_json::to_string(st)
                        .map(|s| non_whitespace(&s))
                        .unwrap_or_default()
                })
                .sum::<usize>();
        }
        if size == 0 {
            continue;
        }
        // {"Version":"2012-10-17","Statement":[…]}
        size += 40;
        if size > ROLE_POLICY_CHARACTERS {
            let at = if role == Role::EmrInstance && tables > 0 {
                p("hudi.tables")
            } else {
                p("iam.statements")
            };
            out.push(
                Finding::error(
                    "CFX-037",
                    at,
                    format!(
                        "the inline policies of {} would hold about {size} characters, past IAM's {ROLE_POLICY_CHARACTERS} for one role",
                        role.logical_id()
                    ),
                )
                .with_help("each source topic is one ARN in the job's policy: split the pipeline so that each reads fewer topics"),
            );
        }
    }
    out
}

/// At most how many resources the template holds: every logical id the model can give, and
/// every fixed one.
pub fn resource_bound(pipeline: &Pipeline) -> usize {
    let subscriptions = pipeline
        .monitoring
        .sns
        .as_ref()
        .map_or(0, |s| s.subscriptions.len());
    let ingress = 2 * crate::facts::listeners(&pipeline.kafka).len();
    crate::facts::named_logical_ids(pipeline).len()
        + crate::facts::FIXED_LOGICAL_IDS.len()
        + subscriptions
        + ingress
}

/// At most how many bytes the template holds: a fixed part, every text of the file as YAML
/// writes it (escapes included) 40 times over, the tags once per resource, and a share per
/// table, topic, alarm, subnet, key and secret.
pub fn template_bound(pipeline: &Pipeline, document: &serde_json::Value) -> usize {
    template_bound_of(pipeline, document, resource_bound(pipeline))
}

/// [`template_bound`], given the [`resource_bound`].
fn template_bound_of(pipeline: &Pipeline, document: &serde_json::Value, resources: usize) -> usize {
    fn texts(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::String(s) => crate::render::escape::yaml(s).len() + 8,
            serde_json::Value::Array(items) => items.iter().map(texts).sum(),
            serde_json::Value::Object(map) => map.iter().map(|(k, v)| k.len() + 8 + texts(v)).sum(),
            other => other.to_string().len() + 8,
        }
    }
    let yaml = |s: &str| crate::render::escape::yaml(s).len();
    let tags: usize = pipeline
        .pipeline
        .tags
        .iter()
        .map(|(k, v)| yaml(k) + yaml(v) + 40)
        .sum::<usize>()
        + yaml(&pipeline.pipeline.name)
        + yaml(&pipeline.pipeline.owner)
        + 200;
    120_000
        + 40 * texts(document)
        + resources * tags
        + 8_000 * pipeline.hudi.tables.len()
        + 800 * pipeline.kafka.topics.len()
        + 1_500 * pipeline.monitoring.alarms.len()
        + 3_000 * pipeline.network.subnets.len()
        + 5_000 * pipeline.kms.keys.len()
        + 1_500 * pipeline.secrets.len()
}

/// Resources of a rendered template: the keys indented two spaces below `Resources:`.
pub fn count_resources(template: &str) -> usize {
    let mut inside = false;
    let mut count = 0;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.is_empty() && !line.starts_with('#') {
            inside = line == "Resources:";
            continue;
        }
        if inside
            && line.len() > 3
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && !line.trim_start().starts_with('#')
            && line.ends_with(':')
        {
            count += 1;
        }
    }
    count
}

fn non_whitespace(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// One statement's characters as IAM stores it.
fn statement_size(pipeline: &Pipeline, need: &access::Need) -> usize {
    let resources: usize = need
        .resources
        .iter()
        .map(|r| resolved_len(pipeline, r) + 3)
        .sum();
    let actions: usize = need.actions.iter().map(|a| a.len() + 3).sum();
    let condition = need.condition.as_ref().map_or(0, |(op, key, value)| {
        op.len() + key.len() + value.to_string().len() + 12
    });
    // {"Sid":"…","Effect":"Allow","Action":[…],"Resource":[…]}
    need.sid.len() + 48 + actions + resources + condition
}

/// The length of an expression once CloudFormation resolved it, at most.
fn resolved_len(pipeline: &Pipeline, expr: &Expr) -> usize {
    let region = pipeline.pipeline.region.len();
    // arn:aws-us-gov:<service>:<region>:<account>:
    let arn = |service: usize| 4 + 11 + service + 1 + region + 1 + 13;
    expr.0
        .iter()
        .map(|part| match part {
            Part::Text(t) => t.chars().count(),
            Part::Partition => "aws-us-gov".len(),
            Part::Region => region,
            Part::Account => 12,
            Part::MskClusterPath => pipeline.kafka.cluster_name.len() + 1 + 38,
            Part::Ref(id) if id == "MskCluster" => {
                arn(5) + "cluster/".len() + pipeline.kafka.cluster_name.len() + 39
            }
            // A bucket's Ref is its name (at most 63 characters).
            Part::Ref(id) if id.ends_with("Bucket") || id.starts_with("LogBucket") => 63,
            // A secret's ARN: its name and six random characters.
            Part::Ref(id) => {
                let name = pipeline
                    .secrets
                    .iter()
                    .find(|s| crate::facts::logical_id("Secret", &s.name) == *id)
                    .map_or(512, |s| s.name.len());
                arn(14) + "secret:".len() + name + 7
            }
            // Key and log-group ARNs (the log groups are `/pipegen/<name>/<what>`).
            Part::Att(id, _) if id.starts_with("Key") => arn(3) + "key/".len() + 36,
            Part::Att(_, _) => arn(4) + "log-group:".len() + pipeline.pipeline.name.len() + 40,
        })
        .sum()
}
