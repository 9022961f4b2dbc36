//! Who must do what on which resource: one list, derived from the pipeline. Every IAM
//! statement the render writes for the roles it creates is generated from it, the policies
//! read the EMR instance role's part of it (`facts.iam.statements`), and the tests check the
//! rendered policies against it with an independent evaluator (moto's, with its copies of the
//! AWS managed policies).
//!
//! Each need cites the documentation that makes it necessary.

use serde::Serialize;
use serde_json::{Value, json};

use crate::facts;
use crate::model::{Pipeline, SaslMechanism, SseAlgorithm};
use crate::render::escape::sub_literal;

/// A role the render creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Role {
    /// The role EMR assumes to launch and manage the cluster.
    EmrService,
    /// The role of the EMR nodes: the Spark job runs as it.
    EmrInstance,
    /// The role S3 assumes to replicate the lake to the other region.
    Replication,
    /// The role VPC Flow Logs assumes to write to CloudWatch Logs.
    FlowLogs,
    /// The role CloudTrail assumes to write to CloudWatch Logs.
    TrailLogs,
    /// Not a role: the managed policy producer applications' roles attach, to write to the
    /// pipeline's topics with IAM authentication.
    Producers,
}

impl Role {
    /// Every role, in template order.
    pub const ALL: [Role; 6] = [
        Role::EmrService,
        Role::EmrInstance,
        Role::Replication,
        Role::FlowLogs,
        Role::TrailLogs,
        Role::Producers,
    ];

    /// The role's logical id in the template.
    pub fn logical_id(self) -> &'static str {
        match self {
            Role::EmrService => "EmrServiceRole",
            Role::EmrInstance => "EmrInstanceRole",
            Role::Replication => "ReplicationRole",
            Role::FlowLogs => "FlowLogRole",
            Role::TrailLogs => "TrailLogRole",
            Role::Producers => "ProducerPolicy",
        }
    }
}

/// One piece of a string CloudFormation computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text (from the pipeline or fixed).
    Text(String),
    /// `${AWS::Partition}`.
    Partition,
    /// `${AWS::Region}`.
    Region,
    /// `${AWS::AccountId}`.
    Account,
    /// `Ref` of a resource of the same stack.
    Ref(String),
    /// `Fn::GetAtt` of a resource of the same stack.
    Att(String, &'static str),
    /// The `cluster-name/cluster-uuid` part of the MSK cluster's ARN: topics and consumer
    /// groups are named below it (`topic/cluster-name/cluster-uuid/topic-name`).
    MskClusterPath,
}

/// A string CloudFormation computes from parts: an ARN, an `s3://` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr(pub Vec<Part>);

impl Expr {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Expr(vec![Part::Text(text.into())])
    }

    fn push(mut self, part: Part) -> Self {
        // Adjacent text joins, so a plain string stays a plain string in the template.
        if let (Some(Part::Text(last)), Part::Text(next)) = (self.0.last_mut(), &part) {
            last.push_str(next);
        } else {
            self.0.push(part);
        }
        self
    }

    /// This expression followed by `text`.
    pub fn then(self, text: impl Into<String>) -> Self {
        self.push(Part::Text(text.into()))
    }

    /// This expression followed by `other`.
    pub fn append(self, other: Expr) -> Self {
        other.0.into_iter().fold(self, Expr::push)
    }

    /// The value to write into the template: a string when it is only text, `Ref` or
    /// `Fn::GetAtt` when it is only that, else `Fn::Sub` with every literal `${` escaped (and
    /// the variable map when it needs the MSK cluster path).
    pub fn cfn(&self) -> Value {
        match self.0.as_slice() {
            [Part::Text(t)] => return json!(t),
            [Part::Ref(id)] => return json!({ "Ref": id }),
            [Part::Att(id, att)] => return json!({ "Fn::GetAtt": [id, att] }),
            _ => {}
        }
        let mut template = String::new();
        let mut path = false;
        for part in &self.0 {
            match part {
                Part::Text(t) => template.push_str(&sub_literal(t)),
                Part::Partition => template.push_str("${AWS::Partition}"),
                Part::Region => template.push_str("${AWS::Region}"),
                Part::Account => template.push_str("${AWS::AccountId}"),
                Part::Ref(id) => template.push_str(&format!("${{{id}}}")),
                Part::Att(id, att) => template.push_str(&format!("${{{id}.{att}}}")),
                Part::MskClusterPath => {
                    template.push_str("${MskClusterPath}");
                    path = true;
                }
            }
        }
        if path {
            let split = json!({ "Fn::Split": [":cluster/", { "Ref": "MskCluster" }] });
            json!({ "Fn::Sub": [template, { "MskClusterPath": { "Fn::Select": [1, split] } }] })
        } else {
            json!({ "Fn::Sub": template })
        }
    }

    /// How the policies and reports show it: references as `${…}`, text as it is.
    pub fn display(&self) -> String {
        self.0
            .iter()
            .map(|part| match part {
                Part::Text(t) => t.clone(),
                Part::Partition => "${AWS::Partition}".to_owned(),
                Part::Region => "${AWS::Region}".to_owned(),
                Part::Account => "${AWS::AccountId}".to_owned(),
                Part::Ref(id) => format!("${{{id}}}"),
                Part::Att(id, att) => format!("${{{id}.{att}}}"),
                Part::MskClusterPath => "${MskCluster.Name}/${MskCluster.Uuid}".to_owned(),
            })
            .collect()
    }
}

