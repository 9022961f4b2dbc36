//! Stage 4: values derived from the model that checks, policies and templates share, so each
//! is computed in one place (effective broker defaults, the listeners the auth modes open, …).

use crate::aws::ports;
use crate::model::{ClientBroker, Kafka, Pipeline, SaslMechanism, SecurityProtocol, Topic};

/// One MSK listener clients can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    /// The port inside the VPC.
    pub port: u16,
    /// The client `security.protocol` it speaks.
    pub protocol: SecurityProtocol,
    /// The SASL mechanism, for SASL listeners.
    pub mechanism: Option<SaslMechanism>,
}

/// The listeners MSK opens for the cluster's encryption and authentication settings, most
/// secure first.
pub fn listeners(kafka: &Kafka) -> Vec<Listener> {
    let tls = matches!(
        kafka.encryption.client_broker,
        ClientBroker::Tls | ClientBroker::TlsPlaintext
    );
    let plaintext = matches!(
        kafka.encryption.client_broker,
        ClientBroker::Plaintext | ClientBroker::TlsPlaintext
    );
    let auth = &kafka.auth;
    let mut out = Vec::new();
    if tls && auth.iam {
        out.push(Listener {
            port: ports::IAM,
            protocol: SecurityProtocol::SaslSsl,
            mechanism: Some(SaslMechanism::AwsMskIam),
        });
    }
    if tls && auth.scram {
        out.push(Listener {
            port: ports::SCRAM,
            protocol: SecurityProtocol::SaslSsl,
            mechanism: Some(SaslMechanism::ScramSha512),
        });
    }
    if tls && (auth.tls || auth.effectively_unauthenticated()) {
        out.push(Listener {
            port: ports::TLS,
            protocol: SecurityProtocol::Ssl,
            mechanism: None,
        });
    }
    if plaintext && auth.effectively_unauthenticated() {
        out.push(Listener {
            port: ports::PLAINTEXT,
            protocol: SecurityProtocol::Plaintext,
            mechanism: None,
        });
    }
    out
}

/// The listener clients use: the one matching `kafka.client`, else the most secure.
pub fn client_listener(kafka: &Kafka) -> Option<Listener> {
    let client = &kafka.client;
    listeners(kafka).into_iter().find(|l| {
        client
            .bootstrap_port
            .is_none_or(|p| p == l.port || p == l.port + ports::PUBLIC_OFFSET)
            && client.security_protocol.is_none_or(|p| p == l.protocol)
            && client.sasl_mechanism.is_none_or(|m| Some(m) == l.mechanism)
    })
}

/// Whether the brokers span three (or more) availability zones, which changes MSK's defaults.
fn three_az(pipeline: &Pipeline) -> bool {
    pipeline.msk_az_count() >= 3
}

/// `default.replication.factor` as MSK applies it.
pub fn default_replication_factor(pipeline: &Pipeline) -> u16 {
    let settings = &pipeline.kafka.broker;
    settings
        .default_replication_factor
        .unwrap_or(if three_az(pipeline) { 3 } else { 2 })
}

/// `min.insync.replicas` as MSK applies it.
pub fn min_insync_replicas(pipeline: &Pipeline) -> u16 {
    let settings = &pipeline.kafka.broker;
    settings
        .min_insync_replicas
        .unwrap_or(if three_az(pipeline) { 2 } else { 1 })
}

/// A topic's replication factor after defaults.
pub fn topic_replication_factor(pipeline: &Pipeline, topic: &Topic) -> u16 {
    topic
        .replication_factor
        .unwrap_or_else(|| default_replication_factor(pipeline))
}

/// A topic's `min.insync.replicas` after defaults.
pub fn topic_min_insync_replicas(pipeline: &Pipeline, topic: &Topic) -> u16 {
    topic
        .min_insync_replicas
        .unwrap_or_else(|| min_insync_replicas(pipeline))
}

