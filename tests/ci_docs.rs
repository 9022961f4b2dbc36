//! docs/ci.md shows only commands and flags that exist: every `pipegen` command in it runs
//! here, against a scratch repository laid out as the page assumes.

mod common;

use std::process::Command;

/// The `pipegen …` commands of the page's code blocks.
fn commands() -> Vec<String> {
    let text = std::fs::read_to_string(common::root().join("docs/ci.md")).unwrap();
    let mut in_block = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let trimmed = line
            .trim()
            .trim_start_matches("- ")
            .trim_start_matches("run: ");
        if trimmed.starts_with("pipegen ") {
            out.push(trimmed.to_owned());
        }
    }
    out
}

#[test]
fn every_command_in_the_ci_guide_runs() {
    let commands = commands();
    assert!(commands.len() >= 5, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pipelines")).unwrap();
    std::fs::copy(
        common::root().join("examples/production.toml"),
        root.join("pipelines/orders.pipeline.toml"),
    )
    .unwrap();
    let binary = assert_cmd::cargo::cargo_bin("pipegen");
    common::succeeds(
        Command::new(&binary)
            .args([
                "render",
                "pipelines/orders.pipeline.toml",
                "--out",
                "deploy/orders",
            ])
            .current_dir(root)
            .env("PIPEGEN_TODAY", "2026-11-26"),
    );
    for command in &commands {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let output = Command::new(&binary)
            .args(&args)
            .current_dir(root)
            .env("PIPEGEN_TODAY", "2026-11-26")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "`{command}`: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if let Some(i) = args.iter().position(|a| *a == "--output") {
            assert!(
                root.join(args[i + 1]).is_file(),
                "`{command}` wrote no {}",
                args[i + 1]
            );
        }
    }
}

#[test]
fn the_hooks_file_declares_both_hooks() {
    let hooks = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    for id in ["id: pipegen-check", "id: pipegen-render-check"] {
        assert!(hooks.contains(id), "{id}");
    }
}

/// The README's deploy step runs as written, after its render step: the block after "Then
/// deploy", in one shell, with the aws CLI replaced by a recorder (tests/oracles/aws-recorder);
/// the calls come in the documented phase order and each passes the real CLI's validation.
#[test]
fn the_readme_deploy_step_runs() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let after = readme
        .split_once("Then deploy what `render` wrote")
        .expect("the README has its deploy step")
        .1;
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a code block")
        .0;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(
        common::root().join("tests/oracles/aws-recorder"),
        bin.join("aws"),
    )
    .unwrap();

    std::fs::write(root.join("emr-tls.zip"), "certificates\n").unwrap();
    let binary = assert_cmd::cargo::cargo_bin("pipegen");
    common::succeeds(
        Command::new(&binary)
            .args(["render"])
            .arg(common::root().join("examples/production.toml"))
            .args(["--out", "deploy/"])
            .current_dir(root)
            .env("PIPEGEN_TODAY", "2026-11-26"),
    );
    let record = root.join("calls.jsonl");
    // What describe-stacks tells of the replica stack: the ARN of the key it created.
    let canned = root.join("canned");
    std::fs::create_dir_all(&canned).unwrap();
    let replica_key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    std::fs::write(
        canned.join("cloudformation.describe-stacks.json"),
        format!("{replica_key}\n"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    common::succeeds(
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", block])
            .current_dir(root)
            .env("PATH", path)
            .env("PIPEGEN_AWS_RECORD", &record)
            .env("PIPEGEN_AWS_CANNED", &canned),
    );
    let calls: Vec<Vec<String>> = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let deploys: Vec<String> = calls
        .iter()
        .filter(|c| c.get(1).is_some_and(|s| s == "deploy"))
        .filter_map(|c| {
            c.iter()
                .skip_while(|a| *a != "--stack-name")
                .nth(1)
                .cloned()
        })
        .collect();
    assert_eq!(
        deploys,
        [
            "data-pipeline-bootstrap",
            "data-pipeline-replica",
            "data-pipeline"
        ],
        "the dry run deploys nothing; the real run deploys the stacks in order"
    );
    let main_stack = calls.iter().rfind(|c| {
        c.get(1).is_some_and(|s| s == "deploy") && c.iter().any(|a| a == "data-pipeline")
    });
    assert!(
        main_stack.is_some_and(|c| c.contains(&format!("ReplicaKmsKeyArn={replica_key}"))),
        "the main stack gets the replica stack's key: {main_stack:?}"
    );
    common::succeeds(
        Command::new(common::tool("PIPEGEN_ORACLES_PYTHON"))
            .arg(common::root().join("tests/oracles/consumers.py"))
            .arg("aws")
            .arg(&record)
            .current_dir(root.join("deploy")),
    );
}
