//! Invariants over arbitrary input (proptest).

use countersign_totp::{Algorithm, Config, Error, KeyUri, Params, Secret, Verifier, Window};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn key_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 10..=100)
}

/// Names an app might show: any text without colons, not starting with a space.
fn name() -> impl Strategy<Value = String> {
    "[^: ][^:]{0,40}"
}

proptest! {
    #[test]
    fn base32_round_trip(bytes in key_bytes()) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        let text = secret.to_base32();
        let grouped = secret.to_base32_grouped();
        let lower = text.to_lowercase();
        prop_assert!(!text.contains('='));
        prop_assert_eq!(text.to_uppercase(), text.as_str());
        let parsed = Secret::from_base32(&text).unwrap();
        prop_assert_eq!(parsed.expose_bytes(), &bytes[..]);
        let parsed = Secret::from_base32(&grouped).unwrap();
        prop_assert_eq!(parsed.expose_bytes(), &bytes[..]);
        let parsed = Secret::from_base32(&lower).unwrap();
        prop_assert_eq!(parsed.expose_bytes(), &bytes[..]);
    }

    #[test]
    fn base32_never_panics(text in "\\PC{0,80}") {
        let _ = Secret::from_base32(&text);
    }

    #[test]
    fn uri_round_trip(
        bytes in key_bytes(),
        issuer in proptest::option::of(name()),
        account in name(),
        algorithm in algorithm(),
        digits in 6u8..=8,
        period in 1u64..=3600,
        counter in proptest::option::of(any::<u64>()),
    ) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        // Names with a control or bidirectional formatting character are refused
        // (they would act on terminals, or reorder what an app shows).
        let unsafe_char = |c: char| {
            c.is_control()
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        };
        let names = issuer.iter().chain([&account]);
        let refused = names.into_iter().any(|name| name.chars().any(unsafe_char));
        let built = match counter {
            Some(counter) => KeyUri::new_hotp(secret, issuer.as_deref(), &account, counter),
            None => KeyUri::new_totp(secret, issuer.as_deref(), &account),
        };
        if refused {
            let is_label_error = matches!(built, Err(countersign_totp::Error::UriLabel { .. }));
            prop_assert!(is_label_error, "{:?} {:?}", issuer, account);
            return Ok(());
        }
        let built = built.unwrap();
        let uri = match counter {
            Some(_) => built,
            None => built.with_period(period).unwrap(),
        }
        .with_algorithm(algorithm)
        .with_digits(digits)
        .unwrap();
        prop_assert_eq!(KeyUri::parse(&uri.to_uri()), Ok(uri));
    }

    #[test]
    fn uri_parse_never_panics(text in "otpauth://(totp|hotp)/\\PC{0,60}") {
        let _ = KeyUri::parse(&text);
    }

    /// The verifier accepts the code of every step in the window (unless another
    /// step's code collides with it) and no code from outside it; once a step is
    /// accepted, its code is refused.
    #[test]
    fn verifier_accepts_exactly_the_window(
        bytes in key_bytes(),
        algorithm in algorithm(),
        digits in 6u8..=8,
        back in 0u32..=3,
        forward in 0u32..=3,
        now in 1_000_000u64..=u64::from(u32::MAX) * 4,
        offset in -6i64..=6,
    ) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        let params = Params { algorithm, digits, ..Params::default() };
        let verifier = Verifier::new(&secret, Config { params, window: Window { back, forward } }).unwrap();
        let current = now / 30;
        let step = current.checked_add_signed(offset).unwrap();
        let code = verifier.totp().code_for_step(step);
        let in_window = (-i64::from(back)..=i64::from(forward)).contains(&offset);
        let window_codes: Vec<_> = (current - u64::from(back)..=current + u64::from(forward))
            .map(|s| verifier.totp().code_for_step(s))
            .collect();
        let collides = window_codes.contains(&code);

        match verifier.verify(&code.to_string(), now, None) {
            Ok(matched) => {
                prop_assert!(in_window || collides);
                prop_assert_eq!(verifier.totp().code_for_step(matched.step), code);
                prop_assert_eq!(matched.step.checked_add_signed(-matched.drift), Some(current));
                if in_window && window_codes.iter().filter(|c| **c == code).nth(1).is_none() {
                    prop_assert_eq!(matched.step, step);
                }
                // Replay: the same code after accepting its step is refused.
                let again = verifier.verify(&code.to_string(), now, Some(matched.step));
                let refused = matches!(again, Err(Error::Replayed { .. }));
                let later_twin = matches!(again, Ok(m) if m.step > matched.step);
                prop_assert!(refused || later_twin);
            }
            Err(Error::WrongCode) => prop_assert!(!in_window && !collides),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn verify_never_panics(code in "\\PC{0,12}", now in any::<u64>(), last in proptest::option::of(any::<u64>())) {
        let verifier = Verifier::new(&Secret::from_bytes(b"12345678901234567890").unwrap(), Config::default()).unwrap();
        let _ = verifier.verify(&code, now, last);
    }
}
