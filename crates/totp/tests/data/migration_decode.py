#!/usr/bin/env python3
"""Decodes otpauth-migration URIs with Python's standard library only (an
implementation independent of the crate's), printing each payload's batch fields
and keys as JSON: the cross-check for tests/data/migration.jsonl.
Usage: python3 migration_decode.py < uris.txt"""
import base64, json, sys, urllib.parse

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return v, i

def fields(b):
    i = 0
    while i < len(b):
        k, i = varint(b, i)
        f, w = k >> 3, k & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        else:
            raise ValueError(w)
        yield f, v

def signed32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >> 31 else v

for line in sys.stdin:
    line = line.strip()
    if not line.startswith("otpauth-migration://"):
        continue
    # unquote, not parse_qs: a literal '+' in the data is base64, not a space.
    data = urllib.parse.unquote(line.split("data=", 1)[1].split("&")[0])
    raw = base64.b64decode(data)
    out = {"version": 0, "batch_size": 0, "batch_index": 0, "batch_id": 0, "keys": []}
    for f, v in fields(raw):
        if f == 1:
            key = {}
            for g, u in fields(v):
                name = {1: "secret", 2: "name", 3: "issuer", 4: "algorithm", 5: "digits", 6: "type", 7: "counter"}[g]
                key[name] = base64.b32encode(u).decode().rstrip("=") if g == 1 else u.decode() if g in (2, 3) else u
            out["keys"].append(key)
        else:
            out[{2: "version", 3: "batch_size", 4: "batch_index", 5: "batch_id"}[f]] = signed32(v)
    print(json.dumps(out, ensure_ascii=False))
