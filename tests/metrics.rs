//! Monitoring that receives data: every rendered alarm (CloudFormation and create-alarms.sh)
//! and every dashboard panel queries a metric of `data/metrics.toml` with exactly a dimension
//! set its publisher sends, at the cluster's monitoring level.

mod common;

use std::collections::BTreeSet;

use pipegen::metrics::{self, BROKER_ID, EMR, JOB_FLOW_ID};
use pipegen::model::Pipeline;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

/// The template as JSON (a short-form tag such as `!Ref X` reads as its scalar, `X`).
fn template_json(text: &str) -> Value {
    fn convert(yaml: &Yaml) -> Value {
        match yaml {
            Yaml::Hash(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), convert(v)))
                    .collect(),
            ),
            Yaml::Array(items) => Value::Array(items.iter().map(convert).collect()),
            Yaml::String(s) | Yaml::Real(s) => Value::String(s.clone()),
            Yaml::Integer(i) => Value::from(*i),
            Yaml::Boolean(b) => Value::Bool(*b),
            _ => Value::Null,
        }
    }
    convert(&YamlLoader::load_from_str(text).unwrap()[0])
}

fn rendered(patch: &str) -> (Pipeline, Vec<pipegen::render::Artifact>) {
    let check = common::check_patched("production.toml", patch);
    let errors: Vec<String> = check
        .findings
        .iter()
        .filter(|f| f.severity == pipegen::diagnostic::Severity::Error)
        .map(|f| format!("{} {}", f.code, f.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let pipeline = check.model.clone().expect("the pipeline builds");
    let input = check.source.as_deref().unwrap();
    let files = pipegen::render::render(&pipeline, "patched.toml", input.as_bytes(), None)
        .expect("renders");
    (pipeline, files)
}

fn file<'a>(files: &'a [pipegen::render::Artifact], path: &str) -> &'a str {
    &files.iter().find(|a| a.path == path).expect(path).content
}

/// Whether `metric` in `namespace` is published with exactly `dimensions` (or, for a search,
/// with at least them) at the pipeline's level.
fn published(
    pipeline: &Pipeline,
    namespace: &str,
    metric: &str,
    dimensions: &BTreeSet<String>,
    exact: bool,
) -> bool {
    if namespace == pipegen::facts::metrics_namespace(pipeline) {
        return metrics::table().job_metric.iter().any(|m| m.name == metric);
    }
    metrics::published(namespace, metric).any(|row| {
        let sent: BTreeSet<String> = row.dimensions.iter().cloned().collect();
        let level_ok = row
            .level
            .is_none_or(|l| l <= pipeline.kafka.enhanced_monitoring);
        level_ok
            && if exact {
                sent == *dimensions
            } else {
                dimensions.is_subset(&sent)
            }
    })
}

