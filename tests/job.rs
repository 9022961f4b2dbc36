//! The streaming job runs, for real: the job `render` writes for the production example, on
//! PySpark pinned to its EMR release's Spark (scripts/tools.sh) and the machine's JDK, with the
//! Kafka source and the Hudi sink replaced through the job's one seam
//! (`tests/oracles/job_seam.py`: Spark's `rate` source shaped as Kafka records, a JSON file
//! sink) and S3 by a local folder. Everything else runs as rendered: the settings file, one
//! query per table, decoding into the declared columns, checkpoints, the trigger, the
//! listener's metrics (into a local moto server, through real boto3) and the graceful stop.
#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

use common::moto::Moto;
use common::{succeeds, tool};

/// The rendered job, with the settings' `s3://` locations moved under `dir/s3`.
struct Rendered {
    dir: PathBuf,
    settings: Value,
    template: Yaml,
}

fn render(dir: &Path) -> Rendered {
    // A 2-second trigger so that several micro-batches fit in a test; nothing else changes.
    let text = common::patched_text(
        "production.toml",
        "[spark.streaming]\ntrigger_interval_seconds = 2\n",
    );
    let input = dir.join("pipeline.toml");
    std::fs::write(&input, text).unwrap();
    let out = dir.join("render");
    let output = common::pipegen(&[
        "render",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "render: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let settings_text = std::fs::read_to_string(out.join("spark/job-settings.json")).unwrap();
    let local = format!("file://{}/s3/", dir.display());
    let settings: Value = serde_json::from_str(&settings_text.replace("s3://", &local)).unwrap();
    let template = std::fs::read_to_string(out.join("cloudformation/pipeline.yaml")).unwrap();
    let template = YamlLoader::load_from_str(&template).unwrap().remove(0);
    Rendered {
        dir: out,
        settings,
        template,
    }
}

/// A local path of a `file://` URI.
fn path(uri: &str) -> PathBuf {
    PathBuf::from(uri.strip_prefix("file://").expect("a file:// URI"))
}

/// The micro-batches a query has committed (`<checkpoint>/commits/<n>`).
fn commits(checkpoint: &str) -> usize {
    std::fs::read_dir(path(checkpoint).join("commits")).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().parse::<u64>().is_ok())
            .count()
    })
}

/// The job under spark-submit, killed when dropped.
struct Job(Child);

