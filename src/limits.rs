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
use crate::code::{Builtin, ERROR, Example, Stage};
use crate::diagnostic::Finding;
use crate::model::Pipeline;
use crate::path::KeyPath;

/// CFX-037: The render fits CloudFormation's and IAM's limits: template size, resources per stack, policy size per role.
pub static CFX_037: Builtin = Builtin {
    id: "CFX-037",
    stage: Stage::Consistency,
    title: "The render fits CloudFormation's and IAM's limits: template size, resources per stack, policy size per role",
    severities: ERROR,
    why: "the stack is rejected before it starts, or the role cannot be created",
    fix: "Reduce what the finding counts (statements, resources, template bytes) below the limit it names.",
    example: Some(Example {
        fails: r#"
[[iam.statements]]
sid = "ManyPrefixes"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::minimal-pipeline-lake/reference/part-0000/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0001/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0002/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0003/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0004/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0005/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0006/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0007/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0008/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0009/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0010/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0011/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0012/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0013/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0014/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0015/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0016/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0017/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0018/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0019/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0020/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0021/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0022/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0023/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0024/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0025/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0026/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0027/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0028/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0029/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0030/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0031/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0032/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0033/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0034/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0035/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0036/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0037/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0038/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0039/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0040/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0041/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0042/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0043/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0044/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0045/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0046/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0047/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0048/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0049/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0050/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0051/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0052/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0053/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0054/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0055/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0056/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0057/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0058/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0059/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0060/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0061/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0062/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0063/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0064/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0065/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0066/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0067/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0068/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0069/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0070/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0071/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0072/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0073/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0074/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0075/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0076/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0077/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0078/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0079/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0080/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0081/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0082/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0083/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0084/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0085/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0086/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0087/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0088/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0089/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0090/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0091/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0092/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0093/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0094/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0095/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0096/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0097/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0098/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0099/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0100/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0101/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0102/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0103/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0104/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0105/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0106/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0107/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0108/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0109/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0110/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0111/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0112/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0113/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0114/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0115/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0116/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0117/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0118/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0119/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0120/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0121/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0122/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0123/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0124/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0125/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0126/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0127/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0128/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0129/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0130/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0131/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0132/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0133/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0134/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0135/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0136/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0137/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0138/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0139/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0140/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0141/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0142/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0143/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0144/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0145/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0146/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0147/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0148/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0149/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0150/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0151/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0152/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0153/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0154/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0155/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0156/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0157/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0158/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0159/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0160/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0161/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0162/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0163/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0164/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0165/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0166/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0167/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0168/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0169/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0170/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0171/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0172/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0173/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0174/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0175/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0176/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0177/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0178/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0179/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0180/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0181/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0182/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0183/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0184/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0185/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0186/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0187/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0188/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0189/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0190/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0191/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0192/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0193/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0194/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0195/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0196/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0197/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0198/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0199/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0200/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0201/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0202/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0203/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0204/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0205/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0206/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0207/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0208/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0209/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0210/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0211/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0212/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0213/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0214/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0215/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0216/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0217/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0218/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0219/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0220/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0221/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0222/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0223/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0224/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0225/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0226/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0227/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0228/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0229/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0230/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0231/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0232/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0233/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0234/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0235/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0236/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0237/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0238/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0239/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0240/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0241/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0242/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0243/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0244/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0245/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0246/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0247/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0248/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0249/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0250/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0251/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0252/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0253/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0254/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0255/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0256/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0257/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0258/*", "arn:aws:s3:::minimal-pipeline-lake/reference/part-0259/*"]
"#,
        passes: r#"
[[iam.statements]]
sid = "FewPrefixes"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::minimal-pipeline-lake/reference/*"]
"#,
    }),
};

/// The codes this module reports.
pub const CODES: &[&Builtin] = &[&CFX_037];

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
                        &CFX_037,
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
                        &CFX_037,
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
            &CFX_037,
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
                    &CFX_037,
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
