"""Living diagnostic benchmark (issue 17): every page's warm rerun with SIX yearly validated points
(2021 … 2026) for every (indicator, territory) pair of the contract — SYNTHETIC values, labelled
so in their source, in a throw-away SQLite file — against the reference app measured in the same
run (target ≤ 1,5 ×); and the import of a 1 584-row official table (one row per QPV 2024 of
France, synthetic codes and values) through the same code as the command line (target < 10 s).

    .venv/bin/python bench/living.py [--reps 5]

Writes bench/results/living.json and bench/LIVING.md (put into BENCHMARKS.md by bench/run.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal

import pages_bench
from common import PAGES, REFERENCE, RESULTS, ROOT, machine, median

LIVING_DB = f"sqlite:///{RESULTS / 'living-bench.sqlite3'}"
SYNTHETIC = "VALEURS SYNTHÉTIQUES DU BANC D'ESSAI (bench/living.py) — pas des chiffres réels"
YEARS = [str(y) for y in range(2021, 2027)]
PERIMETER = {"qpv": "QPV 2024", "poche": "poche de pauvreté (carreau INSEE 200 m)"}


def fill(url: str) -> int:
    """Six validated points per (indicator, territory) pair of the contract's figures."""
    from data import db
    from data.accounts import Accounts
    from data.dataset import load_dataset
    from data.series import OFFICIAL, SeriesStore
    from data.validation import VALIDATED, decide

    path = RESULTS / "living-bench.sqlite3"
    path.unlink(missing_ok=True)
    db.migrate(url)
    engine = db.make_engine(url)
    accounts = Accounts(engine)
    admin = accounts.add("banc", "administrateur", "banc-d-essai-" + "x" * 16)
    ds = load_dataset()
    rng = random.Random(17)
    rows = []
    pairs = ds.frame[["territory", "indicator"]].drop_duplicates().itertuples(index=False)
    for territory, indicator in pairs:
        ind = ds.catalogue[indicator]
        kind = ds.territories[territory].kind
        perimeter = PERIMETER.get(kind, "commune" if territory == "compiegne" else "EPCI" if territory == "arc" else "France")
        for year in YEARS:
            top = 100 if ind.unit == "pourcent" else 20000
            rows.append(
                {
                    "indicator": indicator,
                    "territory": territory,
                    "period": year,
                    "perimeter": perimeter,
                    "value": Decimal(rng.randint(1, top * 10)) / 10,
                    "decimals": 1,
                    "unit": ind.unit,
                    "source": SYNTHETIC,
                }
            )
    store = SeriesStore(engine)
    written = store.write(rows, OFFICIAL, "banc", batch="banc").written
    decide(engine, accounts, admin, [p.id for p in written], VALIDATED, kind="serie")
    return len(written)


def national_table(n: int = 1584) -> bytes:
    """One row per QPV 2024 of France (synthetic codes), Compiègne's three with their real codes."""
    rng = random.Random(1584)
    codes = ["QN06007M", "QN06008I", "QN06006I"] + [
        f"QN{1 + i % 95:02d}{i // 95:03d}{'ABCDEFGHJKLMNPQRSTUVWXYZ'[i % 24]}" for i in range(n - 3)
    ]
    lines = ["CODGEO;LIBGEO;MED21;TP6021"]
    for c in codes:
        lines.append(f"{c};Quartier synthétique;{rng.randint(9000, 25000)};{rng.randint(100, 700) / 10:.1f}".replace(".", ","))
    return ("\n".join(lines) + "\n").encode("utf-8")


MAPPING = """source: "{source}"
millesime: "2021"
perimetre: qpv-2024
code: CODGEO
colonnes:
  MED21: {{indicateur: median_declared_income, unite: "€"}}
"""


def import_time(url: str, reps: int) -> dict:
    """The command line's import (python -m data.cli table import … --dry-run excluded: a real write)."""
    import subprocess

    data = national_table()
    table = RESULTS / "table-nationale-synthetique.csv"
    table.write_bytes(data)
    mapping = RESULTS / "correspondance-banc.yaml"
    mapping.write_text(MAPPING.format(source=SYNTHETIC), encoding="utf-8")
    runs = []
    out = ""
    for _ in range(reps):
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "data.cli", "table", "import", str(table), "--mapping", str(mapping), "--author", "banc"],
            cwd=ROOT,
            env={**os.environ, "QUARTIERS_DB_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        runs.append(time.perf_counter() - t)
        out = (done.stdout + done.stderr).strip()
        if done.returncode:
            raise RuntimeError(out[-2000:])
    return {"rows": data.count(b"\n") - 1, "median_s": median(runs), "runs": runs, "last_output": out[-600:]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    points = fill(LIVING_DB)
    times = {"reference": pages_bench.script_times("-", 3, args.reps, app=REFERENCE, db_url=LIVING_DB)}
    for name, (path, _) in PAGES.items():
        times[name] = pages_bench.script_times(path, 3, args.reps, db_url=LIVING_DB)
    ref = times["reference"]["warm_median_s"]
    for t in times.values():
        t["warm_ratio_to_reference"] = t["warm_median_s"] / ref
    imp = import_time(LIVING_DB, 3)
    res = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": (
            lambda m: f"{m['cpus']} cores ({m['cpu']}), {m['memory']} RAM, Python {m['python']}, Streamlit {m['streamlit']}"
        )(machine()),
        "points": points,
        "script_times": times,
        "import": imp,
    }
    (RESULTS / "living.json").write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
    lines = [
        "## 5. Living diagnostic: six yearly values for every series, and a national import",
        "",
        f"Measured {res['date']} with `python bench/living.py` on {res['machine']}. "
        f"{points} validated points — six yearly values (2021 … 2026) for every (indicator, territory) pair of "
        "the contract — **synthetic values, labelled so in their source**, in a throw-away SQLite file; every "
        "page in the living state (the default). Target: every page's warm rerun ≤ 1,5 × the reference app "
        "measured in the same run.",
        "",
        "| page | cold (s) | warm (s) | warm ÷ reference | ≤ 1,5 × |",
        "|---|---|---|---|---|",
    ]
    for name, t in times.items():
        mark = "—" if name == "reference" else ("✅" if t["warm_ratio_to_reference"] <= 1.5 else "❌")
        lines.append(
            f"| {name} | {t['cold_median_s']:.3f} | {t['warm_median_s']:.3f} | {t['warm_ratio_to_reference']:.2f} | {mark} |"
        )
    lines += [
        "",
        f"Import of a {imp['rows']}-row official table (one row per QPV 2024 of France, synthetic codes and values; "
        "Compiègne's three with their real codes) by `python -m data.cli table import … --mapping … --author …`, "
        f"process start included: median **{imp['median_s']:.2f} s** over {len(imp['runs'])} runs "
        f"(target < 10 s {'✅' if imp['median_s'] < 10 else '❌'}).",
        "",
    ]
    (ROOT / "bench" / "LIVING.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
