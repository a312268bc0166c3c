#!/usr/bin/env bash
# Terminal UI benchmark. Not run by CI; figures go to docs/PERFORMANCE.md by hand.
#  1. keystroke to frame on a generated 20,000-word transcript with 1,000 codings (headless);
#  2. start to first frame, and a short session, on the 5-million-word benchmark project
#     (300 participants × 3 waves × ~6,000 words, 100,000 codings), with peak memory;
#  3. the real binary in a real terminal (tmux) on that project: peak resident memory after
#     opening a transcript, searching and the cohort view.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-tui
mkdir -p "$out"
cargo build --release --quiet --bins --examples
bin=target/release

echo "== keystroke to frame (200×60 frame, rendering into ratatui's TestBackend)"
$bin/examples/tui_bench keys "$out/keys"

echo "== the 5-million-word project"
if [ ! -f "$out/big/narrata.db" ]; then
  $bin/examples/change_bench "$out/big" > /dev/null
fi
$bin/narrata --project "$out/big" reindex
for i in 1 2 3; do
  /usr/bin/time -f "peak %M KB (whole process)" $bin/examples/tui_bench start "$out/big"
done

echo "== the binary in tmux on the same project"
sock="narrata-bench-$$"
tmux -L "$sock" new-session -d -s b -x 200 -y 60 \
  "NARRATA_CONFIG_DIR=$out/none $bin/narrata --project $out/big tui; sleep 5"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
sleep 1
pid=$(pgrep -P "$(tmux -L "$sock" display-message -p -t b '#{pane_pid}')")
step() { tmux -L "$sock" send-keys -t b "$@"; sleep 1.5; }
step Enter
step 4
step 'groep rustig wave:T2' Enter
step 5
sleep 2
grep -E "VmHWM|VmRSS" "/proc/$pid/status"
tmux -L "$sock" send-keys -t b q
