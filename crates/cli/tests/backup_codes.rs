//! `countersign backup-codes`: generate, then redeem through stdin against a store file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

mod invoke;
use invoke::{countersign, text, unix_now};

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("backup_codes-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// `generate --json`: the codes and the store, the store written to `dir/store.json`.
fn generate_json(dir: &Path, count: usize) -> (Vec<String>, PathBuf) {
    let output = countersign(
        &[
            "backup-codes",
            "generate",
            "--count",
            &count.to_string(),
            "--json",
        ],
        b"",
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<String> = value["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    let path = dir.join("store.json");
    fs::write(&path, serde_json::to_string(&value["store"]).unwrap()).unwrap();
    (codes, path)
}

fn redeem(store: &Path, typed: &str) -> Output {
    countersign(
        &["backup-codes", "redeem", "--store", store.to_str().unwrap()],
        typed.as_bytes(),
    )
}

#[test]
fn generate_prints_grouped_codes_one_per_line() {
    let output = countersign(&["backup-codes", "generate"], b"");
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    let codes: Vec<&str> = stdout.lines().collect();
    assert_eq!(codes.len(), 10);
    for code in codes {
        let (first, second) = code.split_once('-').unwrap();
        assert_eq!((first.len(), second.len()), (5, 5), "{code}");
    }
    assert!(text(&output.stderr).contains("secure location"));
}

#[test]
fn generate_json_holds_the_codes_and_a_store_without_them() {
    let output = countersign(&["backup-codes", "generate", "--count", "3", "--json"], b"");
    assert!(output.status.success());
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes = value["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 3);
    let store = serde_json::to_string(&value["store"]).unwrap();
    assert_eq!(value["store"]["codes"].as_array().unwrap().len(), 3);
    assert_eq!(value["store"]["kdf"]["algorithm"], "argon2id");
    for code in codes {
        let code = code.as_str().unwrap();
        assert!(!store.contains(code) && !store.contains(&code.replace('-', "")));
    }
}

#[test]
fn redeem_consumes_a_code_once_and_rewrites_the_store() {
    let dir = scratch("redeem");
    let (codes, store) = generate_json(&dir, 3);

    let typed = format!("{}\n", codes[1].to_uppercase());
    let before = unix_now();
    let output = redeem(&store, &typed);
    let after = unix_now();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("2 backup codes remain"));
    let saved: serde_json::Value = serde_json::from_slice(&fs::read(&store).unwrap()).unwrap();
    // Used now, by the system clock.
    let used_at = saved["codes"][1]["used_at"].as_u64().unwrap();
    assert!((before..=after).contains(&used_at), "{used_at}");
    assert!(saved["codes"][0]["used_at"].is_null());
    // Only the store is left in the directory: the temporary file was renamed over it.
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);

    let again = redeem(&store, &typed);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already used"),
        "{}",
        text(&again.stderr)
    );
    assert!(text(&again.stderr).contains("2 unused codes remain"));

    let spaced = codes[0].replace('-', " ");
    let output = redeem(&store, &spaced);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("1 backup code remains"));
}

#[test]
fn generate_store_writes_the_file_redeem_reads() {
    let dir = scratch("store");
    let path = dir.join("codes.json");
    let output = countersign(
        &[
            "backup-codes",
            "generate",
            "--count",
            "2",
            "--store",
            path.to_str().unwrap(),
        ],
        b"",
    );
    assert!(output.status.success());
    let codes = text(&output.stdout);
    let first = codes.lines().next().unwrap();
    assert!(!fs::read_to_string(&path).unwrap().contains(first));
    assert_eq!(redeem(&path, first).status.code(), Some(0));
}

