//! What the templates see: the model, the facts, and the settings each artifact writes,
//! computed once here so every artifact states the same fact the same way.

use serde_json::{Value, json};

use crate::access;
use crate::aws;
use crate::facts;
use crate::model::{
    Acks, Compression, JobDependencies, MissingData, OffsetReset, Pipeline, SaslMechanism,
    SecurityProtocol, TableType,
};
use crate::path::KeyPath;

/// An ordered list of settings; rendered as `key=value` lines or JSON objects.
pub type Settings = Vec<(String, String)>;

fn set(settings: &mut Settings, key: &str, value: impl ToString) {
    settings.push((key.to_owned(), value.to_string()));
}

use crate::model::wire_name as enum_text;

/// The whole template context.
pub fn build(pipeline: &Pipeline) -> Value {
    let document = serde_json::to_value(pipeline).expect("the model serialises");
    let facts = facts::build(pipeline, &document, crate::cost::Prices::builtin());
    let tables: Vec<Value> = pipeline
        .hudi
        .tables
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "source_topic": t.source_topic,
                "path": format!("{}/{}", facts::hudi_base_path(pipeline), t.name),
                "checkpoint": format!("{}/{}", facts::checkpoint_location(pipeline), t.name),
                "options": hudi_options(pipeline, t),
                "partition_spec": xtable_partition_spec(t),
            })
        })
        .collect();
    json!({
        "pipeline": document,
        "facts": facts,
        "ids": ids(pipeline),
        "network": network(pipeline),
        "log_buckets": log_buckets(pipeline),
        "access": access(pipeline),
        "names": facts::names(pipeline),
        "provided_secrets": provided_secrets(pipeline),
        "replica_key_parameter": replica_key_parameter(pipeline),
        "deploy": super::deploy::context(pipeline),
        "refs": refs(pipeline),
        "job_cluster_arn_setting": super::job::CLUSTER_ARN_SETTING,
        "step_args": step_arguments(pipeline, true).iter().map(|(a, _)| a.cfn()).collect::<Vec<_>>(),
        "step_args_text": step_arguments(pipeline, false).iter().map(|(a, _)| a.display()).collect::<Vec<_>>(),
        "sync_step_args": sync_step_arguments(pipeline, true).map(|args| args.iter().map(access::Expr::cfn).collect::<Vec<_>>()),
        "sync_step_args_text": sync_step_arguments(pipeline, false).map(|args| args.iter().map(access::Expr::display).collect::<Vec<_>>()),
        "primary_key": pipeline.kms.keys.first().map(|k| facts::logical_id("Key", &k.name)),
        "broker_properties": broker_properties(pipeline, false),
        "msk_server_properties": properties_text(&broker_properties(pipeline, true)),
        "client": client_settings(pipeline),
        "producer_properties": producer_properties(pipeline),
        "consumer_properties": consumer_properties(pipeline),
        "topics": topics(pipeline),
        "spark_defaults": spark_defaults(pipeline),
        "streaming_options": streaming_options(pipeline),
        "hudi_tables": tables,
        "polaris": polaris_settings(pipeline),
        "alarms": alarms(pipeline),
        "env": dotenv(pipeline),
        "checkpoint_location": facts::checkpoint_location(pipeline),
        "hudi_base_path": facts::hudi_base_path(pipeline),
        "job_script": facts::job_script(pipeline),
        "job_bootstrap": facts::needs_bootstrap(pipeline).then(|| facts::job_bootstrap(pipeline)),
        "namespace": facts::metrics_namespace(pipeline),
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// CloudFormation logical ids of the named resources, by name.
fn ids(pipeline: &Pipeline) -> Value {
    let map = |prefix: &str, names: Vec<&String>| -> Value {
        names
            .into_iter()
            .map(|n| (n.clone(), json!(facts::logical_id(prefix, n))))
            .collect::<serde_json::Map<String, Value>>()
            .into()
    };
    json!({
        "subnets": map("Subnet", pipeline.network.subnets.iter().map(|s| &s.name).collect()),
        "keys": map("Key", pipeline.kms.keys.iter().map(|k| &k.name).collect()),
        "secrets": map("Secret", pipeline.secrets.iter().map(|s| &s.name).collect()),
    })
}

/// Subnets with their logical ids, route tables and NAT gateways.
fn network(pipeline: &Pipeline) -> Value {
    use crate::model::{NatGateways, SubnetTier};
    let id = |name: &str| facts::logical_id("Subnet", name);
    let public: Vec<&crate::model::Subnet> = pipeline
        .network
        .subnets
        .iter()
        .filter(|s| s.tier == SubnetTier::Public)
        .collect();
    let nats: Vec<Value> = match pipeline.network.nat_gateways {
        NatGateways::None => Vec::new(),
        NatGateways::Single => public.first().map(|s| vec![*s]).unwrap_or_default(),
        NatGateways::PerAz => {
            let mut seen = Vec::new();
            public
                .iter()
                .filter(|s| {
                    let new = !seen.contains(&s.az);
                    seen.push(s.az.clone());
                    new
                })
                .copied()
                .collect()
        }
    }
    .into_iter()
    .map(|s| json!({ "id": facts::logical_id("Nat", &s.name), "subnet": id(&s.name), "az": s.az }))
    .collect();
    let subnets: Vec<Value> = pipeline
        .network
        .subnets
        .iter()
        .map(|s| {
            let nat = nats
                .iter()
                .find(|n| n["az"] == json!(s.az))
                .or_else(|| nats.first())
                .map(|n| n["id"].clone());
            json!({
                "id": id(&s.name),
                "name": s.name,
                "cidr": s.cidr.to_string(),
                "az": s.az,
                "public": s.tier == SubnetTier::Public,
                "route_table": facts::logical_id("RouteTable", &s.name),
                "nat": nat,
            })
        })
        .collect();
    json!({
        "subnets": subnets,
        "has_public": !public.is_empty(),
        "nats": nats,
        "msk_subnets": pipeline.kafka.subnets.iter().map(|n| id(n)).collect::<Vec<_>>(),
        "emr_subnet": id(&pipeline.emr.subnet),
    })
}

/// Buckets that receive logs (S3 access logs, MSK broker logs), created beside the lake.
fn log_buckets(pipeline: &Pipeline) -> Value {
    access::log_buckets(pipeline)
        .into_iter()
        .map(|n| json!({ "id": facts::logical_id("LogBucket", &n), "name": n }))
        .collect()
}

/// Every role's inline policy statements, from the access model, by the role's logical id;
/// the EMR instance role's end with the file's `[[iam.statements]]`.
fn access(pipeline: &Pipeline) -> Value {
    use access::Role;
    let needs = access::needs(pipeline);
    let mut roles = serde_json::Map::new();
    for role in Role::ALL {
        let mut statements = access::statements(&needs, role);
        if role == Role::EmrInstance {
            statements.extend(pipeline.iam.statements.iter().map(|st| {
                let mut out = serde_json::Map::new();
                if let Some(sid) = &st.sid {
                    out.insert("Sid".into(), json!(sid));
                }
                out.insert("Effect".into(), json!(enum_text(&st.effect)));
                for (key, list) in [
                    ("Action", &st.actions),
                    ("NotAction", &st.not_actions),
                    ("Resource", &st.resources),
                    ("NotResource", &st.not_resources),
                ] {
                    if !list.is_empty() {
                        out.insert(key.into(), json!(list));
                    }
                }
                Value::Object(out)
            }));
        }
        roles.insert(role.logical_id().to_owned(), Value::Array(statements));
    }
    Value::Object(roles)
}

/// Secrets the stack creates whose value a person provides (the catalog's OAuth credential, a
/// truststore password): each takes it from a `NoEcho` template parameter, which `deploy.sh`
/// fills from the environment variable of the same name. Other secrets get generated values.
pub fn provided_secrets(pipeline: &Pipeline) -> Value {
    use crate::model::SecretPurpose;
    pipeline
        .secrets
        .iter()
        .filter(|s| s.arn.is_none())
        .filter(|s| matches!(s.purpose, SecretPurpose::Polaris | SecretPurpose::Truststore))
        .map(|s| {
            let id = facts::logical_id("Secret", &s.name);
            json!({
                "name": s.name,
                "id": id,
                "parameter": format!("{id}Value"),
                "what": match s.purpose {
                    SecretPurpose::Polaris => "the Polaris catalog's OAuth client credential, client_id:client_secret",
                    _ => "the truststore password",
                },
            })
        })
        .collect()
}

/// The main template's parameter for the key the replica stack creates, if it creates one.
pub(super) fn replica_key_parameter(pipeline: &Pipeline) -> Value {
    let (Some(facts::ReplicaKey::Created), Some(r)) =
        (facts::replica_key(pipeline), &pipeline.storage.replication)
    else {
        return Value::Null;
    };
    json!({
        "name": facts::REPLICA_KEY_PARAMETER,
        "stack": format!("{}-replica", pipeline.pipeline.name),
        "region": r.destination_region,
    })
}

/// References the template writes where a value names a resource of the same stack, so
/// CloudFormation creates that resource first.
fn refs(pipeline: &Pipeline) -> Value {
    let bucket = |name: &str| access::bucket(pipeline, name).cfn();
    let s3 = |uri: &Option<String>| uri.as_deref().map(|u| access::s3_uri(pipeline, u).cfn());
    let lake_objects = access::Expr(vec![
        access::Part::Text("arn:".into()),
        access::Part::Partition,
        access::Part::Text(":s3:::".into()),
        access::Part::Ref("LakeBucket".into()),
        access::Part::Text("/".into()),
    ]);
    json!({
        "msk_log_bucket": pipeline.kafka.logging.s3_bucket.as_deref().map(bucket),
        "access_log_bucket": pipeline.storage.access_logging.as_ref().map(|l| bucket(&l.bucket)),
        "log_uri": s3(&pipeline.emr.log_uri),
        "lake_objects": lake_objects.cfn(),
        "tls_certificates": facts::tls_certificates(pipeline),
        "trail_bucket": access::trail_bucket(pipeline),
        "replication_destination": access::replication_destination(pipeline).map(|e| e.cfn()),
        "replica_key": access::replica_key(pipeline).map(|e| e.cfn()),
    })
}

/// The EMR step's `spark-submit` arguments, each with the key it comes from: for the template
/// (`in_stack`: locations in the stack's buckets are references), or as text.
pub fn step_arguments(pipeline: &Pipeline, in_stack: bool) -> Vec<(access::Expr, KeyPath)> {
    let at = |dotted: &str| KeyPath::parse_dotted(dotted).expect("a valid built-in path");
    let s3 = |uri: &str| s3_argument(pipeline, uri, in_stack);
    let text = |t: &dyn ToString| access::Expr::text(t.to_string());
    // Every setting is in the settings file (`render::job`): the arguments stay this short
    // however many topics and tables there are.
    let mut args = vec![
        (text(&"spark-submit"), at("spark.job")),
        (
            text(&format!(
                "--deploy-mode={}",
                enum_text(&pipeline.spark.job.deploy_mode)
            )),
            at("spark.job.deploy_mode"),
        ),
        (text(&"--master=yarn"), at("spark.job")),
    ];
    // The job's classpath: the Hudi bundle EMR installs, and the Kafka connector with
    // aws-msk-iam-auth, pinned per release (data/emr-releases.toml): resolved from Maven
    // Central, or the same jars staged in the artifact bucket.
    let artifacts = facts::job_artifacts(pipeline);
    let deps = at("spark.job.dependencies");
    let mut jars = vec![access::Expr::text(&aws::emr_releases().cluster_jars.hudi)];
    match pipeline.spark.job.dependencies {
        JobDependencies::Maven if !artifacts.is_empty() => {
            let coordinates: Vec<&str> = artifacts.iter().map(|a| a.coordinates.as_str()).collect();
            args.push((
                text(&format!("--packages={}", coordinates.join(","))),
                deps.clone(),
            ));
        }
        JobDependencies::Maven => {}
        JobDependencies::Artifacts => jars.extend(
            artifacts
                .iter()
                .map(|a| s3(&facts::staged_jar(pipeline, &a.file))),
        ),
    }
    let mut jars_arg = access::Expr::text("--jars=");
    for (i, jar) in jars.into_iter().enumerate() {
        if i > 0 {
            jars_arg = jars_arg.then(",");
        }
        jars_arg = jars_arg.append(jar);
    }
    args.push((jars_arg, deps));
    args.extend([
        (s3(&facts::job_script(pipeline)), at("spark.job.script")),
        (s3(&facts::job_settings(pipeline)), at("spark.job")),
    ]);
    for (i, arg) in pipeline.spark.job.args.iter().enumerate() {
        args.push((text(arg), at("spark.job.args").index(i)));
    }
    args
}

/// A step argument naming an S3 object: in the stack, a reference to the bucket when the stack
/// creates it; as text (`spark/emr-step.json`), the URI.
fn s3_argument(pipeline: &Pipeline, uri: &str, in_stack: bool) -> access::Expr {
    if in_stack {
        access::s3_uri(pipeline, uri)
    } else {
        access::Expr::text(uri)
    }
}

/// What the Polaris sync step runs (on the primary node, through `command-runner.jar`): fetch
/// `polaris/xtable_sync.py` from the artifact bucket and run it on the settings file. The
/// locations are the shell's positional arguments, never part of the command text.
pub const SYNC_STEP_COMMAND: &str = r#"set -eu; program="$(mktemp)"; aws s3 cp --region "$3" --only-show-errors "$1" "$program"; exec python3 "$program" "$2" "$3""#;

/// The Polaris sync step's arguments (`None` without a Polaris catalog): `bash -c` the
/// [`SYNC_STEP_COMMAND`] with the program's and the settings' locations and the region.
pub fn sync_step_arguments(pipeline: &Pipeline, in_stack: bool) -> Option<Vec<access::Expr>> {
    if !facts::polaris_sync(pipeline) {
        return None;
    }
    let s3 = |uri: &str| s3_argument(pipeline, uri, in_stack);
    Some(vec![
        access::Expr::text("bash"),
        access::Expr::text("-c"),
        access::Expr::text(SYNC_STEP_COMMAND),
        access::Expr::text("pipegen-polaris-sync"),
        s3(&facts::polaris_code(pipeline, facts::SYNC_PROGRAM)),
        s3(&facts::job_settings(pipeline)),
        access::Expr::text(&pipeline.pipeline.region),
    ])
}

/// `server.properties` for the brokers. With `msk_only`, only the keys an MSK configuration
/// accepts (the rest are self-managed-broker settings, kept in `broker.properties`).
pub fn broker_properties(pipeline: &Pipeline, msk_only: bool) -> Settings {
    let b = &pipeline.kafka.broker;
    let mut out = Settings::new();
    for (key, value) in b.typed() {
        // These two always appear, with the value MSK applies when unset.
        let value = match key {
            "default.replication.factor" => {
                Some(facts::default_replication_factor(pipeline).to_string())
            }
            "min.insync.replicas" => Some(facts::min_insync_replicas(pipeline).to_string()),
            _ => value,
        };
        let settable = !msk_only || aws::MSK_SETTABLE_PROPERTIES.contains(&key);
        if let Some(value) = value
            && settable
        {
            set(&mut out, key, value);
        }
    }
    for (key, value) in &b.extra {
        set(&mut out, key, value);
    }
    out
}

/// Settings as `key=value` lines (for MSK's ServerProperties), escaped for properties.
fn properties_text(settings: &Settings) -> String {
    settings
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}\n",
                super::escape::properties(k),
                super::escape::properties(v)
            )
        })
        .collect()
}