/// One thing a role must be allowed to do.
#[derive(Debug, Clone)]
pub struct Need {
    /// The role.
    pub role: Role,
    /// The statement id it is written with.
    pub sid: &'static str,
    /// The actions.
    pub actions: Vec<&'static str>,
    /// The resources.
    pub resources: Vec<Expr>,
    /// A condition: operator, key, value.
    pub condition: Option<(&'static str, &'static str, Value)>,
    /// Why, with the documentation that says so.
    pub why: &'static str,
}

fn need(
    role: Role,
    sid: &'static str,
    actions: &[&'static str],
    resources: Vec<Expr>,
    why: &'static str,
) -> Need {
    Need {
        role,
        sid,
        actions: actions.to_vec(),
        resources,
        condition: None,
        why,
    }
}

impl Need {
    fn when(mut self, operator: &'static str, key: &'static str, value: Value) -> Self {
        self.condition = Some((operator, key, value));
        self
    }
}

/// The logical id of a bucket this stack creates, by name.
pub fn stack_bucket(pipeline: &Pipeline, name: &str) -> Option<String> {
    if name == pipeline.storage.bucket {
        return Some("LakeBucket".to_owned());
    }
    if pipeline.audit.cloudtrail && name == trail_bucket(pipeline) {
        return Some("TrailBucket".to_owned());
    }
    log_buckets(pipeline)
        .into_iter()
        .any(|b| b == name)
        .then(|| facts::logical_id("LogBucket", name))
}

/// The CloudTrail bucket's name.
pub fn trail_bucket(pipeline: &Pipeline) -> String {
    pipeline
        .audit
        .bucket
        .clone()
        .unwrap_or_else(|| format!("{}-cloudtrail", pipeline.pipeline.name))
}

/// Buckets that receive logs (S3 access logs, MSK broker logs), created beside the lake.
pub fn log_buckets(pipeline: &Pipeline) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(logging) = &pipeline.storage.access_logging {
        names.push(logging.bucket.clone());
    }
    if let Some(bucket) = &pipeline.kafka.logging.s3_bucket {
        names.push(bucket.clone());
    }
    names.sort();
    names.dedup();
    names.retain(|n| *n != pipeline.storage.bucket);
    names
}

/// A bucket name: `Ref` of the bucket when this stack creates it, else the name.
pub fn bucket(pipeline: &Pipeline, name: &str) -> Expr {
    match stack_bucket(pipeline, name) {
        Some(id) => Expr(vec![Part::Ref(id)]),
        None => Expr::text(name),
    }
}

/// Splits `s3://bucket/prefix` into the bucket and the prefix without slashes at its ends.
pub fn split_s3(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    Some((bucket, prefix.trim_matches('/')))
}

/// An `s3://` URI, its bucket a reference when this stack creates it.
pub fn s3_uri(pipeline: &Pipeline, uri: &str) -> Expr {
    match split_s3(uri) {
        Some((name, _)) if stack_bucket(pipeline, name).is_some() => {
            let rest = &uri["s3://".len() + name.len()..];
            Expr::text("s3://")
                .push(bucket(pipeline, name).0.remove(0))
                .then(rest)
        }
        _ => Expr::text(uri),
    }
}

