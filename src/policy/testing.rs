//! `pipegen test-policies DIR`: fixture pipelines with the rule ids they must (and must not)
//! trip, for authors of custom packs.
//!
//! A test file is any `*.test.toml` below DIR:
//!
//! ```toml
//! [[test]]
//! name = "public bucket is caught"
//! pipeline = "fixtures/public-bucket.toml"   # relative to this file
//! expect = ["ORG-S3-001"]                     # must fire
//! absent = ["SEC-S3-001"]                     # must not fire
//! ```

use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Context;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    test: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    pipeline: PathBuf,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
}

/// The outcome of a test run.
pub struct Outcome {
    /// PASS/FAIL lines and the closing `N passed, M failed` line.
    pub report: String,
    /// 0 when every case passed, 1 on a mismatch, 2 when a test file or fixture is unusable.
    pub exit_code: u8,
}

/// Runs every `*.test.toml` below `dir` against the built-in pack plus the rules in `dir`.
pub fn run(dir: &Path, ctx: &Context) -> Outcome {
    let mut report = String::new();
    let (mut passed, mut failed, mut unusable) = (0, 0, 0);
    let mut tests: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(".test.toml")
        })
        .map(walkdir::DirEntry::into_path)
        .collect();
    tests.sort();
    if tests.is_empty() {
        let _ = writeln!(report, "no *.test.toml files below {}", dir.display());
        return Outcome {
            report,
            exit_code: 2,
        };
    }
    for test in tests {
        let parsed = crate::load::read(&test)
            .map_err(|f| f.message)
            .and_then(|text| toml_file(&text));
        let file = match parsed {
            Ok(file) => file,
            Err(message) => {
                let _ = writeln!(report, "ERROR {}: {message}", test.display());
                unusable += 1;
                continue;
            }
        };
        let base = test.parent().unwrap_or(Path::new("."));
        for case in file.test {
            let pipeline = base.join(&case.pipeline);
            let check = crate::check_file(&pipeline, ctx);
            if !check.usable {
                let _ = writeln!(
                    report,
                    "ERROR {}: {} is unusable: {}",
                    case.name,
                    pipeline.display(),
                    check.findings.first().map_or("", |f| f.message.as_str())
                );
                unusable += 1;
                continue;
            }
            let fired = |id: &str| check.findings.iter().any(|f| f.code == id && f.counts());
            let mut problems = Vec::new();
            for id in &case.expect {
                if ctx.pack.get(id).is_none() && crate::code::builtin(id).is_none() {
                    problems.push(format!("{id} is not a known rule"));
                } else if !fired(id) {
                    problems.push(format!("expected {id} to fire; it did not"));
                }
            }
            for id in &case.absent {
                if fired(id) {
                    problems.push(format!("expected {id} not to fire; it did"));
                }
            }
            if problems.is_empty() {
                let _ = writeln!(report, "PASS {}", case.name);
                passed += 1;
            } else {
                let _ = writeln!(report, "FAIL {}: {}", case.name, problems.join("; "));
                failed += 1;
            }
        }
    }
    let _ = write!(report, "{passed} passed, {failed} failed");
    if unusable > 0 {
        let _ = write!(report, ", {unusable} unusable");
    }
    report.push('\n');
    let exit_code = if unusable > 0 {
        2
    } else if failed > 0 {
        1
    } else {
        0
    };
    Outcome { report, exit_code }
}

fn toml_file(text: &str) -> Result<TestFile, String> {
    let loaded = crate::load::parse(text).map_err(|f| f.message)?;
    serde_path_to_error::deserialize(&loaded.value).map_err(|e| {
        format!(
            "at `{}`: {}",
            crate::path::KeyPath::from(e.path()),
            e.into_inner()
        )
    })
}
