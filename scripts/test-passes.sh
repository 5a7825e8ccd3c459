#!/usr/bin/env bash
# The two passes of `make test` side by side — SQLite (with the browser journeys) in the foreground, PostgreSQL and
# then every bench on tiny data (`--smoke`) in the background: each is mostly one busy core, and the machine has two.
# The background pass's output follows the foreground one's; the exit status is non-zero if either failed.
set -u
cd "$(dirname "$0")/.."
bin=.venv/bin
postgresql_log=$(mktemp)
trap 'rm -f "$postgresql_log"' EXIT

(
  CPP_TEST_DATABASE=postgresql "$bin/python" -m pytest -p no:cacheprovider -m "not e2e" || exit 1
  for bench in monitoring pages program_pdf research; do
    "$bin/python" "bench/$bench.py" --smoke || exit 1
  done
) >"$postgresql_log" 2>&1 &
postgresql_pass=$!

echo "== SQLite pass (the PostgreSQL pass and the bench smokes run meanwhile; their output follows) =="
CPP_TEST_DATABASE=sqlite "$bin/python" -m pytest
sqlite_status=$?

wait "$postgresql_pass"
postgresql_status=$?
echo "== PostgreSQL pass and bench smokes =="
cat "$postgresql_log"
echo "== SQLite pass: exit $sqlite_status; PostgreSQL pass and bench smokes: exit $postgresql_status =="
[ "$sqlite_status" -eq 0 ] && [ "$postgresql_status" -eq 0 ]
