//! The pipeline's name, region and tags.

use super::prelude::*;

/// CFX-030: Pipeline name, region and tags are valid.
pub static CFX_030: Builtin = Builtin {
    id: "CFX-030",
    stage: Stage::Consistency,
    title: "Pipeline name, region and tags are valid",
    severities: ERROR,
    why: "resource names and tags are rejected",
    fix: "Use a pipeline name of lowercase letters, digits and `-` that fits in bucket names, a region pipegen knows, and tags AWS accepts.",
    example: Some(Example {
        fails: r#"
[pipeline]
region = "us-east-9"
[network]
availability_zones = ["us-east-9a", "us-east-9b"]
subnets = [
  { name = "a", cidr = "10.0.1.0/24", az = "us-east-9a", tier = "private" },
  { name = "b", cidr = "10.0.2.0/24", az = "us-east-9b", tier = "private" },
]
"#,
        passes: r#"
[pipeline]
region = "eu-west-1"
tags = { Project = "DataPipeline", CostCenter = "Engineering" }
[network]
availability_zones = ["eu-west-1a", "eu-west-1b"]
subnets = [
  { name = "a", cidr = "10.0.1.0/24", az = "eu-west-1a", tier = "private" },
  { name = "b", cidr = "10.0.2.0/24", az = "eu-west-1b", tier = "private" },
]
[storage]
versioning = true
[storage.replication]
destination_bucket = "minimal-pipeline-replica"
destination_region = "eu-central-1"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_030];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    identity(pipeline, ctx, out);
}

// CFX-030
fn identity(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let id = &pipeline.pipeline;
    if !crate::model::Identity::name_is_valid(&id.name) {
        out.push(
            Finding::error(
                &CFX_030,
                p("pipeline.name"),
                format!(
                    "pipeline name {:?} cannot be used in resource names",
                    id.name
                ),
            )
            .with_help(crate::model::Identity::NAME_RULE),
        );
    }
    if !aws::REGIONS.contains(&id.region.as_str()) {
        let help = match suggest::closest(&id.region, aws::REGIONS.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "use a region code such as us-east-1".to_owned(),
        };
        out.push(
            Finding::error(
                &CFX_030,
                p("pipeline.region"),
                format!("`{}` is not an AWS region", id.region),
            )
            .with_help(help),
        );
    }
    if let Some(replication) = &pipeline.storage.replication {
        if !aws::REGIONS.contains(&replication.destination_region.as_str()) {
            out.push(Finding::error(
                &CFX_030,
                p("storage.replication.destination_region"),
                format!("`{}` is not an AWS region", replication.destination_region),
            ));
        } else if replication.destination_region == id.region {
            out.push(
                Finding::error(
                    &CFX_030,
                    p("storage.replication.destination_region"),
                    "cross-region replication targets the pipeline's own region",
                )
                .with_help("choose another region so a regional outage does not take both copies"),
            );
        }
    }
    for (key, value) in &id.tags {
        let at = p("pipeline.tags").key(key);
        if key.is_empty() || key.chars().count() > 128 || key.starts_with("aws:") {
            out.push(
                Finding::error(
                    &CFX_030,
                    at.clone(),
                    format!("tag key {key:?} is not allowed"),
                )
                .at_key(at.clone())
                .with_help("tag keys are 1–128 characters and may not start with `aws:`"),
            );
        }
        if value.chars().count() > 256 {
            out.push(Finding::error(
                &CFX_030,
                at,
                format!("the value of tag `{key}` is longer than 256 characters"),
            ));
        }
    }
}
