#!/usr/bin/env python3
"""Regenerate common-passwords.txt, the blocklist embedded in countersign-password.

Source: the top-1,000,000 common-password list of the SecLists project (Daniel
Miessler, from Mark Burnett / xato.net's 10-million-password corpus), as shipped in
src/common-passwords.txt of the crates.io package `passablewords` 1.0.1 (MIT licence,
Copyright 2017 Mike Engel; notice kept beside the data in LICENSE-passablewords.md).

What it keeps: every entry that is at least MIN_LENGTH Unicode code points long after
the same folding the crate applies at lookup time (NFKC, then lower case), deduplicated
and sorted by code point, so that the crate can binary-search it without allocating.
With the seeds' 12-character minimum a top-10,000 list is nearly useless (two dozen
of its entries are that long); this keeps about 44,000 entries.

Usage:
    # fetch the source once through cargo (a throwaway project):
    #   cargo new /tmp/pwfetch && cd /tmp/pwfetch && cargo add passablewords@1.0.1 && cargo fetch
    python3 crates/password/data/derive-blocklist.py [path/to/common-passwords.txt]

Without an argument it looks for passablewords-1.0.1 under ~/.cargo/registry/src.
"""

import glob
import hashlib
import os
import sys
import unicodedata

MIN_LENGTH = 12
SOURCE_SHA256 = "23f6d0966ef823a5cc746234e49bbf95eff14f8e425eca9263cdeaec6e11285f"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "common-passwords.txt")


def find_source() -> str:
    pattern = os.path.expanduser(
        "~/.cargo/registry/src/*/passablewords-1.0.1/src/common-passwords.txt"
    )
    hits = sorted(glob.glob(pattern))
    if not hits:
        sys.exit(
            "passablewords 1.0.1 is not in ~/.cargo/registry/src: fetch it with a throwaway "
            "cargo project (cargo add passablewords@1.0.1 && cargo fetch) or pass the path"
        )
    return hits[0]


def fold(word: str) -> str:
    # Same folding as the crate's lookup: NFKC, then lower case per code point.
    return "".join(c.lower() for c in unicodedata.normalize("NFKC", word))


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else find_source()
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"{path}: sha256 {digest} is not the expected {SOURCE_SHA256}")
    words = set()
    for line in raw.decode("utf-8").splitlines():
        word = fold(line.strip("\r"))
        # A line break inside an entry cannot be matched by the crate; none occur.
        if len(word) >= MIN_LENGTH and "\n" not in word:
            words.add(word)
    ordered = sorted(words)  # Python orders str by code point, as Rust orders char
    with open(OUT, "w", encoding="utf-8", newline="\n") as out:
        for word in ordered:
            out.write(word + "\n")
    print(f"{OUT}: {len(ordered)} entries of >= {MIN_LENGTH} code points from {path}")


if __name__ == "__main__":
    main()