/// The `facts` object policies see: values derived from the pipeline, each computed once.
/// Lists that describe keys of the file carry a `path` (a dotted key path) so a finding about
/// an item points at it. `document` is the pipeline as JSON (serialised once per check).
pub fn build(
    pipeline: &Pipeline,
    document: &serde_json::Value,
    prices: &crate::cost::Prices,
) -> serde_json::Value {
    use serde_json::json;
    let kafka = &pipeline.kafka;
    let broker = &kafka.broker;
    let brokers = kafka.broker_count.get();
    let azs = pipeline.msk_az_count();
    let read: std::collections::HashSet<&str> = pipeline
        .hudi
        .tables
        .iter()
        .map(|t| t.source_topic.as_str())
        .collect();
    let topics: Vec<_> = kafka
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({
                "path": format!("kafka.topics[{i}]"),
                "name": t.name,
                "read_by_table": read.contains(t.name.as_str()),
                "partitions": t.partitions.get(),
                "replication_factor": topic_replication_factor(pipeline, t),
                "min_insync_replicas": topic_min_insync_replicas(pipeline, t),
                "retention_ms": topic_retention_ms(pipeline, t),
            })
        })
        .collect();
    let replicas: u64 = kafka
        .topics
        .iter()
        .map(|t| u64::from(t.partitions.get()) * u64::from(topic_replication_factor(pipeline, t)))
        .sum();
    let listener_json = |l: &Listener| {
        json!({
            "port": l.port,
            "protocol": l.protocol,
            "mechanism": l.mechanism,
        })
    };
    let subnet_tier = |name: &str| pipeline.subnet(name).map(|s| s.tier);
    json!({
        "kafka": {
            "azs": azs,
            "brokers_per_az": if azs == 0 { 0 } else { brokers / azs as u32 },
            "default_replication_factor": default_replication_factor(pipeline),
            "min_insync_replicas": min_insync_replicas(pipeline),
            "unclean_leader_election": broker.unclean_leader_election_enable.unwrap_or(true),
            "allow_everyone_if_no_acl_found": broker.allow_everyone_if_no_acl_found.unwrap_or(true),
            "auto_create_topics": broker.auto_create_topics_enable.unwrap_or(false),
            "unauthenticated": kafka.auth.effectively_unauthenticated(),
            "listeners": listeners(kafka).iter().map(listener_json).collect::<Vec<_>>(),
            "client": client_listener(kafka).as_ref().map(listener_json),
            "partitions_per_broker": replicas / u64::from(brokers),
            "subnet_tiers": kafka.subnets.iter().map(|s| subnet_tier(s)).collect::<Vec<_>>(),
            "consumer_group": consumer_group(pipeline),
        },
        "topics": topics,
        "emr": emr_facts(pipeline),
        "hudi_tables": hudi_tables(pipeline),
        "streaming": {
            "checkpoint_location": checkpoint_location(pipeline),
            "hudi_base_path": hudi_base_path(pipeline),
        },
        "alarm_metrics": pipeline.monitoring.alarms.iter().map(|a| a.metric.as_str()).collect::<Vec<_>>(),
        "legacy_streaming": legacy_streaming(pipeline),
        "iam": { "statements": iam_statements(pipeline) },
        "secret_literals": secret_literals(pipeline, document),
        "kms_key_names": pipeline.kms.keys.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        "cost": crate::cost::facts(pipeline, prices),
        "aws": {
            "unscopable_actions": crate::aws::UNSCOPABLE_ACTIONS,
            "broad_managed_policies": crate::aws::BROAD_MANAGED_POLICIES,
        },
    })
}

/// A topic's `retention.ms` after defaults (-1 is unlimited).
pub fn topic_retention_ms(pipeline: &Pipeline, topic: &Topic) -> i64 {
    topic.retention_ms.unwrap_or_else(|| {
        i64::from(pipeline.kafka.broker.log_retention_hours.unwrap_or(168)) * 3_600_000
    })
}

/// The consumer group the Spark job reads with.
pub fn consumer_group(pipeline: &Pipeline) -> String {
    pipeline
        .kafka
        .consumer
        .group_id
        .clone()
        .unwrap_or_else(|| format!("{}-consumer", pipeline.pipeline.name))
}

