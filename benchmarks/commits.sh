#!/usr/bin/env bash
# One benchmark against several commits in the same run, interleaved (a, b, c, a, b, c, …) so that the
# host's drift hits each the same: each commit is checked out in its own worktree with its own locked
# environment, and runs its own copy of the benchmark (its own demo data, its own app).
#
#   benchmarks/commits.sh [--rounds 2] REV [REV …] -- MODULE [ARGS …]
#   e.g. benchmarks/commits.sh 2983fd6 f7d765f HEAD -- benchmarks.load --users 50 --seconds 60
#
# An argument only some commits' scripts know is given per commit as REV=ARG (e.g.
# HEAD=--without=review,checklist-page). Worktrees are kept under ${HOSHIN_COMMITS_DIR:-/tmp/hoshin-commits}
# for the next run; each run's output is printed whole, under a line naming the round and the commit.
set -euo pipefail
rounds=2
[ "${1:-}" = --rounds ] && { rounds="$2"; shift 2; }
here="$(cd "$(dirname "$0")/.." && pwd)"
trees="${HOSHIN_COMMITS_DIR:-/tmp/hoshin-commits}"
export PATH="$HOME/.local/bin:$PATH"

revs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do revs+=("$1"); shift; done
[ "${1:-}" = -- ] && [ $# -ge 2 ] && [ ${#revs[@]} -ge 1 ] \
  || { echo "usage: $0 [--rounds N] REV [REV …] -- MODULE [ARGS …]" >&2; exit 2; }
shift
module="$1"; shift

declare -A extra=()
args=()
for arg in "$@"; do
  if [[ "$arg" =~ ^([0-9A-Za-z_.^~/-]+)=(--.*)$ ]] && git -C "$here" rev-parse -q --verify "${BASH_REMATCH[1]}^{commit}" >/dev/null; then
    extra["$(git -C "$here" rev-parse --short "${BASH_REMATCH[1]}")"]+=" ${BASH_REMATCH[2]}"
  else
    args+=("$arg")
  fi
done

shorts=()
for rev in "${revs[@]}"; do
  short="$(git -C "$here" rev-parse --short "$rev^{commit}")" || { echo "no such commit: $rev" >&2; exit 2; }
  shorts+=("$short")
  tree="$trees/$short"
  if [ ! -f "$tree/.ready" ]; then
    echo "preparing $short in $tree ..."
    rm -rf "$tree"; git -C "$here" worktree prune
    git -C "$here" worktree add --force --detach --quiet "$tree" "$short"
    (cd "$tree" && uv sync --frozen --quiet --compile-bytecode \
      && .venv/bin/python -m compileall -q app migrations benchmarks >/dev/null && touch .ready)
  fi
done

for round in $(seq "$rounds"); do
  for short in "${shorts[@]}"; do
    echo "=== round $round, $short ($(git -C "$here" log -1 --format='%ad %s' --date=short "$short" | cut -c1-90))"
    # shellcheck disable=SC2086  # a commit's own extra arguments split on spaces, as given
    (cd "$trees/$short" && .venv/bin/python -m "$module" "${args[@]}" ${extra[$short]:-}) || echo "(failed: $?)"
  done
done
