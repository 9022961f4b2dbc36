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
