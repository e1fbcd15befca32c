#!/usr/bin/env bash
# Live cross-check of countersign-security-code's known answers against independent
# implementations: every Argon2id PHC string in hash_vectors.tsv is re-derived with
# the argon2 CLI (libargon2); the ChaCha20-Poly1305 seals in seal_vectors.tsv are
# regenerated with pyca/cryptography when it is installed.
set -euo pipefail
cd "$(dirname "$0")/../../crates/security-code/tests/data"

rows=0
while IFS=$'\t' read -r code normalized spoken wrong phc; do
  [[ "$code" == \#* || -z "$code" ]] && continue
  salt_b64=$(cut -d'$' -f5 <<<"$phc")
  salt=$(printf '%s' "$salt_b64==" | base64 -d 2>/dev/null || true)
  got=$(printf '%s' "$normalized" | argon2 "$salt" -id -t 1 -k 256 -p 1 -l 32 -e)
  if [[ "$got" != "$phc" ]]; then
    echo "argon2 CLI disagrees for $code: $got != $phc" >&2
    exit 1
  fi
  rows=$((rows + 1))
done < hash_vectors.tsv
echo "argon2 CLI reproduces $rows Argon2id vectors"

if python3 -c 'import cryptography' 2>/dev/null; then
  diff <(python3 make_seal_vectors.py) seal_vectors.tsv
  echo "pyca/cryptography reproduces the ChaCha20-Poly1305 seal vectors"
else
  echo "pyca/cryptography not installed: seal vectors not regenerated (the Rust tests still check them)"
fi
