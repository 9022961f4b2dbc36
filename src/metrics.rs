//! The CloudWatch metrics alarms and dashboard panels may query, with the exact dimension sets
//! their publishers send: `data/metrics.toml` (MSK and EMR from their documentation, the
//! streaming job's from `docs/job-contract.md`). A query whose dimensions match no published
//! set matches nothing; [`query`] says how pipegen makes a declared alarm match one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Alarm, EnhancedMonitoring, Pipeline};

const METRICS: &str = include_str!(concat!(env!("OUT_DIR"), "/metrics.json"));

/// The dimension MSK publishes per-broker metrics with; pipegen sums over it.
pub const BROKER_ID: &str = "Broker ID";
/// The dimension of MSK cluster metrics.
pub const CLUSTER_NAME: &str = "Cluster Name";
/// The dimension of EMR cluster metrics: the cluster id, known once the stack has made it.
pub const JOB_FLOW_ID: &str = "JobFlowId";
/// MSK's namespace.
pub const MSK: &str = "AWS/Kafka";
/// EMR's namespace.
pub const EMR: &str = "AWS/ElasticMapReduce";

/// The table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// AWS metrics with their published dimension sets.
    pub metric: Vec<Metric>,
    /// The streaming job's metrics, in the pipeline's namespace.
    pub job_metric: Vec<JobMetric>,
}

/// One published (metric, dimension set).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// The namespace.
    pub namespace: String,
    /// The metric name.
    pub name: String,
    /// The dimension names it is published with, all of them.
    pub dimensions: Vec<String>,
    /// For MSK: the `enhanced_monitoring` level from which it is published.
    pub level: Option<EnhancedMonitoring>,
    /// Which source of the file's header documents it.
    pub source: String,
}

/// A metric the streaming job publishes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobMetric {
    /// The metric name.
    pub name: String,
    /// Its CloudWatch unit.
    pub unit: String,
}

/// The metric table.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(METRICS)
            .expect("data/metrics.toml has the table's shape (tests/metrics.rs)")
    })
}

/// The rows of one metric.
pub fn published<'a>(
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'static Metric> + 'a {
    table()
        .metric
        .iter()
        .filter(move |m| m.namespace == namespace && m.name == name)
}

/// How a query reaches a published metric.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The metric with the alarm's own dimensions (and, on EMR, the cluster's id added).
    Direct {
        /// Add `JobFlowId` = the cluster's id.
        job_flow: bool,
    },
    /// A per-broker metric over the whole cluster: the sum of one query per broker id.
    SumOverBrokers {
        /// The broker ids, 1..=broker_count.
        brokers: Vec<u32>,
    },
}

/// Why a query can match no published metric.
#[derive(Debug, Clone, PartialEq)]
pub enum Mismatch {
    /// Not a metric of the namespace pipegen knows.
    Unknown,
    /// The dimensions match none of the published sets.
    Dimensions(Vec<Vec<String>>),
    /// Published only from a higher monitoring level.
    Level(EnhancedMonitoring),
    /// The streaming job does not publish it.
    NotPublished,
}

/// How the query of `metric` in `namespace` with `dimensions` (names) reaches published data,
/// or why it cannot. Namespaces pipegen knows nothing of are taken as given.
pub fn query(
    pipeline: &Pipeline,
    namespace: &str,
    metric: &str,
    dimensions: &[&str],
) -> Result<Query, Mismatch> {
    if namespace == crate::facts::metrics_namespace(pipeline) {
        // The rendered job publishes its metrics with every dimension set its alarms use.
        if crate::facts::rendered_job(pipeline)
            && !table().job_metric.iter().any(|m| m.name == metric)
        {
            return Err(Mismatch::NotPublished);
        }
        return Ok(Query::Direct { job_flow: false });
    }
    if namespace != MSK && namespace != EMR {
        return Ok(Query::Direct { job_flow: false });
    }
    let rows: Vec<&Metric> = published(namespace, metric).collect();
    if rows.is_empty() {
        return Err(Mismatch::Unknown);
    }
    let mut given: Vec<&str> = dimensions.to_vec();
    given.sort_unstable();
    let same = |row: &Metric, extra: &[&str]| {
        let mut want: Vec<&str> = row.dimensions.iter().map(String::as_str).collect();
        want.sort_unstable();
        let mut have = given.clone();
        have.extend_from_slice(extra);
        have.sort_unstable();
        want == have
    };
    let level = pipeline.kafka.enhanced_monitoring;
    let mut too_high = None;
    for row in &rows {
        let (found, expanded) = if same(row, &[]) {
            (true, Query::Direct { job_flow: false })
        } else if namespace == EMR && same(row, &[JOB_FLOW_ID]) {
            (true, Query::Direct { job_flow: true })
        } else if namespace == MSK && same(row, &[BROKER_ID]) {
            let brokers = (1..=pipeline.kafka.broker_count.get()).collect();
            (true, Query::SumOverBrokers { brokers })
        } else {
            (false, Query::Direct { job_flow: false })
        };
        if !found {
            continue;
        }
        match row.level {
            Some(needed) if needed > level => too_high = Some(needed),
            _ => return Ok(expanded),
        }
    }
    if let Some(needed) = too_high {
        return Err(Mismatch::Level(needed));
    }
    Err(Mismatch::Dimensions(
        rows.iter().map(|r| r.dimensions.clone()).collect(),
    ))
}

/// [`query`] for a declared alarm.
pub fn alarm_query(pipeline: &Pipeline, alarm: &Alarm) -> Result<Query, Mismatch> {
    let namespace = alarm
        .namespace
        .clone()
        .unwrap_or_else(|| crate::facts::metrics_namespace(pipeline));
    let names: Vec<&str> = alarm.dimensions.keys().map(String::as_str).collect();
    query(pipeline, &namespace, &alarm.metric, &names)
}

/// The job metrics' units, by name.
pub fn job_units() -> BTreeMap<String, String> {
    table()
        .job_metric
        .iter()
        .map(|m| (m.name.clone(), m.unit.clone()))
        .collect()
}
