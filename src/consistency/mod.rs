//! Stage 3: cross-field consistency. These are correctness errors, not policy: a pipeline
//! that fails one cannot be deployed or cannot work, so they are never waivable.
//!
//! One module per check or small family. Each declares its codes as [`Builtin`]s beside the
//! code that reports them (title, severities, why, fix, a failing and a passing example), its
//! `CODES` and a `run`; [`MODULES`] is the one registry. Each example is run by
//! `tests/consistency.rs`, with the further cases in `tests/cases/consistency.toml`.

mod alarms;
mod auth;
mod buckets;
mod budget;
mod emr;
mod hudi;
mod identity;
mod job;
mod kafka;
mod lifecycle;
mod locations;
mod logical_ids;
mod names;
mod network;
mod prerequisites;
mod quotas;
mod references;
mod settings;
mod versions;

pub use buckets::bucket_name_problem;
pub use kafka::topic_name_problem;
pub use locations::s3_uri_problem;

use crate::code::Builtin;
use crate::diagnostic::Finding;
use crate::model::Pipeline;

/// What every check module imports.
mod prelude {
    pub(super) use std::collections::BTreeMap;

    pub(super) use ipnet::IpNet;

    pub(super) use super::names::Names;
    pub(super) use super::{Context, p};
    pub(super) use crate::aws;
    pub(super) use crate::code::{Builtin, ERROR, Example, Stage};
    pub(super) use crate::diagnostic::{Finding, Severity};
    pub(super) use crate::facts;
    pub(super) use crate::model::{
        ClientBroker, Pipeline, SaslMechanism, SecretPurpose, SecurityProtocol, SseAlgorithm,
        StorageClass, SubnetTier, TableType,
    };
    pub(super) use crate::path::KeyPath;
    pub(super) use crate::suggest;
}

/// What a consistency check needs beyond the pipeline.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today's date, for end-of-support checks.
    pub today: jiff::civil::Date,
    /// The model as JSON (the pipeline after defaults).
    pub document: &'a serde_json::Value,
}

type Run = fn(&Pipeline, &Context, &mut Vec<Finding>);

/// The registry: each module's codes and the function that checks them, in report order.
/// The CloudFormation and IAM limits (CFX-037) have no function here: they measure the render,
/// which only a pipeline clean of errors has, so `lib.rs` runs them after everything else.
const MODULES: &[(&[&Builtin], Option<Run>)] = &[
    (kafka::CODES, Some(kafka::run)),
    (network::CODES, Some(network::run)),
    (buckets::CODES, Some(buckets::run)),
    (versions::CODES, Some(versions::run)),
    (auth::CODES, Some(auth::run)),
    (hudi::CODES, Some(hudi::run)),
    (budget::CODES, Some(budget::run)),
    (references::CODES, Some(references::run)),
    (locations::CODES, Some(locations::run)),
    (alarms::CODES, Some(alarms::run)),
    (emr::CODES, Some(emr::run)),
    (job::CODES, Some(job::run)),
    (identity::CODES, Some(identity::run)),
    (settings::CODES, Some(settings::run)),
    (lifecycle::CODES, Some(lifecycle::run)),
    (quotas::CODES, Some(quotas::run)),
    (prerequisites::CODES, Some(prerequisites::run)),
    (logical_ids::CODES, Some(logical_ids::run)),
    (crate::constraints::CODES, Some(crate::constraints::run)),
    (crate::limits::CODES, None),
];

/// Every consistency check's code.
pub fn codes() -> impl Iterator<Item = &'static Builtin> {
    MODULES.iter().flat_map(|(codes, _)| codes.iter().copied())
}

fn p(dotted: &str) -> crate::path::KeyPath {
    crate::path::KeyPath::parse_dotted(dotted).expect("a valid built-in path")
}

/// Runs every consistency check.
pub fn check(pipeline: &Pipeline, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for run in MODULES.iter().filter_map(|(_, run)| *run) {
        run(pipeline, ctx, &mut out);
    }
    out
}
