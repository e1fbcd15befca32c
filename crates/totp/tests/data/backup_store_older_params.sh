#!/usr/bin/env bash
# Regenerates backup_store_older_params.json: a stored backup-code set hashed by an
# independent Argon2 implementation (the reference C libargon2, Debian's `argon2` tool)
# under parameters older and cheaper than today's default (m = 4 MiB, t = 3, p = 1
# instead of m = 19 MiB, t = 2, p = 1). tests/backup.rs redeems every code in it, so the
# file proves both that a store keeps its own parameters and that our Argon2id output
# matches libargon2's.
#
# Usage: bash crates/totp/tests/data/backup_store_older_params.sh > crates/totp/tests/data/backup_store_older_params.json
# Needs: argon2 (apt-get install argon2), od, tr, head.
set -euo pipefail

m_kib=4096 t=3 p=1
alphabet=23456789abcdefghjkmnpqrstuvwxyz
# The salt is given to the argon2 tool as text, so draw it printable: 16 characters.
salt=$(set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 16)
salt_hex=$(printf %s "$salt" | od -An -tx1 | tr -d ' \n')

random_code() {
  (set +o pipefail; LC_ALL=C tr -dc "$alphabet" </dev/urandom | head -c 10)
}
# The first code is fixed so tests can type it as "ABCDE-fghjk"; the rest are random.
codes=(abcdefghjk)
while ((${#codes[@]} < 5)); do codes+=("$(random_code)"); done

printf '{\n  "made_by": "crates/totp/tests/data/backup_store_older_params.sh with the libargon2 argon2 tool",\n'
printf '  "codes": ['
sep=
for code in "${codes[@]}"; do
  printf '%s"%s-%s"' "$sep" "${code:0:5}" "${code:5:5}"
  sep=', '
done
printf '],\n  "store": {\n'
printf '    "kdf": {"algorithm": "argon2id", "version": 19, "m_cost": %d, "t_cost": %d, "p_cost": %d},\n' "$m_kib" "$t" "$p"
printf '    "salt": "%s",\n    "generated_at": 1600000000,\n    "codes": [\n' "$salt_hex"
sep=
for code in "${codes[@]}"; do
  hash=$(printf %s "$code" | argon2 "$salt" -id -v 13 -t "$t" -k "$m_kib" -p "$p" -l 32 -r)
  printf '%s      {"hash": "%s", "used_at": null}' "$sep" "$hash"
  sep=$',\n'
done
printf '\n    ]\n  }\n}\n'
