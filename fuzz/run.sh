#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (default 60) of libFuzzer, on the stable
# toolchain (cargo fuzz with `-s none`: coverage-guided, no sanitizer; see README.md here).
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS = 0 only replays the seed corpus (a quick regression check). New inputs go to
# fuzz/target/corpus-work/<target>/ (kept between local runs, never committed); crashes to
# fuzz/artifacts/<target>/. Prints one line per target (runs, seconds, exec/s, new inputs,
# corpus) and exits non-zero if any target found a crash, a timeout or an out-of-memory.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true

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
build_start=$SECONDS
mkdir -p target/logs
cargo fuzz build -s none -a >target/logs/build.log 2>&1 || { tail -60 target/logs/build.log >&2; exit 2; }
echo "fuzz/run.sh: built ${#targets[@]} targets in $((SECONDS - build_start)) s"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="target/$triple/release"

export TMPDIR="$PWD/target/tmp"
failed=()
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
printf '%-14s %12s %6s %10s %6s %8s\n' target runs secs exec/s new corpus
for t in "${targets[@]}"; do
  work="target/corpus-work/$t"
  mkdir -p "$work" "artifacts/$t"
  rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
  log="target/logs/$t.log"
  if [ "$secs" -eq 0 ]; then
    args=(-runs=0)
  else
    args=(-max_total_time="$secs")
  fi
  status=0
  "$bin/$t" "${args[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" "$work" "corpus/$t" >"$log" 2>&1 || status=$?
  runs="$(stat number_of_executed_units)"
  took="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
  size="$(find "$work" "corpus/$t" -type f | wc -l)"
  printf '%-14s %12s %6s %10s %6s %8s\n' "$t" "${runs:-?}" "${took:-?}" "$(stat average_exec_per_sec)" "$(stat new_units_added)" "$size"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    echo "---- $t failed (exit $status); the end of $log:" >&2
    tail -40 "$log" >&2
  fi
done
rm -rf "$TMPDIR"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz/run.sh: findings in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} targets, no findings"
