//! Any bytes, checked as a pipeline file and reported in every format.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check_bytes(data));
