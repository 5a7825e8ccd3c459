"""The load test, headless, end to end: a fresh PostgreSQL database, the production server (gunicorn with
deploy/gunicorn.conf.py, CPP_ENV=production, 2 workers, Redis rate-limit counters) with its background worker
(`flask worker`, rendering the programs approved just before the run), locust's mixed workload
(bench/load/locustfile.py), then the checks: no failed request, no error in the server's or the worker's log, no
failed background job, and every autosave that was answered «saved» is in the database. Prints a summary; exits 1 on any failure. The database is dropped.

    .venv/bin/python bench/load/run.py                 # 40 users for 60 s on a region-sized database (~90 s)
    .venv/bin/python bench/load/run.py --users 120 --duration 90 --out /tmp/load-120
    .venv/bin/python bench/load/run.py --ci            # 10 users for 15 s on a small database (~40 s)

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; CPP_BENCH_POSTGRES_URL to change) and Redis on
127.0.0.1:6379 (CPP_LOAD_REDIS_URL; database 13 is the load test's own and is flushed first).
"""
import argparse
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from mix import accounts_needed  # noqa: E402

POSTGRES_URL = os.environ.get("CPP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CPP_LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKERS = 2  # the production setup under test; --workers to compare
STARTUP_SECONDS = 60
WORKER_NICE = 5
STOP_TIMEOUT_SECONDS = 15  # locust lets a running task (an autosave on its way) finish before stopping
LOG_PROBLEM = re.compile(r"Traceback|\[(ERROR|CRITICAL)\]|WORKER TIMEOUT")
PRESETS = {
    # users, duration (s), spawn rate (users/s), region-sized data (1,000 organisations, 35,000 teachers)
    "full": (40, 60, 2, True),
    "ci": (10, 15, 5, False),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ci", action="store_true", help="the small run of the test suite (~40 s)")
    parser.add_argument("--users", type=int, help="simulated users (default: 40; 10 with --ci)")
    parser.add_argument("--duration", type=int, help="seconds of load, ramp-up included (default: 60; 15 with --ci)")
    parser.add_argument("--spawn-rate", type=float, help="users started per second (default: 2; 5 with --ci)")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default: {WORKERS})")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default: 1, sync workers)")
    parser.add_argument("--out", type=Path, help="keep the summary, locust's statistics, the logs and the autosave records here")
    args = parser.parse_args(argv)
    users, duration, spawn_rate, region = PRESETS["ci" if args.ci else "full"]
    users, duration = args.users or users, args.duration or duration
    spawn_rate = args.spawn_rate or spawn_rate

    work = Path(tempfile.mkdtemp(prefix="cpp-load-"))
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    database = f"cpp_load_{uuid.uuid4().hex[:10]}"
    database_url = _create_database(database)
    server = worker = None
    try:
        paths = Paths(work, out)
        print(f"database {database}; preparing data ({'region-sized' if region else 'small'}) …", flush=True)
        started = time.monotonic()
        _flush_redis()  # before the approvals of prepare.py queue their documents' rendering there
        _prepare(database_url, paths, users, region)
        print(f"prepared in {time.monotonic() - started:.1f} s", flush=True)
        load_before = os.getloadavg()[0]
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        started, children_before = time.monotonic(), _children_cpu()
        env = _production_env(database_url, paths, port, args.workers, args.threads)
        server = _start(["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"], env, paths.server_log)
        _wait_until_healthy(host, server, paths.server_log)
        # At the priority deploy/systemd/cpp-worker.service gives it (Nice=5): documents yield to people's requests.
        worker = _start(["flask", "worker"], env, paths.worker_log, nice=WORKER_NICE)
        print(f"gunicorn ({_server_shape(args.workers, args.threads)}, production settings) up at {host} in "
              f"{time.monotonic() - started:.1f} s; locust: {users} users, {spawn_rate:g}/s, {duration} s …", flush=True)
        server_boot = sum(_proc_cpu(lambda command, group: group == server.pid).values())
        worker_boot = sum(_proc_cpu(lambda command, group: group == worker.pid).values())

        def backends(command: str, group: int) -> bool:  # PostgreSQL's processes serving the test database
            return command.startswith("postgres: ") and f" {database} " in command

        postgres_before = _proc_cpu(backends)
        locust_code = _run_locust(host, paths, users, spawn_rate, duration)
        locust_cpu = _children_cpu() - children_before
        postgres_cpu = _spent(postgres_before, _proc_cpu(backends))
        worker_cpu = sum(_proc_cpu(lambda command, group: group == worker.pid).values())
        _stop(worker)
        worker = None
        _stop(server)
        server = None
        # gunicorn's master and workers, recycled ones included, less what starting them cost.
        server_cpu = _children_cpu() - children_before - locust_cpu - server_boot - worker_cpu

        rows = _read_stats(paths.stats)
        log = _read_server_log(paths.server_log)
        log["problems"] += [f"worker: {line}" for line in paths.worker_log.read_text(errors="replace").splitlines()
                            if LOG_PROBLEM.search(line)]
        problems, counts = _check_integrity(database_url, paths.autosaves)
        jobs = _background_jobs(database_url)
        problems += [f"background job {kind} #{number} failed: {error}" for number, kind, error in jobs["failed"]]
        report = _summary(rows, log, problems, counts, users, duration, spawn_rate, region, _server_shape(args.workers, args.threads), load_before,
                          jobs, cpu={"gunicorn (master + workers)": server_cpu, "PostgreSQL backends": postgres_cpu,
                                     "background worker": worker_cpu - worker_boot, "locust (load generator)": locust_cpu})
        print(report)
        (out / "summary.txt").write_text(report)
        failed = (locust_code != 0 or rows["Aggregated"]["failures"] > 0 or log["problems"] or problems
                  or not log["requests"])
        if failed:
            _show_failures(paths)
        return 1 if failed else 0
    finally:
        for process in (worker, server):
            if process is not None:
                _stop(process)
        _drop_database(database)
        shutil.rmtree(work, ignore_errors=True)  # the server's instance and mail directories (and, without --out, the rest)


