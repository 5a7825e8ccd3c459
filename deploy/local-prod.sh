#!/usr/bin/env bash
# `make prod`: the production setup (gunicorn, PostgreSQL, Redis, JSON logs) on this machine, with demo data.
# PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and Redis on 127.0.0.1:6379 must be running.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "Ошибка: $*" >&2; exit 1; }

port=${PORT:-8000}
database=${CPP_PROD_DATABASE:-cpp_prod}
venv=${CPP_VENV:-.venv}
python=$venv/bin/python

export CPP_ENV=production
export CPP_DATABASE_URL=${CPP_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/$database}
export CPP_REDIS_URL=${CPP_REDIS_URL:-redis://127.0.0.1:6379/0}
# No SMTP server here: mail goes to instance/mail/*.eml.
export CPP_MAIL_BACKEND=${CPP_MAIL_BACKEND:-file}
export CPP_BIND=127.0.0.1:$port
export CPP_PUBLIC_URL=${CPP_PUBLIC_URL:-http://127.0.0.1:$port}
export FLASK_APP=wsgi

"$python" - <<'PY' || fail "PostgreSQL на 127.0.0.1:5432 недоступна или базу не удалось создать."
import os
import psycopg
from sqlalchemy.engine import make_url

url = make_url(os.environ["CPP_DATABASE_URL"])
server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
    if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone() is None:
        connection.execute(f'CREATE DATABASE "{url.database}"')
        print(f"Создана база {url.database}.")
PY
"$python" -c "import os, redis; redis.Redis.from_url(os.environ['CPP_REDIS_URL'], socket_connect_timeout=3).ping()" \
  2>/dev/null || fail "Redis по адресу $CPP_REDIS_URL недоступен."

# A key of this installation, kept in instance/ (gitignored) apart from the development one.
if [ -z "${CPP_SECRET_KEY:-}" ]; then
  key_file=${CPP_INSTANCE_DIR:-instance}/prod_secret_key
  if [ ! -s "$key_file" ]; then
    mkdir -p "$(dirname "$key_file")"
    (umask 077 && "$python" -c "import secrets; print(secrets.token_urlsafe(48))" > "$key_file")
  fi
  CPP_SECRET_KEY=$(cat "$key_file")
  export CPP_SECRET_KEY
fi

"$venv/bin/flask" db upgrade
"$venv/bin/flask" seed
users=$("$python" - <<'PY'
import os
import psycopg
from sqlalchemy.engine import make_url

url = make_url(os.environ["CPP_DATABASE_URL"]).set(drivername="postgresql")
with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
    print(connection.execute("SELECT count(*) FROM users").fetchone()[0])
PY
)
if [ "$users" = 0 ]; then
  # Demo data is refused under CPP_ENV=production on purpose; this local rehearsal loads it once,
  # into its own database, as development would.
  CPP_ENV=development "$venv/bin/flask" seed --demo
fi

# The background jobs' worker, stopped with the server.
"$venv/bin/flask" worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT

echo "ЦПП (production): http://127.0.0.1:$port — база $database, Redis $CPP_REDIS_URL, фоновые задачи — flask worker; остановка: Ctrl+C"
./deploy/start.sh
