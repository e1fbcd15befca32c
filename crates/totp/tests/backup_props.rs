//! Property: for any set and any sequence of redemptions, successes never exceed the
//! number of codes, no code succeeds twice, and a code succeeds exactly when it is unused.

use countersign_totp::backup::{BackupSettings, KdfParams};
use countersign_totp::{BackupCodes, Error};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// One attempt: one of the set's codes typed some way, or arbitrary text.
#[derive(Debug, Clone)]
enum Attempt {
    Code { index: usize, spelling: u8 },
    Text(String),
}

fn attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(index, spelling)| Attempt::Code { index, spelling }),
        1 => "[ -~]{0,14}".prop_map(Attempt::Text),
        1 => "[2-9a-zA-Z -]{10,12}".prop_map(Attempt::Text),
    ]
}

/// The code as a person might type it.
fn spell(code: &str, spelling: u8) -> String {
    match spelling % 4 {
        0 => code.to_owned(),
        1 => code.to_uppercase(),
        2 => code.replace('-', " "),
        _ => format!(" {}\n", code.replace('-', "")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_code_succeeds_once_and_only_once(
        seed in any::<u64>(),
        count in 1usize..=12,
        attempts in prop::collection::vec(attempt(), 0..40),
    ) {
        let settings = BackupSettings { count, params: KdfParams::new(8, 1, 1).unwrap() };
        let (mut store, codes) =
            BackupCodes::generate_with(&settings, &mut StdRng::seed_from_u64(seed), 0).unwrap();
        let codes: Vec<String> = codes.iter().map(|code| code.expose().to_owned()).collect();
        let mut used = vec![false; count];
        let mut successes = 0;
        for (now, attempt) in (1u64..).zip(attempts) {
            let (typed, index) = match attempt {
                Attempt::Code { index, spelling } => (spell(&codes[index % count], spelling), Some(index % count)),
                Attempt::Text(text) => {
                    let bare = text.replace([' ', '-'], "").to_lowercase();
                    let index = codes.iter().position(|code| code.replace('-', "") == bare);
                    (text, index)
                }
            };
            let outcome = store.redeem(&typed, now);
            if let Ok(redeemed) = outcome {
                successes += 1;
                let index = index.expect("only a code of the set succeeds");
                prop_assert!(!used[index], "code {} succeeded twice", index);
                used[index] = true;
                prop_assert_eq!(redeemed.remaining, count - successes);
            } else if let Some(index) = index {
                prop_assert!(used[index], "unused code {} refused: {:?}", index, outcome);
                prop_assert!(matches!(outcome, Err(Error::BackupCodeUsed { .. })), "{:?}", outcome);
            }
            prop_assert!(successes <= count);
            prop_assert_eq!(store.remaining(), count - successes);
        }
    }
}