class Paths:
    def __init__(self, work: Path, out: Path):
        self.instance = work / "instance"
        self.mail = work / "mail"
        self.accounts = out / "accounts.json"
        self.autosaves = out / "autosaves.jsonl"
        self.server_log = out / "gunicorn.log"
        self.worker_log = out / "worker.log"
        self.locust_log = out / "locust.log"
        self.stats = out / "locust-stats.json"
        self.csv_prefix = out / "locust"  # for its failures file: the JSON statistics do not say what failed
        for directory in (self.instance, self.mail):
            directory.mkdir(parents=True, exist_ok=True)
        self.autosaves.write_text("")


# ------------------------------------------------------------------------------------------------- setting up


def _create_database(name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _base_env(database_url: str, paths: Paths) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CPP_")}
    return env | {"CPP_DATABASE_URL": database_url, "CPP_INSTANCE_DIR": str(paths.instance),
                  "CPP_MAIL_BACKEND": "file", "CPP_MAIL_DIR": str(paths.mail), "FLASK_APP": "wsgi"}


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def _prepare(database_url: str, paths: Paths, users: int, region: bool) -> None:
    """As an installation would: migrations, reference data, demo organisations; then the bench accounts.
    Development settings here only because demo and synthetic data are refused in production."""
    env = _base_env(database_url, paths) | {"CPP_ENV": "development"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    _run([*flask, "db", "upgrade"], env)
    if region:  # the demo region, grown to the size of Krasnoyarsk Krai
        _run([*flask, "seed", "--demo"], env)
        _run([*flask, "seed-scale", "--orgs", "1000", "--teachers", "35000", "--diagnostics", "1000"], env)
    else:
        _run([*flask, "seed"], env)
    needed = accounts_needed(users)
    # The approvals queue their documents on the Redis queue, as in production: the worker renders them during the run.
    _run([sys.executable, str(HERE / "prepare.py"), "--teachers", str(needed["teachers"]),
          "--school-admins", str(needed["school_admins"]), "--directors", str(needed["directors"]),
          "--methodologists", str(needed["methodologists"]), "--out", str(paths.accounts)],
         env | {"CPP_REDIS_URL": REDIS_URL})
    # What production's timer does, so that dashboards read fresh figures instead of rebuilding them.
    _run([*flask, "refresh-monitoring"], env)


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    client.flushdb()  # the rate-limit counters of an earlier run would refuse this run's sign-ins
    client.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production_env(database_url: str, paths: Paths, port: int, workers: int, threads: int) -> dict:
    return _base_env(database_url, paths) | {
        "CPP_ENV": "production", "CPP_SECRET_KEY": secrets.token_urlsafe(48), "CPP_REDIS_URL": REDIS_URL,
        "CPP_WORKERS": str(workers), "CPP_THREADS": str(threads), "CPP_BIND": f"127.0.0.1:{port}",
        "CPP_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }


def _start(command: list[str], env: dict, log_path: Path, nice: int = 0) -> subprocess.Popen:
    log = log_path.open("w")
    return subprocess.Popen([str(BIN / command[0]), *command[1:]], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=lambda: os.nice(nice))


def _wait_until_healthy(host: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{host}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise SystemExit(f"gunicorn did not answer /healthz within {STARTUP_SECONDS} s:\n{log.read_text()[-4000:]}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown: running requests finish
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ---------------------------------------------------------------------------------------------------- the load


def _run_locust(host: str, paths: Paths, users: int, spawn_rate: float, duration: int) -> int:
    env = {**os.environ, "CPP_LOAD_ACCOUNTS": str(paths.accounts), "CPP_LOAD_RESULTS": str(paths.autosaves),
           "CPP_LOAD_MAIL_DIR": str(paths.mail)}
    command = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration}s", "--stop-timeout", str(STOP_TIMEOUT_SECONDS),
               "--json-file", str(paths.stats.with_suffix("")), "--csv", str(paths.csv_prefix), "--only-summary"]
    with paths.locust_log.open("w") as log:
        return subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode


def _children_cpu() -> float:
    """CPU seconds of the finished (and waited for) child processes, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _proc_cpu(wanted) -> dict[str, float]:
    """CPU seconds so far of the running processes for which wanted(command line, process group) holds, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for process in Path("/proc").glob("[0-9]*"):
        try:
            stat, command = (process / "stat").read_text(), (process / "cmdline").read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        if wanted(command.replace(b"\0", b" ").decode(errors="replace"), int(fields[2])):
            found[process.name] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def _spent(before: dict[str, float], after: dict[str, float]) -> float:
    """Seconds spent between two samples (a process that ended in between is not counted: PostgreSQL's
    backends live as long as the workers' pooled connections)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# ------------------------------------------------------------------------------------------------- the checks


def _read_stats(path: Path) -> dict[str, dict]:
    """Per request type and in total: count, failures, requests per second, p50/p95/p99 and max (ms).

    From locust's JSON statistics, written at exit (its CSV files are written once a second and miss the requests
    that finish while users stop); response times are locust's buckets (exact below 100 ms, then 2 digits)."""
    entries = json.loads(path.read_text())
    started = min(entry["start_time"] for entry in entries)
    ended = max(entry["last_request_timestamp"] or entry["start_time"] for entry in entries)
    seconds = max(ended - started, 1e-9)

    def row(group: list[dict]) -> dict:
        times = defaultdict(int)
        for entry in group:
            for milliseconds, count in entry["response_times"].items():
                times[float(milliseconds)] += count
        requests = sum(entry["num_requests"] for entry in group)
        return {"requests": requests, "failures": sum(entry["num_failures"] for entry in group),
                "rps": requests / seconds, "p50": _bucket_percentile(times, 0.50),
                "p95": _bucket_percentile(times, 0.95), "p99": _bucket_percentile(times, 0.99),
                "max": round(max(entry["max_response_time"] for entry in group))}

    rows = {f"{entry['method']} {entry['name']}": row([entry]) for entry in entries}
    rows["Aggregated"] = row(entries)
    return rows


def _bucket_percentile(times: dict[float, int], share: float) -> int:
    total, seen = sum(times.values()), 0
    for milliseconds in sorted(times):
        seen += times[milliseconds]
        if seen >= share * total:
            return round(milliseconds)
    return 0


def _read_server_log(path: Path) -> dict:
    """Server errors (5xx answers, logged errors, worker timeouts) and the server-side time per endpoint."""
    problems, durations = [], defaultdict(list)
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            if LOG_PROBLEM.search(line):
                problems.append(line)
            continue
        if entry.get("logger") == "cpp_app.access":
            durations[entry.get("endpoint") or entry.get("path")].append(entry.get("duration_ms") or 0.0)
            if int(entry.get("status", 0)) >= 500:
                problems.append(line)
        elif entry.get("level") in ("ERROR", "CRITICAL"):
            problems.append(line)
    return {"problems": problems, "durations": durations,
            "requests": sum(len(values) for values in durations.values())}


def _check_integrity(database_url: str, autosaves: Path) -> tuple[list[str], tuple[int, int]]:
    """Every autosave answered «saved» is in the database: for each answer, the last confirmed revision is the
    stored one, with its level, saved by that school admin. Two confirmations of one revision would be a lost
    update. Locust lets running tasks finish before it stops, but a save slower than its stop timeout is cut off
    after the server stored it: the next revision is accepted when it is that unanswered save's."""
    from sqlalchemy import create_engine, text

    lines = [json.loads(line) for line in autosaves.read_text().splitlines() if line.strip()]
    records, unanswered = [], {}
    for record in lines:
        key = (record["diagnostic_id"], record["indicator"])
        if record.get("sent"):
            unanswered[key] = record
        else:
            unanswered.pop(key, None)
            records.append(record)
    if not records:
        return ["no autosave was confirmed: the school admins' workload did not run"], (0, 0)
    problems, confirmed = [], {}
    for record in records:
        key = (record["diagnostic_id"], record["indicator"])
        earlier = confirmed.get((key, record["revision"]))
        if earlier is not None and earlier["level"] != record["level"]:
            problems.append(f"diagnostic {key[0]}, {key[1]}: revision {record['revision']} confirmed twice")
        confirmed[(key, record["revision"])] = record
    latest = {}
    for (key, revision), record in confirmed.items():
        if key not in latest or revision > latest[key]["revision"]:
            latest[key] = record
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = {
            (row.diagnostic_id, row.indicator_code): row
            for row in connection.execute(
                text("SELECT diagnostic_id, indicator_code, score, revision, updated_by_id FROM diagnostic_answers "
                     "WHERE diagnostic_id = ANY(:ids)"),
                {"ids": sorted({key[0] for key in latest})},
            )
        }
    engine.dispose()
    for key, record in sorted(latest.items()):
        row = stored.get(key)
        where = f"diagnostic {key[0]}, {key[1]}"
        if row is None:
            problems.append(f"{where}: confirmed revision {record['revision']} is not in the database")
        elif (row.revision == record["revision"] + 1 and key in unanswered
              and (unanswered[key]["level"], unanswered[key]["user_id"]) == (row.score, row.updated_by_id)):
            continue  # the save cut off by the stop: stored, never answered
        elif row.revision != record["revision"]:
            problems.append(f"{where}: the database holds revision {row.revision}, the last confirmed is "
                            f"{record['revision']}")
        elif row.score != record["level"] or row.updated_by_id != record["user_id"]:
            problems.append(f"{where}: revision {row.revision} holds level {row.score} by user {row.updated_by_id}, "
                            f"confirmed level {record['level']} by user {record['user_id']}")
    return problems, (len(records), len(latest))


def _background_jobs(database_url: str) -> dict:
    """The background jobs at the end of the run: how many by status, and the failed ones with their reason."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        by_status = dict(connection.execute(text("SELECT status, count(*) FROM background_jobs GROUP BY status")).all())
        failed = connection.execute(text("SELECT id, kind, error FROM background_jobs WHERE status = 'failed'")).all()
    engine.dispose()
    return {"by_status": by_status, "failed": [tuple(row) for row in failed]}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _server_shape(workers: int, threads: int) -> str:
    return f"{workers} sync workers" if threads == 1 else f"{workers} workers × {threads} threads"


def _summary(rows, log, problems, counts, users, duration, spawn_rate, region, server_shape, load_before, jobs,
             cpu) -> str:
    lines = [
        "",
        f"Load test: {users} users (spawned {spawn_rate:g}/s), {duration} s, gunicorn {server_shape} "
        f"(CPP_ENV=production), PostgreSQL, Redis; {'region-sized' if region else 'small'} database; "
        f"{os.cpu_count()} CPU cores shared by server, database and load generator (load average before the "
        f"run: {load_before:.1f})",
        "",
        f"{'request (client side, ms)':<58}{'count':>7}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}",
    ]
    for name, row in sorted(rows.items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        lines.append(f"{name[:57]:<58}{row['requests']:>7}{row['failures']:>6}{row['rps']:>8.2f}{row['p50']:>7}"
                     f"{row['p95']:>7}{row['p99']:>7}{row['max']:>7}")
    lines += ["", f"{'endpoint (server side: in the application, ms)':<58}{'count':>7}{'p50':>7}{'p95':>7}{'p99':>7}"]
    for endpoint, values in sorted(log["durations"].items(), key=lambda item: -len(item[1])):
        lines.append(f"{str(endpoint)[:57]:<58}{len(values):>7}{statistics.median(values):>7.0f}"
                     f"{_percentile(values, 0.95):>7.0f}{_percentile(values, 0.99):>7.0f}")
    total = rows["Aggregated"]
    autosaves, answers = counts
    lines += [
        "",
        f"requests: {total['requests']}, {total['rps']:.1f}/s; failures: {total['failures']}; "
        f"server errors in the log: {len(log['problems'])}",
        "integrity: " + ("OK" if not problems else "FAILED") +
        f" ({autosaves} confirmed autosaves, {answers} answers checked against the database)",
        "background jobs at the end: " + (", ".join(f"{status} {count}" for status, count in sorted(jobs["by_status"].items()))
                                          or "none"),
        "CPU seconds: " + ", ".join(f"{name} {seconds:.1f} ({seconds / duration:.2f} cores)"
                                    for name, seconds in cpu.items()),
        f"server CPU per request (gunicorn + PostgreSQL backends): "
        f"{1000 * (cpu['gunicorn (master + workers)'] + cpu['PostgreSQL backends']) / max(1, log['requests']):.0f} ms",
    ]
    lines += [f"  integrity problem: {problem}" for problem in problems[:20]]
    lines += [f"  server log: {line[:400]}" for line in log["problems"][:10]]
    return "\n".join(lines) + "\n"


def _show_failures(paths: Paths) -> None:
    failures = Path(f"{paths.csv_prefix}_failures.csv")
    if failures.exists():
        print("locust's failures:\n" + failures.read_text(errors="replace")[:6000])
    print("locust's log (end):\n" + paths.locust_log.read_text(errors="replace")[-4000:])


if __name__ == "__main__":
    sys.exit(main())
