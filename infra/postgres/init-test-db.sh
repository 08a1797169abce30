#!/bin/sh
# Runs once, on the first start of the postgres container (mounted into /docker-entrypoint-initdb.d by
# docker-compose.yml). The image itself creates $POSTGRES_USER and $POSTGRES_DB; this adds the test database
# ${POSTGRES_DB}_test owned by the same role, matching what scripts/infra.sh does on the native path.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v testdb="${POSTGRES_DB}_test" -v owner="$POSTGRES_USER" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'testdb', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'testdb') \gexec
SQL
