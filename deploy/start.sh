#!/usr/bin/env bash
# Starts ЦПП in production: applies the migrations, then replaces itself with gunicorn
# (so that systemd's signals reach the gunicorn master directly).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "Ошибка: $*" >&2; exit 1; }

[ "${CPP_ENV:-}" = production ] || fail "CPP_ENV должен быть production (сейчас: '${CPP_ENV:-}')."
for name in CPP_DATABASE_URL CPP_REDIS_URL CPP_SECRET_KEY; do
  [ -n "${!name:-}" ] || fail "не задана переменная окружения $name (см. deploy/env.example)."
done
case "$CPP_DATABASE_URL" in
  postgresql*) ;;
  *) fail "в production нужна PostgreSQL: CPP_DATABASE_URL=postgresql+psycopg://… (сейчас другая база)." ;;
esac

venv=${CPP_VENV:-.venv}
export FLASK_APP=wsgi
# With several app servers, migrate from one of them only (CPP_RUN_MIGRATIONS=0 on the others).
if [ "${CPP_RUN_MIGRATIONS:-1}" != 0 ]; then
  "$venv/bin/flask" db upgrade
fi
exec "$venv/bin/gunicorn" --config deploy/gunicorn.conf.py
