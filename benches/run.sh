#!/usr/bin/env bash
# The benchmark suite: every budget of docs/PERFORMANCE.md measured on a generated corpus,
# and the same work done by the alternatives on the same files, printed as one table.
#
#   bash benches/run.sh                         the benchmark corpus (300 participants × 3 waves
#                                               × about 6,000 words) with the alternatives
#   SIZES="100 300 900" ALTERNATIVES=0 BENCH_OUT=target/bench-scaling bash benches/run.sh
#                                               the same measurements at three corpus sizes
#
# The alternatives (DEDUCE and qc from PyPI, with python-docx to open the Word export) are
# installed into a virtual environment (target/bench-venv) by this script, Taguette into one of
# its own (target/taguette-venv); grep is the
# system's, ripgrep is installed from the distribution's packages when missing (apt-get). Not run by CI: it takes minutes and downloads packages. Results: target/bench/
# (or BENCH_OUT; one results.jsonl per size) and the table printed at the end
# (benches/report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-300}
ALTERNATIVES=${ALTERNATIVES:-1}
QC_FILES=${QC_FILES:-10} # qc codes one document per command; see docs/PERFORMANCE.md
TAGUETTE_FILES=${TAGUETTE_FILES:-30} # uploaded and highlighted through Taguette's web API
out=$(realpath -m "${BENCH_OUT:-target/bench}")
mkdir -p "$out"
cargo build --release --quiet --bins --examples
bin=$PWD/target/release
narrata=$bin/narrata
export NARRATA_PASSPHRASE=benchmark NARRATA_CONFIG_DIR=$PWD/$out/no-config

# Appends a JSON object to this size's results.
record() { echo "$1" >> "$results"; }
# `timed STEP OUTPUT CMD…`: runs CMD with its standard output to OUTPUT and records its wall
# time and peak resident memory.
timed() {
  local step=$1 output=$2
  shift 2
  local status=0 seconds kb
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" > "$output" || status=$?
  read -r seconds kb < <(tail -n 1 "$work/time.txt")
  record "{\"step\": \"$step\", \"seconds\": $seconds, \"peak_mb\": $((kb / 1024)), \"status\": $status}"
  return $status
}
# Records the RESULT lines a benchmark example prints.
results_of() { grep '^RESULT ' | sed 's/^RESULT //' >> "$results"; }

venv=$PWD/target/bench-venv
if [ "$ALTERNATIVES" = 1 ] && [ ! -x "$venv/bin/qc" ]; then
  echo "== installing the alternatives (DEDUCE, qc, python-docx) in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet deduce qualitative-coding python-docx
fi
# Taguette in an environment of its own (its pinned dependencies differ from qc's).
taguette_venv=$PWD/target/taguette-venv
if [ "$ALTERNATIVES" = 1 ] && [ ! -x "$taguette_venv/bin/taguette" ]; then
  echo "== installing Taguette in $taguette_venv"
  python3 -m venv "$taguette_venv"
  "$taguette_venv/bin/pip" install --quiet taguette
fi
if [ "$ALTERNATIVES" = 1 ] && ! command -v rg > /dev/null; then
  echo "== installing ripgrep"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep > /dev/null || echo "ripgrep could not be installed: its rows are left out"
fi

