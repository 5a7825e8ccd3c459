#!/usr/bin/env bash
# Starts ЦПП in production: applies the migrations, then replaces itself with gunicorn
# (so that systemd's signals reach the gunicorn master directly).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "Ошибка: $*" >&2; exit 1; }

[ "${CPP_ENV:-}" = production ] || fail "CPP_ENV должен быть production (сейчас: '${CPP_ENV:-}')."
for name in CPP_DATABASE_URL CPP_REDIS_URL CPP_SECRET_KEY CPP_PUBLIC_URL; do
  [ -n "${!name:-}" ] || fail "не задана переменная окружения $name (см. deploy/env.example)."
done
case "$CPP_DATABASE_URL" in
  postgresql*) ;;
  *) fail "в production нужна PostgreSQL: CPP_DATABASE_URL=postgresql+psycopg://… (сейчас другая база)." ;;
esac

case "$CPP_PUBLIC_URL" in
  https://*|http://127.0.0.1*|http://localhost*) ;;
  *) fail "CPP_PUBLIC_URL должен быть адресом https://… (ссылки в письмах строятся от него); сейчас: '$CPP_PUBLIC_URL'." ;;
esac
# gunicorn trusts X-Forwarded-For from its peer (ProxyFix): only nginx may reach it. An app server on another
# machine than nginx sets CPP_ALLOW_REMOTE_BIND=1 and lets its firewall admit the nginx host alone.
case "${CPP_BIND:-127.0.0.1:8000}" in
  127.0.0.1:*|localhost:*|unix:*) ;;
  *) [ "${CPP_ALLOW_REMOTE_BIND:-0}" = 1 ] || fail "CPP_BIND должен быть 127.0.0.1:ПОРТ или unix:ПУТЬ — к gunicorn напрямую не должен подключаться никто, кроме nginx (сейчас: '$CPP_BIND')." ;;
esac

venv=${CPP_VENV:-.venv}
export FLASK_APP=wsgi
# With several app servers, migrate from one of them only (CPP_RUN_MIGRATIONS=0 on the others).
if [ "${CPP_RUN_MIGRATIONS:-1}" != 0 ]; then
  "$venv/bin/flask" db upgrade
fi
exec "$venv/bin/gunicorn" --config deploy/gunicorn.conf.py
