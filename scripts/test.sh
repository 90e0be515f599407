#!/usr/bin/env bash
# What `npm test` runs. Extra arguments go to vitest, e.g. `npm test -- test/setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f tsconfig.json ]]; then
  npx tsc --noEmit -p tsconfig.json
fi
exec npx vitest run "$@"
