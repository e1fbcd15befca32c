#!/usr/bin/env python3
"""Regenerate reference-hashes.json: Argon2 PHC strings made by the C reference
implementation (libargon2), for countersign-password's interop test (tests/interop.rs).

Two independent front ends to libargon2 make them:
- Debian's `argon2` command (package `argon2`), password on stdin;
- Python's `argon2-cffi` (`argon2.low_level.hash_secret`), which bundles libargon2.

Salts are fixed so that a rerun reproduces the file byte for byte. Passwords are
given in NFC, the form countersign-password hashes (NIST SP 800-63B rev 4).

Usage: python3 crates/password/tests/data/make-reference-hashes.py
"""

import json
import os
import subprocess
import unicodedata

from argon2.low_level import Type, hash_secret

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference-hashes.json")
OWASP = dict(t=2, m=19456, p=1, length=32)


def cli(password: str, salt: str, variant: str, t: int, m: int, p: int, length: int, version: str = "13") -> str:
    args = ["argon2", salt, f"-{variant}", "-t", str(t), "-k", str(m), "-p", str(p), "-l", str(length), "-v", version, "-e"]
    done = subprocess.run(args, input=password.encode("utf-8"), capture_output=True, check=True)
    return done.stdout.decode("ascii").strip()


def cffi(password: str, salt: bytes, kind: Type, t: int, m: int, p: int, length: int) -> str:
    return hash_secret(password.encode("utf-8"), salt, t, m, p, length, kind).decode("ascii")


def case(password: str, phc: str, maker: str, needs_rehash: bool, note: str) -> dict:
    assert unicodedata.normalize("NFC", password) == password
    return dict(password=password, phc=phc, maker=maker, needs_rehash=needs_rehash, note=note)


def main() -> None:
    c = "argon2 command (libargon2)"
    f = "argon2-cffi (libargon2)"
    cases = [
        case("correct horse battery staple", cli("correct horse battery staple", "countersign-kat-01", "id", **OWASP),
             c, False, "OWASP parameters: what the crate makes by default"),
        case("Vivio is gr8! I like knowing my account is Secure",
             cli("Vivio is gr8! I like knowing my account is Secure", "countersign-kat-02", "id", **OWASP),
             c, False, "the seeds' passphrase, OWASP parameters"),
        case("Y? 'Cuz I Reelee lik mi prYvacee.", cli("Y? 'Cuz I Reelee lik mi prYvacee.", "countersign-kat-03", "id", t=1, m=47104, p=1, length=32),
             c, True, "OWASP's other configuration (m=46 MiB, t=1): verifies, asks for a rehash"),
        case("argon2i password 12", cli("argon2i password 12", "countersign-kat-04", "i", t=3, m=256, p=1, length=32),
             c, True, "Argon2i"),
        case("argon2d password 12", cli("argon2d password 12", "countersign-kat-05", "d", t=3, m=256, p=1, length=32),
             c, True, "Argon2d"),
        case("version sixteen password", cli("version sixteen password", "countersign-kat-06", "id", t=2, m=256, p=1, length=32, version="10"),
             c, True, "version 0x10 (v=16)"),
        case("short output length", cli("short output length", "countersign-kat-07", "id", t=2, m=19456, p=1, length=16),
             c, True, "16-byte output"),
        case("long output length", cli("long output length", "countersign-kat-08", "id", t=2, m=19456, p=1, length=64),
             c, True, "64-byte output"),
        case("four lanes of memory", cli("four lanes of memory", "countersign-kat-09", "id", t=2, m=1024, p=4, length=32),
             c, True, "p=4 (four lanes)"),
        case("short salt password", cli("short salt password", "8bytesal", "id", **OWASP),
             c, True, "8-byte salt, the minimum: verifies, asks for a rehash to a 16-byte salt"),
        case("Ünïcødé pässwörd ✓ 日本語 🔐", cffi("Ünïcødé pässwörd ✓ 日本語 🔐", b"countersign-kat-10", Type.ID, **OWASP),
             f, False, "non-ASCII password, NFC UTF-8 bytes"),
        case("", cffi("", b"countersign-kat-11", Type.ID, t=2, m=64, p=1, length=32),
             f, True, "empty password"),
        case("cffi argon2id p2", cffi("cffi argon2id p2", b"countersign-kat-12", Type.ID, t=1, m=128, p=2, length=24),
             f, True, "p=2, 24-byte output"),
        # The variant or the version alone differs from what the crate makes: each
        # alone asks for a rehash.
        case("argon2i at the defaults", cli("argon2i at the defaults", "countersign-kat-13", "i", **OWASP),
             c, True, "Argon2i with the default parameters: only the variant differs"),
        case("version sixteen at the defaults", cli("version sixteen at the defaults", "countersign-kat-14", "id", **OWASP, version="10"),
             c, True, "version 0x10 with the default parameters: only the version differs"),
    ]
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump(cases, out, ensure_ascii=False, indent=1)
        out.write("\n")
    print(f"{OUT}: {len(cases)} hashes")


if __name__ == "__main__":
    main()
