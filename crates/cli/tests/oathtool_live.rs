//! `--window` listings and `hotp verify` against OATH Toolkit's oathtool, live, on
//! keys, counters, times, periods, windows, digit counts and algorithms drawn from a
//! fixed seed. Skipped with a note when oathtool is not installed, except under CI
//! (the `CI` environment variable set), where a missing oathtool fails the test.
//! `.ci/checks/oathtool` runs the same comparisons on fresh random values.

use std::process::{Command, Output};

mod invoke;
use invoke::{countersign, text};

/// xorshift64*: reproducible draws, so a failure names a case that can be re-run.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }

    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        let n = options.len() as u64;
        options[usize::try_from(self.below(n)).expect("an index of a short list")]
    }
}

/// RFC 4648 base32 without padding, as authenticator apps show keys.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (String::new(), 0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether oathtool runs here; under CI its absence is a failure.
fn oathtool_present() -> bool {
    let present = Command::new("oathtool")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !present {
        assert!(
            !ci(),
            "oathtool is not installed, and CI requires the live cross-check"
        );
        eprintln!("note: oathtool is not installed; the live cross-check is skipped");
    }
    present
}

fn oathtool(args: &[String]) -> Output {
    Command::new("oathtool")
        .args(args)
        .output()
        .expect("oathtool runs")
}

/// Our "STEP\tCODE" lines, split, checked to be the steps `first..`.
fn codes_of_listing(listing: &str, first: u64, case: &str) -> Vec<String> {
    listing
        .lines()
        .zip(first..)
        .map(|(line, step)| {
            let (got, code) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("{case}: {line}"));
            assert_eq!(got, step.to_string(), "{case}");
            code.to_owned()
        })
        .collect()
}

#[test]
fn windows_and_hotp_verification_agree_with_oathtool() {
    if !oathtool_present() {
        return;
    }
    let mut draws = Draws(0x0c01_47e2_5167_0014);
    for round in 0..24 {
        let key: Vec<u8> = (0..16 + draws.below(49)).map(|_| draws.byte()).collect();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let b32 = format!("{}\n", base32(&key));
        let digits = 6 + draws.below(3);
        let options = [0, 1, 3, draws.below(40)];
        let window = draws.pick(&options);
        let options = [0, draws.below(1_000), draws.below(1 << 40)];
        let counter = draws.pick(&options);
        let (algorithm, mode) =
            draws.pick(&[("sha1", "SHA1"), ("sha256", "SHA256"), ("sha512", "SHA512")]);
        let options = [30, 60, 1 + draws.below(300)];
        let period = draws.pick(&options);
        let time = draws.below(1 << 33);
        let case = format!(
            "round {round}: key={hex} digits={digits} window={window} counter={counter} \
             {algorithm} period={period} time={time}"
        );
        let s = |v: &dyn ToString| v.to_string();

        // HOTP -w: counters C..=C+W (oathtool's HOTP is HMAC-SHA1 only).
        let ours = countersign(
            &[
                "hotp",
                "code",
                "--counter",
                &s(&counter),
                "--digits",
                &s(&digits),
                "--window",
                &s(&window),
            ],
            b32.as_bytes(),
        );
        assert_eq!(
            ours.status.code(),
            Some(0),
            "{case}: {}",
            text(&ours.stderr)
        );
        let theirs = oathtool(&[
            "--hotp".into(),
            "-d".into(),
            s(&digits),
            "-c".into(),
            s(&counter),
            "-w".into(),
            s(&window),
            hex.clone(),
        ]);
        let theirs_codes: Vec<String> = text(&theirs.stdout).lines().map(str::to_owned).collect();
        assert_eq!(theirs_codes.len() as u64, window + 1, "{case}");
        assert_eq!(
            codes_of_listing(&text(&ours.stdout), counter, &case),
            theirs_codes,
            "{case}"
        );

        // TOTP -w: steps T..=T+W, forward, in every algorithm.
        let ours = countersign(
            &[
                "totp",
                "code",
                "--algorithm",
                algorithm,
                "--digits",
                &s(&digits),
                "--period",
                &s(&period),
                "--time",
                &format!("@{time}"),
                "--window",
                &s(&window),
            ],
            b32.as_bytes(),
        );
        assert_eq!(
            ours.status.code(),
            Some(0),
            "{case}: {}",
            text(&ours.stderr)
        );
        let theirs = oathtool(&[
            format!("--totp={mode}"),
            "-d".into(),
            s(&digits),
            "-s".into(),
            format!("{period}s"),
            "-N".into(),
            format!("@{time}"),
            "-w".into(),
            s(&window),
            hex.clone(),
        ]);
        let theirs_codes: Vec<String> = text(&theirs.stdout).lines().map(str::to_owned).collect();
        assert_eq!(
            codes_of_listing(&text(&ours.stdout), time / period, &case),
            theirs_codes,
            "{case}"
        );

        // HOTP verification: a code from inside the window (or just past it, every
        // fourth round), judged by both; the same counter, or both refuse it.
        let offset = if round % 4 == 3 {
            window + 1
        } else {
            draws.below(window + 1)
        };
        let code = text(
            &oathtool(&[
                "--hotp".into(),
                "-d".into(),
                s(&digits),
                "-c".into(),
                s(&(counter + offset)),
                hex.clone(),
            ])
            .stdout,
        );
        let code = code.trim();
        let theirs = oathtool(&[
            "--hotp".into(),
            "-d".into(),
            s(&digits),
            "-c".into(),
            s(&counter),
            "-w".into(),
            s(&window),
            hex.clone(),
            code.to_owned(),
        ]);
        let ours = countersign(
            &[
                "hotp",
                "verify",
                "--counter",
                &s(&counter),
                "--digits",
                &s(&digits),
                "--window",
                &s(&window),
                "--code",
                "-",
            ],
            format!("{b32}{code}\n").as_bytes(),
        );
        if theirs.status.success() {
            // oathtool prints the match's offset from -c (its man page's "counter" holds
            // only from counter 0); we print the counter itself, and the next to store.
            let offset: u64 = text(&theirs.stdout)
                .trim()
                .parse()
                .expect("oathtool prints a number");
            let matched = counter + offset;
            let next = matched + 1;
            assert_eq!(
                ours.status.code(),
                Some(0),
                "{case}: {}",
                text(&ours.stderr)
            );
            assert_eq!(
                text(&ours.stdout),
                format!("counter {matched} (next {next})\n"),
                "{case}"
            );
        } else {
            assert_eq!(
                ours.status.code(),
                Some(1),
                "{case}: oathtool refused {code}"
            );
        }
    }
}