/// The consumer group of one table's query: the pipeline's group, then the table. Each query
/// has its own, since queries sharing a group id each read only part of the data (Spark
/// Structured Streaming + Kafka Integration Guide, `kafka.group.id`).
pub fn table_consumer_group(pipeline: &Pipeline, table: &crate::model::HudiTable) -> String {
    format!("{}-{}", consumer_group(pipeline), table.name)
}

/// The object whose appearance stops the streaming job gracefully (beside the checkpoints,
/// which the job may read and delete).
pub fn stop_marker(pipeline: &Pipeline) -> String {
    format!("{}/_STOP", checkpoint_location(pipeline))
}

/// Where `deploy.sh` uploads the job's settings file; the step's argument.
pub fn job_settings(pipeline: &Pipeline) -> String {
    format!("s3://{}/code/job-settings.json", artifact_bucket(pipeline))
}

/// Where a pre-staged jar lives (`spark.job.dependencies = "artifacts"`).
pub fn staged_jar(pipeline: &Pipeline, file: &str) -> String {
    format!("s3://{}/jars/{file}", artifact_bucket(pipeline))
}

/// The Kafka connector and IAM-auth artifacts the step adds, pinned for the release (none when
/// pipegen does not know the release: `check` reports that, CFX-009).
pub fn job_artifacts(pipeline: &Pipeline) -> Vec<crate::aws::Artifact> {
    crate::aws::emr_release(&pipeline.emr.release_label)
        .and_then(crate::aws::kafka_artifacts)
        .unwrap_or_default()
}

/// Where the cluster's bootstrap action for the rendered job is (`spark/bootstrap.sh`).
pub fn job_bootstrap(pipeline: &Pipeline) -> String {
    format!("s3://{}/code/bootstrap.sh", artifact_bucket(pipeline))
}

/// Whether the cluster runs the Polaris sync step (Apache XTable, `polaris/xtable_sync.py`).
pub fn polaris_sync(pipeline: &Pipeline) -> bool {
    pipeline.polaris.is_some()
}

/// Whether the cluster runs the bootstrap action (`spark/bootstrap.sh`): boto3 for the
/// rendered job's and the sync step's python3.
pub fn needs_bootstrap(pipeline: &Pipeline) -> bool {
    rendered_job(pipeline) || polaris_sync(pipeline)
}

/// The Polaris sync step's program, rendered as `polaris/<file>` and uploaded as `code/<file>`.
pub const SYNC_PROGRAM: &str = "xtable_sync.py";
/// Its RunSync `--datasetConfig`, rendered and uploaded the same way.
pub const SYNC_DATASET_CONFIG: &str = "xtable-config.yaml";
/// Its RunSync `--icebergCatalogConfig` without the credential, rendered and uploaded the same way.
pub const SYNC_CATALOG_CONFIG: &str = "xtable-catalog.json";

/// Where `deploy.sh` uploads one of the Polaris sync step's files (`polaris/<file>`).
pub fn polaris_code(pipeline: &Pipeline, file: &str) -> String {
    format!("s3://{}/code/{file}", artifact_bucket(pipeline))
}

/// Where the Apache XTable bundle the sync step runs is staged.
pub fn xtable_jar(pipeline: &Pipeline) -> String {
    staged_jar(pipeline, &crate::aws::emr_releases().xtable.file)
}

/// Whether the step runs the job pipegen renders (no `spark.job.script` of the user's own).
pub fn rendered_job(pipeline: &Pipeline) -> bool {
    pipeline.spark.job.script.is_none()
}

/// Where the streaming queries checkpoint.
pub fn checkpoint_location(pipeline: &Pipeline) -> String {
    pipeline
        .spark
        .streaming
        .checkpoint_location
        .clone()
        .unwrap_or_else(|| {
            format!(
                "s3://{}/checkpoints/{}",
                pipeline.storage.bucket, pipeline.pipeline.name
            )
        })
}

/// The CloudWatch namespace of the job's own metrics.
pub fn metrics_namespace(pipeline: &Pipeline) -> String {
    pipeline
        .monitoring
        .namespace
        .clone()
        .unwrap_or_else(|| format!("DataPipeline/{}", pascal(&pipeline.pipeline.name)))
}