for participants in $SIZES; do
  work=$out/p$participants
  rm -rf "$work" && mkdir -p "$work"
  results=$work/results.jsonl
  corpus=$work/corpus/transcripts
  project=$work/project
  codings=$((100000 * participants / 300))
  echo "== $participants participants × 3 waves: corpus"
  "$bin/examples/synth_corpus" "$work/corpus" "$participants" 3 470 5 zipf
  record "{\"step\": \"corpus\", \"participants\": $participants, \"files\": $(ls "$corpus" | wc -l), \"bytes\": $(cat "$corpus"/* | wc -c), \"words\": $(cat "$corpus"/* | wc -w)}"

  echo "== import with anonymisation and indexing (one process, default key work factor)"
  "$narrata" init "$project" > /dev/null
  timed import "$work/import.json" "$narrata" --project "$project" import "$corpus" --json
  record "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(json.dumps({"step": "import_summary", "summary": {k: r[k] for k in ("imported", "words", "bytes", "took_ms")}}))' "$work/import.json")"
  # privacy-check exits non-zero when it finds something; that is a finding to report here.
  # The same files without anonymisation (what qc's import does, here with the index).
  "$narrata" init "$work/plain" > /dev/null
  timed import_plain /dev/null "$narrata" --project "$work/plain" import "$corpus" --anonymise off
  rm -rf "$work/plain"
  timed privacy_check "$work/privacy.json" "$narrata" --project "$project" privacy-check --json || true
  record "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(json.dumps({"step": "privacy_summary", "ok": r["ok"], "checked": r["originals_checked"], "findings": len(r["findings"]), "entries": len({f["entry"] for f in r["findings"]})}))' "$work/privacy.json")"
  du -sb "$project/narrata.db" "$project/index" | awk '{print "{\"step\": \"size\", \"what\": \"" $2 "\", \"bytes\": " $1 "}"}' | sed "s|$project/||" >> "$results"

  echo "== search: latency in one process, then whole processes from a cold start"
  "$bin/examples/search_bench" "$project" 100 | sed 's/^{/{"step": "search", /' >> "$results"
  echo "{\"step\": \"search_cold\", $(python3 benches/timeit.py 20 "$narrata" --project "$project" search "groep rustig" --wave T2 --limit 20 | sed 's/^{//')" >> "$results"

  echo "== $codings codings by script, the change table, the Word export"
  "$bin/examples/bench_codings" "$project" "$codings" | tee /dev/stderr | results_of
  # The script wrote to the database directly; the index learns the codings as after any
  # command that codes (the terminal UI would otherwise resync it on its first search).
  timed reindex /dev/null "$narrata" --project "$project" reindex
  echo "{\"step\": \"check_quick\", $(python3 benches/timeit.py 10 "$narrata" --project "$project" check | sed 's/^{//')" >> "$results"
  echo "{\"step\": \"check_full\", $(python3 benches/timeit.py 3 "$narrata" --project "$project" check --full | sed 's/^{//')" >> "$results"
  "$bin/examples/change_bench" "$project" 5 | results_of
  "$bin/examples/analysis_bench" "$project" 5 | results_of
  timed export "$work/export.json" "$narrata" --project "$project" export excerpts "$work/excerpts.docx" --code "Theme 1" --json
  record "{\"step\": \"export_summary\", \"summary\": $(tr -d '\n' < "$work/export.json"), \"file_bytes\": $(stat -c %s "$work/excerpts.docx")}"
  # Every coding in one report (issue 24: any export in at most 300 MB).
  timed export_all "$work/export_all.json" "$narrata" --project "$project" export excerpts "$work/all.docx" --json
  record "{\"step\": \"export_all_summary\", \"summary\": $(tr -d '\n' < "$work/export_all.json"), \"file_bytes\": $(stat -c %s "$work/all.docx")}"
  # The change report of everyone: a grid, a chart and the changed codes' excerpts per participant.
  timed export_changes /dev/null "$narrata" --project "$project" export changes "$work/changes.docx"
  record "{\"step\": \"export_changes_summary\", \"file_bytes\": $(stat -c %s "$work/changes.docx")}"
  if [ -x "$venv/bin/python" ]; then
    echo "{\"step\": \"export_opened\", $(python3 benches/timeit.py 1 "$venv/bin/python" -c "import docx, sys; d = docx.Document(sys.argv[1]); assert len(d.paragraphs) > 1000" "$work/excerpts.docx" | sed 's/^{//')" >> "$results"
  fi

  echo "== terminal UI: start, first frames and a short session on this project"
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$bin/examples/tui_bench" start "$project" | results_of
  read -r _ kb < "$work/time.txt"
  record "{\"step\": \"tui_peak\", \"peak_mb\": $((kb / 1024))}"

  echo "== auto-coding: every turn with the word 'groep'"
  timed auto "$work/auto.txt" "$narrata" --project "$project" code auto groep "Theme 5/Code 7"
  record "{\"step\": \"auto_summary\", \"text\": \"$(cat "$work/auto.txt")\"}"

  echo "== grep on the same files"
  echo "{\"step\": \"grep_wave\", $(python3 benches/timeit.py 20 "grep -riw --include='*_T2.md' groep $corpus | grep -ciw rustig" | sed 's/^{//')" >> "$results"
  echo "{\"step\": \"grep_word\", $(python3 benches/timeit.py 20 "grep -rciw groep $corpus" | sed 's/^{//')" >> "$results"
  if command -v rg > /dev/null; then
    echo "== ripgrep on the same files (the same lines as grep finds)"
    echo "{\"step\": \"rg_wave\", $(python3 benches/timeit.py 20 "rg -iw --glob '*_T2.md' groep $corpus | rg -ciw rustig" | sed 's/^{//')" >> "$results"
    echo "{\"step\": \"rg_word\", $(python3 benches/timeit.py 20 "rg -ciw groep $corpus" | sed 's/^{//')" >> "$results"
  fi

  if [ "$participants" = 300 ]; then
    echo "== terminal UI: keystroke to frame on a 20,000-word transcript with 1,000 codings"
    "$bin/examples/tui_bench" keys "$work/keys" | tee /dev/stderr | results_of
  fi

  if [ "$ALTERNATIVES" = 1 ]; then
    echo "== DEDUCE on the same files (anonymisation)"
    "$venv/bin/python" benches/deduce_score.py "$work/corpus" | sed 's/^{/{"step": "deduce", /' >> "$results"

    echo "== qc on the same files: import all, code the first $QC_FILES by its editor hook, count"
    qc=$venv/bin/qc
    qcp=$work/qc
    mkdir -p "$qcp"
    (cd "$qcp" && timed qc_init /dev/null "$qc" init < /dev/null)
    sed -i 's/^editor: .*/editor: bench/' "$qcp/settings.yaml"
    cat >> "$qcp/settings.yaml" <<EOF
