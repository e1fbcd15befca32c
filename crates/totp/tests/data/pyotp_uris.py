#!/usr/bin/env python3
"""Regenerates pyotp_uris.jsonl: otpauth URIs built by pyotp (an independent
implementation), with the fields they were built from and a code pyotp computed.

    python3 crates/totp/tests/data/pyotp_uris.py > crates/totp/tests/data/pyotp_uris.jsonl

One JSON object per line: uri, type, issuer, account, secret, algorithm,
digits, period (TOTP) or counter (HOTP), and code at `time` (TOTP) or at
`counter` (HOTP).
"""
import base64
import hashlib
import json
import random
import sys

import pyotp

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 6238)
# Names with what needs escaping: spaces, @, &, +, /, %, =, ?, #, non-ASCII; never a colon.
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 @&+/%=?#.-_~éöß漢字"
DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def name():
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 24)))
    return text.lstrip(" ") or "x"


def main():
    for _ in range(200):
        secret = base64.b32encode(rng.randbytes(rng.choice([16, 20, 32, 64]))).decode().rstrip("=")
        algorithm = rng.choice(list(DIGESTS))
        digits = rng.choice([6, 7, 8])
        issuer = name() if rng.random() < 0.8 else None
        account = name()
        record = {"issuer": issuer, "account": account, "secret": secret,
                  "algorithm": algorithm, "digits": digits}
        if rng.random() < 0.25:
            counter = rng.randrange(0, 2**40)
            otp = pyotp.HOTP(secret, digits=digits, digest=DIGESTS[algorithm], issuer=issuer, name=account)
            record.update(type="hotp", counter=counter, period=None,
                          uri=otp.provisioning_uri(initial_count=counter), code=otp.at(counter))
        else:
            period = rng.choice([30, 30, 60, 15, rng.randint(1, 120)])  # pyotp allows at most 120 s
            time = rng.randrange(0, 2**33)
            otp = pyotp.TOTP(secret, digits=digits, digest=DIGESTS[algorithm], issuer=issuer,
                             name=account, interval=period)
            record.update(type="totp", period=period, counter=None, time=time,
                          uri=otp.provisioning_uri(), code=otp.at(time))
        print(json.dumps(record, ensure_ascii=False, sort_keys=True))


main()