/// The key replicas are encrypted with: the ARN given, or the main template's parameter that
/// takes the replica stack's key ([`facts::replica_key`]).
pub fn replica_key(pipeline: &Pipeline) -> Option<Expr> {
    Some(match facts::replica_key(pipeline)? {
        facts::ReplicaKey::Given(arn) => Expr::text(arn),
        facts::ReplicaKey::Created => Expr(vec![Part::Ref(facts::REPLICA_KEY_PARAMETER.into())]),
    })
}

/// The replication destination bucket's ARN.
pub fn replication_destination(pipeline: &Pipeline) -> Option<Expr> {
    let r = pipeline.storage.replication.as_ref()?;
    Some(s3_arn(pipeline, &r.destination_bucket, ""))
}

/// The ARN of a bucket (`suffix` empty) or of objects in it (`suffix` = `/prefix/*`).
fn s3_arn(pipeline: &Pipeline, name: &str, suffix: &str) -> Expr {
    let mut arn = Expr(vec![Part::Text("arn:".into()), Part::Partition]).then(":s3:::");
    arn.0.extend(bucket(pipeline, name).0);
    arn.then(suffix)
}

/// The objects below an `s3://bucket/prefix` location.
fn s3_objects(pipeline: &Pipeline, uri: &str) -> Option<Expr> {
    let (name, prefix) = split_s3(uri)?;
    let suffix = if prefix.is_empty() {
        "/*".to_owned()
    } else {
        format!("/{prefix}/*")
    };
    Some(s3_arn(pipeline, name, &suffix))
}

/// A KMS key: `Fn::GetAtt …Arn` of a key this stack creates, else the ARN given.
pub fn key_arn(pipeline: &Pipeline, key: &str) -> Expr {
    if pipeline.kms.keys.iter().any(|k| k.name == key) {
        Expr(vec![Part::Att(facts::logical_id("Key", key), "Arn")])
    } else {
        Expr::text(key)
    }
}

/// A secret: `Ref` (its ARN) when this stack creates it, its ARN when declared with one,
/// else every ARN of that name (Secrets Manager appends six random characters).
pub fn secret_arn(pipeline: &Pipeline, name: &str) -> Expr {
    match pipeline.secrets.iter().find(|s| s.name == name) {
        Some(s) if s.arn.is_some() => Expr::text(s.arn.clone().unwrap_or_default()),
        Some(s) => Expr(vec![Part::Ref(facts::logical_id("Secret", &s.name))]),
        None => Expr(vec![Part::Text("arn:".into()), Part::Partition])
            .then(":secretsmanager:")
            .push(Part::Region)
            .then(":")
            .push(Part::Account)
            .then(format!(":secret:{name}-*")),
    }
}

fn kafka_arn(kind: &str, name: &str) -> Expr {
    Expr(vec![Part::Text("arn:".into()), Part::Partition])
        .then(":kafka:")
        .push(Part::Region)
        .then(":")
        .push(Part::Account)
        .then(format!(":{kind}/"))
        .push(Part::MskClusterPath)
        .then(format!("/{name}"))
}

/// The secrets the streaming job reads, by name.
fn job_secrets(pipeline: &Pipeline) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(p) = &pipeline.polaris {
        names.push(p.credential_secret.clone());
    }
    let scram_client = facts::client_listener(&pipeline.kafka)
        .is_some_and(|l| l.mechanism == Some(SaslMechanism::ScramSha512));
    if scram_client {
        names.extend(pipeline.kafka.auth.scram_secrets.iter().cloned());
    }
    if let Some(s) = &pipeline.kafka.client.truststore_password_secret {
        names.push(s.clone());
    }
    names.sort();
    names.dedup();
    names
}

