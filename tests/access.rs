//! The access-needs model against the rendered IAM policies, judged by an independent
//! evaluator: `tests/oracles/iam_oracle.py` resolves the template's intrinsics with a fixed
//! account and region and asks moto's IAM policy evaluator (with moto's copies of the AWS
//! managed policies the roles attach) whether each need is allowed; it also reports actions
//! granted beyond the needs, actions or ARNs policy_sentry does not know, and parliament's
//! findings. Every need must be allowed, every canary below denied, nothing else granted.

mod common;

use common::tool;
use serde_json::{Value, json};

/// A need's resource made concrete: a trailing `*` becomes an object name.
fn sample(resource: &Value) -> Value {
    fn concrete(text: &str) -> String {
        match text.strip_suffix('*') {
            Some(stem) if !stem.is_empty() => format!("{stem}pipegen-sample"),
            _ => text.to_owned(),
        }
    }
    match resource {
        Value::String(s) => json!(concrete(s)),
        Value::Object(map) if map.contains_key("Fn::Sub") => match &map["Fn::Sub"] {
            Value::String(s) => json!({ "Fn::Sub": concrete(s) }),
            Value::Array(parts) => {
                json!({ "Fn::Sub": [concrete(parts[0].as_str().unwrap()), parts[1]] })
            }
            other => panic!("unexpected Fn::Sub {other}"),
        },
        other => other.clone(),
    }
}

/// Things no role may do, whatever the pipeline: the oracle must deny each.
fn canaries() -> Vec<Value> {
    let topic = |name: &str| {
        json!({ "Fn::Sub": [
            format!("arn:${{AWS::Partition}}:kafka:${{AWS::Region}}:${{AWS::AccountId}}:topic/${{MskClusterPath}}/{name}"),
            { "MskClusterPath": { "Fn::Select": [1, { "Fn::Split": [":cluster/", { "Ref": "MskCluster" }] }] } }
        ] })
    };
    vec![
        json!({"principal": "EmrInstanceRole", "action": "s3:GetObject",
               "resource": "arn:aws:s3:::someone-elses-bucket/data.parquet", "why": "another bucket"}),
        json!({"principal": "EmrInstanceRole", "action": "s3:PutObject",
               "resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${LakeBucket}/outside/x"},
               "why": "a prefix of the lake the job does not own"}),
        json!({"principal": "EmrInstanceRole", "action": "s3:DeleteBucket",
               "resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${LakeBucket}"}, "why": "bucket admin"}),
        json!({"principal": "EmrInstanceRole", "action": "kafka-cluster:ReadData",
               "resource": topic("not-a-source-topic"), "why": "a topic no table reads"}),
        json!({"principal": "EmrInstanceRole", "action": "kafka-cluster:WriteData",
               "resource": topic("user_events"), "why": "the job only reads"}),
        json!({"principal": "EmrInstanceRole", "action": "kafka-cluster:CreateTopic",
               "resource": topic("not-a-pipeline-topic"), "why": "the job creates the pipeline's topics only"}),
        json!({"principal": "ProducerPolicy", "action": "kafka-cluster:ReadData",
               "resource": topic("user_events"), "why": "producers only write"}),
        json!({"principal": "ProducerPolicy", "action": "kafka-cluster:WriteData",
               "resource": topic("not-a-pipeline-topic"), "why": "producers write the pipeline's topics only"}),
        json!({"principal": "EmrInstanceRole", "action": "cloudwatch:PutMetricData",
               "resource": "*", "context": {"cloudwatch:namespace": "AWS/EC2"},
               "why": "another namespace"}),
        json!({"principal": "EmrInstanceRole", "action": "iam:PassRole",
               "resource": {"Fn::GetAtt": ["EmrInstanceRole", "Arn"]}, "why": "the job passes no role"}),
        json!({"principal": "EmrServiceRole", "action": "iam:PassRole",
               "resource": {"Fn::GetAtt": ["EmrInstanceRole", "Arn"]},
               "context": {"iam:PassedToService": "lambda.amazonaws.com"},
               "why": "the instance role goes to EC2 only"}),
    ]
    .into_iter()
    .map(|mut canary| {
        canary["expect"] = json!("DENIED");
        canary
    })
    .collect()
}

#[test]
fn every_need_is_allowed_and_nothing_else() {
    let check = common::check_example("production.toml");
    let pipeline = check.model.as_ref().expect("production.toml has a model");
    let artifacts = pipegen::render::render(pipeline, "production.toml", b"", None).unwrap();
    let template = artifacts
        .iter()
        .find(|a| a.path == "cloudformation/pipeline.yaml")
        .unwrap();
    let mut needs = Vec::new();
    for need in pipegen::access::needs(pipeline) {
        let context = need
            .condition
            .as_ref()
            .map(|(_, key, value)| json!({ *key: value }))
            .unwrap_or_else(|| json!({}));
        for action in &need.actions {
            for resource in &need.resources {
                needs.push(json!({
                    "principal": need.role.logical_id(),
                    "action": action,
                    "resource": sample(&resource.cfn()),
                    "context": context,
                    "why": need.why,
                }));
            }
        }
    }
    let count = needs.len();
    needs.extend(canaries());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pipeline.yaml"), &template.content).unwrap();
    let spec = json!({
        "account": "123456789012", "region": pipeline.pipeline.region, "partition": "aws",
        // What deploy.sh passes: the replica stack's key (tests/deploy.rs).
        "parameters": {
            "ReplicaKmsKeyArn": "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        // Cross-region replication writes to the destination region, by design.
        "other_regions": pipeline.storage.replication.iter().map(|r| r.destination_region.clone()).collect::<Vec<_>>(),
        "needs": needs,
        "allowlist": { "parliament": [] },
    });
    std::fs::write(dir.path().join("needs.json"), spec.to_string()).unwrap();
    let output = std::process::Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
        .arg(common::root().join("tests/oracles/iam_oracle.py"))
        .arg(dir.path().join("pipeline.yaml"))
        .arg(dir.path().join("needs.json"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the oracle printed no report ({e}):\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let failed: Vec<&Value> = report["needs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["pass"] != json!(true))
        .collect();
    assert!(
        report["ok"] == json!(true),
        "IAM oracle: failed needs {failed:#?}\nexcess {:#}\npolicy_sentry {:#}\nparliament {:#}",
        report["excess"],
        report["policy_sentry"],
        report["parliament"]
    );
    assert!(count >= 40, "only {count} needs: the model lost some");
    // The verdicts, one line per principal and action (run with --nocapture to read them).
    let mut verdicts = std::collections::BTreeMap::<(String, String), Vec<String>>::new();
    for n in report["needs"].as_array().unwrap() {
        let key = (n["principal"].to_string(), n["action"].to_string());
        verdicts
            .entry(key)
            .or_default()
            .push(match n["expect"].as_str() {
                Some("DENIED") => format!("canary {} ({})", n["verdict"], n["engine"]),
                _ => format!("{} ({})", n["verdict"], n["engine"]),
            });
    }
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    for ((principal, action), list) in &verdicts {
        let mut distinct = list.clone();
        distinct.sort();
        distinct.dedup();
        writeln!(
            err,
            "{principal} {action} x{}: {}",
            list.len(),
            distinct.join(", ")
        )
        .unwrap();
    }
    writeln!(
        err,
        "access: {count} needs and {} canaries, all as expected; excess 0, policy_sentry 0, parliament {} finding(s), all allowlisted",
        report["needs"].as_array().unwrap().len() - count,
        report["parliament"].as_array().map_or(0, Vec::len)
    )
    .unwrap();
}
