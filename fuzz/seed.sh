#!/usr/bin/env bash
# Seeds the fuzz corpus from the project's own valid files: the sample transcripts and test
# fixtures, the shipped codebooks (also written as JSON and .qdc), and a REFI-QDA project
# exported from the samples. Each input's first byte chooses the format (see dispatch.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
bin=target/debug/narrata
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz/corpus/transcript fuzz/corpus/codebook fuzz/corpus/refi

seed() { # corpus, format byte, file
    local out="fuzz/corpus/$1/seed-$2-$(basename "$3")"
    { printf "\\x$(printf %02x "$2")"; cat "$3"; } > "$out"
}
for f in samples/transcripts/*.md; do seed transcript 1 "$f"; done
seed transcript 0 samples/transcripts/P01_T1.md
seed transcript 4 tests/fixtures/P09_T1.docx
seed transcript 3 tests/fixtures/P10-w3.srt
seed transcript 2 tests/fixtures/P10_T2.vtt

export NARRATA_CODER=seed
"$bin" init "$work/p" > /dev/null
for f in codebooks/*.yaml; do
    seed codebook 0 "$f"
done
"$bin" --project "$work/p" codebook import codebooks/chime-herstel.nl.yaml > /dev/null
"$bin" --project "$work/p" codebook export "$work/chime.json" > /dev/null
"$bin" --project "$work/p" codebook export "$work/chime.qdc" > /dev/null
seed codebook 1 "$work/chime.json"
seed codebook 2 "$work/chime.qdc"

# A small project, so that the inputs the fuzzer keeps stay small: one short transcript,
# two codes, codings by two coders and a memo.
"$bin" init "$work/q" > /dev/null
head -c 1500 samples/transcripts/P01_T1.md > "$work/P01_T1.md"
"$bin" --project "$work/q" import "$work/P01_T1.md" --anonymise off > /dev/null
"$bin" --project "$work/q" codebook add Hoop > /dev/null
"$bin" --project "$work/q" codebook add "Hoop/Vooruit kijken" > /dev/null
"$bin" --project "$work/q" code add 1 10 60 Hoop > /dev/null
"$bin" --project "$work/q" --coder ander code add 1 40 90 "Vooruit kijken" > /dev/null
"$bin" --project "$work/q" memo add code:Hoop "Komt terug." > /dev/null
"$bin" --project "$work/q" export qdpx "$work/small.qdpx" > /dev/null
cp "$work/small.qdpx" fuzz/corpus/refi/seed-small.qdpx
ls fuzz/corpus/* | wc -l
