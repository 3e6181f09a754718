#!/usr/bin/env python3
"""Bulk-import benchmark: `honors award import` of N generated rows into a registry.

    cargo build --release
    python3 benches/import_bench.py --rows 100000            # a fresh demo registry (--scale 20000)
    python3 benches/import_bench.py --rows 100000 --db DIR   # an existing demo registry (copied first)

The registry is a `honors demo --scale` registry (its hospitals, schemes and key files); the rows
are awards of one provincial health commission to that province's hospitals, one per
(hospital, department, year), so that every row is a new award. Prints rows/s of the import
alone (the CSV is written before the clock starts) and of the sled open alone, as JSON.
Nothing here is a test: it measures; CI does not run it.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

UNITS = ["心血管内科", "神经内科", "儿科", "产科", "普外科", "骨科", "眼科", "急诊科",
         "重症医学科", "护理部", "检验科", "药剂科", "麻醉科", "放射科", "病理科", "康复医学科"]


def run(honors, db, *args):
    out = subprocess.run([honors, "--db", db, *args, "--json", "-q"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--db", help="an existing demo --scale registry (copied, not changed)")
    p.add_argument("--in-place", action="store_true", help="import into --db itself (a throwaway registry) instead of a copy")
    p.add_argument("--scale", type=int, default=20_000, help="awards of a fresh demo registry")
    p.add_argument("--batch-size", type=int, default=5_000)
    p.add_argument("--province", default="四川省")
    p.add_argument("--first-year", type=int, default=1900,
                   help="the earliest batch year of the rows: a second run into the same registry "
                        "needs years the first did not use to import new awards")
    p.add_argument("--honors", default="target/release/honors")
    p.add_argument("--wrap", default="", help="a profiler command to run the import under, e.g. 'perf record -F 1999 -o import.perf --'")
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="honors-import-bench-")
    db = os.path.join(work, "reg")
    if a.db and a.in_place:
        db = os.path.abspath(a.db)
    elif a.db:
        shutil.copytree(a.db, db)
        # Key files name their passphrase files by absolute path in registry.toml: keep the
        # copy self-contained.
        toml = open(os.path.join(db, "registry.toml")).read().replace(os.path.abspath(a.db), db)
        open(os.path.join(db, "registry.toml"), "w").write(toml)
    else:
        subprocess.run([a.honors, "demo", "--dir", db, "--scale", str(a.scale)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"{a.province}卫生健康委员会"
    keys = os.path.join(db, "keys")
    key = next(os.path.join(keys, f) for f in sorted(os.listdir(keys))
               if f.endswith(".key") and json.load(open(os.path.join(keys, f)))["label"] == issuer)
    authority = next(x for x in run(a.honors, db, "authority", "list") if x["name"] == issuer)
    scheme = next(s for s in run(a.honors, db, "scheme", "list") if s["owner"] == authority["id"])
    holders = [h for h in run(a.honors, db, "holder", "list")
               if h["province"] == a.province and not h["ended"]]
    rows = os.path.join(work, "rows.csv")
    with open(rows, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["uscc", "holder", "title", "scheme", "valid_from", "valid_until", "year", "sub_unit"])
        for i in range(a.rows):
            h = holders[i % len(holders)]
            unit = UNITS[(i // len(holders)) % len(UNITS)]
            year = a.first_year + (i // (len(holders) * len(UNITS)))
            if year > 9990:
                sys.exit("too many rows for this province's hospitals: use a larger --scale")
            w.writerow([h["uscc"], h["name"], scheme["title"], scheme["id"], f"{year}-01-01",
                        f"{year + 4}-12-31", year, unit])
    env = dict(os.environ)
    before = run(a.honors, db, "log", "checkpoint")["tree_size"]
    t_open0 = time.monotonic()
    run(a.honors, db, "log", "checkpoint")
    open_s = time.monotonic() - t_open0
    t0 = time.monotonic()
    out = subprocess.run([*a.wrap.split(), a.honors, "--db", db, "award", "import", rows, "--key", key,
                          "--passphrase-file", key[:-4] + ".pass", "--batch-size",
                          str(a.batch_size), "--json", "-q"], env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    secs = time.monotonic() - t0
    summary = json.loads(out)
    after = run(a.honors, db, "log", "checkpoint")["tree_size"]
    print(json.dumps({
        "rows": a.rows, "imported": summary["imported"], "errors": len(summary["errors"]),
        "log_size_before": before, "log_size_after": after, "seconds": round(secs, 3),
        "awards_per_second": round(summary["imported"] / secs), "batch_size": a.batch_size,
        "open_and_read_checkpoint_seconds": round(open_s, 3),
        "store_bytes": sum(os.path.getsize(os.path.join(r, f))
                           for r, _, fs in os.walk(os.path.join(db, "store")) for f in fs),
    }, indent=2))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
