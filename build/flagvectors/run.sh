#!/usr/bin/env bash
# Regenerates test/fixtures/flags/vectors.json on an x86-64 host: builds the native harness, then
# runs gen.py (needs gcc, nasm, python3 >= 3.8). Usage: bash build/flagvectors/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ "$(uname -m)" != "x86_64" ]; then
  echo "run.sh: the vectors must be captured on a real x86-64 CPU (this is $(uname -m))" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gcc -O1 -Wall -Wextra -Werror -o "$tmp/harness" "$here/harness.c"
mkdir -p "$root/test/fixtures/flags"
cd "$here"
python3 -B gen.py --harness "$tmp/harness" --out "$root/test/fixtures/flags/vectors.json"