/// Every need of every role the render creates, in a fixed order.
pub fn needs(pipeline: &Pipeline) -> Vec<Need> {
    let mut out = Vec::new();
    emr_service(pipeline, &mut out);
    emr_instance(pipeline, &mut out);
    replication(pipeline, &mut out);
    if pipeline.network.flow_logs {
        out.push(need(Role::FlowLogs, "FlowLogs", &["logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams"], vec![Expr(vec![Part::Att("FlowLogGroup".into(), "Arn")])], "VPC Flow Logs write to the flow-log group (VPC User Guide, \"IAM role for publishing flow logs to CloudWatch Logs\")"));
    }
    producers(pipeline, &mut out);
    if pipeline.audit.cloudtrail && pipeline.audit.cloudwatch_retention_days.is_some() {
        out.push(need(Role::TrailLogs, "TrailToLogs", &["logs:CreateLogStream", "logs:PutLogEvents"], vec![Expr(vec![Part::Att("TrailLogGroup".into(), "Arn")])], "CloudTrail delivers events to the trail's log group (CloudTrail User Guide, \"Role policy document for CloudTrail to use CloudWatch Logs\")"));
    }
    out
}

/// What a producer application needs to write to the pipeline's topics with IAM (the rendered
/// `ProducerPolicy`; `producer.properties` has the client settings): connect, write
/// idempotently (the producer settings' `enable.idempotence`), describe and write each topic
/// (MSK Developer Guide, "IAM access control": cluster and topic resources).
fn producers(pipeline: &Pipeline, out: &mut Vec<Need>) {
    if !pipeline.kafka.auth.iam || pipeline.kafka.topics.is_empty() {
        return;
    }
    let role = Role::Producers;
    out.push(need(role, "ProducerConnect", &["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"], vec![Expr(vec![Part::Ref("MskCluster".into())])], "producers connect with IAM authentication and write idempotently, which is a cluster permission (MSK Developer Guide, \"IAM access control\")"));
    out.push(need(role, "ProducerWrite", &["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"], pipeline.kafka.topics.iter().map(|t| kafka_arn("topic", &t.name)).collect(), "producers write to the pipeline's topics (MSK Developer Guide, \"IAM access control\": topic resources)"));
}

fn emr_service(pipeline: &Pipeline, out: &mut Vec<Need>) {
    out.push(need(Role::EmrService, "PassInstanceRole", &["iam:PassRole"], vec![Expr(vec![Part::Att("EmrInstanceRole".into(), "Arn")])], "EMR passes the instance role to the EC2 nodes it launches; AmazonEMRServicePolicy_v2 allows iam:PassRole only on a role named EMR_EC2_DefaultRole (EMR Management Guide, \"Service role for Amazon EMR\")").when("StringEquals", "iam:PassedToService", json!("ec2.amazonaws.com")));
    if let Some(key) = &pipeline.emr.security_configuration.kms_key
        && pipeline.emr.security_configuration.at_rest_encryption
    {
        out.push(need(Role::EmrService, "EbsEncryptionKey", &["kms:CreateGrant",
                "kms:DescribeKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:Decrypt"], vec![key_arn(pipeline, key)], "EMR encrypts the nodes' EBS volumes with the security configuration's key (EMR Management Guide, \"Encryption options\": the service role must be a key user)"));
    }
}