fn names(dimensions: &Value) -> BTreeSet<String> {
    dimensions
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| d["Name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A query's (namespace, metric, dimension names).
type Read = (String, String, BTreeSet<String>);

/// Each alarm of the template: its name and the queries it reads.
fn template_alarms(template: &str) -> Vec<(String, Vec<Read>)> {
    let template = template_json(template);
    let mut out = Vec::new();
    for resource in template["Resources"].as_object().unwrap().values() {
        if resource["Type"] != "AWS::CloudWatch::Alarm" {
            continue;
        }
        let p = &resource["Properties"];
        let name = p["AlarmName"].as_str().unwrap().to_owned();
        let reads = match p["Metrics"].as_array() {
            Some(queries) => queries
                .iter()
                .filter_map(|q| q.get("MetricStat"))
                .map(|stat| {
                    let m = &stat["Metric"];
                    (
                        m["Namespace"].as_str().unwrap().to_owned(),
                        m["MetricName"].as_str().unwrap().to_owned(),
                        names(&m["Dimensions"]),
                    )
                })
                .collect(),
            None => vec![(
                p["Namespace"].as_str().unwrap().to_owned(),
                p["MetricName"].as_str().unwrap().to_owned(),
                names(&p["Dimensions"]),
            )],
        };
        out.push((name, reads));
    }
    out
}

fn assert_all_published(pipeline: &Pipeline, files: &[pipegen::render::Artifact]) {
    let alarms = template_alarms(file(files, "cloudformation/pipeline.yaml"));
    assert_eq!(alarms.len(), pipeline.monitoring.alarms.len());
    for (name, reads) in &alarms {
        assert!(!reads.is_empty(), "{name}");
        for (namespace, metric, dimensions) in reads {
            assert!(
                published(pipeline, namespace, metric, dimensions, true),
                "alarm {name}: {namespace} {metric} {dimensions:?} is not published"
            );
        }
    }
    let dashboard: Value =
        serde_json::from_str(file(files, "monitoring/grafana-dashboard.json")).unwrap();
    let mut targets = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let namespace = target["namespace"].as_str().unwrap();
            let metric = target["metricName"].as_str().unwrap();
            let dimensions: BTreeSet<String> = target["dimensions"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            let exact = target["matchExact"].as_bool().unwrap();
            assert!(
                published(pipeline, namespace, metric, &dimensions, exact),
                "panel {}: {namespace} {metric} {dimensions:?} (exact: {exact}) is not published",
                panel["title"]
            );
            if namespace == EMR {
                assert_eq!(target["dimensions"][JOB_FLOW_ID], "$emr_cluster");
                assert_eq!(target["period"], "300", "EMR publishes every five minutes");
            }
            targets += 1;
        }
    }
    assert!(targets >= 10, "{targets} dashboard targets");
}

#[test]
fn production_alarms_and_panels_query_published_metrics() {
    let (pipeline, files) = rendered("");
    assert_all_published(&pipeline, &files);
    // UnderReplicatedPartitions is per broker: the alarm sums one query per broker.
    let alarms = template_alarms(file(&files, "cloudformation/pipeline.yaml"));
    let (_, reads) = alarms
        .iter()
        .find(|(name, _)| name == "data-pipeline-under-replicated-partitions")
        .unwrap();
    assert_eq!(reads.len(), pipeline.kafka.broker_count.get() as usize);
    assert!(reads.iter().all(|(_, _, d)| d.contains(BROKER_ID)));
}

#[test]
fn emr_and_per_broker_alarms_are_completed_to_a_published_set() {
    let (pipeline, files) = rendered(
        r#"
[[monitoring.alarms]]
[[monitoring.alarms]]
[[monitoring.alarms]]
[[monitoring.alarms]]
[[monitoring.alarms]]
[[monitoring.alarms]]
name = "yarn-memory"
metric = "YARNMemoryAvailablePercentage"
namespace = "AWS/ElasticMapReduce"
statistic = "Average"
period = 300
threshold = 10
comparison = "LessThanThreshold"
evaluation_periods = 2
[[monitoring.alarms]]
name = "broker-cpu"
metric = "CpuUser"
namespace = "AWS/Kafka"
statistic = "Average"
period = 300
threshold = 80
comparison = "GreaterThanThreshold"
evaluation_periods = 2
dimensions = { "Cluster Name" = "data-pipeline-prod" }
"#,
    );
    assert_all_published(&pipeline, &files);
    let template = file(&files, "cloudformation/pipeline.yaml");
    let template = template_json(template);
    let yarn = &template["Resources"]["AlarmYarnMemory"]["Properties"]["Dimensions"];
    assert_eq!(yarn[0]["Name"], JOB_FLOW_ID);
    assert_eq!(yarn[0]["Value"], "EmrCluster");
    assert!(
        file(&files, "cloudformation/pipeline.yaml").contains("Value: !Ref EmrCluster"),
        "the JobFlowId is the cluster's Ref"
    );
    // create-alarms.sh asks for the cluster id and sums the broker queries too.
    let script = file(&files, "monitoring/create-alarms.sh");
    assert!(script.contains("EMR_CLUSTER_ID"), "{script}");
    assert!(script.contains("--metrics="), "{script}");
}
