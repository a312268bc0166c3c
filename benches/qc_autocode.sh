#!/bin/sh
# qc's "editor" for the benchmark: given a corpus file and the codes file qc expects (one line
# per corpus line), writes `group` on every line holding the word "groep" (any case), the
# same rule as `narrata code auto groep …`. Used by benches/run.sh.
awk '{ print (tolower($0) ~ /(^|[^[:alnum:]])groep([^[:alnum:]]|$)/) ? "group" : "" }' "$1" > "$2"
