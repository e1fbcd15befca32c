//! Invariants over arbitrary input (proptest).

use countersign_totp::{
    Algorithm, Config, Error, KeyUri, Params, Secret, UriWarning, Verifier, Window,
};
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
            Some(counter) => KeyUri::new_hotp(&secret, issuer.as_deref(), &account, counter),
            None => KeyUri::new_totp(&secret, issuer.as_deref(), &account),
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

/// Spells `text` as a URI component the ways real generators do: each byte that may
/// stand literally is written literally or percent-encoded, in upper- or lower-case
/// hex, as `choices` say; `+` is always encoded in parameters (it reads as a space
/// there), where a space may be written `+`.
fn spell(text: &str, choices: &[u8], parameter: bool) -> String {
    let mut out = String::new();
    for (index, byte) in text.bytes().enumerate() {
        let choice = choices
            .get(index % choices.len().max(1))
            .copied()
            .unwrap_or(0)
            % 4;
        let literal_ok = byte.is_ascii_alphanumeric()
            || b"-._~@!$'()*,;=/".contains(&byte)
            || (byte == b' ' && !parameter)
            || (byte == b'+' && !parameter);
        match (byte, choice) {
            (b' ', 3) if parameter => out.push('+'),
            (_, 0) if literal_ok => out.push(char::from(byte)),
            (_, 1) => out.push_str(&format!("%{byte:02x}")),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A name as issuers write them: no leading space; with `colons`, encoded colons too.
fn written_name(colons: bool) -> impl Strategy<Value = String> {
    let pattern = if colons {
        "[a-zA-Z0-9é][a-zA-Z0-9 @./é+_:-]{0,10}"
    } else {
        "[a-zA-Z0-9é][a-zA-Z0-9 @./é+_-]{0,10}"
    };
    proptest::string::string_regex(pattern).unwrap()
}

/// One parameter's `name=value` text, its name in a random case.
fn pair(name: &str, value: &str, case: u8) -> String {
    let name = match case % 3 {
        0 => name.to_owned(),
        1 => name.to_uppercase(),
        _ => {
            let mut chars = name.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    };
    format!("{name}={value}")
}

prop_compose! {
    /// otpauth URI texts in every spelling the parser reads: scheme and type in any
    /// case, label issuer or not, separator `:`, `: ` or `:%20`, names literal or
    /// encoded in either hex case, parameters in any order and name case, defaults
    /// written out or not, `+` for spaces, a lower-case secret, an image literal or
    /// encoded, unknown parameters, empty `&&` pairs, a fragment. With `messy`, also
    /// colons inside names and an issuer parameter that differs from the label's.
    fn uri_text(messy: bool)(
        totp in any::<bool>(),
        prefix_case in 0u8..3,
        issuer in proptest::option::of(written_name(messy)),
        other_issuer in written_name(messy),
        account in written_name(messy),
        separator in prop_oneof![Just(":"), Just(": "), Just(":%20")],
        label_issuer in any::<bool>(),
        issuer_param in 0u8..4,
        choices in proptest::collection::vec(any::<u8>(), 1..16),
        bytes in proptest::collection::vec(any::<u8>(), 10..=40),
        lower_secret in any::<bool>(),
        algorithm in proptest::option::of(prop_oneof![Just("SHA1"), Just("sha256"), Just("Sha512")]),
        digits in proptest::option::of(prop_oneof![Just("6"), Just("7"), Just("8"), Just("06")]),
        period in proptest::option::of(prop_oneof![Just("30"), Just("60"), Just("1"), Just("030")]),
        counter in any::<u64>(),
        image in proptest::option::of(any::<bool>()),
        extras in proptest::collection::vec(
            prop_oneof![Just("color=FF0000"), Just("lock=true"), Just("icon=a%20b"), Just("x-vendor"), Just("")],
            0..3,
        ),
        cases in proptest::collection::vec(0u8..3, 8),
        fragment in proptest::option::of("[a-z]{0,5}"),
        order in any::<u64>(),
    ) -> String {
        let prefix = match (prefix_case, totp) {
            (0, true) => "otpauth://totp/",
            (0, false) => "otpauth://hotp/",
            (1, true) => "OTPAUTH://TOTP/",
            (1, false) => "OTPAUTH://HOTP/",
            (_, true) => "otpauth://Totp/",
            (_, false) => "otpauth://Hotp/",
        };
        let mut text = prefix.to_owned();
        if let Some(issuer) = issuer.as_deref().filter(|_| label_issuer) {
            text.push_str(&spell(issuer, &choices, false));
            text.push_str(separator);
        }
        text.push_str(&spell(&account, &choices[1..], false));

        let secret = Secret::from_bytes(&bytes).unwrap().to_base32();
        let secret = if lower_secret { secret.to_lowercase() } else { secret.to_string() };
        let mut params = vec![pair("secret", &secret, cases[0])];
        // 0: none; 1: the issuer; 2: empty; 3: another issuer (messy only).
        match (issuer.as_deref(), issuer_param) {
            (_, 0) => {}
            (Some(issuer), 1) => params.push(pair("issuer", &spell(issuer, &choices, true), cases[1])),
            (None, 1) | (_, 2) => params.push(pair("issuer", "", cases[1])),
            (_, _) if messy => params.push(pair("issuer", &spell(&other_issuer, &choices, true), cases[1])),
            (Some(issuer), _) => params.push(pair("issuer", &spell(issuer, &choices, true), cases[1])),
            (None, _) => {}
        }
        if let Some(algorithm) = algorithm {
            params.push(pair("algorithm", algorithm, cases[2]));
        }
        if let Some(digits) = digits {
            params.push(pair("digits", digits, cases[3]));
        }
        if totp {
            if let Some(period) = period {
                params.push(pair("period", period, cases[4]));
            }
        } else {
            params.push(pair("counter", &counter.to_string(), cases[4]));
        }
        match image {
            Some(true) => params.push(pair("image", "https://a.example/x.png?s=1", cases[5])),
            Some(false) => params.push(pair("image", "https%3A%2F%2Fa.example%2Fx.png", cases[5])),
            None => {}
        }
        params.extend(extras.iter().map(|extra| (*extra).to_owned()));
        // A deterministic shuffle from `order`.
        let mut state = order;
        for index in (1..params.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let swap = usize::try_from(state >> 33).unwrap() % (index + 1);
            params.swap(index, swap);
        }
        text.push('?');
        text.push_str(&params.join("&"));
        if let Some(fragment) = fragment {
            text.push('#');
            text.push_str(&fragment);
        }
        text
    }
}

proptest! {
    /// `build(parse(u)) == u` byte for byte for every URI strict parsing accepts, in
    /// every spelling (the claim of `KeyUri`'s docs), and parse ∘ build is the identity.
    #[test]
    fn parse_then_build_is_byte_exact(text in uri_text(false)) {
        let uri = KeyUri::parse(&text);
        prop_assert!(uri.is_ok(), "{text}: {uri:?}");
        let uri = uri.unwrap();
        prop_assert_eq!(&uri.to_uri().to_string(), &text);
        prop_assert_eq!(KeyUri::parse(&uri.to_uri()), Ok(uri.clone()));
        let (lenient, warnings) = KeyUri::parse_lenient(&text).unwrap();
        prop_assert_eq!(lenient, uri);
        prop_assert!(warnings.is_empty());
    }

    /// Whatever lenient parsing accepts is rebuilt to a URI it reads back the same, with
    /// no warning left but a colon inside a name, and the rebuilt text is a fixed point;
    /// strict parsing accepts exactly the texts lenient parsing reads without warnings.
    #[test]
    fn lenient_parse_then_build_is_stable(text in uri_text(true)) {
        let strict = KeyUri::parse(&text);
        match KeyUri::parse_lenient(&text) {
            Ok((uri, warnings)) => {
                prop_assert_eq!(strict.is_ok(), warnings.is_empty(), "{} {:?}", text, warnings);
                let rebuilt = uri.to_uri();
                let (again, again_warnings) = KeyUri::parse_lenient(&rebuilt).unwrap();
                prop_assert_eq!(&again, &uri);
                let only_colons = again_warnings.iter().all(|w| matches!(w, UriWarning::ColonInName { .. }));
                prop_assert!(only_colons, "{:?}", again_warnings);
                prop_assert_eq!(again.to_uri(), rebuilt);
                if warnings.is_empty() {
                    prop_assert_eq!(uri.to_uri().to_string(), text.clone());
                }
            }
            // Strict may fail earlier, on what lenient parsing lets through.
            Err(_) => prop_assert!(strict.is_err()),
        }
    }

    /// A setter's value is written even where the parsed URI spelled the old one.
    #[test]
    fn setters_override_kept_spellings(text in uri_text(false), digits in 6u8..=8) {
        let uri = KeyUri::parse(&text).unwrap().with_digits(digits).unwrap();
        let again = KeyUri::parse(&uri.to_uri()).unwrap();
        prop_assert_eq!(again.digits(), digits);
        prop_assert_eq!(again, uri);
    }
}
