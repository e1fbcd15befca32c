#![no_main]
//! Verification of arbitrary typed codes, times, windows and replay state:
//! never a panic; an accepted step is inside the window, after the last
//! accepted step, and its code is the one typed.

use countersign_totp::{Algorithm, Config, Params, Secret, Verifier, Window};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let key: &[u8] = u.arbitrary()?;
    let algorithm = match u.int_in_range(0u8..=2)? {
        0 => Algorithm::Sha1,
        1 => Algorithm::Sha256,
        _ => Algorithm::Sha512,
    };
    let params = Params {
        algorithm,
        digits: u.arbitrary()?,
        period: u.arbitrary()?,
        t0: u.arbitrary()?,
    };
    let window = Window {
        back: u.arbitrary()?,
        forward: u.arbitrary()?,
    };
    let now: u64 = u.arbitrary()?;
    let last_accepted: Option<u64> = u.arbitrary()?;
    // Half the time, type a real code of a nearby step (with a space), so
    // the accepting and replay paths are reached, not only the refusals.
    let nearby: Option<i8> = u.arbitrary()?;
    let typed_text: &str = u.arbitrary()?;

    let Ok(secret) = Secret::from_bytes(key) else {
        return Ok(());
    };
    let Ok(verifier) = Verifier::new(&secret, Config { params, window }) else {
        return Ok(());
    };
    let real = match (nearby, verifier.totp().step_at(now)) {
        (Some(offset), Ok(step)) => step.checked_add_signed(i64::from(offset)).map(|step| {
            let code = verifier.totp().code_for_step(step).to_string();
            format!("{} {}", &code[..3], &code[3..])
        }),
        _ => None,
    };
    let code = real.as_deref().unwrap_or(typed_text);
    if let Ok(matched) = verifier.verify(code, now, last_accepted) {
        let current = verifier.totp().step_at(now).expect("now is after T0");
        assert!(
            matched.drift >= -i64::from(window.back) && matched.drift <= i64::from(window.forward)
        );
        assert_eq!(
            current.checked_add_signed(matched.drift),
            Some(matched.step)
        );
        assert!(last_accepted.is_none_or(|last| matched.step > last));
        let typed: String = code.chars().filter(|c| *c != ' ').collect();
        assert_eq!(
            verifier.totp().code_for_step(matched.step).to_string(),
            typed
        );
    }
    Ok(())
}
