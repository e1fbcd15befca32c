//! The RFCs' own test vectors.

use countersign_totp::{Algorithm, Config, Hotp, Params, Secret, Totp, Verifier, Window};

const SEED_SHA1: &[u8] = b"12345678901234567890";
// RFC 6238 Appendix B's reference code uses 32- and 64-byte seeds for SHA-256/512.
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

#[test]
fn rfc4226_appendix_d() {
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    let hotp = Hotp::new(&Secret::from_bytes(SEED_SHA1).unwrap(), Algorithm::Sha1, 6).unwrap();
    for (counter, code) in expected.iter().enumerate() {
        assert_eq!(
            hotp.code(counter as u64).to_string(),
            *code,
            "counter {counter}"
        );
    }
}

#[test]
fn rfc6238_appendix_b() {
    let table: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];
    let generators = [
        (Algorithm::Sha1, SEED_SHA1),
        (Algorithm::Sha256, SEED_SHA256),
        (Algorithm::Sha512, SEED_SHA512),
    ]
    .map(|(algorithm, seed)| {
        let params = Params {
            algorithm,
            digits: 8,
            ..Params::default()
        };
        (
            Totp::new(&Secret::from_bytes(seed).unwrap(), params).unwrap(),
            params,
        )
    });
    for (time, sha1, sha256, sha512) in table {
        for ((totp, params), code) in generators.iter().zip([sha1, sha256, sha512]) {
            assert_eq!(
                totp.code_at(time).unwrap().to_string(),
                code,
                "{time} {:?}",
                params.algorithm
            );
            // The verifier agrees, with no window at all.
            let secret = Secret::from_bytes(match params.algorithm {
                Algorithm::Sha1 => SEED_SHA1,
                Algorithm::Sha256 => SEED_SHA256,
                Algorithm::Sha512 => SEED_SHA512,
            })
            .unwrap();
            let verifier = Verifier::new(
                &secret,
                Config {
                    params: *params,
                    window: Window::symmetric(0),
                },
            )
            .unwrap();
            let matched = verifier.verify(code, time, None).unwrap();
            assert_eq!(matched.step, time / 30);
            assert_eq!(matched.drift, 0);
        }
    }
}
