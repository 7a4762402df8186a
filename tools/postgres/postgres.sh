#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers, starting the local Debian cluster when it is installed
# but stopped, and manages the throw-away databases of a test run.
#
# Usage: tools/postgres/postgres.sh ensure                 prints the admin URL
#        tools/postgres/postgres.sh create-db NAME         creates NAME (dropping an old one)
#        tools/postgres/postgres.sh drop-prefix PREFIX     drops every database named PREFIX*
# Environment: POSTGRES_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
ADMIN_URL="${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
say() { echo "postgres: $*" >&2; }

answers() { psql "$ADMIN_URL" -XAtqc 'SELECT 1' >/dev/null 2>&1; }

ensure() {
  if answers; then echo "$ADMIN_URL"; return 0; fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    say "not answering; starting the local cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do
      if answers; then echo "$ADMIN_URL"; return 0; fi
      sleep 0.5
    done
  fi
  say "error: no PostgreSQL answers at ${ADMIN_URL%%@*}@… (set POSTGRES_ADMIN_URL or DATABASE_URL)"
  exit 1
}

case "${1:-}" in
  ensure) ensure ;;
  create-db)
    name="${2:?database name}"
    psql "$ADMIN_URL" -XAtqc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\"" ;;
  drop-prefix)
    prefix="${2:?prefix}"
    for db in $(psql "$ADMIN_URL" -XAtqc "SELECT datname FROM pg_database WHERE datname LIKE '${prefix//\'/}%'"); do
      psql "$ADMIN_URL" -XAtqc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
    done ;;
  *) echo "usage: $0 ensure | create-db NAME | drop-prefix PREFIX" >&2; exit 2 ;;
esac