/// How clients connect: protocol, mechanism and port of the listener they use.
fn client_settings(pipeline: &Pipeline) -> Value {
    let listener = facts::client_listener(&pipeline.kafka);
    let protocol = listener.map_or(SecurityProtocol::Ssl, |l| l.protocol);
    let port = listener.map_or(aws::ports::TLS, |l| l.port);
    json!({
        "security_protocol": enum_text(&protocol),
        "sasl_mechanism": listener.and_then(|l| l.mechanism).map(|m| enum_text(&m)),
        "port": port,
        "settings": client_security(pipeline),
    })
}

/// The security settings every client (producer, consumer, Spark source) shares.
pub(super) fn client_security(pipeline: &Pipeline) -> Settings {
    let mut out = Settings::new();
    let Some(listener) = facts::client_listener(&pipeline.kafka) else {
        return out;
    };
    set(&mut out, "security.protocol", enum_text(&listener.protocol));
    match listener.mechanism {
        Some(SaslMechanism::AwsMskIam) => {
            set(&mut out, "sasl.mechanism", "AWS_MSK_IAM");
            set(
                &mut out,
                "sasl.jaas.config",
                "software.amazon.msk.auth.iam.IAMLoginModule required;",
            );
            set(
                &mut out,
                "sasl.client.callback.handler.class",
                "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
            );
        }
        Some(SaslMechanism::ScramSha512) => {
            set(&mut out, "sasl.mechanism", "SCRAM-SHA-512");
            // The credentials come from the secret at start-up; nothing secret is rendered.
            set(
                &mut out,
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"${KAFKA_SCRAM_USERNAME}\" password=\"${KAFKA_SCRAM_PASSWORD}\";",
            );
        }
        None => {}
    }
    if let Some(truststore) = &pipeline.kafka.client.truststore_location {
        set(&mut out, "ssl.truststore.location", truststore);
        set(
            &mut out,
            "ssl.truststore.password",
            "${KAFKA_SSL_TRUSTSTORE_PASSWORD}",
        );
    }
    out
}