/// Where the Hudi tables live.
pub fn hudi_base_path(pipeline: &Pipeline) -> String {
    pipeline
        .hudi
        .base_path
        .clone()
        .unwrap_or_else(|| format!("s3://{}/hudi", pipeline.storage.bucket))
}

fn emr_facts(pipeline: &Pipeline) -> serde_json::Value {
    use crate::aws;
    let emr = &pipeline.emr;
    let spark = &pipeline.spark;
    let workers: Vec<&crate::model::InstanceGroup> = std::iter::once(&emr.core)
        .chain(emr.task.as_ref())
        .collect();
    let yarn_memory: Option<u64> = workers
        .iter()
        .map(|g| aws::yarn_memory_mb(&g.instance_type).map(|mb| u64::from(mb) * u64::from(g.count)))
        .sum();
    let vcpus: Option<u64> = workers
        .iter()
        .map(|g| aws::vcpus(&g.instance_type).map(|n| u64::from(n) * u64::from(g.count)))
        .sum();
    // Spark adds max(10%, 384 MiB) of overhead to every container.
    let container = |heap: u64| heap + (heap / 10).max(384);
    let executors = spark.executor_instances.map(u64::from);
    let requested_memory = executors.map(|n| {
        n * container(spark.executor_memory.mebibytes())
            + container(spark.driver_memory.mebibytes())
    });
    let requested_vcpus = executors.map(|n| n * u64::from(spark.executor_cores.unwrap_or(1)) + 1);
    let used_percent = match (requested_memory, yarn_memory) {
        (Some(used), Some(total)) if total > 0 => Some(used * 100 / total),
        _ => None,
    };
    serde_json::json!({
        "subnet_tier": pipeline.subnet(&emr.subnet).map(|s| s.tier),
        "yarn_memory_mb": yarn_memory,
        "vcpus": vcpus,
        "requested_memory_mb": requested_memory,
        "requested_vcpus": requested_vcpus,
        "memory_used_percent": used_percent,
    })
}

fn hudi_tables(pipeline: &Pipeline) -> Vec<serde_json::Value> {
    let hudi = &pipeline.hudi;
    hudi.tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({
                "path": format!("hudi.tables[{i}]"),
                "name": t.name,
                "compaction": t.compaction.as_ref().unwrap_or(&hudi.compaction),
                "clustering": t.clustering.as_ref().unwrap_or(&hudi.clustering),
            })
        })
        .collect()
}

/// DStream-only settings present in the file, with their Structured Streaming replacement.
fn legacy_streaming(pipeline: &Pipeline) -> Vec<serde_json::Value> {
    let legacy = &pipeline.spark.streaming.legacy;
    let mut out = Vec::new();
    let mut push = |path: String, key: &str, instead: &str| {
        out.push(serde_json::json!({ "path": path, "key": key, "instead": instead }));
    };
    let typed = [
        (
            legacy.backpressure_enabled.is_some(),
            "backpressure_enabled",
            "spark.streaming.backpressure.enabled",
        ),
        (
            legacy.kafka_max_rate_per_partition.is_some(),
            "kafka_max_rate_per_partition",
            "spark.streaming.kafka.maxRatePerPartition",
        ),
        (
            legacy.stop_gracefully_on_shutdown.is_some(),
            "stop_gracefully_on_shutdown",
            "spark.streaming.stopGracefullyOnShutdown",
        ),
        (
            legacy.receiver_write_ahead_log.is_some(),
            "receiver_write_ahead_log",
            "spark.streaming.receiver.writeAheadLog.enable",
        ),
    ];
    for (set, field, key) in typed {
        if set {
            push(
                format!("spark.streaming.legacy.{field}"),
                key,
                legacy_replacement(key),
            );
        }
    }
    for key in pipeline.spark.conf.keys() {
        if key.starts_with("spark.streaming.") {
            push(format!("spark.conf.{key:?}"), key, legacy_replacement(key));
        }
    }
    out
}

