#!/usr/bin/env bash
# `flask` of ЦПП with the service's settings, for commands run by hand on the server:
#   sudo -u cpp /srv/cpp/deploy/flask.sh restore /var/lib/cpp/backups/cpp-backup-….tar.gz
# Reads the same file as the systemd units (CPP_ENV_FILE, default /etc/cpp/cpp.env).
set -euo pipefail
env_file=${CPP_ENV_FILE:-/etc/cpp/cpp.env}
[ -r "$env_file" ] || { echo "Ошибка: нет доступа к файлу настроек $env_file." >&2; exit 1; }
set -a
# shellcheck source=/dev/null
. "$env_file"
set +a
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi
exec "${CPP_VENV:-.venv}/bin/flask" "$@"
