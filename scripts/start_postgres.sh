#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (installed by .ci/run) and creates the test database.
# Prints the SQLAlchemy URL of that database. Safe to run again.
set -euo pipefail
version=$(ls /etc/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null 2>&1
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.2
done
run_psql() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAt -h 127.0.0.1 -c \"$1\"" 2>/dev/null \
  || su postgres -c "psql -v ON_ERROR_STOP=1 -qAt -c \"$1\""; }
if [ "$(run_psql "SELECT 1 FROM pg_roles WHERE rolname = 'omnikpi'")" != "1" ]; then
  run_psql "CREATE ROLE omnikpi LOGIN PASSWORD 'omnikpi'"
fi
if [ "$(run_psql "SELECT 1 FROM pg_database WHERE datname = 'omnikpi_test'")" != "1" ]; then
  run_psql "CREATE DATABASE omnikpi_test OWNER omnikpi"
fi
echo "postgresql+psycopg://omnikpi:omnikpi@127.0.0.1:5432/omnikpi_test"
