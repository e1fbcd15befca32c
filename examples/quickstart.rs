//! Two-factor enrollment and login for a demo account, end to end:
//! a fresh secret, its otpauth URI and QR code, the current code, and a check of it.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use countersign::totp::{Config, KeyUri, Secret, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Enrollment: the service makes a 160-bit key for Joe Example...
    let secret = Secret::generate();
    let uri = KeyUri::new_totp(&secret, Some("Vivio Portal"), "joe@example.com")?;

    // ...and shows it as a QR code for an authenticator app to scan, or as text to type.
    println!("otpauth URI:\n  {}\n", uri.to_uri().as_str());
    println!("{}", uri.qr_terminal()?.as_str());
    println!(
        "or enter the key manually: {}\n",
        secret.to_base32_grouped().as_str()
    );

    // Login: the app shows the code for the current 30-second step...
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let verifier = Verifier::new(&secret, Config::default())?;
    let code = verifier.totp().code_at(now)?;
    println!(
        "current code: {code} (valid for {} more seconds)",
        verifier.totp().seconds_left(now)?
    );

    // ...the user types it, and the service verifies it. It stores the step,
    // so the same code cannot be used twice (RFC 6238 §5.2).
    let matched = verifier.verify(&code.to_string(), now, None)?;
    println!("verified: step {} (drift {})", matched.step, matched.drift);
    match verifier.verify(&code.to_string(), now, Some(matched.step)) {
        Err(refused) => println!("typed again: refused ({refused})"),
        Ok(_) => return Err("a replayed code was accepted".into()),
    }
    Ok(())
}
