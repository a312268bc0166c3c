#!/usr/bin/env bash
# Runs every test of narrata: the README's test command, and what .ci/run calls.
#
# Needs Rust and Python 3, nothing else. The tests check exported files with independent
# readers (xmlschema for REFI-QDA, python-docx for Word); this script installs them into its
# own virtual environment under target/, never into your Python. Debian and Ubuntu ship
# Python without ensurepip (no `python3-venv` package): the environment is then made without
# pip and pip is fetched into it. The terminal UI's end-to-end tests also need tmux, and the
# report page test LibreOffice (soffice) and poppler-utils (pdftotext, pdfinfo); without them
# those tests print "NOT RUN" and pass, except under CI (CI=true), where they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/test-venv
if ! "$venv/bin/python3" -c "import xmlschema, docx, PIL, openpyxl" 2>/dev/null; then
  echo "== making $venv with the Python readers the tests use (tests/requirements.txt)"
  rm -rf "$venv"
  if [ -n "${NARRATA_TEST_WITHOUT_ENSUREPIP:-}" ] || ! python3 -m venv "$venv" >/dev/null 2>&1 \
      || [ ! -x "$venv/bin/pip" ]; then
    # No ensurepip (Debian, Ubuntu): an environment without pip, and pip put into it, from the
    # Python's own pip if it has one, else from pip's official bootstrap script.
    rm -rf "$venv"
    python3 -m venv --without-pip "$venv"
    if python3 -m pip --version >/dev/null 2>&1; then
      python3 -m pip --python "$venv/bin/python3" install --quiet pip
    else
      "$venv/bin/python3" - "$venv/get-pip.py" <<'PY'
import sys, urllib.request
urllib.request.urlretrieve("https://bootstrap.pypa.io/get-pip.py", sys.argv[1])
PY
      "$venv/bin/python3" "$venv/get-pip.py" --quiet
    fi
  fi
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
fi
export PATH="$PWD/$venv/bin:$PATH"
exec cargo test --locked --workspace "$@"
