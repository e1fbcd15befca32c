#![no_main]
//! `Hasher::verify` against arbitrary PHC strings: typed errors, never a panic, and
//! never more work than the configured limits (tight here so the fuzzer stays fast:
//! a stored hash may ask for at most 64 KiB, 2 passes and 2 lanes).

use countersign_password::{HashParams, Hasher, Policy};
use libfuzzer_sys::fuzz_target;

const TIGHT: HashParams = HashParams {
    memory_kib: 16,
    iterations: 1,
    parallelism: 1,
    output_len: 16,
    max_memory_kib: 64,
    max_iterations: 2,
    max_parallelism: 2,
};

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = Policy::portal().with_hashing(TIGHT) else {
        return;
    };
    let Ok(hasher) = Hasher::new(&policy) else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    // password \0 PHC string; without a \0, the whole input is the PHC string.
    let (password, phc) = text
        .split_once('\0')
        .unwrap_or(("correct horse battery staple", &text));
    let _ = hasher.verify(password, phc);
});
