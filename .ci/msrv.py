#!/usr/bin/env python3
"""Checks narrata's declared minimum Rust version (`rust-version` in Cargo.toml) against what
it builds on: the 2024 edition (Rust 1.85) and the `rust-version` every locked dependency
declares. A declared minimum below any of these is wrong and fails the check.

These machines cannot fetch an older toolchain, so this does not compile with the minimum
itself; it catches the common way the declaration goes stale (a dependency update that needs
a newer Rust). docs/ARCHITECTURE.md says so too.
"""

import json
import subprocess
import sys


def version(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def main() -> int:
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True, capture_output=True, text=True,
        ).stdout
    )
    ours = next(p for p in meta["packages"] if p["name"] == "narrata")
    declared = ours.get("rust_version")
    if not declared:
        print("Cargo.toml declares no rust-version")
        return 1
    needs = [("edition 2024", "1.85")] if ours.get("edition") == "2024" else []
    used = {n["id"] for n in meta["resolve"]["nodes"]}
    for p in meta["packages"]:
        if p["id"] in used and p["name"] != "narrata" and p.get("rust_version"):
            needs.append((f'{p["name"]} {p["version"]}', p["rust_version"]))
    too_new = [(what, v) for what, v in needs if version(v) > version(declared)]
    highest = max(needs, key=lambda n: version(n[1]))
    print(f"declared rust-version {declared}; highest need: {highest[0]} ({highest[1]})")
    for what, v in too_new:
        print(f"  {what} needs Rust {v}")
    return 1 if too_new else 0


if __name__ == "__main__":
    sys.exit(main())
