#![no_main]
//! Parses arbitrary bytes as a stored backup-code set (what `countersign backup-codes
//! redeem --store FILE` reads): never a panic, and whatever is accepted round-trips.

use countersign_totp::BackupCodes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(store) = serde_json::from_slice::<BackupCodes>(data) else {
        return;
    };
    assert!(store.remaining() <= store.total());
    assert!((BackupCodes::MIN_COUNT..=BackupCodes::MAX_COUNT).contains(&store.total()));
    let text = serde_json::to_string(&store).unwrap();
    let again: BackupCodes = serde_json::from_str(&text).unwrap();
    assert_eq!(again, store);
});
