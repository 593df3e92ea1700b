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
# The development environment skips compiling every installed module to bytecode (35 s of a
# fresh clone's 62 s install on 2 cores): the tests compile, once, the quarter of them they
# import (`make test` and `make bench` let Python write bytecode).
case "$spec" in
  *dev*) lock=requirements/dev.txt; compile=--no-compile ;;
  *) lock=requirements/run.txt; compile= ;;
esac
.venv/bin/python -m pip install -q $compile --require-hashes -r "$lock"
.venv/bin/python -m pip install -q --no-deps -e .
