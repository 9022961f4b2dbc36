//! `pipegen render`: every artifact accepted by its real consumer (cfn-lint, checkov,
//! shellcheck, JSON and properties parsers), deterministic, atomic, injection-proof.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{pipegen, tool};

fn render_into(example: &str, out: &Path) {
    let output = pipegen(&[
        "render",
        &format!("examples/{example}"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Renders an example through the library (no policy gate), for pipelines the policies reject.
fn artifacts(example: &str) -> Vec<pipegen::render::Artifact> {
    let check = common::check_example(example);
    let pipeline = check.model.as_ref().expect("the example builds");
    let input = check.source.as_deref().unwrap();
    pipegen::render::render(pipeline, example, input.as_bytes(), None).unwrap()
}

fn write_all(artifacts: &[pipegen::render::Artifact], out: &Path) {
    pipegen::render::write(out, artifacts).unwrap();
}

fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Runs every consumer over a rendered folder. Checkov judges security settings, so it runs
/// only on the production render (minimal.toml leaves them at AWS defaults on purpose).
fn consumers_accept(dir: &Path, with_checkov: bool) {
    let templates = dir.join("cloudformation");
    let lint = Command::new(tool("PIPEGEN_CFN_LINT"))
        .arg(templates.join("*.yaml"))
        .output()
        .unwrap();
    assert!(
        lint.status.success() && lint.stdout.is_empty(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    if with_checkov {
        checkov_passes(&templates);
    }
    scripts_json_and_properties_are_valid(dir);
}

/// Checkov over every template of a folder (the main stack and the two small ones).
fn checkov_passes(templates: &Path) {
    let (report, failures) = common::checkov(templates);
    assert!(failures.is_empty(), "checkov failed checks: {failures:?}");
    let passed = report["summary"]["passed"].as_u64().unwrap_or(0);
    assert!(passed > 100, "checkov ran only {passed} checks");
}

fn scripts_json_and_properties_are_valid(dir: &Path) {
    let known: toml_edit::DocumentMut =
        std::fs::read_to_string(common::root().join("tests/data/known-keys.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let list = |name: &str| -> BTreeSet<String> {
        known[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    for path in walk(dir) {
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if name.ends_with(".sh") {
            common::succeeds(Command::new(tool("PIPEGEN_SHELLCHECK")).arg(&path));
            common::succeeds(Command::new("bash").arg("-n").arg(&path));
        }
        if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        if name.ends_with(".properties") || name.ends_with(".conf") {
            let pairs = common::properties::parse_properties(&text);
            let mut seen = BTreeSet::new();
            for (key, _) in &pairs {
                assert!(seen.insert(key.clone()), "{name}: duplicate key {key}");
                let allowed = if name.contains("/hudi/") {
                    list("hudi").contains(key)
                } else if name.ends_with("broker.properties") {
                    list("kafka_broker").contains(key)
                } else if name.ends_with("producer.properties") {
                    list("kafka_client").contains(key) || list("kafka_producer").contains(key)
                } else if name.ends_with("consumer.properties") {
                    list("kafka_client").contains(key) || list("kafka_consumer").contains(key)
                } else {
                    list("spark").contains(key)
                        || key
                            .strip_prefix("spark.sql.catalog.")
                            .and_then(|rest| {
                                rest.split_once('.')
                                    .map(|(_, k)| format!(".{k}"))
                                    .or(Some(String::new()))
                            })
                            .is_some_and(|suffix| list("iceberg_catalog").contains(&suffix))
                };
                assert!(allowed, "{name}: `{key}` is not a key its consumer knows");
            }
        }
    }
}

#[test]
fn production_render_is_accepted_by_every_consumer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    render_into("production.toml", &out);
    let written = files(&out);
    for expected in [
        ".env",
        "cloudformation/pipeline.yaml",
        "hudi/sensor_data.properties",
        "kafka/broker.properties",
        "kafka/consumer.properties",
        "kafka/create-topics.sh",
        "kafka/producer.properties",
        "manifest.json",
        "monitoring/create-alarms.sh",
        "monitoring/grafana-dashboard.json",
        "polaris/catalog.properties",
        "polaris/xtable-config.yaml",
        "spark/emr-step.json",
        "spark/spark-config.json",
        "spark/spark-defaults.conf",
    ] {
        assert!(
            written.contains(&expected.to_owned()),
            "{expected} missing from {written:?}"
        );
    }
    consumers_accept(&out, true);
}

#[test]
fn minimal_render_is_accepted_by_every_consumer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    write_all(&artifacts("minimal.toml"), &out);
    consumers_accept(&out, false);
}

/// Booleans reach every consumer as `true`/`false` (Spark, Kafka, Hudi and CloudFormation
/// read these; a Python `True` is a string to all of them): in every rendered file of both
/// examples but the job's own Python.
#[test]
fn rendered_booleans_are_lowercase() {
    for example in ["production.toml", "minimal.toml"] {
        for artifact in artifacts(example) {
            if artifact.path.ends_with(".py") {
                continue;
            }
            for (n, line) in artifact.content.lines().enumerate() {
                let python = line
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| word == "True" || word == "False");
                assert!(!python, "{example}: {}:{}: {line}", artifact.path, n + 1);
            }
        }
    }
}

#[test]
fn rendered_files_match_their_snapshots() {
    for example in ["production.toml", "minimal.toml"] {
        for artifact in artifacts(example) {
            if artifact.path == "spark/streaming_job.py" {
                // Written verbatim from job/streaming_job.py: no snapshot of a copy.
                assert_eq!(artifact.content, pipegen::render::job::STREAMING_JOB);
                continue;
            }
            let name = format!(
                "{}__{}",
                example.trim_end_matches(".toml"),
                artifact.path.replace('/', "__")
            );
            insta::assert_snapshot!(name, artifact.content);
        }
    }
}

#[test]
fn render_is_deterministic_and_check_detects_staleness() {
    assert_eq!(artifacts("production.toml"), artifacts("production.toml"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let out_arg = out.to_str().unwrap();
    render_into("production.toml", &out);
    let fresh = pipegen(&[
        "render",
        "examples/production.toml",
        "--out",
        out_arg,
        "--check",
    ]);
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fresh.stdout)
    );
    std::fs::write(out.join("kafka/broker.properties"), "edited by hand\n").unwrap();
    std::fs::remove_file(out.join(".env")).unwrap();
    std::fs::write(out.join("kafka/stray.txt"), "x").unwrap();
    let stale = pipegen(&[
        "render",
        "examples/production.toml",
        "--out",
        out_arg,
        "--check",
    ]);
    assert_eq!(stale.status.code(), Some(1));
    let text = String::from_utf8_lossy(&stale.stdout);
    for line in [
        "changed: kafka/broker.properties",
        "missing: .env",
        "extra: kafka/stray.txt",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("kafka/broker.properties")).unwrap(),
        "edited by hand\n",
        "--check writes nothing"
    );
}

#[test]
fn a_pipeline_with_errors_is_not_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let output = pipegen(&[
        "render",
        "examples/insecure.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("nothing rendered"));
    assert!(!out.exists());
    let broken = pipegen(&["render", "no-such.toml", "--out", out.to_str().unwrap()]);
    assert_eq!(broken.status.code(), Some(2));
}

#[test]
fn output_folder_guards() {
    let dir = tempfile::tempdir().unwrap();
    let production = artifacts("production.toml");
    // A folder pipegen did not write is never replaced.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let error = pipegen::render::write(&foreign, &production).unwrap_err();
    assert!(
        error.to_string().contains("was not written by pipegen"),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "mine"
    );
    // A file where the folder should be.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert!(
        pipegen::render::write(&file, &production)
            .unwrap_err()
            .to_string()
            .contains("not a folder")
    );
    // A symlink inside the output folder, pointing elsewhere.
    let out = dir.path().join("deploy");
    write_all(&production, &out);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", out.join("kafka/link")).unwrap();
        let error = pipegen::render::write(&out, &production).unwrap_err();
        assert!(error.to_string().contains("symlink"), "{error}");
        std::fs::remove_file(out.join("kafka/link")).unwrap();
        // The output folder itself a symlink.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&out, &link).unwrap();
        assert!(
            pipegen::render::write(&link, &production)
                .unwrap_err()
                .to_string()
                .contains("symlink")
        );
    }
    // Another pipeline's render, with a file of a person's in it, is kept; forced, the
    // second render replaces the first completely.
    std::fs::write(out.join("stale.txt"), "old").unwrap();
    let minimal = artifacts("minimal.toml");
    assert!(pipegen::render::write(&out, &minimal).is_err());
    assert!(out.join("stale.txt").exists());
    pipegen::render::write_over(&out, &minimal).unwrap();
    assert!(!out.join("stale.txt").exists());
    assert!(
        !out.join("polaris").exists(),
        "minimal has no Polaris catalog"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".pipegen-render-")
        })
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind");
}

#[test]
fn templates_can_be_overridden_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(templates.join("kafka")).unwrap();
    std::fs::write(
        templates.join("kafka/broker.properties"),
        "# ours\n{% for kv in broker_properties %}{{ kv[0] }}={{ kv[1] }}\n{% endfor %}",
    )
    .unwrap();
    let out = dir.path().join("deploy");
    let args = [
        "render",
        "examples/production.toml",
        "--out",
        out.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ];
    assert_eq!(pipegen(&args).status.code(), Some(0));
    assert!(
        std::fs::read_to_string(out.join("kafka/broker.properties"))
            .unwrap()
            .starts_with("# ours\n")
    );
    std::fs::write(templates.join("kafka/broker.propertes"), "x").unwrap();
    let typo = pipegen(&args);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("did you mean `kafka/broker.properties`?")
    );
}

