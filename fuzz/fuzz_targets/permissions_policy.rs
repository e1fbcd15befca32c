#![no_main]
//! Loads arbitrary policy documents (TOML and JSON) and asks them every question:
//! no input may panic, and the compiled table must agree with `explain` everywhere.

use countersign_permissions::{CompiledPolicy, Policy};
use libfuzzer_sys::fuzz_target;

fn exercise(policy: &Policy) {
    let compiled = CompiledPolicy::compile(policy);
    let schema = policy.schema();
    for (principal, id) in policy.principals() {
        for cell in schema.cells() {
            let why = policy.explain_cell(principal, cell);
            assert_eq!(compiled.allows(principal, cell), why.is_allowed(), "{why}");
            let _ = why.to_string();
        }
        let grid = policy.grid(id).expect("listed principal");
        let _ = grid.to_string();
        let _ = policy.permissions_of(id);
    }
    for cell in schema.cells().take(8) {
        let resource = schema
            .get(cell.resource())
            .map(|r| r.id().to_owned())
            .unwrap_or_default();
        let action = schema
            .action_def(cell.action())
            .map(|a| a.id.clone())
            .unwrap_or_default();
        let _ = policy.principals_allowed(&resource, &action);
    }
    // Written out and read back, the policy must still be valid.
    let document = policy.to_document();
    let json = serde_json::to_string(&document).expect("serializable");
    Policy::from_json(&json).expect("round trip");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [
        Policy::from_toml(text),
        Policy::from_json(text),
        Policy::parse(text),
    ] {
        if let Ok(policy) = parsed {
            exercise(&policy);
        }
    }
});