fn producer_properties(pipeline: &Pipeline) -> Settings {
    let p = &pipeline.kafka.producer;
    let mut out = Settings::new();
    set(&mut out, "bootstrap.servers", "${KAFKA_BOOTSTRAP_SERVERS}");
    out.extend(client_security(pipeline));
    set(
        &mut out,
        "acks",
        match p.acks {
            Acks::All => "all",
            Acks::Leader => "1",
            Acks::None => "0",
        },
    );
    set(
        &mut out,
        "compression.type",
        enum_text::<Compression>(&p.compression_type),
    );
    set(&mut out, "batch.size", p.batch_size);
    set(&mut out, "linger.ms", p.linger_ms);
    set(&mut out, "buffer.memory", p.buffer_memory);
    set(
        &mut out,
        "max.in.flight.requests.per.connection",
        p.max_in_flight_requests_per_connection,
    );
    set(&mut out, "enable.idempotence", p.enable_idempotence);
    for (k, v) in &p.extra {
        set(&mut out, k, v);
    }
    out
}

fn consumer_properties(pipeline: &Pipeline) -> Settings {
    let c = &pipeline.kafka.consumer;
    let mut out = Settings::new();
    set(&mut out, "bootstrap.servers", "${KAFKA_BOOTSTRAP_SERVERS}");
    out.extend(client_security(pipeline));
    set(&mut out, "group.id", facts::consumer_group(pipeline));
    set(
        &mut out,
        "auto.offset.reset",
        enum_text::<OffsetReset>(&c.auto_offset_reset),
    );
    set(&mut out, "enable.auto.commit", c.enable_auto_commit);
    set(&mut out, "max.poll.records", c.max_poll_records);
    set(&mut out, "fetch.min.bytes", c.fetch_min_bytes);
    set(&mut out, "fetch.max.wait.ms", c.fetch_max_wait_ms);
    for (k, v) in &c.extra {
        set(&mut out, k, v);
    }
    out
}