#[test]
fn refusals_exit_1_and_leave_the_store_alone() {
    let dir = scratch("refusals");
    let (_codes, store) = generate_json(&dir, 2);
    let before = fs::read(&store).unwrap();
    let megabytes = "abcde-fghjk".repeat(300_000); // 3.3 MB, over the 1 MiB read limit
    let medium = "x".repeat(1000);
    for (typed, says) in [
        ("zzzzz-zzzzz\n", "not one of your backup codes"),
        ("", "no backup code"),
        ("\n", "no backup code"),
        ("abcde-fghj0", "never 0, O, 1, I or l"),
        ("abc", "3 were entered"),
        (medium.as_str(), "at most 64 bytes"),
        (megabytes.as_str(), "at most 64 bytes"),
    ] {
        let output = redeem(&store, typed);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "{stderr:?} lacks {says:?}");
        assert!(
            stderr.contains("2 ") && stderr.contains("remain"),
            "{stderr}"
        );
        assert_eq!(fs::read(&store).unwrap(), before);
    }
    // Not UTF-8: refused as a character no code has, not a crash.
    let output = countersign(
        &["backup-codes", "redeem", "--store", store.to_str().unwrap()],
        b"\xff\xfe",
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn an_unusable_store_exits_1_and_a_bad_count_is_bad_input() {
    // redeem answers 0 on success and 1 otherwise (issue 4), an unusable store included.
    let dir = scratch("bad");
    let missing = dir.join("missing.json");
    let output = redeem(&missing, "abcde-fghjk");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("cannot read"));
    assert_eq!(text(&output.stderr).lines().count(), 1);

    let damaged = dir.join("damaged.json");
    fs::write(&damaged, r#"{"kdf": "nope"}"#).unwrap();
    let output = redeem(&damaged, "abcde-fghjk");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("not a stored backup-code set"));
    assert_eq!(fs::read_to_string(&damaged).unwrap(), r#"{"kdf": "nope"}"#);

    for count in ["0", "101"] {
        let output = countersign(&["backup-codes", "generate", "--count", count], b"");
        assert_eq!(output.status.code(), Some(2));
        assert!(text(&output.stderr).contains("1 to 100 codes"));
    }
}

#[test]
fn concurrent_redeems_of_one_code_accept_it_exactly_once() {
    // Issue 12, defect 1: two redeems of the same code at once both printed
    // "accepted; 9 remain". Each round starts several processes, lets them all start
    // (and, before the fix, read the store), then hands each the same code at once.
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    const RACERS: usize = 6;
    let dir = scratch("race");
    let (codes, store) = generate_json(&dir, 4);
    for (round, code) in codes.iter().take(3).enumerate() {
        let mut children: Vec<_> = (0..RACERS)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_countersign"))
                    .args(["backup-codes", "redeem", "--store", store.to_str().unwrap()])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(300));
        for child in &mut children {
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(code.as_bytes()).unwrap();
        }
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|child| child.wait_with_output().unwrap())
            .collect();
        let accepted = outputs
            .iter()
            .filter(|o| o.status.code() == Some(0))
            .count();
        assert_eq!(
            accepted,
            1,
            "round {round}: {:?}",
            outputs
                .iter()
                .map(|o| (text(&o.stdout), text(&o.stderr)))
                .collect::<Vec<_>>()
        );
        for output in outputs.iter().filter(|o| o.status.code() != Some(0)) {
            assert_eq!(output.status.code(), Some(1));
            assert!(
                text(&output.stderr).contains("already used"),
                "{}",
                text(&output.stderr)
            );
        }
        let saved: serde_json::Value = serde_json::from_slice(&fs::read(&store).unwrap()).unwrap();
        let used = saved["codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|slot| slot["used_at"].is_u64())
            .count();
        assert_eq!(used, round + 1);
    }
    // Nothing but the store is left behind: no temporary or lock files.
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn a_store_that_is_a_symlink_or_not_a_regular_file_is_refused_and_left_alone() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    // Runs the command, killing it if it does not answer in 10 s (reading a pipe blocks).
    fn answer(args: &[&str]) -> (Option<i32>, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_countersign"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(10) {
                child.kill().unwrap();
                panic!("{args:?} hung");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        (output.status.code(), text(&output.stderr))
    }

    let dir = scratch("not-regular");
    let (codes, store) = generate_json(&dir, 2);
    let before = fs::read(&store).unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&store, &link).unwrap();
    let fifo = dir.join("fifo.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let subdir = dir.join("dir.json");
    fs::create_dir(&subdir).unwrap();

    for (path, says) in [
        (&link, "is a symbolic link"),
        (&fifo, "is not a regular file"),
        (&subdir, "is not a regular file"),
    ] {
        let output = redeem(path, &codes[0]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");

        let path = path.to_str().unwrap();
        let (code, stderr) = answer(&["backup-codes", "generate", "--store", path]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
    // The link is still a link, the store behind it untouched, the pipe still a pipe.
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&store).unwrap(), before);
    assert!(!fs::symlink_metadata(&fifo).unwrap().is_file());
    // The code still redeems through the store's own path.
    assert_eq!(redeem(&store, &codes[0]).status.code(), Some(0));
}

#[test]
fn a_redeem_input_at_the_stdin_bound_is_read_and_one_byte_more_is_not() {
    let dir = scratch("bound");
    let (_, store) = generate_json(&dir, 1);
    // Either is no code (exit 1); only the longer one is refused for its size.
    for (len, over) in [(1 << 20, false), ((1 << 20) + 1, true)] {
        let output = redeem(&store, &"a".repeat(len));
        assert_eq!(output.status.code(), Some(1), "{len}");
        let said = text(&output.stderr);
        assert_eq!(
            said.contains("is over 1048576 bytes"),
            over,
            "{len}: {said}"
        );
    }
    assert!(text(&redeem(&store, "").stderr).contains("1 backup code remains"));
}

#[test]
fn a_store_file_at_the_file_bound_is_read_and_one_byte_more_is_not() {
    let dir = scratch("file-bound");
    let (codes, store) = generate_json(&dir, 2);
    let json = fs::read_to_string(&store).unwrap();
    let padded = |len: usize| format!("{json}{}", " ".repeat(len - json.len()));
    // One byte over: refused for its size, before it is parsed, and left alone.
    let over = padded((1 << 20) + 1);
    fs::write(&store, &over).unwrap();
    let output = redeem(&store, &codes[0]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert!(said.contains("is over 1048576 bytes"), "{said}");
    assert_eq!(fs::read_to_string(&store).unwrap(), over);
    // At the bound: read, and the code redeems.
    fs::write(&store, padded(1 << 20)).unwrap();
    let output = redeem(&store, &codes[0]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

/// Where nothing can be created, not even by root: the working directory must not
/// matter to where the store's new version is written.
#[cfg(target_os = "linux")]
#[test]
fn a_store_is_rewritten_beside_itself_whatever_the_working_directory() {
    let dir = scratch("elsewhere");
    let (codes, store) = generate_json(&dir, 2);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(["backup-codes", "redeem", "--store", store.to_str().unwrap()])
        .current_dir("/proc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(codes[0].as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("1 backup code remains"));
    // The new version replaced the old in its own directory, with nothing left over.
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(left, ["store.json"]);
    assert_eq!(redeem(&store, &codes[0]).status.code(), Some(1));
}

/// A race: another process renames the store away and back, again and again, while
/// `redeem` runs. A store that vanishes between the look at it and its open is looked
/// for again (and then found, or said to be missing), never an I/O error. A wrong code
/// keeps every run from writing. Bounded: at most 200 runs or 30 s.
#[test]
fn a_store_that_vanishes_as_it_is_opened_is_looked_for_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let dir = scratch("vanishing");
    let (codes, store) = generate_json(&dir, 1);
    let aside = dir.join("aside.json");
    let stop = Arc::new(AtomicBool::new(false));
    let renamer = {
        let (stop, store) = (Arc::clone(&stop), store.clone());
        std::thread::spawn(move || {
            let mut renames = 0_u64;
            while !stop.load(Ordering::Relaxed) {
                fs::rename(&store, &aside).unwrap();
                fs::rename(&aside, &store).unwrap();
                renames += 1;
            }
            renames
        })
    };
    // A code of another set: well formed, and not one of this store's.
    let (other, _) = generate_json(&scratch("vanishing-other"), 1);
    let wrong = &other[0];
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut found, mut missing) = (0, 0);
    for _ in 0..200 {
        if Instant::now() > deadline {
            break;
        }
        let output = redeem(&store, wrong);
        let said = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(!said.contains("os error"), "{said}");
        if said.contains("no such file") {
            missing += 1;
        } else {
            found += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    assert!(renamer.join().unwrap() > 0);
    // Both outcomes came up: the race ran on both sides of the rename.
    assert!(found > 0 && missing > 0, "found {found}, missing {missing}");
    assert_eq!(redeem(&store, &codes[0]).status.code(), Some(0));
}

/// A store path that cannot be looked at is an error that says why, not "no such file".
#[cfg(target_os = "linux")]
#[test]
fn a_store_path_that_cannot_be_looked_at_says_why() {
    let dir = scratch("unlookable");
    let (codes, store) = generate_json(&dir, 1);
    // Under a regular file, as if it were a directory.
    let output = redeem(&store.join("inner.json"), &codes[0]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert!(said.contains("Not a directory (os error 20)"), "{said}");
    assert!(!said.contains("no such file"), "{said}");
    assert_eq!(redeem(&store, &codes[0]).status.code(), Some(0));
}
