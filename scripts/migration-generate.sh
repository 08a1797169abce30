#!/usr/bin/env bash
# Usage: npm run migration:generate -- <PascalName>
# Writes migrations/<timestamp>-<PascalName>.ts from the difference between the entities and the
# database named by DB_* (run `npm run migration:run` first so the diff is only your change).
set -euo pipefail
name="${1:?usage: npm run migration:generate -- <PascalName>}"
cd "$(dirname "$0")/.."
exec npx typeorm-ts-node-commonjs migration:generate -d ormconfig.ts --pretty "migrations/${name}"
