#!/usr/bin/env bash
# The whole suite (.ci/run, as CI runs it: make test against PostgreSQL) several times in a row on a busy
# machine: a fresh clone of the committed HEAD, with CPU-bound processes running beside it the whole time.
# Stops at the first failure; prints one line per run and keeps each run's output.
#
#   benchmarks/busy_suite.sh [runs=5] [hogs=2]
#
# The clone borrows this checkout's var/cache (the MLflow environments the signal tests start, which a
# fresh machine builds once with `make mlflow-server`); everything else is installed by .ci/run itself.
set -euo pipefail
runs="${1:-5}"
hogs="${2:-2}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d -t hoshin-busy.XXXXXX)"
commit="$(git -C "$here" rev-parse --short HEAD)"

git clone --quiet "$here" "$work/clone"
mkdir -p "$work/clone/var"
[ -d "$here/var/cache" ] && ln -s "$here/var/cache" "$work/clone/var/cache"

pids=()
stop_hogs() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_hogs EXIT
for _ in $(seq "$hogs"); do
  python3 -c 'while True: pass' &
  pids+=("$!")
done

echo "commit $commit, $runs runs, $hogs CPU-bound processes beside each, output in $work"
for run in $(seq "$runs"); do
  started=$SECONDS
  if (cd "$work/clone" && .ci/run) >"$work/run-$run.log" 2>&1; then outcome=passed; else outcome=FAILED; fi
  summary="$(grep -E '^=+ .*(passed|failed|error).* in ' "$work/run-$run.log" | tail -n1 || true)"
  echo "run $run: $outcome in $(( (SECONDS - started) / 60 )) min: ${summary:-no pytest summary (see run-$run.log)}"
  [ "$outcome" = passed ] || exit 1
done
echo "all $runs runs passed on $commit"
