//! Shipped examples with arbitrary values at their keys, checked and reported.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|pipeline: harness::Pipeline| harness::check_pipeline(&pipeline));
