#!/usr/bin/env bash
# The measurements of docs/PERFORMANCE.md at scale, on one registry (default 1,000,000 awards).
#
#   cargo build --release --examples
#   bash benches/million.sh /tmp/r1m            # builds the registry first if it is missing
#   SCALE=100000 bash benches/million.sh /tmp/r100k
#
# Needs hyperfine and wrk (Debian: apt-get install hyperfine wrk) and /usr/bin/time (package
# time). Prints each figure with the command that produced it; nothing is asserted (this is a
# benchmark, not a test) and CI does not run it. The registry is changed (a few awards issued).
set -euo pipefail
D=${1:?usage: million.sh REGISTRY_DIR}
SCALE=${SCALE:-1000000}
H=${HONORS:-target/release/honors}
OPEN=target/release/examples/sled_open
STATS=target/release/examples/store_stats
PARTS=${PARTS:-disk audit cli serve}   # which parts to run
say() { printf '\n## %s\n' "$*"; }
part() { [[ " $PARTS " == *" $1 "* ]]; }

if [ ! -d "$D/store" ]; then
  say "build: honors demo --dir $D --scale $SCALE"
  /usr/bin/time -f 'wall %e s, max RSS %M KiB' "$H" demo --dir "$D" --scale "$SCALE" >/dev/null
fi
SIZE=$("$H" --db "$D" log checkpoint --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')
echo "log size: $SIZE entries"

if part disk; then
say "disk: du and live bytes per tree"
du -sb "$D/store"
"$STATS" "$D" | tail -20
fi

if part audit; then
say "audit of the live registry (time, max RSS)"
/usr/bin/time -f 'wall %e s, max RSS %M KiB' "$H" --db "$D" audit -q

say "audit of the exported tile tree"
rm -rf "$D.tiles"
"$H" --db "$D" log export "$D.tiles" -q
/usr/bin/time -f 'wall %e s, max RSS %M KiB' "$H" audit --from "$D.tiles" --trust "$D/trust-roots.toml" -q
rm -rf "$D.tiles"
fi

if part cli; then
say "CLI calls next to sled's own open of the same store"
K=$(grep -l '"label": "河南省卫生健康委员会"' "$D"/keys/*.key | head -1)
read -r SCH HOL AWARD < <(python3 - "$H" "$D" <<'PY'
import json, subprocess, sys
h, d = sys.argv[1], sys.argv[2]
run = lambda *a: json.loads(subprocess.run([h, "--db", d, *a, "--json", "-q"], check=True, capture_output=True, text=True).stdout)
auth = next(a for a in run("authority", "list") if a["name"] == "河南省卫生健康委员会")
sch = next(s for s in run("scheme", "list") if s["owner"] == auth["id"])
hol = next(x for x in run("holder", "list") if x["province"] == "河南省")
award = run("award", "list", "--holder", hol["uscc"])[0]
print(sch["id"], hol["uscc"], award["id"])
PY
)
"$H" --db "$D" prove "$AWARD" --format bundle -o /tmp/million-bundle.json --force -q
hyperfine -N -w 3 -r 20 \
  "$OPEN $D/store" \
  "$H --db $D log checkpoint" \
  "$H --db $D prove $AWARD --format bundle -q" \
  "$H --db $D -q award issue --holder $HOL --scheme $SCH --sub-unit 科室 --key $K --passphrase-file ${K%.key}.pass" \
  "$H verify /tmp/million-bundle.json --trust $D/trust-roots.toml -q"
fi

part serve || exit 0
say "serve: reads on loopback and resident memory"
PORT=${PORT:-18099}
# 20,000 random award ids, listed before the server takes the store's lock.
"$H" --db "$D" award list --year 2020 --json -q | python3 -c '
import json, random, sys
ids = [a["id"] for a in json.load(sys.stdin)]
random.seed(7); random.shuffle(ids)
open("/tmp/million-ids.txt", "w").write("\n".join(ids[:20000]) + "\n")'
"$H" --db "$D" serve --addr 127.0.0.1:$PORT -q &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/log/checkpoint" >/dev/null && break; sleep 0.1; done
python3 -c '
import urllib.parse
qs = ["心血管", "重点专科", "三级甲等", "文明单位", "全國三八紅旗集體", "妇幼保健", "人民医院", "郑州"]
open("/tmp/million-queries.txt", "w").write("\n".join(urllib.parse.quote(q) for q in qs) + "\n")
open("/tmp/million-queries20.txt", "w").write("\n".join(urllib.parse.quote(q) + "&limit=20" for q in qs) + "\n")'
say "award by id: 20,000 random ids"
PATHS=/tmp/million-ids.txt PREFIX=/api/v1/awards/ wrk -t2 -c32 -d10s --latency -s benches/wrk-paths.lua "http://127.0.0.1:$PORT" | grep -E 'Requests/sec|99%|50%|Non-2xx|Socket errors|requests in'
# The first query of a word counts the awards under its titles and hospitals in the store (the
# server keeps the counts); wrk then measures the repeated queries.
say "search: each query's first answer (counting), then wrk with 20 and with 200 per page"
while read -r q; do
  curl -s -o /dev/null -w "first /api/v1/search?q=$q: %{http_code}, %{size_download} bytes, %{time_total} s\n" "http://127.0.0.1:$PORT/api/v1/search?q=$q"
done < /tmp/million-queries.txt
for f in /tmp/million-queries20.txt /tmp/million-queries.txt; do
  echo "$f"
  PATHS=$f PREFIX='/api/v1/search?q=' wrk -t2 -c32 -d10s --latency -s benches/wrk-paths.lua "http://127.0.0.1:$PORT" | grep -E 'Requests/sec|99%|50%|Non-2xx|Socket errors|requests in'
done
grep -E 'VmHWM|VmRSS' /proc/$SERVE/status
say "listings"
for q in "" "?year=2020&limit=5000" "?status=suspended"; do
  curl -s -o /dev/null -w "GET /api/v1/awards$q: %{http_code}, %{size_download} bytes, %{time_total} s\n" "http://127.0.0.1:$PORT/api/v1/awards$q"
done
grep -E 'VmHWM|VmRSS' /proc/$SERVE/status
kill $SERVE; wait $SERVE 2>/dev/null || true
trap - EXIT
