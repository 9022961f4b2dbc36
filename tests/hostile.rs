//! Render in a hostile environment: read-only folders, paths through symlinks, files where
//! folders should be, renders racing each other and renders killed at any moment. In every
//! case the output folder holds the previous complete set or the new complete set — never a
//! mix, never nothing — and what went wrong is said in one clear line.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pipegen"));
    command.env("PIPEGEN_TODAY", "2026-11-26");
    command
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn render(input: &Path, out: &Path) -> Output {
    run(&["render", path(input), "--out", path(out)])
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `production.toml` with its owner tag set to `owner`, so two variants render differently;
/// `extra` topics and tables make a render write that many more files.
fn variant(dir: &Path, owner: &str, extra: usize) -> PathBuf {
    let mut text = std::fs::read_to_string(common::root().join("examples/production.toml"))
        .unwrap()
        .replace("monthly_limit_usd = 3000", "monthly_limit_usd = 1000000");
    // Past about 20 tables the job's role would exceed IAM's inline policy size with two topic
    // ARNs a table (reading it; creating it at start): these variants authenticate with SCRAM
    // (CFX-037 reports the IAM case).
    if extra >= 20 {
        text = text
            .replace(
                "iam = true\nscram = false",
                "iam = false\nscram = true\nscram_secrets = [\"AmazonMSK_kafka_credentials\"]",
            )
            .replace(
                "sasl_mechanism = \"AWS_MSK_IAM\"\nbootstrap_port = 9098",
                "sasl_mechanism = \"SCRAM-SHA-512\"\nbootstrap_port = 9096",
            );
        text.push_str(
            "\n[[secrets]]\nname = \"AmazonMSK_kafka_credentials\"\npurpose = \"scram\"\nkms_key = \"pipeline\"\n",
        );
    }
    let tag = "owner = \"platform-team@example.com\"";
    assert!(text.contains(tag), "production.toml has an owner to vary");
    text = text.replacen(tag, &format!("owner = \"{owner}@example.com\""), 1);
    for i in 0..extra {
        text.push_str(&format!(
            "\n[[kafka.topics]]\nname = \"load_{i}\"\npartitions = 3\nreplication_factor = 3\n\
             retention_ms = 604800000\n\n[[hudi.tables]]\nname = \"load_{i}\"\n\
             source_topic = \"load_{i}\"\ntable_type = \"COPY_ON_WRITE\"\nrecord_key = \"id\"\n\
             precombine_field = \"ts\"\npartition_path = \"day\"\ncolumns = [{{ name = \"id\", type = \"string\" }}, \
             {{ name = \"ts\", type = \"timestamp\" }}, {{ name = \"day\", type = \"date\" }}]\n"
        ));
    }
    let file = dir.join(format!("{owner}.toml"));
    std::fs::write(&file, text).unwrap();
    file
}

/// Whether `out` holds exactly the complete render of `input` (`render --check`).
fn holds(out: &Path, input: &Path) -> bool {
    let output = run(&["render", path(input), "--out", path(out), "--check"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    output.status.success()
}

/// Asserts `out` holds one complete set, `a`'s or `b`'s; says which.
fn one_complete_set(out: &Path, a: &Path, b: &Path) -> char {
    match (holds(out, a), holds(out, b)) {
        (true, false) => 'a',
        (false, true) => 'b',
        (x, y) => panic!("the output folder holds a mix or nothing (a: {x}, b: {y})"),
    }
}

/// Staging folders left beside the output folder.
fn leftovers(parent: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".pipegen-render-")
        })
        .map(|e| e.path())
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Makes a folder unchangeable: permission bits, or for root (whom they do not stop) the
/// immutable attribute. Fails loudly if the attribute cannot be set.
fn freeze(dir: &Path, frozen: bool) {
    if is_root() {
        let status = Command::new("chattr")
            .arg(if frozen { "+i" } else { "-i" })
            .arg(dir)
            .status()
            .expect("chattr (e2fsprogs) is needed to make a folder read-only for root");
        assert!(status.success(), "chattr failed on {}", dir.display());
    } else {
        use std::os::unix::fs::PermissionsExt;
        let mode = if frozen { 0o555 } else { 0o755 };
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn read_only_folders_are_refused_and_keep_the_previous_set() {
    let dir = tempfile::tempdir().unwrap();
    let a = variant(dir.path(), "team-a", 0);
    let b = variant(dir.path(), "team-b", 0);
    let out = dir.path().join("deploy");
    assert!(render(&a, &out).status.success());
    // The output folder, a folder inside it, and the folder that holds it.
    let cases = [
        (out.clone(), "is read-only"),
        (out.join("kafka"), "is read-only"),
        (dir.path().to_path_buf(), "cannot write in"),
    ];
    for (frozen, expected) in cases {
        freeze(&frozen, true);
        let output = render(&b, &out);
        // Nothing to write: an up-to-date folder is fine, read-only or not.
        let unchanged = render(&a, &out);
        freeze(&frozen, false);
        assert!(unchanged.status.success(), "{}", stderr(&unchanged));
        assert_eq!(output.status.code(), Some(2), "{}", frozen.display());
        let message = stderr(&output);
        assert!(
            message.contains(expected) && message.contains(path(&frozen)),
            "{message}"
        );
        assert_eq!(message.trim().lines().count(), 1, "{message}");
        assert_eq!(one_complete_set(&out, &a, &b), 'a');
        assert!(leftovers(dir.path()).is_empty());
    }
}

#[test]
fn an_output_folder_reached_through_a_symlinked_parent_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let a = variant(dir.path(), "team-a", 0);
    let b = variant(dir.path(), "team-b", 0);
    for input in [&a, &b] {
        let output = render(input, &link.join("deploy"));
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert!(link.is_symlink(), "the symlink itself is left alone");
    assert_eq!(one_complete_set(&real.join("deploy"), &a, &b), 'b');
    assert!(leftovers(&real).is_empty());
}

#[test]
fn a_file_where_a_folder_should_be_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let a = variant(dir.path(), "team-a", 0);
    let file = dir.path().join("file");
    std::fs::write(&file, "keep me").unwrap();
    for out in [file.clone(), file.join("deploy")] {
        let output = render(&a, &out);
        assert_eq!(output.status.code(), Some(2));
        let message = stderr(&output);
        assert!(
            message.contains(&format!("`{}`", file.display())) && message.contains("not a folder"),
            "{message}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn concurrent_renders_into_one_folder_leave_one_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let a = variant(dir.path(), "team-a", 20);
    let b = variant(dir.path(), "team-b", 20);
    let out = dir.path().join("deploy");
    let mut winners = Vec::new();
    for round in 0..6 {
        let children: Vec<_> = (0..4)
            .map(|i| {
                let input = if (i + round) % 2 == 0 { &a } else { &b };
                bin()
                    .args(["render", path(input), "--out", path(&out)])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "{}", stderr(&output));
        }
        winners.push(one_complete_set(&out, &a, &b));
        assert!(leftovers(dir.path()).is_empty(), "round {round}");
    }
    assert_eq!(winners.len(), 6);
}

#[test]
fn a_render_killed_at_any_moment_leaves_the_old_or_the_new_set() {
    let dir = tempfile::tempdir().unwrap();
    // About 300 files a render, so a kill lands between files.
    let a = variant(dir.path(), "team-a", 300);
    let b = variant(dir.path(), "team-b", 300);
    let out = dir.path().join("deploy");
    // A render's duration: the fastest of three, so that a slow first run (cold caches, a busy
    // machine) does not put every kill after the render's end.
    let mut full = Duration::MAX;
    for input in [&a, &b, &a] {
        let started = Instant::now();
        assert!(render(input, &out).status.success());
        full = full.min(started.elapsed());
    }
    // The files are written in the last part of a render (after the check and the render in
    // memory): the kills are spread from an eighth of its duration to past its end, so that
    // some land while it writes however the machine's load shifts the timing.
    let kills: u32 = 24;
    let mut interrupted = 0;
    let mut expected = 'a';
    for k in 0..kills {
        let (input, other) = if expected == 'a' {
            (&b, 'b')
        } else {
            (&a, 'a')
        };
        let mut child = bin()
            .args(["render", path(input), "--out", path(&out)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full / 8 + full * 9 * k / (8 * kills));
        child.kill().unwrap(); // SIGKILL: no destructor, no clean-up runs.
        let finished = child.wait().unwrap().success();
        let now = one_complete_set(&out, &a, &b);
        if finished {
            assert_eq!(now, other);
        }
        expected = now;
        interrupted += usize::from(!leftovers(dir.path()).is_empty());
    }
    assert!(interrupted > 0, "no kill landed while a render was writing");
    // What killed renders left behind is removed by the next render, once old enough to be
    // sure no live render owns it.
    let orphans = leftovers(dir.path());
    for orphan in &orphans {
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::open(orphan)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    assert!(render(&a, &out).status.success());
    assert!(
        leftovers(dir.path()).is_empty(),
        "{} orphans remain",
        orphans.len()
    );
    assert_eq!(one_complete_set(&out, &a, &b), 'a');
}

#[test]
fn an_unchanged_render_writes_nothing_but_restores_a_lost_executable_bit() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let a = variant(dir.path(), "team-a", 0);
    let out = dir.path().join("deploy");
    assert!(render(&a, &out).status.success());
    let manifest = out.join("manifest.json");
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&manifest)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let again = render(&a, &out);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing written"));
    let modified = std::fs::metadata(&manifest).unwrap().modified().unwrap();
    assert_eq!(modified, old, "an unchanged render rewrote the files");
    // A script that lost its executable bit is stale: the render writes the set again.
    let script = out.join("kafka/create-topics.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(!holds(&out, &a));
    let fixed = render(&a, &out);
    assert!(String::from_utf8_lossy(&fixed.stdout).starts_with("wrote"));
    let mode = std::fs::metadata(&script).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
    assert!(holds(&out, &a));
}
