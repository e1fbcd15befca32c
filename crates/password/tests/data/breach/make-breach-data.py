#!/usr/bin/env python3
"""Regenerate the breach-check test data of countersign-password (tests/breach.rs).

The format is Have I Been Pwned's Pwned Passwords, as documented at
https://haveibeenpwned.com/API/v3#PwnedPasswords and
https://haveibeenpwned.com/Passwords:

- `GET https://api.pwnedpasswords.com/range/{first 5 hex digits of the SHA-1}`
  answers `SUFFIX:COUNT` lines: the other 35 digits of each known hash, upper case,
  a colon, how many times it was seen, lines separated by CRLF, with no line ending
  after the last line. With the request header `Add-Padding: true` the service adds
  random suffixes with a count of 0, so that every answer has between 800 and 1,000
  lines.
- The downloadable `pwned-passwords-sha1-ordered-by-hash` file (and the output of the
  `haveibeenpwned-downloader` tool) is one `HASH:COUNT` line per hash, 40 upper-case
  hex digits, sorted by hash, CRLF.

These files are synthesized in the documented format, not recorded from the service
(the tests run offline, and no real response was fetched): the SHA-1 of each known password is computed here with Python's hashlib,
independently of the Rust `sha1` crate, and placed among random neighbours with the
same prefix, random counts shaped like the real ones (most hashes are seen a few
times), and padding entries. The counts of the known passwords are of the order the
service reports for them; the tests check that the parser returns exactly the count
written here. A fixed seed makes a rerun reproduce the files byte for byte.

Usage: python3 crates/password/tests/data/breach/make-breach-data.py
"""

import hashlib
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
HEX = "0123456789ABCDEF"

# Known passwords and the counts written for them.
KNOWN = {
    "password": 52256179,
    "123456": 209972844,
    "P@ssw0rd": 153312,
    "correct horse battery staple": 422,
}
# In the corpus under one prefix, absent from it (only its prefix's neighbours and
# padding are in the response).
ABSENT = ["Y? Cuz I reelee lik mi prYvacee"]


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8")).hexdigest().upper()


def suffix(rng: random.Random) -> str:
    return "".join(rng.choice(HEX) for _ in range(35))


def count(rng: random.Random) -> int:
    # Heavy-tailed like the corpus: half seen once, a few seen thousands of times.
    return max(1, int(rng.paretovariate(0.9)))


def range_response(rng: random.Random, prefix: str, own: dict, real: int) -> str:
    """A padded range response for `prefix`: `real` breached suffixes (with `own`'s
    among them) and padding up to between 800 and 1,000 lines, sorted as the service
    sorts them."""
    entries = dict(own)
    while len(entries) < real:
        entries.setdefault(suffix(rng), count(rng))
    total = max(real, rng.randint(800, 1000))
    while len(entries) < total:
        entries.setdefault(suffix(rng), 0)
    # CRLF between lines and none after the last, as the service answers.
    return "\r\n".join(f"{s}:{n}" for s, n in sorted(entries.items()))


def main() -> None:
    rng = random.Random(20261202)
    expected = []
    for password in ["password", "123456", ABSENT[0]]:
        digest = sha1(password)
        prefix, own_suffix = digest[:5], digest[5:]
        own = {own_suffix: KNOWN[password]} if password in KNOWN else {}
        body = range_response(rng, prefix, own, real=rng.randint(700, 950))
        file = f"range-{prefix}.txt"
        with open(os.path.join(HERE, file), "w", newline="") as out:
            out.write(body)
        expected.append({"password": password, "sha1": digest, "file": file, "count": KNOWN.get(password, 0)})

    # A small sorted hash file: every known password among 5,000 random hashes, with
    # a run of neighbours under the prefix of "password" for the range search.
    hashes = {sha1(p): n for p, n in KNOWN.items()}
    prefix = sha1("password")[:5]
    for _ in range(40):
        hashes.setdefault(prefix + suffix(rng), count(rng))
    while len(hashes) < 5000:
        hashes.setdefault("".join(rng.choice(HEX) for _ in range(40)), count(rng))
    with open(os.path.join(HERE, "hashes-ordered-by-hash.txt"), "w", newline="") as out:
        out.write("".join(f"{h}:{n}\r\n" for h, n in sorted(hashes.items())))
    file_expected = [{"password": p, "sha1": sha1(p), "count": n} for p, n in KNOWN.items()]
    file_expected += [{"password": p, "sha1": sha1(p), "count": 0} for p in ABSENT]

    with open(os.path.join(HERE, "expected.json"), "w") as out:
        json.dump({"ranges": expected, "file": file_expected, "file_prefix": prefix,
                   "file_prefix_lines": sum(1 for h in hashes if h.startswith(prefix))},
                  out, indent=2, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main()
