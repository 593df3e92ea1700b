#!/usr/bin/env bash
# Creates .venv with the given pip extras spec (e.g. ".[dev]"), installing python3-venv first
# where Debian's python3 lacks it. The versions are the locked ones (requirements/run.txt, or
# requirements/dev.txt for ".[dev]"), every file checked against its hash; `make lock` renews them.
set -eu
spec="$1"
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv .venv
    else
      echo "python3 cannot create a virtual environment: install it with 'sudo apt-get install python3-venv'" >&2
      exit 1
    fi
  fi
  .venv/bin/python -m pip install -q --upgrade pip
fi
case "$spec" in
  *dev*) lock=requirements/dev.txt ;;
  *) lock=requirements/run.txt ;;
esac
.venv/bin/python -m pip install -q --require-hashes -r "$lock"
.venv/bin/python -m pip install -q --no-deps -e .