fn topics(pipeline: &Pipeline) -> Value {
    pipeline
        .kafka
        .topics
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "partitions": t.partitions.get(),
                "replication_factor": facts::topic_replication_factor(pipeline, t),
                "configs": topic_configs(pipeline, t),
            })
        })
        .collect()
}

/// The configs a topic is created with (create-topics.sh, the job's start-up).
pub(super) fn topic_configs(pipeline: &Pipeline, t: &crate::model::Topic) -> Settings {
    let mut configs = Settings::new();
    set(&mut configs, "cleanup.policy", enum_text(&t.cleanup_policy));
    set(
        &mut configs,
        "retention.ms",
        facts::topic_retention_ms(pipeline, t),
    );
    set(
        &mut configs,
        "min.insync.replicas",
        facts::topic_min_insync_replicas(pipeline, t),
    );
    for (k, v) in &t.config {
        set(&mut configs, k, v);
    }
    configs
}

/// `spark-defaults`: sizing, shuffle, S3A, the Polaris catalog and the user's extra settings.
fn spark_defaults(pipeline: &Pipeline) -> Settings {
    let s = &pipeline.spark;
    let mut out = Settings::new();
    set(&mut out, "spark.executor.memory", &s.executor_memory);
    set(&mut out, "spark.driver.memory", &s.driver_memory);
    if let Some(cores) = s.executor_cores {
        set(&mut out, "spark.executor.cores", cores);
    }
    if let Some(n) = s.executor_instances {
        set(&mut out, "spark.executor.instances", n);
        set(&mut out, "spark.dynamicAllocation.enabled", false);
    }
    set(&mut out, "spark.memory.fraction", s.memory_fraction);
    set(
        &mut out,
        "spark.memory.storageFraction",
        s.memory_storage_fraction,
    );
    set(
        &mut out,
        "spark.sql.shuffle.partitions",
        s.shuffle_partitions,
    );
    set(&mut out, "spark.shuffle.compress", s.shuffle_compress);
    set(
        &mut out,
        "spark.shuffle.spill.compress",
        s.shuffle_spill_compress,
    );
    set(
        &mut out,
        "spark.io.compression.codec",
        enum_text(&s.io_compression_codec),
    );
    set(
        &mut out,
        "spark.serializer",
        "org.apache.spark.serializer.KryoSerializer",
    );
    // Hudi's SQL support on EMR (EMR Release Guide, "Work with a Hudi dataset"), its Kryo
    // registrar from Hudi 0.14 (Hudi quick start, "Spark"), and Iceberg's extensions when the
    // Polaris catalog is configured (Iceberg docs, "Spark configuration: SQL extensions").
    let mut extensions = vec!["org.apache.spark.sql.hudi.HoodieSparkSessionExtension"];
    if pipeline.polaris.is_some() {
        extensions.push("org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    }
    set(&mut out, "spark.sql.extensions", extensions.join(","));
    set(
        &mut out,
        "spark.sql.catalog.spark_catalog",
        "org.apache.spark.sql.hudi.catalog.HoodieCatalog",
    );
    if aws::emr_release(&pipeline.emr.release_label).is_some_and(|r| r.hudi_at_least(0, 14)) {
        set(
            &mut out,
            "spark.kryo.registrator",
            "org.apache.spark.HoodieSparkKryoRegistrar",
        );
    }
    let a = &s.s3a;
    let s3a: [(&str, Option<String>); 8] = [
        ("multipart.size", a.multipart_size.map(|v| v.to_string())),
        (
            "multipart.threshold",
            a.multipart_threshold.map(|v| v.to_string()),
        ),
        ("fast.upload", a.fast_upload.map(|v| v.to_string())),
        (
            "fast.upload.buffer",
            a.fast_upload_buffer.map(|v| enum_text(&v)),
        ),
        (
            "connection.maximum",
            a.connection_maximum.map(|v| v.to_string()),
        ),
        ("threads.max", a.threads_max.map(|v| v.to_string())),
        (
            "connection.establish.timeout",
            a.connection_establish_timeout_ms.map(|v| v.to_string()),
        ),
        (
            "connection.timeout",
            a.connection_timeout_ms.map(|v| v.to_string()),
        ),
    ];
    for (key, value) in s3a {
        if let Some(value) = value {
            set(&mut out, &format!("spark.hadoop.fs.s3a.{key}"), value);
        }
    }
    for (k, v) in polaris_settings(pipeline) {
        out.push((k, v));
    }
    for (k, v) in &s.conf {
        set(&mut out, k, v);
    }
    out
}

/// Options of the Structured Streaming Kafka source.
fn streaming_options(pipeline: &Pipeline) -> Settings {
    let st = &pipeline.spark.streaming;
    let mut out = Settings::new();
    set(
        &mut out,
        "subscribe",
        pipeline
            .kafka
            .topics
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(","),
    );
    set(&mut out, "startingOffsets", enum_text(&st.starting_offsets));
    set(&mut out, "failOnDataLoss", st.fail_on_data_loss);
    if let Some(max) = st.max_offsets_per_trigger {
        set(&mut out, "maxOffsetsPerTrigger", max);
    }
    for (k, v) in client_security(pipeline) {
        out.push((format!("kafka.{k}"), v));
    }
    set(&mut out, "kafka.group.id", facts::consumer_group(pipeline));
    out
}

/// `hoodie.*` write options for one table.
pub(super) fn hudi_options(pipeline: &Pipeline, table: &crate::model::HudiTable) -> Settings {
    let h = &pipeline.hudi;
    let w = &h.write;
    let compaction = table.compaction.as_ref().unwrap_or(&h.compaction);
    let clustering = table.clustering.as_ref().unwrap_or(&h.clustering);
    let mut out = Settings::new();
    set(&mut out, "hoodie.table.name", &table.name);
    set(
        &mut out,
        "hoodie.datasource.write.table.type",
        enum_text(&table.table_type),
    );
    set(
        &mut out,
        "hoodie.datasource.write.operation",
        enum_text(&table.operation),
    );
    set(
        &mut out,
        "hoodie.datasource.write.recordkey.field",
        &table.record_key,
    );
    if let Some(field) = &table.precombine_field {
        set(&mut out, "hoodie.datasource.write.precombine.field", field);
    }
    match &table.partition_path {
        Some(path) => {
            set(
                &mut out,
                "hoodie.datasource.write.partitionpath.field",
                path,
            );
            set(
                &mut out,
                "hoodie.datasource.write.hive_style_partitioning",
                w.hive_style_partitioning,
            );
        }
        None => set(
            &mut out,
            "hoodie.datasource.write.keygenerator.class",
            "org.apache.hudi.keygen.NonpartitionedKeyGenerator",
        ),
    }
    set(
        &mut out,
        "hoodie.insert.shuffle.parallelism",
        w.insert_shuffle_parallelism,
    );
    set(
        &mut out,
        "hoodie.upsert.shuffle.parallelism",
        w.upsert_shuffle_parallelism,
    );
    set(
        &mut out,
        "hoodie.bulkinsert.shuffle.parallelism",
        w.bulkinsert_shuffle_parallelism,
    );
    set(
        &mut out,
        "hoodie.delete.shuffle.parallelism",
        w.delete_shuffle_parallelism,
    );
    set(
        &mut out,
        "hoodie.combine.before.insert",
        w.combine_before_insert,
    );
    set(
        &mut out,
        "hoodie.combine.before.upsert",
        w.combine_before_upsert,
    );
    set(&mut out, "hoodie.metadata.enable", w.metadata_enabled);
    if table.table_type == TableType::MergeOnRead {
        set(&mut out, "hoodie.compact.inline", compaction.inline);
        set(
            &mut out,
            "hoodie.compact.schedule.inline",
            compaction.schedule_inline,
        );
        set(
            &mut out,
            "hoodie.datasource.compaction.async.enable",
            compaction.async_enabled,
        );
        set(
            &mut out,
            "hoodie.compact.inline.max.delta.commits",
            compaction.max_delta_commits,
        );
        set(&mut out, "hoodie.compaction.strategy", &compaction.strategy);
        set(
            &mut out,
            "hoodie.compaction.target.io",
            compaction.target_io_mb,
        );
    }
    set(&mut out, "hoodie.clustering.inline", clustering.inline);
    set(
        &mut out,
        "hoodie.clustering.async.enabled",
        clustering.async_enabled,
    );
    set(
        &mut out,
        "hoodie.clustering.inline.max.commits",
        clustering.max_commits,
    );
    set(
        &mut out,
        "hoodie.clustering.plan.strategy.target.file.max.bytes",
        clustering.target_file_max_bytes,
    );
    set(
        &mut out,
        "hoodie.clustering.plan.strategy.small.file.limit",
        clustering.small_file_limit,
    );
    let c = &h.cleaning;
    set(
        &mut out,
        "hoodie.cleaner.commits.retained",
        c.commits_retained,
    );
    set(&mut out, "hoodie.keep.min.commits", c.keep_min_commits);
    set(&mut out, "hoodie.keep.max.commits", c.keep_max_commits);
    out
}

/// XTable's `partitionSpec` of a Hudi table (`field:VALUE,…`), `None` when unpartitioned: the
/// job writes each partition path field's own value (an identity transform).
fn xtable_partition_spec(table: &crate::model::HudiTable) -> Option<String> {
    let fields: Vec<String> = table
        .partition_path
        .as_deref()?
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| format!("{f}:VALUE"))
        .collect();
    (!fields.is_empty()).then(|| fields.join(","))
}

/// The Spark setting that holds a catalog's OAuth credential (Iceberg's REST catalog property
/// `credential`, `client_id:client_secret`): set by the job from the secret at session start,
/// never rendered.
pub(super) fn polaris_credential_key(catalog: &str) -> String {
    format!("spark.sql.catalog.{catalog}.credential")
}

/// Spark catalog settings for the Polaris (Iceberg REST) catalog.
fn polaris_settings(pipeline: &Pipeline) -> Settings {
    let mut out = Settings::new();
    let Some(p) = &pipeline.polaris else {
        return out;
    };
    let prefix = format!("spark.sql.catalog.{}", p.catalog_name);
    set(&mut out, &prefix, "org.apache.iceberg.spark.SparkCatalog");
    set(&mut out, &format!("{prefix}.type"), "rest");
    set(&mut out, &format!("{prefix}.uri"), &p.uri);
    set(&mut out, &format!("{prefix}.warehouse"), &p.warehouse);
    set(&mut out, &format!("{prefix}.scope"), &p.scope);
    // No credential: the job sets it from the secret before the catalog's first use.
    set(
        &mut out,
        &format!("{prefix}.header.X-Iceberg-Access-Delegation"),
        "vended-credentials",
    );
    out
}

fn alarms(pipeline: &Pipeline) -> Value {
    let default_namespace = facts::metrics_namespace(pipeline);
    pipeline
        .monitoring
        .alarms
        .iter()
        .map(|a| {
            let namespace = a.namespace.clone().unwrap_or_else(|| default_namespace.clone());
            let dimensions: Vec<Value> = a.dimensions.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
            // How the alarm reaches published data (data/metrics.toml; `check` refused the rest).
            let query = crate::metrics::alarm_query(pipeline, a).unwrap_or(crate::metrics::Query::Direct { job_flow: false });
            let job_flow = matches!(query, crate::metrics::Query::Direct { job_flow: true });
            let brokers: Vec<Value> = match &query {
                crate::metrics::Query::SumOverBrokers { brokers } => brokers
                    .iter()
                    .map(|b| json!({ "id": format!("broker{b}"), "value": b.to_string() }))
                    .collect(),
                crate::metrics::Query::Direct { .. } => Vec::new(),
            };
            let expression = format!(
                "SUM([{}])",
                brokers.iter().map(|b| b["id"].as_str().unwrap_or_default()).collect::<Vec<_>>().join(",")
            );
            // The same query for put-metric-alarm's --metrics.
            let metrics_json = (!brokers.is_empty()).then(|| {
                let mut queries = vec![json!({
                    "Id": "total",
                    "Expression": expression,
                    "Label": format!("{} (sum over the brokers)", a.metric),
                    "ReturnData": true,
                })];
                for b in &brokers {
                    let mut dims: Vec<Value> = a.dimensions.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect();
                    dims.push(json!({"Name": crate::metrics::BROKER_ID, "Value": b["value"]}));
                    queries.push(json!({
                        "Id": b["id"],
                        "MetricStat": {
                            "Metric": {"Namespace": namespace, "MetricName": a.metric, "Dimensions": dims},
                            "Period": a.period,
                            "Stat": a.statistic.to_string(),
                        },
                        "ReturnData": false,
                    }));
                }
                serde_json::to_string(&queries).unwrap_or_default()
            });
            json!({
                "name": a.name,
                "logical_id": facts::logical_id("Alarm", &a.name),
                "brokers": brokers,
                "broker_dimension": crate::metrics::BROKER_ID,
                "expression": expression,
                "metrics_json": metrics_json,
                "job_flow": job_flow,
                "job_flow_dimension": crate::metrics::JOB_FLOW_ID,
                "description": a.description.clone().unwrap_or_else(|| format!("{} {}", a.metric, enum_text(&a.comparison))),
                "metric": a.metric,
                "namespace": namespace,
                "statistic": a.statistic.to_string(),
                "extended": !crate::model::Statistic::STANDARD.contains(&a.statistic.to_string().as_str()),
                "period": a.period,
                "threshold": a.threshold,
                "comparison": enum_text(&a.comparison),
                "evaluation_periods": a.evaluation_periods,
                "datapoints_to_alarm": a.datapoints_to_alarm,
                "dimensions": dimensions,
                "dimensions_json": serde_json::to_string(
                    &a.dimensions.iter().map(|(k, v)| json!({"Name": k, "Value": v}))
                        .chain(job_flow.then(|| json!({"Name": crate::metrics::JOB_FLOW_ID, "Value": "@EMR_CLUSTER_ID@"})))
                        .collect::<Vec<_>>()
                ).unwrap_or_default(),
                "treat_missing_data": enum_text::<MissingData>(&a.treat_missing_data),
                "notify": a.notify && pipeline.monitoring.sns.is_some(),
                // An alarm on the cluster's metrics names it: created after it.
                "on_cluster": a.dimensions.values().any(|v| *v == pipeline.kafka.cluster_name),
            })
        })
        .collect()
}

/// The application's `.env`: where everything is, no secret values.
fn dotenv(pipeline: &Pipeline) -> Settings {
    let mut out = Settings::new();
    let region = &pipeline.pipeline.region;
    set(&mut out, "PIPELINE_NAME", &pipeline.pipeline.name);
    set(
        &mut out,
        "PIPELINE_ENVIRONMENT",
        enum_text(&pipeline.pipeline.environment),
    );
    set(&mut out, "AWS_REGION", region);
    set(&mut out, "KAFKA_CLUSTER_NAME", &pipeline.kafka.cluster_name);
    let listener = facts::client_listener(&pipeline.kafka);
    set(
        &mut out,
        "KAFKA_SECURITY_PROTOCOL",
        listener.map_or("SSL".to_owned(), |l| enum_text(&l.protocol)),
    );
    if let Some(mechanism) = listener.and_then(|l| l.mechanism) {
        set(&mut out, "KAFKA_SASL_MECHANISM", enum_text(&mechanism));
    }
    set(
        &mut out,
        "KAFKA_BOOTSTRAP_PORT",
        listener.map_or(aws::ports::TLS, |l| l.port),
    );
    // The topics are listed one per line in a file of their own: a list in the environment
    // grows with them, and past the kernel's limit on the environment every program started
    // after `. ./.env` fails with "Argument list too long".
    set(&mut out, "KAFKA_TOPICS_FILE", "kafka/topics.txt");
    set(
        &mut out,
        "KAFKA_CONSUMER_GROUP",
        facts::consumer_group(pipeline),
    );
    if let Some(truststore) = &pipeline.kafka.client.truststore_location {
        set(&mut out, "KAFKA_SSL_TRUSTSTORE_LOCATION", truststore);
    }
    if let Some(secret) = &pipeline.kafka.client.truststore_password_secret {
        set(&mut out, "KAFKA_SSL_TRUSTSTORE_PASSWORD_SECRET", secret);
    }
    set(&mut out, "S3_BUCKET", &pipeline.storage.bucket);
    set(
        &mut out,
        "S3_ENDPOINT",
        format!("https://s3.{region}.amazonaws.com"),
    );
    set(
        &mut out,
        "CHECKPOINT_LOCATION",
        facts::checkpoint_location(pipeline),
    );
    set(&mut out, "HUDI_BASE_PATH", facts::hudi_base_path(pipeline));
    set(&mut out, "SPARK_MASTER", "yarn");
    set(
        &mut out,
        "SPARK_DEPLOY_MODE",
        enum_text(&pipeline.spark.job.deploy_mode),
    );
    set(
        &mut out,
        "SPARK_EXECUTOR_MEMORY",
        &pipeline.spark.executor_memory,
    );
    set(
        &mut out,
        "SPARK_DRIVER_MEMORY",
        &pipeline.spark.driver_memory,
    );
    if let Some(p) = &pipeline.polaris {
        set(&mut out, "POLARIS_URI", &p.uri);
        set(&mut out, "POLARIS_WAREHOUSE", &p.warehouse);
        set(&mut out, "POLARIS_CREDENTIAL_SECRET", &p.credential_secret);
    }
    let namespace = facts::metrics_namespace(pipeline);
    set(&mut out, "CLOUDWATCH_NAMESPACE", namespace);
    if let Some(e) = &pipeline.monitoring.prometheus_endpoint {
        set(&mut out, "PROMETHEUS_ENDPOINT", e);
    }
    if let Some(e) = &pipeline.monitoring.grafana_endpoint {
        set(&mut out, "GRAFANA_ENDPOINT", e);
    }
    out
}