fn legacy_replacement(key: &str) -> &'static str {
    match key {
        "spark.streaming.backpressure.enabled" | "spark.streaming.kafka.maxRatePerPartition" => {
            "bound each micro-batch with spark.streaming.max_offsets_per_trigger (maxOffsetsPerTrigger)"
        }
        "spark.streaming.stopGracefullyOnShutdown" => {
            "set spark.streaming.graceful_stop = true (the job stops each query after its current micro-batch)"
        }
        "spark.streaming.receiver.writeAheadLog.enable" => {
            "nothing: the checkpoint on S3 already records offsets and state"
        }
        _ => "the Structured Streaming equivalent (DStream settings do nothing here)",
    }
}

/// The EMR instance role's statements: its needs from the access model ([`crate::access`]),
/// then the file's `[[iam.statements]]`.
pub fn iam_statements(pipeline: &Pipeline) -> Vec<serde_json::Value> {
    let mut out = crate::access::fact_statements(&crate::access::needs(pipeline));
    for (i, statement) in pipeline.iam.statements.iter().enumerate() {
        let mut value = serde_json::to_value(statement).expect("a statement serialises");
        value["path"] = serde_json::json!(format!("iam.statements[{i}]"));
        value["source"] = serde_json::json!("user");
        out.push(value);
    }
    out
}

/// The names and descriptions the template derives from the pipeline's name: written by the
/// template and checked against AWS's constraints from this one place.
#[derive(Debug, serde::Serialize)]
pub struct Names {
    /// The MSK broker log group.
    pub broker_log_group: String,
    /// The VPC flow-log group.
    pub flow_log_group: String,
    /// The application log group.
    pub application_log_group: String,
    /// The CloudTrail log group.
    pub trail_log_group: String,
    /// Each KMS key's alias, by key name.
    pub kms_aliases: std::collections::BTreeMap<String, String>,
    /// The MSK security group's description.
    pub msk_security_group: String,
    /// The EMR admin security group's description.
    pub admin_security_group: String,
    /// The EMR instance role's description.
    pub instance_role: String,
    /// The EMR security configuration.
    pub emr_security_configuration: String,
    /// The CloudTrail trail.
    pub trail: String,
    /// The budget.
    pub budget: String,
}

/// The names and descriptions the template derives from the pipeline's name.
pub fn names(pipeline: &Pipeline) -> Names {
    let name = &pipeline.pipeline.name;
    Names {
        broker_log_group: pipeline
            .kafka
            .logging
            .cloudwatch_log_group
            .clone()
            .unwrap_or_else(|| format!("/aws/msk/{name}")),
        flow_log_group: format!("/pipegen/{name}/vpc-flow-logs"),
        application_log_group: format!("/pipegen/{name}/application"),
        trail_log_group: format!("/pipegen/{name}/cloudtrail"),
        kms_aliases: pipeline
            .kms
            .keys
            .iter()
            .map(|k| (k.name.clone(), format!("alias/{name}-{}", k.name)))
            .collect(),
        msk_security_group: format!(
            "MSK brokers of {name}: client listeners from the EMR nodes only"
        ),
        admin_security_group: format!(
            "Admin access to the EMR primary node of {name}: SSH from the bastion, web UIs from the VPN"
        ),
        instance_role: format!(
            "Role the Spark job of {name} runs as: least privilege derived from the pipeline"
        ),
        emr_security_configuration: format!("{name}-emr-security"),
        trail: pipeline
            .audit
            .trail_name
            .clone()
            .unwrap_or_else(|| format!("{name}-audit")),
        budget: format!("{name}-monthly"),
    }
}

/// The key replicas of the lake are encrypted with. S3 replicates objects encrypted with
/// SSE-KMS only when the replication rule enables `SseKmsEncryptedObjects` and names a key in
/// the destination bucket's region for the replicas (`ReplicaKmsKeyID`); without them it skips
/// those objects (S3 User Guide, "Replicating objects created with server-side encryption
/// (SSE-C, SSE-S3, SSE-KMS, DSSE-KMS)").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaKey<'a> {
    /// `storage.replication.replica_kms_key_arn`.
    Given(&'a str),
    /// None given and the lake is SSE-KMS: the replica stack creates one, and `deploy.sh`
    /// passes its ARN to the main stack as [`REPLICA_KEY_PARAMETER`].
    Created,
}

