//! The pre-commit hooks, driven by the real `pre-commit` (`try-repo`) in a scratch git
//! repository: a good pipeline passes, a bad one fails, a stale render fails.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn try_repo(dir: &Path, hook: &str, extra: &[&str]) -> Output {
    let root = common::root();
    let mut args = vec!["try-repo", root.to_str().unwrap(), hook];
    args.extend(extra);
    pre_commit(dir, &args)
}

fn run_hook(dir: &Path, hook: &str) -> Output {
    pre_commit(dir, &["run", hook, "--all-files"])
}

/// Runs the real pre-commit in `dir`.
fn pre_commit(dir: &Path, args: &[&str]) -> Output {
    let tools = std::env::var("PIPEGEN_TOOLS").expect("PIPEGEN_TOOLS is set by scripts/test.sh");
    Command::new(common::tool("PIPEGEN_PRE_COMMIT"))
        .args(args)
        .current_dir(dir)
        // Cache pre-commit's environments and the hook's cargo build between runs.
        .env("PRE_COMMIT_HOME", format!("{tools}/pre-commit-home"))
        .env("CARGO_TARGET_DIR", format!("{tools}/pre-commit-target"))
        .envs(FAST_BUILD)
        .env("PIPEGEN_TODAY", "2026-11-26")
        .output()
        .unwrap()
}

/// The hook's `cargo install` builds a release binary; an unoptimised one checks the same
/// and builds in a fraction of the time.
const FAST_BUILD: [(&str, &str); 3] = [
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
];

#[test]
fn hooks_pass_good_pipelines_and_fail_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    git(repo, &["config", "user.email", "ci@example.com"]);
    git(repo, &["config", "user.name", "CI"]);
    std::fs::copy(
        common::root().join("examples/production.toml"),
        repo.join("good.pipeline.toml"),
    )
    .unwrap();
    std::fs::copy(
        common::root().join("examples/broken.toml"),
        repo.join("bad.pipeline.toml"),
    )
    .unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "pipelines"]);

    let good = try_repo(repo, "pipegen-check", &["--files", "good.pipeline.toml"]);
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(text.contains("Passed"), "{text}");

    let bad = try_repo(repo, "pipegen-check", &["--files", "bad.pipeline.toml"]);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{text}");
    assert!(
        text.contains("Failed") && text.contains("CFX-004"),
        "{text}"
    );

    // A committed render, then a change to the pipeline that makes it stale.
    let binary = assert_cmd::cargo::cargo_bin("pipegen");
    let render = Command::new(&binary)
        .args(["render", "good.pipeline.toml", "--out", "deploy"])
        .current_dir(repo)
        .env("PIPEGEN_TODAY", "2026-11-26")
        .output()
        .unwrap();
    assert!(render.status.success());
    // try-repo cannot pass hook args: configure the render check in a config file, pinned
    // to this repository's HEAD.
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(common::root())
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: pipegen-render-check\n        args: [good.pipeline.toml, --out, deploy]\n",
            common::root().display(),
            head.trim()
        ),
    )
    .unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "render"]);
    let fresh = run_hook(repo, "pipegen-render-check");
    assert!(
        fresh.status.success(),
        "{}",
        String::from_utf8_lossy(&fresh.stdout)
    );
    let pipeline = std::fs::read_to_string(repo.join("good.pipeline.toml")).unwrap();
    std::fs::write(
        repo.join("good.pipeline.toml"),
        pipeline.replace("partitions = 24", "partitions = 48"),
    )
    .unwrap();
    let stale = run_hook(repo, "pipegen-render-check");
    let text = String::from_utf8_lossy(&stale.stdout);
    assert!(!stale.status.success(), "{text}");
    assert!(
        text.contains("is stale") && text.contains("changed: kafka/"),
        "{text}"
    );
}
