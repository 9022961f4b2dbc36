//! The fuzz targets' code, in the normal suite: every input saved under
//! `tests/fuzz-regressions/<target>/` (crashes the fuzzers found, minimised, and inputs worth
//! keeping) is replayed, and each target runs over a fixed set of generated inputs. See
//! `docs/fuzzing.md`.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;

use arbitrary::{Arbitrary, Unstructured};

fn saved(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

/// Runs one saved input, naming its file if it fails.
fn replay(path: &std::path::Path, run: impl FnOnce() + std::panic::UnwindSafe) {
    if std::panic::catch_unwind(run).is_err() {
        panic!("{} fails again", path.display());
    }
}

fn pipeline(bytes: &[u8]) -> harness::Pipeline {
    harness::Pipeline::arbitrary_take_rest(Unstructured::new(bytes))
        .expect("any bytes make a pipeline")
}

/// Reproducible pseudo-random buffers (xorshift), so the generated inputs are the same on
/// every run.
fn generated(count: usize, len: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_le_bytes()[0]
                })
                .collect()
        })
        .collect()
}

#[test]
fn saved_inputs_of_check_bytes_do_not_crash() {
    let inputs = saved("check_bytes");
    assert!(!inputs.is_empty());
    for (path, bytes) in inputs {
        replay(&path, || harness::check_bytes(&bytes));
    }
}

#[test]
fn saved_inputs_of_check_pipeline_do_not_crash() {
    let inputs = saved("check_pipeline");
    assert!(!inputs.is_empty());
    for (path, bytes) in inputs {
        replay(&path, || harness::check_pipeline(&pipeline(&bytes)));
    }
}

#[test]
fn saved_inputs_of_render_pipeline_render_and_parse_back() {
    let inputs = saved("render_pipeline");
    assert!(!inputs.is_empty());
    for (path, bytes) in inputs {
        replay(&path, || {
            assert!(
                harness::render_pipeline(&pipeline(&bytes)).is_some(),
                "no longer sound"
            );
        });
    }
}

#[test]
fn generated_pipelines_check_and_render() {
    let (mut edited, mut rendered) = (0, 0);
    for bytes in generated(64, 96) {
        let pipeline = pipeline(&bytes);
        edited += usize::from(!pipeline.edits.is_empty());
        harness::check_pipeline(&pipeline);
        rendered += usize::from(harness::render_pipeline(&pipeline).is_some());
    }
    assert!(
        edited > 32,
        "the generator made only {edited} edited pipelines"
    );
    assert!(
        rendered > 8,
        "only {rendered} of the generated pipelines rendered"
    );
}