/// The main template's parameter that takes the replica stack's key.
pub const REPLICA_KEY_PARAMETER: &str = "ReplicaKmsKeyArn";

/// The replica key, when the lake replicates SSE-KMS objects or one is given.
pub fn replica_key(pipeline: &Pipeline) -> Option<ReplicaKey<'_>> {
    let replication = pipeline.storage.replication.as_ref()?;
    match &replication.replica_kms_key_arn {
        Some(arn) => Some(ReplicaKey::Given(arn)),
        None if pipeline.storage.encryption.algorithm != crate::model::SseAlgorithm::Aes256 => {
            Some(ReplicaKey::Created)
        }
        None => None,
    }
}

/// The artifact bucket: templates, job code and certificates, created before the main stack.
pub fn artifact_bucket(pipeline: &Pipeline) -> String {
    pipeline
        .storage
        .artifact_bucket
        .clone()
        .unwrap_or_else(|| format!("{}-artifacts", pipeline.storage.bucket))
}

/// Where EMR reads the in-transit encryption certificates.
pub fn tls_certificates(pipeline: &Pipeline) -> String {
    pipeline
        .emr
        .security_configuration
        .tls_certificates_s3_uri
        .clone()
        .unwrap_or_else(|| format!("s3://{}/certs/emr-tls.zip", artifact_bucket(pipeline)))
}

/// The job's entry point the EMR step submits.
pub fn job_script(pipeline: &Pipeline) -> String {
    pipeline
        .spark
        .job
        .script
        .clone()
        .unwrap_or_else(|| format!("s3://{}/code/streaming_job.py", artifact_bucket(pipeline)))
}

/// The logical ids of the template's resources that do not come from a name in the file
/// (a superset: some appear only with the feature they belong to). `MskIngress…` and
/// `AlarmSubscription<n>` are numbered, never named.
pub const FIXED_LOGICAL_IDS: &[&str] = &[
    "AlarmTopic",
    "ApplicationLogGroup",
    "BrokerLogGroup",
    "Budget",
    "EmrAdminSecurityGroup",
    "EmrCluster",
    "EmrCoreSecurityGroup",
    "EmrInstanceProfile",
    "EmrInstanceRole",
    "EmrMasterSecurityGroup",
    "EmrSecurityConfiguration",
    "EmrServiceAccessSecurityGroup",
    "EmrServiceRole",
    "EmrTaskGroup",
    "FlowLog",
    "FlowLogGroup",
    "FlowLogRole",
    "InternetGateway",
    "InternetGatewayAttachment",
    "LakeBucket",
    "LakeBucketPolicy",
    "MskCluster",
    "MskConfiguration",
    "MskScramSecrets",
    "MskSecurityGroup",
    "ProducerPolicy",
    "ReplicationPolicy",
    "ReplicationRole",
    "S3GatewayEndpoint",
    "Trail",
    "TrailBucket",
    "TrailBucketPolicy",
    "TrailLogGroup",
    "TrailLogRole",
    "Vpc",
];

