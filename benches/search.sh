#!/usr/bin/env bash
# Search benchmark on a generated corpus of about 5 million words (300 participants × 3 waves
# × about 6,000 words): import and index time, index size, query latency percentiles in one
# process and from a cold start, and the same questions answered by grep on the same files.
# Not run by CI. Results go to docs/PERFORMANCE.md by hand, with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-search
rm -rf "$out" && mkdir -p "$out"
cargo build --release --quiet --bins --examples
narrata=target/release/narrata

echo "== corpus"
target/release/examples/synth_corpus "$out/corpus" 300 3 530 5
du -sh "$out/corpus/transcripts"

echo "== import without anonymisation (this measures storing and indexing)"
"$narrata" init "$out/project" > /dev/null
/usr/bin/time -f "import: %e s, peak %M KB" "$narrata" --project "$out/project" import "$out/corpus/transcripts" --anonymise off --json > "$out/import.json"
python3 -c "import json; r=json.load(open('$out/import.json')); print(f\"{r['imported']} documents, {r['words']:,} words, {r['bytes']/1e6:.1f} MB\")"
/usr/bin/time -f "reindex: %e s, peak %M KB" "$narrata" --project "$out/project" reindex
du -sh "$out/project/index" "$out/project/narrata.db"

echo "== query latency in one process"
target/release/examples/search_bench "$out/project" 100

echo "== cold start: a whole process per query"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e s" "$narrata" --project "$out/project" search "groep rustig" --wave T2 --limit 20 > /dev/null
done

echo "== grep on the same files"
for q in groep tegenslag; do
  /usr/bin/time -f "grep -riw $q: %e s" grep -riwc "$q" "$out/corpus/transcripts" > /dev/null || true
done
/usr/bin/time -f "grep, two words on one line (groep.*rustig): %e s" grep -ric "groep.*rustig" "$out/corpus/transcripts" > /dev/null || true
/usr/bin/time -f "grep, two words with a wave (files of T2 only): %e s" sh -c "grep -ric 'groep.*rustig' $out/corpus/transcripts/*_T2.md > /dev/null" || true
