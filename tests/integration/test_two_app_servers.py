"""Two app servers behind one address, as deploy/README.md («Если одного сервера мало») describes them: one
PostgreSQL, one Redis, one shared storage directory. What a person starts on one server holds on the other — the
sign-in and its end, the rate-limit counters, a job queued by a request and run by a separate worker, a file.

The servers are gunicorn with the production settings (one sync worker each, as bench/load/run.py starts it), each
with an instance folder of its own; the worker is `flask worker --burst`. The PostgreSQL pass only, and Redis on
127.0.0.1:6379 (database 11 is this test's own and is flushed); about 20–30 s, most of it starting the servers.
"""
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.cookies import RequestsCookieJar

from cpp_app.models import Role
from tests.conftest import BACKEND, TEST_PASSWORD
from tests.security.uploads_common import CERTIFICATE_PDF, external_course_form

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("CPP_SCALE_REDIS_URL", "redis://127.0.0.1:6379/11")
STARTUP_SECONDS = 60
SEARCH_LIMIT = 120  # organizations.search: per client address and minute
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE_LINE = re.compile(r"Код:\s*(\d{4,8})")

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="several app servers share PostgreSQL and Redis: the PostgreSQL pass only")


# ------------------------------------------------------------------------------------------------ the servers


class Cluster:
    def __init__(self, work: Path, database_url: str):
        self.storage = work / "storage"
        self.mail = work / "mail"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("CPP_")} | {
            "CPP_ENV": "production", "CPP_DATABASE_URL": database_url, "CPP_REDIS_URL": REDIS_URL,
            "CPP_SECRET_KEY": secrets.token_urlsafe(48), "CPP_STORAGE_DIR": str(self.storage),
            "CPP_MAIL_BACKEND": "file", "CPP_MAIL_DIR": str(self.mail), "FLASK_APP": "wsgi",
            "CPP_WORKERS": "1", "CPP_PUBLIC_URL": "http://127.0.0.1",
        }
        self.work = work
        self.servers: list[subprocess.Popen] = []
        self.urls: list[str] = []

    def start(self, name: str) -> None:
        port = _free_port()
        instance = self.work / f"instance-{name}"
        log = (self.work / f"{name}.log").open("w")
        env = self.env | {"CPP_INSTANCE_DIR": str(instance), "CPP_BIND": f"127.0.0.1:{port}"}
        self.servers.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True))
        self.urls.append(f"http://127.0.0.1:{port}")

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        for server, url, name in zip(self.servers, self.urls, "AB", strict=True):
            while True:
                assert server.poll() is None, f"server {name} exited:\n{self.log(name)}"
                try:
                    if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):  # the worker is still booting
                    pass
                assert time.monotonic() < deadline, f"server {name} did not start:\n{self.log(name)}"
                time.sleep(0.25)

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text()[-4000:]

    def run_worker(self) -> None:
        """A third process, as on a queue host of its own: runs what is queued, then stops."""
        result = subprocess.run([str(BIN / "flask"), "worker", "--burst"], cwd=ROOT, capture_output=True, text=True,
                                env=self.env | {"CPP_INSTANCE_DIR": str(self.work / "instance-worker")}, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

    def stop(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
        for server in self.servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    finally:
        client.close()


@pytest.fixture
def cluster(app, database, tmp_path):
    """Servers A and B on the test database (committed rows only; the `database` fixture empties it afterwards)."""
    _flush_redis()
    cluster = Cluster(tmp_path, database.engine.url.render_as_string(hide_password=False))
    try:
        cluster.start("A")
        cluster.start("B")
        cluster.wait_until_healthy()
        yield cluster
        for name in "AB":
            assert not re.search(r"Traceback|\[(ERROR|CRITICAL)\]", cluster.log(name)), cluster.log(name)
    finally:
        cluster.stop()
        database.engine.dispose()  # the servers' sessions are gone; ours may have seen them as stale
        _flush_redis()


# ------------------------------------------------------------------------------------------------ the browser


class LoopbackSecureCookies(DefaultCookiePolicy):
    """Production cookies are Secure; here the client speaks plain http to gunicorn as nginx does after ending TLS,
    so Secure cookies go back to the loopback address (and nowhere else)."""

    def return_ok_secure(self, cookie, request):
        return urlsplit(request.get_full_url()).hostname == "127.0.0.1" or super().return_ok_secure(cookie, request)


class Browser(requests.Session):
    """One person's browser: the cookies of 127.0.0.1 go to both servers, as to one address behind nginx."""

    def prepare_request(self, request):
        prepared = super().prepare_request(request)
        jar = RequestsCookieJar()  # requests would build the Cookie header under the default policy
        jar.set_policy(LoopbackSecureCookies())
        jar.update(self.cookies)
        prepared.headers.pop("Cookie", None)
        prepared.prepare_cookies(jar)
        return prepared

    def csrf(self, url: str) -> str:
        page = self.get(url, allow_redirects=False)
        assert page.status_code == 200, (url, page.status_code, page.headers.get("Location"))
        return CSRF.search(page.text).group(1)

    def post_form(self, url: str, data: dict, **kwargs) -> requests.Response:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        return self.post(url, data={"csrf_token": self.csrf(url), **data}, allow_redirects=False,
                         headers={"Origin": origin, "Referer": url}, **kwargs)

    def sign_in(self, url: str, email: str) -> requests.Response:
        return self.post_form(f"{url}/login", {"email": email, "password": TEST_PASSWORD})


def mailed_code(mail: Path, email: str) -> str:
    for path in sorted(mail.glob("*.eml"), reverse=True):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == email:
            return CODE_LINE.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)
    raise AssertionError(f"no sign-in code mailed to {email}")


# ------------------------------------------------------------------------------------------------ the test


def test_sessions_limits_jobs_and_files_work_across_two_app_servers(cluster, make_user):
    teacher = make_user(role=Role.TEACHER, email="two-servers-teacher@school.example")
    methodologist = make_user(role=Role.METHODOLOGIST, email="two-servers-methodologist@ipk.example")
    a, b = cluster.urls
    person = Browser()

    # Signed in on A, known on B: the session's row is in PostgreSQL, its cookie signed with the shared key.
    assert person.sign_in(a, teacher.email).status_code == 302
    cabinet = person.get(f"{b}/cabinet/", allow_redirects=False)
    assert cabinet.status_code == 200 and teacher.last_name in cabinet.text

    # A certificate uploaded through A is downloaded through B: the file is in the shared storage, in no instance.
    added = person.post_form(f"{a}/cabinet/courses/external/new", external_course_form(),
                             files={"certificate": ("certificate.pdf", CERTIFICATE_PDF, "application/pdf")})
    assert added.status_code == 302, added.text[-2000:]
    courses = person.get(f"{b}/cabinet/courses").text
    link = re.search(r'href="(/cabinet/courses/\d+/certificate)"', courses).group(1)
    download = person.get(f"{b}{link}")
    assert download.status_code == 200 and download.content == CERTIFICATE_PDF
    assert [p.read_bytes() for p in (cluster.storage / "certificates").iterdir()] == [CERTIFICATE_PDF]
    assert not list(cluster.work.glob("instance-*/uploads"))

    # Signed out on B, the session ends on A too — even for a copy of the cookie taken before (another tab).
    other_tab = Browser()
    other_tab.cookies.update(person.cookies)
    assert person.post_form(f"{b}/logout", {}).status_code == 302
    assert person.get(f"{a}/cabinet/", allow_redirects=False).status_code == 302
    ended = other_tab.get(f"{a}/cabinet/", allow_redirects=False)
    assert ended.status_code == 302 and urlsplit(ended.headers["Location"]).path == "/login"

    # The password on A, the mailed code on B: the pending sign-in is in the signed cookie, the code in PostgreSQL.
    staff = Browser()
    assert staff.sign_in(a, methodologist.email).headers["Location"] == "/login/code"
    entered = staff.post_form(f"{b}/login/code", {"code": mailed_code(cluster.mail, methodologist.email)})
    assert entered.status_code == 302 and not entered.headers["Location"].startswith("/login")

    # A job queued by a request on A waits for the worker (no app server runs it), then its file is served by B.
    preparing = staff.get(f"{a}/research/dataset.csv")
    assert preparing.status_code == 200 and "Refresh" in preparing.headers
    assert "Refresh" in staff.get(f"{b}/research/dataset.csv").headers  # the same job, not queued twice
    cluster.run_worker()
    dataset = staff.get(f"{b}/research/dataset.csv")
    assert dataset.status_code == 200 and dataset.headers["Content-Type"].startswith("text/csv"), dataset.text[-2000:]
    assert [p.name for p in (cluster.storage / "exports").iterdir()] != []

    # The rate-limit counter is in Redis: what was spent on A is spent on B. One client address for this part.
    address = {"X-Forwarded-For": "10.11.12.13"}
    spent = [requests.get(f"{a}/organizations/search?q=", headers=address).status_code for _ in range(SEARCH_LIMIT)]
    assert spent == [200] * SEARCH_LIMIT
    assert requests.get(f"{b}/organizations/search?q=", headers=address).status_code == 429
    assert requests.get(f"{b}/organizations/search?q=", headers={"X-Forwarded-For": "10.11.12.14"}).status_code == 200