/// Every logical id the template derives from a name in the file, with the key of that name.
pub fn named_logical_ids(pipeline: &Pipeline) -> Vec<(String, crate::path::KeyPath)> {
    use crate::path::KeyPath;
    let root = |dotted: &str| KeyPath::parse_dotted(dotted).expect("a valid built-in path");
    let mut out = Vec::new();
    for (i, s) in pipeline.network.subnets.iter().enumerate() {
        let at = root("network.subnets").index(i).key("name");
        let table = logical_id("RouteTable", &s.name);
        let mut ids = vec![
            logical_id("Subnet", &s.name),
            format!("{table}Association"),
            format!("{table}Default"),
            table,
        ];
        if s.tier == crate::model::SubnetTier::Public {
            let nat = logical_id("Nat", &s.name);
            ids.push(format!("{nat}Eip"));
            ids.push(nat);
        }
        for id in ids {
            out.push((id, at.clone()));
        }
    }
    for (i, k) in pipeline.kms.keys.iter().enumerate() {
        let at = root("kms.keys").index(i).key("name");
        let id = logical_id("Key", &k.name);
        out.push((format!("{id}Alias"), at.clone()));
        out.push((id, at));
    }
    for (i, s) in pipeline.secrets.iter().enumerate() {
        if s.arn.is_none() {
            out.push((
                logical_id("Secret", &s.name),
                root("secrets").index(i).key("name"),
            ));
        }
    }
    let mut log_bucket = |name: &str, at: KeyPath| {
        if crate::access::log_buckets(pipeline)
            .iter()
            .any(|b| b == name)
        {
            let id = logical_id("LogBucket", name);
            out.push((format!("{id}Policy"), at.clone()));
            out.push((id, at));
        }
    };
    if let Some(l) = &pipeline.storage.access_logging {
        log_bucket(&l.bucket, root("storage.access_logging.bucket"));
    }
    if let Some(b) = &pipeline.kafka.logging.s3_bucket
        && pipeline.storage.access_logging.as_ref().map(|l| &l.bucket) != Some(b)
    {
        log_bucket(b, root("kafka.logging.s3_bucket"));
    }
    for (i, a) in pipeline.monitoring.alarms.iter().enumerate() {
        out.push((
            logical_id("Alarm", &a.name),
            root("monitoring.alarms").index(i).key("name"),
        ));
    }
    out
}

/// The CloudFormation logical id of a named resource: `("Subnet", "private-1")` →
/// `SubnetPrivate1`. Templates and derived IAM statements use the same ids.
pub fn logical_id(prefix: &str, name: &str) -> String {
    format!("{prefix}{}", pascal(name))
}

/// `private-lake` → `PrivateLake`, for CloudFormation logical ids.
pub fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// String values that look like credentials written into the file.
fn secret_literals(pipeline: &Pipeline, document: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    scan(
        document,
        &mut crate::path::KeyPath::root(),
        pipeline,
        &mut out,
    );
    out
}

/// Walks the document; `path` is where `value` is (restored before returning).
fn scan(
    value: &serde_json::Value,
    path: &mut crate::path::KeyPath,
    pipeline: &Pipeline,
    out: &mut Vec<serde_json::Value>,
) {
    use crate::path::Segment;
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Segment::Key(key.clone()));
                if let Value::String(text) = child
                    && secret_key(key)
                    && !is_reference(text, pipeline)
                {
                    out.push(serde_json::json!({
                        "path": path.to_string(),
                        "reason": format!("`{key}` holds a literal value; secrets belong in Secrets Manager, referenced by name or ARN"),
                    }));
                } else {
                    scan(child, path, pipeline, out);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                scan(item, path, pipeline, out);
                path.pop();
            }
        }
        Value::String(text) => {
            if let Some(reason) = credential_shape(text) {
                out.push(serde_json::json!({ "path": path.to_string(), "reason": reason }));
            }
        }
        _ => {}
    }
}

/// Key names that announce a secret.
fn secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "jaas",
        "credential",
        "private_key",
        "private.key",
        "access_key",
        "access.key",
        "secret.key",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// Whether a value under a secret-sounding key refers to a secret rather than holding one.
fn is_reference(text: &str, pipeline: &Pipeline) -> bool {
    text.starts_with("arn:aws:secretsmanager:")
        || text.starts_with("ssm:")
        || text.starts_with("{{resolve:secretsmanager:")
        || text.starts_with("{{resolve:ssm-secure:")
        || pipeline.secret(text).is_some()
}

/// Why a value looks like a credential, whatever its key.
fn credential_shape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let access_key = bytes.windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    if access_key {
        return Some("the value contains an AWS access key id".to_owned());
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return Some("the value contains a PEM private key".to_owned());
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("password=") && !lower.contains("password=\"\"")
        || lower.contains("password:")
    {
        return Some("the value embeds a password".to_owned());
    }
    None
}
