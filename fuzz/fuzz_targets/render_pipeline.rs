//! Sound pipelines with arbitrary values render deterministically to outputs that parse.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|pipeline: harness::Pipeline| {
    harness::render_pipeline(&pipeline);
});
