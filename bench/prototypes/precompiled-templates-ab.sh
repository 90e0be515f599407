#!/usr/bin/env bash
# A/B of the precompiled templates (dist/templates.cjs, written by `npm run build`): runs a command
# N rounds, alternately with the bundle and with it moved aside (so nunjucks compiles every template
# from its source, as before the bundle existed), and prints each run's wall and CPU seconds (user +
# system of the command and the children it waited for, from /usr/bin/time):
#   bash bench/prototypes/precompiled-templates-ab.sh <rounds> <command> [args...]
# e.g. `bash bench/prototypes/precompiled-templates-ab.sh 5 node bin/hindsight.js compile --project-dir examples/shop`.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=$1; shift
bundle=dist/templates.cjs
[[ -f $bundle ]] || { echo "no $bundle: run npm run build first" >&2; exit 2; }
restore() { [[ -f $bundle.off ]] && mv "$bundle.off" "$bundle"; true; }
trap restore EXIT
for ((i = 1; i <= rounds; i++)); do
  for side in precompiled sources; do
    [[ $side == sources ]] && mv "$bundle" "$bundle.off"
    out=$( { /usr/bin/time -f 'TIME %e %U %S' "$@" >/dev/null 2>/tmp/precompiled-ab-stderr; } 2>&1; grep '^TIME' /tmp/precompiled-ab-stderr || true)
    restore
    read -r _ wall user sys <<<"$(grep '^TIME' <<<"$out" | tail -1)"
    printf "%-12s round %d: wall %.2f s, cpu %.2f s\n" "$side" "$i" "$wall" "$(echo "$user + $sys" | bc)"
  done
done