editors:
  bench:
    name: bench
    code_command: '$PWD/benches/qc_autocode.sh "{corpus_file_path}" "{codes_file_path}"'
    memo_command: 'true "{memo_file_path}"'
EOF
    (cd "$qcp" && timed qc_import /dev/null "$qc" corpus import -r --importer verbatim "$corpus" < /dev/null)
    # qc codes one document per command (its editor hook): the first QC_FILES documents of
    # the whole project, and the same documents coded by narrata the same way, one command
    # per document, with the same rule, in its own whole project.
    ls "$corpus" | awk -v n="$QC_FILES" 'NR <= n' > "$work/qc-files.txt"
    (cd "$qcp" && timed qc_code /dev/null bash -c 'while read -r f; do echo "${f%.md}.txt" > .one; "$0" code bench -f .one < /dev/null > /dev/null; done < "$1"' "$qc" "$work/qc-files.txt")
    (cd "$qcp" && timed qc_counts "$work/qc-counts.tsv" "$qc" codes stats -m tsv < /dev/null)
    "$narrata" --project "$project" codebook add group > /dev/null
    timed narrata_code_docs "$work/narrata-code-docs.txt" bash -c 'while read -r f; do "$0" --project "$1" code auto groep group --doc "$(echo "${f%.md}" | tr _ " ")"; done < "$2"' "$narrata" "$project" "$work/qc-files.txt"
    record "{\"step\": \"code_docs_summary\", \"files\": $QC_FILES, \"narrata\": \"$(tr '\n' ';' < "$work/narrata-code-docs.txt")\", \"qc\": \"$(tr '\t\n' ' ;' < "$work/qc-counts.tsv")\"}"
    timed narrata_counts "$work/counts.txt" "$narrata" --project "$project" codebook show

    echo "== Taguette on the same files: upload the first $TAGUETTE_FILES, highlight every paragraph with \"groep\""
    "$taguette_venv/bin/python" benches/taguette_bench.py "$taguette_venv/bin/taguette" "$corpus" "$work/taguette" "$TAGUETTE_FILES" >> "$results"
  fi
done

python3 benches/report.py $(for p in $SIZES; do echo "$out/p$p/results.jsonl"; done) | tee "$out/report.txt"