impl Job {
    /// Its exit status, once it exits within `within`; else a panic with `late()`.
    fn exit_within(&mut self, within: Duration, late: impl Fn() -> String) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "{}", late());
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The custom-metric alarms of the template: (namespace, metric, dimensions).
fn custom_alarms(template: &Yaml, namespace: &str) -> Vec<(String, BTreeSet<(String, String)>)> {
    let mut out = Vec::new();
    for (_, resource) in template["Resources"].as_hash().unwrap() {
        let properties = &resource["Properties"];
        if resource["Type"].as_str() != Some("AWS::CloudWatch::Alarm")
            || properties["Namespace"].as_str() != Some(namespace)
        {
            continue;
        }
        let dimensions = properties["Dimensions"]
            .as_vec()
            .map(|list| {
                list.iter()
                    .map(|d| {
                        (
                            d["Name"].as_str().unwrap().to_owned(),
                            d["Value"].as_str().expect("a literal dimension").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push((
            properties["MetricName"].as_str().unwrap().to_owned(),
            dimensions,
        ));
    }
    out
}

/// Reads the datapoints moto holds for each (metric, dimensions): their count and average.
const METRICS_PY: &str = r#"
import datetime, json, sys
import boto3
url, region, namespace, wanted = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
client = boto3.client("cloudwatch", region_name=region, endpoint_url=url,
                      aws_access_key_id="test", aws_secret_access_key="test")
now = datetime.datetime.now(datetime.timezone.utc)
out = []
for metric, dimensions in wanted:
    answer = client.get_metric_statistics(
        Namespace=namespace, MetricName=metric, StartTime=now - datetime.timedelta(hours=1),
        EndTime=now + datetime.timedelta(minutes=5), Period=3600, Statistics=["SampleCount", "Average"],
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions])
    points = answer["Datapoints"]
    out.append({"metric": metric, "dimensions": dimensions,
                "count": sum(p["SampleCount"] for p in points),
                "average": (sum(p["Average"] * p["SampleCount"] for p in points) / sum(p["SampleCount"] for p in points)) if points else None})
print(json.dumps(out))
"#;

/// Calls on moto, one JSON list of `[operation, arguments…]`: buckets, objects (from files),
/// secrets.
const AWS_PY: &str = r#"
import json, sys
import boto3
url, region, calls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
def client(service):
    return boto3.client(service, region_name=region, endpoint_url=url,
                        aws_access_key_id="test", aws_secret_access_key="test")
s3, secrets = client("s3"), client("secretsmanager")
for call in calls:
    op, args = call[0], call[1:]
    if op == "bucket":
        s3.create_bucket(Bucket=args[0])
    elif op == "object":
        with open(args[2], "rb") as f:
            s3.put_object(Bucket=args[0], Key=args[1], Body=f.read())
    elif op == "secret":
        secrets.create_secret(Name=args[0], SecretString=args[1])
    elif op == "rotate":
        secrets.put_secret_value(SecretId=args[0], SecretString=args[1])
    else:
        raise SystemExit(f"unknown call {op}")
"#;

/// Runs [`AWS_PY`] on moto.
fn aws(moto: &Moto, calls: &Value) {
    succeeds(
        Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
            .args(["-c", AWS_PY, &moto.url, "us-east-1"])
            .arg(calls.to_string()),
    );
}

/// The Polaris credential the tests' secret holds: a Polaris-issued client id and secret.
const POLARIS_CREDENTIAL: &str = "pipeline-client-0f3a:Secret+/with$odd'chars";

#[test]
fn the_rendered_job_moves_records_and_publishes_what_the_alarms_read() {
    let python = tool("PIPEGEN_PYSPARK_PYTHON");
    let spark_submit = python.parent().unwrap().join("spark-submit");
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let rendered = render(dir);
    let job = rendered.dir.join("spark/streaming_job.py");

    // The job's lint: pyflakes, on the job and on the seam.
    succeeds(
        Command::new(&python)
            .args(["-m", "pyflakes"])
            .arg(&job)
            .arg(common::root().join("tests/oracles/job_seam.py")),
    );

    let settings_file = dir.join("job-settings.json");
    std::fs::write(&settings_file, rendered.settings.to_string()).unwrap();
    let moto = Moto::start(dir);
    let polaris = &rendered.settings["polaris"];
    aws(
        &moto,
        &json!([["secret", polaris["credential_secret"], POLARIS_CREDENTIAL]]),
    );
    let out = dir.join("sink");
    // The job's own log lines and Spark's, in one file.
    let log = dir.join("job.log");
    let log_file = std::fs::File::create(&log).unwrap();
    let child = Command::new(&spark_submit)
        .args(["--master", "local[2]", "--conf", "spark.ui.enabled=false"])
        .args(["--conf", "spark.sql.shuffle.partitions=2"])
        // What the cluster's spark-defaults carry (the stack's MSK ARN); the seam's source
        // never connects.
        .arg("--conf")
        .arg(format!(
            "{}=arn:aws:kafka:us-east-1:123456789012:cluster/data-pipeline-prod/0000",
            pipegen::render::job::CLUSTER_ARN_SETTING
        ))
        .arg(&job)
        .arg(format!("file://{}", settings_file.display()))
        .env("PYSPARK_PYTHON", &python)
        .env(
            "PIPEGEN_JOB_SEAM",
            common::root().join("tests/oracles/job_seam.py"),
        )
        .env("PIPEGEN_JOB_SEAM_OUT", &out)
        .env("PIPEGEN_AWS_ENDPOINT_URL", &moto.url)
        // Not UTC: the lag is computed across time zones right (PySpark hands timestamps in
        // the driver's local time).
        .env("TZ", "America/New_York")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut job_process = Job(child);
    let job_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let tail = |text: String| -> String {
        let lines: Vec<&str> = text.lines().filter(|l| !l.contains(" INFO ")).collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    };

    // Several micro-batches per table, then the stop marker.
    let tables = rendered.settings["tables"].as_array().unwrap().clone();
    assert_eq!(tables.len(), 5, "the production example has five tables");
    let deadline = Instant::now() + Duration::from_secs(240);
    while tables
        .iter()
        .any(|t| commits(t["checkpoint"].as_str().unwrap()) < 3)
    {
        if let Some(status) = job_process.0.try_wait().unwrap() {
            panic!("the job ended early ({status}):\n{}", tail(job_log()));
        }
        assert!(
            Instant::now() < deadline,
            "fewer than 3 batches per table in 240 s:\n{}",
            tail(job_log())
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let marker = path(rendered.settings["stop"]["marker"].as_str().unwrap());
    std::fs::create_dir_all(marker.parent().unwrap()).unwrap();
    std::fs::write(&marker, "").unwrap();
    let batches_at_stop: Vec<usize> = tables
        .iter()
        .map(|t| commits(t["checkpoint"].as_str().unwrap()))
        .collect();
    let status = job_process.exit_within(Duration::from_secs(120), || {
        format!(
            "the job did not stop within 120 s of the marker:\n{}",
            tail(job_log())
        )
    });
    let text = job_log();
    assert!(status.success(), "the job failed:\n{}", tail(text.clone()));
    assert!(
        marker.exists(),
        "the stop marker stays after the job obeyed it, for the Polaris sync step"
    );

    // The Polaris catalog: its credential read from the secret and set on the session before
    // the queries started; never in the rendered Spark settings. The namespace cannot be
    // created here (no Iceberg runtime), which the job logs and survives.
    let session: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("session.json")).unwrap()).unwrap();
    let setting = polaris["credential_setting"].as_str().unwrap();
    assert_eq!(setting, "spark.sql.catalog.polaris.credential");
    assert_eq!(session[setting], json!(POLARIS_CREDENTIAL), "{session:#}");
    for file in [
        "spark/spark-defaults.conf",
        "spark/spark-config.json",
        "polaris/catalog.properties",
        "cloudformation/pipeline.yaml",
    ] {
        let text = std::fs::read_to_string(rendered.dir.join(file)).unwrap();
        assert!(
            !text.contains("polaris.credential"),
            "{file} names the catalog credential"
        );
        assert!(
            !text.contains("POLARIS_CREDENTIAL"),
            "{file} has a credential placeholder"
        );
    }
    assert!(
        text.contains("Polaris catalog polaris: cannot create namespace pipeline"),
        "the job tried to create the namespace:\n{}",
        tail(text.clone())
    );
    assert!(
        !text.contains("publishing the metrics of query"),
        "the listener failed:\n{}",
        tail(text.clone())
    );
    for table in &tables {
        let name = table["name"].as_str().unwrap();
        assert!(
            text.contains(&format!("query {name} stopped after its batch")),
            "{name} was not stopped gracefully:\n{}",
            tail(text.clone())
        );
    }

    // The topics, before any query read: the missing ones created as declared, the one the
    // (recorded) cluster had with too few partitions widened; nothing else asked of it.
    let topics = rendered.settings["kafka"]["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 5);
    let admin: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("admin.json")).unwrap()).unwrap();
    let mut names: Vec<&str> = topics.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(admin[0], json!(["existing", names]), "{admin:#}");
    assert_eq!(admin[1], json!(["create", topics[1..]]), "{admin:#}");
    assert_eq!(
        admin[2],
        json!(["add_partitions", topics[0]["name"], topics[0]["partitions"]]),
        "{admin:#}"
    );
    assert_eq!(admin.as_array().unwrap().len(), 3, "{admin:#}");
    assert!(
        text.contains("has replication factor 1, not the 3 declared"),
        "the job names what it cannot change:\n{}",
        tail(text.clone())
    );
    for topic in topics {
        assert!(
            topic["configs"]["min.insync.replicas"].is_string(),
            "{topic}"
        );
    }

    // Records land with the declared columns, and only those that decode.
    let mut records = 0;
    for (table, batches) in tables.iter().zip(&batches_at_stop) {
        let name = table["name"].as_str().unwrap();
        let columns: BTreeSet<&str> = table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let key = table["hudi_options"]["hoodie.datasource.write.recordkey.field"]
            .as_str()
            .unwrap();
        let mut rows = 0;
        for entry in std::fs::read_dir(out.join(name)).unwrap() {
            let file = entry.unwrap().path();
            if file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            for line in std::fs::read_to_string(&file).unwrap().lines() {
                let row: Value = serde_json::from_str(line).unwrap();
                let keys: BTreeSet<&str> = row
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(keys, columns, "{name}: a row with other columns: {line}");
                for field in key.split(',') {
                    assert!(
                        !row[field].is_null(),
                        "{name}: a row without its key: {line}"
                    );
                }
                rows += 1;
            }
        }
        assert!(rows > 0, "{name}: no records landed");
        assert!(*batches >= 3, "{name}: {batches} batches");
        records += rows;
    }

    // The metrics the rendered alarms on the job's namespace read arrived, with their
    // dimensions; and the per-table ones. ErrorRate is 10%: every 10th record is not JSON.
    let namespace = rendered.settings["metrics"]["namespace"].as_str().unwrap();
    let alarms = custom_alarms(&rendered.template, namespace);
    let alarmed: BTreeSet<&str> = alarms.iter().map(|(m, _)| m.as_str()).collect();
    assert!(
        alarmed.contains("ErrorRate") && alarmed.contains("ProcessingLag"),
        "{alarms:?}"
    );
    let mut wanted: Vec<(String, Vec<(String, String)>)> = alarms
        .iter()
        .map(|(m, d)| (m.clone(), d.iter().cloned().collect()))
        .collect();
    for table in &tables {
        for metric in [
            "InputRecords",
            "ErrorRate",
            "ProcessingLag",
            "BatchDuration",
        ] {
            wanted.push((
                metric.to_owned(),
                vec![
                    ("Pipeline".into(), "data-pipeline".into()),
                    ("Table".into(), table["name"].as_str().unwrap().to_owned()),
                ],
            ));
        }
    }
    let output = succeeds(
        Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
            .args(["-c", METRICS_PY, &moto.url, "us-east-1", namespace])
            .arg(serde_json::to_string(&wanted).unwrap()),
    );
    let received: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let mut datapoints = 0.0;
    for got in &received {
        let metric = got["metric"].as_str().unwrap();
        let count = got["count"].as_f64().unwrap();
        if metric == "MaxOffsetsBehindLatest" {
            // Kafka's source reports it (SourceProgress metrics); the rate source has none.
            assert_eq!(count, 0.0, "{got}");
            continue;
        }
        assert!(count > 0.0, "no datapoint for {got}");
        let average = got["average"].as_f64().unwrap();
        if metric == "ErrorRate" {
            assert!((5.0..=15.0).contains(&average), "{got}");
        }
        if metric == "ProcessingLag" {
            // Records wait at most a trigger interval or two, here and in every time zone.
            assert!((0.0..=60.0).contains(&average), "{got}");
        }
        datapoints += count;
    }
    use std::io::Write;
    writeln!(
        std::io::stderr(),
        "job: {} tables, {} batches at the stop marker ({:?}), {records} records written, {datapoints} datapoints read back for {} (metric, dimensions) pairs",
        tables.len(),
        batches_at_stop.iter().sum::<usize>(),
        batches_at_stop,
        received.len()
    )
    .unwrap();
}

/// A stand-in for `java`: records its arguments, the configs they name (their bytes, and the
/// catalog config's and its folder's modes) into `$FAKE_JAVA_OUT/round-<n>.json`.
const FAKE_JAVA: &str = r#"
import json, os, stat, sys
out = os.environ["FAKE_JAVA_OUT"]
args = sys.argv[1:]
record = {"args": args}
for flag in ("--datasetConfig", "--icebergCatalogConfig"):
    path = args[args.index(flag) + 1]
    with open(path) as f:
        record[flag] = {"path": path, "text": f.read(), "mode": stat.S_IMODE(os.stat(path).st_mode),
                        "folder_mode": stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)}
with open(args[args.index("-jar") + 1], "rb") as f:
    record["jar"] = f.read().decode()
n = len(os.listdir(out))
with open(os.path.join(out, f"round-{n}.json"), "w") as f:
    json.dump(record, f)
"#;

#[test]
fn the_polaris_sync_step_runs_xtable_with_the_secret_credential_until_the_stop_marker() {
    let python = tool("PIPEGEN_PYSPARK_PYTHON");
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let out = dir.join("render");
    let output = common::pipegen(&[
        "render",
        common::root()
            .join("examples/production.toml")
            .to_str()
            .unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let program = out.join("polaris/xtable_sync.py");
    succeeds(Command::new(&python).args(["-m", "pyflakes"]).arg(&program));

    // The rendered settings, with a 3-second interval (the model's unit is minutes).
    let mut settings: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("spark/job-settings.json")).unwrap(),
    )
    .unwrap();
    settings["polaris"]["sync"]["interval_seconds"] = json!(3);
    settings["stop"]["poll_seconds"] = json!(1);
    let settings_file = dir.join("job-settings.json");
    std::fs::write(&settings_file, settings.to_string()).unwrap();
    let jar_file = dir.join("xtable.jar");
    std::fs::write(&jar_file, "the XTable bundle").unwrap();
    let s3 = |uri: &Value| -> (String, String) {
        let (bucket, key) = uri.as_str().unwrap()["s3://".len()..]
            .split_once('/')
            .unwrap();
        (bucket.to_owned(), key.to_owned())
    };
    let sync = &settings["polaris"]["sync"];
    // The step as rendered: `bash -c <command> <name> <program> <settings> <region>`.
    let steps: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("spark/emr-step.json")).unwrap())
            .unwrap();
    let step = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == "pipegen-polaris-sync")
        .expect("the sync step");
    assert_eq!(step["ActionOnFailure"], "CONTINUE");
    let step_args: Vec<String> = step["HadoopJarStep"]["Args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(step_args[..2], ["bash", "-c"]);
    assert_eq!(step_args[6], "us-east-1");
    let command = dir.join("sync-step.sh");
    std::fs::write(&command, format!("#!/usr/bin/env bash\n{}\n", step_args[2])).unwrap();
    succeeds(Command::new(tool("PIPEGEN_SHELLCHECK")).arg(&command));
    let settings_uri = json!(step_args[5]);
    let mut calls = vec![];
    let mut buckets = BTreeSet::new();
    for (uri, file) in [
        (&settings_uri, settings_file.clone()),
        (&json!(step_args[4]), program.clone()),
        (&sync["jar"], jar_file.clone()),
        (
            &sync["dataset_config"],
            out.join("polaris/xtable-config.yaml"),
        ),
        (
            &sync["catalog_config"],
            out.join("polaris/xtable-catalog.json"),
        ),
    ] {
        let (bucket, key) = s3(uri);
        if buckets.insert(bucket.clone()) {
            calls.push(json!(["bucket", bucket]));
        }
        calls.push(json!(["object", bucket, key, file]));
    }
    let (marker_bucket, marker_key) = s3(&settings["stop"]["marker"]);
    if buckets.insert(marker_bucket.clone()) {
        calls.push(json!(["bucket", marker_bucket]));
    }
    let secret = settings["polaris"]["credential_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    calls.push(json!(["secret", secret, POLARIS_CREDENTIAL]));
    // A marker from before the step started, which it must not obey.
    let empty = dir.join("empty");
    std::fs::write(&empty, "").unwrap();
    calls.push(json!(["object", marker_bucket, marker_key, empty]));
    let moto = Moto::start(dir);
    aws(&moto, &Value::Array(calls));

    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let java = bin.join("java");
    std::fs::write(
        &java,
        format!(
            "#!/bin/sh\nexec {} -c '{}' \"$@\"\n",
            tool("PIPEGEN_ORACLES_PYTHON").display(),
            FAKE_JAVA.replace('\'', "'\\''")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&java, std::fs::Permissions::from_mode(0o755)).unwrap();
    let rounds = dir.join("rounds");
    std::fs::create_dir_all(&rounds).unwrap();
    // Written and removed by the time the marker is written below: the step started after it.
    std::thread::sleep(Duration::from_millis(1100));
    let log = dir.join("sync.log");
    // The node's python3 (with boto3) and aws CLI, and the stand-in java.
    std::os::unix::fs::symlink(&python, bin.join("python3")).unwrap();
    std::os::unix::fs::symlink(tool("PIPEGEN_AWS"), bin.join("aws")).unwrap();
    let child = Command::new("bash")
        .args(&step_args[1..])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env_remove("JAVA_HOME")
        .env("FAKE_JAVA_OUT", &rounds)
        .env("PIPEGEN_AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(dir.join("sync.err")).unwrap())
        .spawn()
        .unwrap();
    let mut process = Job(child);
    let logs = || {
        format!(
            "{}{}",
            std::fs::read_to_string(&log).unwrap_or_default(),
            std::fs::read_to_string(dir.join("sync.err")).unwrap_or_default()
        )
    };
    let wait_for_rounds = |n: usize, process: &mut Job| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::fs::read_dir(&rounds).unwrap().count() < n {
            if let Some(status) = process.0.try_wait().unwrap() {
                panic!("the step ended early ({status}):\n{}", logs());
            }
            assert!(
                Instant::now() < deadline,
                "no round {n} in 60 s:\n{}",
                logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    // Two rounds despite the old marker; then a rotated secret; then a new marker.
    wait_for_rounds(2, &mut process);
    let rotated = "pipeline-client-0f3a:rotated-secret";
    aws(&moto, &json!([["rotate", secret, rotated]]));
    let rotated_at = std::fs::read_dir(&rounds).unwrap().count();
    wait_for_rounds(rotated_at + 2, &mut process);
    aws(
        &moto,
        &json!([["object", marker_bucket, marker_key, empty]]),
    );
    let status = process.exit_within(Duration::from_secs(30), || {
        format!(
            "the step did not end within 30 s of the marker:\n{}",
            logs()
        )
    });
    assert!(status.success(), "the step failed:\n{}", logs());
    assert!(logs().contains("stop marker found"), "{}", logs());

    let dataset = std::fs::read_to_string(out.join("polaris/xtable-config.yaml")).unwrap();
    let catalog: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("polaris/xtable-catalog.json")).unwrap(),
    )
    .unwrap();
    let count = std::fs::read_dir(&rounds).unwrap().count();
    let mut credentials = Vec::new();
    for n in 0..count {
        let round: Value = serde_json::from_str(
            &std::fs::read_to_string(rounds.join(format!("round-{n}.json"))).unwrap(),
        )
        .unwrap();
        let args: Vec<&str> = round["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(args[0], "-jar", "{round}");
        assert_eq!(round["jar"], "the XTable bundle", "the staged bundle runs");
        let given = &round["--datasetConfig"];
        assert_eq!(
            given["text"].as_str().unwrap(),
            dataset,
            "the rendered dataset config"
        );
        // The catalog config: the rendered one and the credential, YAML that RunSync reads
        // (JSON is YAML: parsed here by a YAML parser), for its owner's eyes only, then gone.
        let config = &round["--icebergCatalogConfig"];
        let yaml = YamlLoader::load_from_str(config["text"].as_str().unwrap())
            .unwrap()
            .remove(0);
        assert_eq!(
            yaml["catalogImpl"].as_str(),
            catalog["catalogImpl"].as_str()
        );
        for (key, value) in catalog["catalogOptions"].as_object().unwrap() {
            assert_eq!(
                yaml["catalogOptions"][key.as_str()].as_str(),
                value.as_str(),
                "{key}"
            );
        }
        credentials.push(
            yaml["catalogOptions"]["credential"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        assert_eq!(config["mode"], 0o600, "{round}");
        assert_eq!(config["folder_mode"], 0o700, "{round}");
        assert!(
            !Path::new(config["path"].as_str().unwrap()).exists(),
            "the credential file stays after its round"
        );
    }
    assert_eq!(credentials[0], POLARIS_CREDENTIAL);
    assert_eq!(
        credentials.last().unwrap(),
        rotated,
        "the rotated secret reaches the next rounds"
    );
    use std::io::Write;
    writeln!(
        std::io::stderr(),
        "polaris sync: {count} rounds, credential rotated after {rotated_at}"
    )
    .unwrap();
}
