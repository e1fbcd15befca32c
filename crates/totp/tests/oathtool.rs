//! Every vector of `data/oathtool.txt`, made by OATH Toolkit's oathtool
//! (see `data/oathtool.sh`), must come out the same here.

use countersign_totp::{Algorithm, Config, Hotp, Params, Secret, Totp, Verifier, Window};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn every_oathtool_vector() {
    let data = include_str!("data/oathtool.txt");
    let mut checked = 0;
    for (number, line) in data.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [mode, algorithm, digits, period, t0, moment, key, code] = fields[..] else {
            panic!("line {}: expected 8 fields: {line}", number + 1);
        };
        let algorithm: Algorithm = algorithm.parse().unwrap();
        let digits: u8 = digits.parse().unwrap();
        let moment: u64 = moment.parse().unwrap();
        let secret = Secret::from_bytes(&hex(key)).unwrap();
        let ours = match mode {
            "hotp" => Hotp::new(&secret, algorithm, digits).unwrap().code(moment),
            "totp" => {
                let params = Params {
                    algorithm,
                    digits,
                    period: period.parse().unwrap(),
                    t0: t0.parse().unwrap(),
                };
                let code_now = Totp::new(&secret, params).unwrap().code_at(moment).unwrap();
                let verifier = Verifier::new(
                    &secret,
                    Config {
                        params,
                        window: Window::symmetric(0),
                    },
                )
                .unwrap();
                assert!(
                    verifier.verify(code, moment, None).is_ok(),
                    "line {}",
                    number + 1
                );
                code_now
            }
            other => panic!("line {}: unknown mode {other}", number + 1),
        };
        assert_eq!(ours.to_string(), code, "line {}: {line}", number + 1);
        checked += 1;
    }
    assert!(checked >= 1000, "only {checked} vectors");
}
