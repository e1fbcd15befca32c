//! Opening arbitrary sealed bytes: a tampered or truncated seal is a typed error,
//! never a panic.
#![no_main]

use countersign_security_code::{SealedCode, SealingKey, Speech};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fixed = SealingKey::new("k1", [7; 32]).unwrap();
    if let Ok(sealed) = SealedCode::from_bytes(data) {
        let _ = sealed.open(&fixed);
        // Reach the AEAD with the key id the seal names.
        if let Ok(key) = SealingKey::new(sealed.key_id(), [7; 32]) {
            let _ = sealed.open(&key);
            let _ = sealed.verify("Lighthouse-42-Oak", &key, &Speech::default());
        }
        assert_eq!(
            SealedCode::from_bytes(&sealed.to_bytes()).ok(),
            Some(sealed)
        );
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = SealedCode::from_hex(text).map(|s| s.open(&fixed));
    }
});
