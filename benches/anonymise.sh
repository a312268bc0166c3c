#!/usr/bin/env bash
# Benchmark of narrata's anonymiser beside DEDUCE on the same files: detection quality on the
# fictional samples (development set) and on a generated held-out corpus, throughput of a real
# import with anonymisation, and peak memory. Installs DEDUCE from PyPI in a virtual environment
# under target/. Not run by CI (it downloads DEDUCE and takes minutes); results go to
# docs/PERFORMANCE.md by hand, with the machine they were measured on.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-anonymise
rm -rf "$out" && mkdir -p "$out"
cargo build --release --quiet --bins --examples
narrata=target/release/narrata

echo "== corpus"
target/release/examples/synth_corpus "$out/heldout" 60 3 300 11

echo "== narrata detection"
target/release/examples/anonymise_score samples > "$out/narrata-samples.json"
target/release/examples/anonymise_score "$out/heldout" > "$out/narrata-heldout.json"

echo "== narrata import with anonymisation (end to end, one process)"
"$narrata" init "$out/project" > /dev/null
NARRATA_PASSPHRASE=bench NARRATA_KEY_WORK_FACTOR=14 /usr/bin/time -v "$narrata" --project "$out/project" \
  import "$out/heldout/transcripts" --json 2> "$out/import-time.txt" > "$out/import.json"
NARRATA_PASSPHRASE=bench "$narrata" --project "$out/project" privacy-check --json > "$out/privacy.json" || true

echo "== DEDUCE (PyPI deduce, in a virtual environment)"
python3 -m venv "$out/venv"
"$out/venv/bin/pip" install --quiet deduce
"$out/venv/bin/python" benches/deduce_score.py samples > "$out/deduce-samples.json"
"$out/venv/bin/python" benches/deduce_score.py "$out/heldout" > "$out/deduce-heldout.json"

python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
load = lambda f: json.load(open(f"{out}/{f}"))
ns, nh, ds, dh = (load(f) for f in ["narrata-samples.json", "narrata-heldout.json", "deduce-samples.json", "deduce-heldout.json"])
t = open(f"{out}/import-time.txt").read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
seconds = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
imp = load("import.json"); priv = load("privacy.json")
mb = imp["bytes"] / 1e6
print(f"\nimport with anonymisation: {imp['imported']} files, {mb:.1f} MB in {seconds:.2f} s = {mb/seconds:.1f} MB/s, peak {rss:.0f} MB; privacy-check ok: {priv['ok']}")
print(f"DEDUCE: {dh['bytes']/1e6:.1f} MB in {dh['seconds']:.1f} s = {dh['bytes']/1e6/dh['seconds']:.2f} MB/s (+{dh['init_seconds']:.1f} s start-up), peak {dh['peak_mb']:.0f} MB")
cats = sorted(set(ns["categories"]) | set(nh["categories"]))
print(f"\n{'category':<13}{'narrata samples':>17}{'DEDUCE samples':>16}{'narrata held-out':>18}{'DEDUCE held-out':>17}   (covered recall)")
for c in cats:
    cell = lambda d: f"{d['categories'][c]['covered_recall']:.3f}" if c in d["categories"] else "-"
    print(f"{c:<13}{cell(ns):>17}{cell(ds):>16}{cell(nh):>18}{cell(dh):>17}")
p = lambda d: d["categories"]["ALL"].get("precision", float("nan"))
print(f"{'precision':<13}{p(ns):>17.3f}{p(ds):>16.3f}{p(nh):>18.3f}{p(dh):>17.3f}")
PY