fn emr_instance(pipeline: &Pipeline, out: &mut Vec<Need>) {
    let role = Role::EmrInstance;
    let artifacts = facts::artifact_bucket(pipeline);
    let mut code = vec![s3_arn(pipeline, &artifacts, "/code/*")];
    let all_jars = pipeline.spark.job.dependencies == crate::model::JobDependencies::Artifacts;
    if all_jars {
        code.push(s3_arn(pipeline, &artifacts, "/jars/*"));
    }
    let mut objects = vec![facts::job_script(pipeline)];
    if facts::polaris_sync(pipeline) {
        // The sync step's Apache XTable bundle (its program and configs are under code/).
        objects.push(facts::xtable_jar(pipeline));
    }
    if pipeline.emr.security_configuration.in_transit_encryption {
        objects.push(facts::tls_certificates(pipeline));
    }
    for uri in objects {
        if let Some((name, key)) = split_s3(&uri)
            && !(name == artifacts
                && (key.starts_with("code/") || (all_jars && key.starts_with("jars/"))))
        {
            code.push(s3_arn(pipeline, name, &format!("/{key}")));
        }
    }
    code.dedup();
    out.push(need(role, "ReadArtifacts", &["s3:GetObject"], code, "the nodes read the job code, its staged jars, the Polaris sync step's XTable bundle and the in-transit encryption certificates from the artifact bucket (EMR Management Guide, \"Providing certificates for encrypting data in transit\")"));
    let data: Vec<Expr> = [
        facts::hudi_base_path(pipeline),
        facts::checkpoint_location(pipeline),
    ]
    .iter()
    .filter_map(|uri| s3_objects(pipeline, uri))
    .collect();
    out.push(need(role, "LakeReadWrite", &["s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload"], data, "Hudi writes, rewrites and cleans table files, and Structured Streaming its checkpoints, below these prefixes (Hudi on EMR; Spark Structured Streaming Programming Guide, checkpointing)"));
    let mut buckets: Vec<String> = [
        facts::hudi_base_path(pipeline),
        facts::checkpoint_location(pipeline),
    ]
    .iter()
    .filter_map(|uri| split_s3(uri).map(|(b, _)| b.to_owned()))
    .collect();
    buckets.sort();
    buckets.dedup();
    out.push(need(
        role,
        "LakeList",
        &["s3:ListBucket", "s3:GetBucketLocation"],
        buckets.iter().map(|b| s3_arn(pipeline, b, "")).collect(),
        "Hudi lists table folders and the S3A connector locates the bucket",
    ));
    if let Some(log) = &pipeline.emr.log_uri
        && let Some(objects) = s3_objects(pipeline, log)
    {
        out.push(need(role, "EmrLogs", &["s3:PutObject"], vec![objects], "the nodes push their logs to the cluster's log URI (EMR Management Guide, \"Configure cluster logging\")"));
    }
    if pipeline.kafka.auth.iam {
        out.push(need(role, "KafkaConnect", &["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], vec![Expr(vec![Part::Ref("MskCluster".into())])], "the job connects with IAM authentication (MSK Developer Guide, \"IAM access control\")"));
        let mut topics: Vec<&str> = pipeline
            .hudi
            .tables
            .iter()
            .map(|t| t.source_topic.as_str())
            .collect();
        topics.sort_unstable();
        topics.dedup();
        if !topics.is_empty() {
            out.push(need(role, "KafkaRead", &["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], topics.iter().map(|t| kafka_arn("topic", t)).collect(), "the job reads the Hudi tables' source topics (MSK Developer Guide, \"IAM access control\": topic resources)"));
        }
        let all_topics: Vec<Expr> = pipeline
            .kafka
            .topics
            .iter()
            .map(|t| kafka_arn("topic", &t.name))
            .collect();
        if !all_topics.is_empty() {
            out.push(need(role, "KafkaTopics", &["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:AlterTopic"], all_topics, "the job creates the pipeline's missing topics, and adds partitions a topic lacks, when it starts: from inside the VPC, with IAM authentication (MSK Developer Guide, \"IAM access control\": CreateTopic, AlterTopic on topic resources)"));
        }
        let groups: Vec<Expr> = pipeline
            .hudi
            .tables
            .iter()
            .map(|t| kafka_arn("group", &facts::table_consumer_group(pipeline, t)))
            .collect();
        if !groups.is_empty() {
            out.push(need(role, "KafkaGroup", &["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"], groups, "each table's query consumes with a group of its own (MSK Developer Guide, \"IAM access control\": group resources)"));
        }
    }
    out.push(need(role, "KafkaBootstrap", &["kafka:GetBootstrapBrokers"], vec![Expr::text("*")], "the job looks up the brokers from the cluster ARN when it starts; GetBootstrapBrokers has no resource type, so it takes `*` (Service Authorization Reference, Amazon MSK)"));
    let secrets = job_secrets(pipeline);
    if !secrets.is_empty() {
        out.push(need(role, "Secrets", &["secretsmanager:GetSecretValue"], secrets.iter().map(|s| secret_arn(pipeline, s)).collect(), "the job reads the catalog credentials (and SCRAM or truststore passwords) when it starts"));
    }
    let mut keys: Vec<String> = Vec::new();
    if pipeline.storage.encryption.algorithm != SseAlgorithm::Aes256
        && let Some(key) = &pipeline.storage.encryption.kms_key
    {
        keys.push(key.clone());
    }
    let security = &pipeline.emr.security_configuration;
    if security.at_rest_encryption
        && let Some(key) = &security.kms_key
    {
        keys.push(key.clone());
    }
    for name in &secrets {
        if let Some(key) = pipeline
            .secrets
            .iter()
            .find(|s| s.name == *name)
            .and_then(|s| s.kms_key.clone())
        {
            keys.push(key);
        }
    }
    keys.sort();
    keys.dedup();
    if !keys.is_empty() {
        out.push(need(role, "Keys", &["kms:Decrypt", "kms:GenerateDataKey"], keys.iter().map(|k| key_arn(pipeline, k)).collect(), "SSE-KMS objects and secrets are read with kms:Decrypt and written with kms:GenerateDataKey (S3 User Guide, \"Using SSE-KMS\"; EMR at-rest encryption)"));
    }
    out.push(need(
        role,
        "ApplicationLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![Expr(vec![Part::Att("ApplicationLogGroup".into(), "Arn")])],
        "the job writes its own log events to the application log group",
    ));
    out.push(need(role, "Metrics", &["cloudwatch:PutMetricData"], vec![Expr::text("*")], "the job publishes the metrics the alarms watch; PutMetricData has no resource type, so it is limited to the pipeline's namespace (CloudWatch User Guide, \"CloudWatch condition keys\")").when("StringEquals",
            "cloudwatch:namespace",
            json!(facts::metrics_namespace(pipeline))));
}

fn replication(pipeline: &Pipeline, out: &mut Vec<Need>) {
    let Some(r) = &pipeline.storage.replication else {
        return;
    };
    let role = Role::Replication;
    let lake = &pipeline.storage.bucket;
    let why = "S3 replicates with the role's permissions on both buckets (S3 User Guide, \"Setting up permissions for live replication\")";
    out.push(need(
        role,
        "SourceBucket",
        &["s3:GetReplicationConfiguration", "s3:ListBucket"],
        vec![s3_arn(pipeline, lake, "")],
        why,
    ));
    out.push(need(
        role,
        "SourceObjects",
        &[
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionTagging",
        ],
        vec![s3_arn(pipeline, lake, "/*")],
        why,
    ));
    out.push(need(
        role,
        "DestinationObjects",
        &[
            "s3:ReplicateObject",
            "s3:ReplicateDelete",
            "s3:ReplicateTags",
        ],
        vec![s3_arn(pipeline, &r.destination_bucket, "/*")],
        why,
    ));
    if pipeline.storage.encryption.algorithm != SseAlgorithm::Aes256
        && let Some(key) = &pipeline.storage.encryption.kms_key
    {
        out.push(need(role, "SourceKey", &["kms:Decrypt"], vec![key_arn(pipeline, key)], "replicating SSE-KMS objects decrypts them with the source key (S3 User Guide, \"Replicating encrypted objects\")"));
    }
    if let Some(key) = replica_key(pipeline) {
        out.push(need(role, "ReplicaKey", &["kms:Encrypt"], vec![key], "replicas are encrypted with the destination key (S3 User Guide, \"Replicating encrypted objects\")"));
    }
}

/// The statements of one role's inline policy, as template values.
pub fn statements(needs: &[Need], role: Role) -> Vec<Value> {
    needs
        .iter()
        .filter(|n| n.role == role)
        .map(|n| {
            let mut statement = json!({
                "Sid": n.sid,
                "Effect": "Allow",
                "Action": n.actions,
                "Resource": n.resources.iter().map(Expr::cfn).collect::<Vec<_>>(),
            });
            if let Some((operator, key, value)) = &n.condition {
                statement["Condition"] = json!({ *operator: { *key: value } });
            }
            statement
        })
        .collect()
}

/// The EMR instance role's needs as `facts.iam.statements` entries (what the policies read).
pub fn fact_statements(needs: &[Need]) -> Vec<Value> {
    needs
        .iter()
        .filter(|n| n.role == Role::EmrInstance)
        .map(|n| {
            json!({
                "path": null,
                "source": "derived",
                "sid": n.sid,
                "effect": "Allow",
                "actions": n.actions,
                "not_actions": [],
                "resources": n.resources.iter().map(Expr::display).collect::<Vec<_>>(),
                "not_resources": [],
            })
        })
        .collect()
}
