#![no_main]
//! Placeholder until the first real target lands.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|_data: &[u8]| {});
