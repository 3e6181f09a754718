#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (default 60) of libFuzzer, on the stable
# toolchain (cargo fuzz with `-s none`: coverage-guided, no sanitizer; see README.md here).
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS = 0 only replays the corpora (seeds and kept scratch inputs): a quick regression check.
# Environment:
#   FUZZ_JOBS=N        run N targets at a time (default 1; each uses one core)
#   FUZZ_TARGET_DIR=D  build into D instead of fuzz/target (CI keeps it across runs)
# New inputs go to $FUZZ_TARGET_DIR/corpus-work/<target>/ (never committed), crashes to
# fuzz/artifacts/<target>/. Prints one line per target (runs, seconds, exec/s, new inputs,
# corpus size) and exits non-zero if any target found a crash, a timeout or an out-of-memory.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
jobs="${FUZZ_JOBS:-1}"
td="${FUZZ_TARGET_DIR:-$PWD/target}"
mkdir -p "$td"
td="$(cd "$td" && pwd)"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: installing cargo-fuzz from crates.io" >&2
  cargo install cargo-fuzz --locked --quiet
fi

# Every target file must be declared (cargo fuzz builds [[bin]]s) and have seeds.
declared="$(cargo fuzz list)"
for f in fuzz_targets/*.rs; do
  t="$(basename "$f" .rs)"
  grep -qx "$t" <<<"$declared" || { echo "fuzz/run.sh: $f has no [[bin]] in fuzz/Cargo.toml" >&2; exit 2; }
  [ -n "$(ls -A "corpus/$t" 2>/dev/null)" ] || { echo "fuzz/run.sh: corpus/$t/ has no seeds" >&2; exit 2; }
done
if [ "$#" -gt 0 ]; then targets=("$@"); else mapfile -t targets <<<"$declared"; fi

# -a: debug assertions (and so overflow checks) in honors and its dependencies.
mkdir -p "$td/logs"
build_start=$SECONDS
cargo fuzz build -s none -a --target-dir "$td" >"$td/logs/build.log" 2>&1 \
  || { tail -60 "$td/logs/build.log" >&2; exit 2; }
echo "fuzz/run.sh: built the targets in $((SECONDS - build_start)) s"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="$td/$triple/release"

# Runs one target; leaves its summary line in logs/<t>.line and its exit status in logs/<t>.rc.
run_one() {
  local t="$1" log="$td/logs/$1.log" work="$td/corpus-work/$1" tmp="$td/tmp/$1" status=0
  mkdir -p "$work" "artifacts/$t"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # A scratch corpus kept across runs (CI's is) is cut back to a covering subset when large,
  # so that replaying it does not eat the time of short runs.
  if [ "$(find "$work" -type f | wc -l)" -gt 2000 ]; then
    rm -rf "$work.min" && mkdir -p "$work.min"
    if TMPDIR="$tmp" "$bin/$t" -merge=1 -timeout=10 "$work.min" "$work" >"$log" 2>&1; then
      rm -rf "$work" && mv "$work.min" "$work"
    fi
  fi
  local args=(-max_total_time="$secs")
  [ "$secs" -eq 0 ] && args=(-runs=0)
  TMPDIR="$tmp" "$bin/$t" "${args[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" "$work" "corpus/$t" >"$log" 2>&1 || status=$?
  rm -rf "$tmp"
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  local runs took size
  runs="$(stat number_of_executed_units)"
  took="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
  size="$(find "$work" "corpus/$t" -type f | wc -l)"
  printf '%-14s %12s %6s %10s %6s %8s\n' "$t" "${runs:-?}" "${took:-?}" \
    "$(stat average_exec_per_sec)" "$(stat new_units_added)" "$size" >"$td/logs/$t.line"
  echo "$status" >"$td/logs/$t.rc"
}

run_start=$SECONDS
for t in "${targets[@]}"; do
  rm -f "$td/logs/$t.line" "$td/logs/$t.rc"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
done
wait

failed=()
printf '%-14s %12s %6s %10s %6s %8s\n' target runs secs exec/s new corpus
for t in "${targets[@]}"; do
  cat "$td/logs/$t.line"
  if [ "$(cat "$td/logs/$t.rc")" -ne 0 ]; then
    failed+=("$t")
    echo "---- $t failed (exit $(cat "$td/logs/$t.rc")); the end of $td/logs/$t.log:" >&2
    grep -v '^ *[0-9]*: \|^ *at ' "$td/logs/$t.log" | tail -25 >&2
  fi
done
echo "fuzz/run.sh: ran ${#targets[@]} targets in $((SECONDS - run_start)) s ($jobs at a time)"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz/run.sh: findings in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz/run.sh: no findings"
