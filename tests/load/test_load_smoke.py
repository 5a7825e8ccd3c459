"""The CI-sized load test: the production server (gunicorn, 2 workers, PostgreSQL, Redis) under the mixed
workload of bench/load/ for 15 s — no failed request, no server error, every confirmed autosave in the database.

Runs in the PostgreSQL pass of `make test` only: it starts its own PostgreSQL database, gunicorn and locust
(about 30–45 s), and needs Redis on 127.0.0.1:6379.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(os.environ.get("CPP_TEST_DATABASE", "sqlite") != "postgresql",
                       reason="the load test runs the production setup on PostgreSQL: the PostgreSQL pass only"),
]


def test_ci_load_run_has_no_errors_and_loses_no_autosave():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "load" / "run.py"), "--ci"], cwd=ROOT,
                            capture_output=True, text=True, timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "failures: 0; server errors in the log: 0" in result.stdout, output[-8000:]
    assert "integrity: OK" in result.stdout, output[-8000:]
