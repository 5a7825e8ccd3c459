"""Links sent by mail come from the configured public address; a request naming another host is refused."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from cpp_app.config import ProductionConfig
from cpp_app.mail import outbox
from cpp_app.security import CSP
from tests.conftest import extract_csrf

ROOT = Path(__file__).resolve().parents[2]


def ask_for_reset(client, email, host="localhost", form_host="localhost"):
    token = extract_csrf(client.get("/password/forgot", headers={"Host": form_host}))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, headers={"Host": host})


def test_forged_host_is_refused_and_mails_nothing(client, make_user):
    make_user(email="teacher@school.example")
    response = ask_for_reset(client, "teacher@school.example", host="evil.example")
    assert response.status_code == 400
    assert outbox() == []


def test_reset_link_uses_the_public_address_whatever_the_host(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://cpp.example.ru")
    make_user(email="teacher@school.example")
    response = ask_for_reset(client, "teacher@school.example", host="127.0.0.1:8000", form_host="127.0.0.1:8000")  # trusted, not the public one
    assert response.status_code == 302
    body = outbox()[0].get_content()
    links = re.findall(r"https?://\S+", body)
    assert links and all(link.startswith("https://cpp.example.ru/password/reset/") for link in links)
    assert "127.0.0.1" not in body and "localhost" not in body


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/main.css"])
def test_every_response_to_a_foreign_host_is_400(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)


def test_production_needs_a_public_address(monkeypatch):
    monkeypatch.delenv("CPP_PUBLIC_URL", raising=False)
    monkeypatch.setenv("CPP_SECRET_KEY", "x" * 48)
    with pytest.raises(RuntimeError, match="CPP_PUBLIC_URL"):
        ProductionConfig.load()
    monkeypatch.setenv("CPP_PUBLIC_URL", "https://cpp.example.ru/")
    settings = ProductionConfig.load()
    assert settings["PUBLIC_URL"] == "https://cpp.example.ru"
    assert settings["TRUSTED_HOSTS"][0] == "cpp.example.ru"


def run_start_script(**overrides):
    env = {
        "PATH": os.environ["PATH"], "CPP_ENV": "production", "CPP_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1/x",
        "CPP_REDIS_URL": "redis://127.0.0.1:6379/0", "CPP_SECRET_KEY": "x" * 48,
        "CPP_PUBLIC_URL": "https://cpp.example.ru", "CPP_VENV": "/nonexistent",
    }
    env.update(overrides)
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(["bash", str(ROOT / "deploy/start.sh")], env=env, capture_output=True, text=True, timeout=30)


def test_start_script_refuses_without_public_address_or_with_an_open_bind():
    missing = run_start_script(CPP_PUBLIC_URL=None)
    assert missing.returncode == 1 and "CPP_PUBLIC_URL" in missing.stderr
    plain_http = run_start_script(CPP_PUBLIC_URL="http://cpp.example.ru")
    assert plain_http.returncode == 1 and "https://" in plain_http.stderr
    open_bind = run_start_script(CPP_BIND="0.0.0.0:8000")
    assert open_bind.returncode == 1 and "CPP_BIND" in open_bind.stderr
    # Past every check it reaches the migration step, which fails here only for the missing virtualenv.
    passed = run_start_script(CPP_BIND="unix:/run/cpp/gunicorn.sock")
    assert "/nonexistent/bin/flask" in passed.stderr


def test_nginx_drops_unknown_hosts_and_guards_static_files():
    config = (ROOT / "deploy/nginx/cpp.conf").read_text()
    default = re.search(r"server \{[^}]*default_server[^}]*\}", config).group(0)
    assert "return 444;" in default and "ssl_reject_handshake on;" in default
    assert config.count("server_tokens off;") == 3  # every server block
    static = re.search(r"location /static/ \{[^}]*\}", config).group(0)
    assert f'Content-Security-Policy "{CSP}" always;' in static
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Strict-Transport-Security"):
        assert f"add_header {header} " in static