/// A value that breaks out of every quoting it is not properly escaped for.
const HOSTILE: &str = "x'\"$(touch PWNED)`touch PWNED`;\\n\nnew=line:#! ünïcødé 😀 $HOME ${HOME}";

#[test]
fn hostile_values_stay_data_in_every_format() {
    let patch = format!(
        r#"
[pipeline.tags]
Hostile = {h}
[[monitoring.alarms]]
[[monitoring.alarms]]
[[monitoring.alarms]]
description = {h}
dimensions = {{ "Cluster Name" = {h} }}
[spark.conf]
"spark.pipegen.hostile" = {h}
[spark.job]
args = [{h}, "--flag"]
[kafka.producer.extra]
"client.id" = {h}
[[kafka.topics]]
config = {{ "message.format" = {h} }}
[polaris]
uri = {uri}
"#,
        h = toml_string(HOSTILE),
        uri = toml_string(&format!("https://polaris.example.com/{HOSTILE}")),
    );
    let check = common::check_patched("production.toml", &patch);
    let pipeline = check.model.as_ref().expect("the hostile pipeline builds");
    let rendered = pipegen::render::render(pipeline, "hostile.toml", b"", None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    write_all(&rendered, &out);
    let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();

    // JSON: parses, and holds the value exactly.
    let spark: serde_json::Value = serde_json::from_str(&read("spark/spark-config.json")).unwrap();
    assert_eq!(spark[0]["Properties"]["spark.pipegen.hostile"], HOSTILE);
    let step: serde_json::Value = serde_json::from_str(&read("spark/emr-step.json")).unwrap();
    assert!(
        step[0]["HadoopJarStep"]["Args"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(HOSTILE))
    );

    // Properties: parse back to the same value.
    let producer = common::properties::parse_properties(&read("kafka/producer.properties"));
    assert!(
        producer.contains(&("client.id".to_owned(), HOSTILE.to_owned())),
        "{producer:?}"
    );
    let defaults = common::properties::parse_properties(&read("spark/spark-defaults.conf"));
    assert!(defaults.contains(&("spark.pipegen.hostile".to_owned(), HOSTILE.to_owned())));

    // Shell: valid scripts whose commands receive the value as one argument, run with stubs.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let argv_log = dir.path().join("argv");
    for stub in ["aws", "kafka-topics.sh"] {
        let script = format!(
            "#!/usr/bin/env bash\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done >> '{}'\n",
            argv_log.display()
        );
        let path = bin.join(stub);
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for script in ["monitoring/create-alarms.sh", "kafka/create-topics.sh"] {
        common::succeeds(Command::new(tool("PIPEGEN_SHELLCHECK")).arg(out.join(script)));
        common::succeeds(
            Command::new("bash")
                .arg(out.join(script))
                .current_dir(dir.path())
                .env("PATH", &path)
                .env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9098")
                .env(
                    "ALARM_TOPIC_ARN",
                    "arn:aws:sns:us-east-1:123456789012:alerts",
                ),
        );
    }
    let argv = std::fs::read(&argv_log).unwrap();
    let args: Vec<String> = argv
        .split(|b| *b == 0)
        .map(|a| String::from_utf8(a.to_vec()).unwrap())
        .collect();
    assert!(
        args.contains(&format!("--alarm-description={HOSTILE}")),
        "the alarm description arrives as one argument"
    );
    assert!(
        args.contains(&format!("message.format={HOSTILE}")),
        "the topic config arrives as one argument"
    );
    // The hostile cluster name is a dimension of the under-replicated alarm, which reads one
    // query per broker (`--metrics`): every one of them carries it as data.
    let queries = args
        .iter()
        .find_map(|a| a.strip_prefix("--metrics="))
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(queries).unwrap();
    let per_broker: Vec<&serde_json::Value> = parsed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q.get("MetricStat"))
        .collect();
    assert!(!per_broker.is_empty());
    for stat in per_broker {
        assert_eq!(stat["Metric"]["Dimensions"][0]["Value"], HOSTILE);
    }
    assert!(
        !dir.path().join("PWNED").exists(),
        "a command substitution ran"
    );

    // .env: sourcing it sets the value, runs nothing.
    let env = Command::new("bash")
        .args(["-c", "set -a; . ./.env; printf '%s' \"$POLARIS_URI\""])
        .current_dir(&out)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(env.stdout).unwrap(),
        format!("https://polaris.example.com/{HOSTILE}")
    );
    assert!(!out.join("PWNED").exists());

    // CloudFormation: cfn-lint accepts it, and its YAML decodes to the same value.
    let template = out.join("cloudformation/pipeline.yaml");
    common::succeeds(Command::new(tool("PIPEGEN_CFN_LINT")).arg(&template));
    let decode = Command::new(tool("PIPEGEN_TOOLS_PYTHON"))
        .args([
            "-c",
            // A value holding `${` is an Fn::Join of literal pieces: joined, it is the value.
            "import json,sys; from cfnlint.decode import decode; t,_=decode(sys.argv[1]); \
             j=lambda v: v['Fn::Join'][0].join(v['Fn::Join'][1]) if isinstance(v,dict) else v; \
             print(json.dumps([j(x['Value']) for x in t['Resources']['Vpc']['Properties']['Tags'] if x['Key']=='Hostile']))",
            template.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let values: Vec<String> = serde_json::from_slice(&decode.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&decode.stderr)));
    assert_eq!(values, vec![HOSTILE.to_owned()]);
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// Shell single quotes keep newlines, so a pipeline value in a shell comment could end the
/// comment and start a command: shell and .env templates print no pipeline value there.
#[test]
fn shell_templates_keep_pipeline_values_out_of_comments() {
    for (name, source) in pipegen::render::TEMPLATES {
        if !(name.ends_with(".sh") || name.ends_with(".env")) {
            continue;
        }
        for line in source.lines() {
            let comment = line.trim_start().starts_with('#');
            let allowed = ["{{ version }}", "{{ client.port }}"];
            let mut rest = line.to_owned();
            for a in allowed {
                rest = rest.replace(a, "");
            }
            assert!(
                !(comment && rest.contains("{{")),
                "{name}: value in a comment: {line}"
            );
        }
    }
}

/// The repository commits the production render (`examples/rendered/production`), and CI
/// gates on it with `render --check`, as users would.
#[test]
fn the_committed_render_is_fresh() {
    let output = pipegen(&[
        "render",
        "examples/production.toml",
        "--out",
        "examples/rendered/production",
        "--check",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\nrun `cargo run -- render examples/production.toml --out examples/rendered/production` and commit it",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Defaults are resolved once, in the model: templates never supply their own fallback for a
/// model value, and what the rules see is what the stack gets.
#[test]
fn defaults_live_in_the_model_only() {
    let templates = common::root().join("templates");
    for entry in walkdir::WalkDir::new(&templates) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() || entry.path().starts_with(templates.join("init")) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for (n, line) in text.lines().enumerate() {
            let fallback = line.split("{{").skip(1).any(|expr| {
                let expr = expr.split("}}").next().unwrap_or_default();
                expr.trim_start().starts_with("p.") && expr.contains(" or ")
            });
            assert!(
                !fallback,
                "{}:{}: a template default for a model value: {line}",
                entry.path().display(),
                n + 1
            );
        }
    }
    // The minimal example sets no retention: the rules and the stack agree on 90 days.
    let check = common::check_example("minimal.toml");
    assert!(!check.findings.iter().any(|f| f.code == "OPS-LOG-003"));
    let pipeline = check.model.as_ref().unwrap();
    assert_eq!(pipeline.monitoring.log_retention_days, 90);
    let artifacts = pipegen::render::render(pipeline, "minimal.toml", b"", None).unwrap();
    let stack = artifacts
        .iter()
        .find(|a| a.path == "cloudformation/pipeline.yaml")
        .unwrap();
    let retentions: Vec<&str> = stack
        .content
        .lines()
        .filter_map(|l| l.trim().strip_prefix("RetentionInDays: "))
        .collect();
    assert!(!retentions.is_empty());
    assert!(retentions.iter().all(|d| *d == "90"), "{retentions:?}");
}

/// Render never loses a user's file: a folder holding files the previous render did not
/// write, or another pipeline's render, is refused (exit 2, naming them) unless `--force`;
/// `--diff` and `--list` write nothing; `--out /` says the folder is not pipegen's.
#[test]
fn render_never_loses_a_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let production = common::root().join("examples/production.toml");
    std::fs::copy(&production, root.join("a.toml")).unwrap();
    let other = std::fs::read_to_string(&production).unwrap().replacen(
        "name = \"data-pipeline\"",
        "name = \"other-pipeline\"",
        1,
    );
    std::fs::write(root.join("b.toml"), other).unwrap();
    let run = |args: &[&str]| {
        let output = common::pipegen_in(root, args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code(), text)
    };
    assert_eq!(run(&["render", "a.toml", "--out", "out"]).0, Some(0));
    // --list names every file and writes nothing.
    let (code, listed) = run(&["render", "a.toml", "--out", "listed", "--list"]);
    assert_eq!(code, Some(0));
    assert!(
        listed.lines().any(|l| l == "cloudformation/pipeline.yaml"),
        "{listed}"
    );
    assert!(listed.lines().any(|l| l == "manifest.json"));
    assert!(!root.join("listed").exists());
    // A person's file in the folder: refused, named, kept.
    std::fs::write(root.join("out/NOTES.md"), "mine").unwrap();
    let (code, text) = run(&["render", "a.toml", "--out", "out"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("NOTES.md") && text.contains("--force"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("out/NOTES.md")).unwrap(),
        "mine"
    );
    std::fs::remove_file(root.join("out/NOTES.md")).unwrap();
    // Another pipeline's render: refused; --force replaces it.
    let (code, text) = run(&["render", "b.toml", "--out", "out"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(
            "holds the render of pipeline `data-pipeline` (from `a.toml`), not of `other-pipeline`"
        ),
        "{text}"
    );
    assert_eq!(
        run(&["render", "b.toml", "--out", "out", "--force"]).0,
        Some(0)
    );
    // --diff: what would change, nothing written; nothing to say when fresh.
    let manifest = std::fs::read_to_string(root.join("out/manifest.json")).unwrap();
    assert_eq!(
        run(&["render", "b.toml", "--out", "out", "--diff"]),
        (Some(0), String::new())
    );
    let text = std::fs::read_to_string(root.join("b.toml"))
        .unwrap()
        .replacen("broker_count = 3", "broker_count = 6", 1);
    std::fs::write(root.join("b.toml"), text).unwrap();
    let (code, diff) = run(&["render", "b.toml", "--out", "out", "--diff"]);
    assert_eq!(code, Some(1), "{diff}");
    assert!(
        diff.contains("--- a/cloudformation/pipeline.yaml\n+++ b/cloudformation/pipeline.yaml\n"),
        "{diff}"
    );
    assert!(diff.contains("+      NumberOfBrokerNodes: 6"), "{diff}");
    assert_eq!(
        std::fs::read_to_string(root.join("out/manifest.json")).unwrap(),
        manifest
    );
    // `--out /` is not a folder pipegen wrote (not a complaint about something inside it).
    let (code, text) = run(&["render", "a.toml", "--out", "/"]);
    assert_eq!(code, Some(2));
    assert!(
        text.contains("`/` is not empty and was not written by pipegen"),
        "{text}"
    );
}
