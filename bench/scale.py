"""Group 3: nothing is tied to three quartiers. A generated dataset of national shape
(1 584 QPV 2024 polygons, 60 indicators × 12 periods ≈ 1,14 M rows) goes through the real
loaders, validation, fiche computations and choropleth builder; timings from 3 to 1 584
quartiers. The data is synthetic (shapes and values are random); only its size is national."""

from __future__ import annotations

import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psutil
from shapely.geometry import Polygon

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import model  # noqa: E402
from data.dataset import Dataset, load_dataset  # noqa: E402
from data.indicators import read_indicator_csv, validate_indicators  # noqa: E402
from data.schemas import Indicator, Territory  # noqa: E402
from ui.maps import choropleth  # noqa: E402

N_QPV = 1584
N_IND = 60
PERIODS = [str(y) for y in range(2013, 2025)]
SIZES = [3, 50, 200, 800, 1584]
UNITS = ["pourcent", "nombre", "euros"]


def make_dataset(folder: Path, seed: int = 2030):
    rnd = random.Random(seed)
    territories = {
        f"qp-{i:04d}": Territory(id=f"qp-{i:04d}", name=f"Quartier {i}", short=f"Q{i}", kind="qpv", order=i, code=f"QN{i:06d}")
        for i in range(N_QPV)
    }
    catalogue = {
        f"ind_{k:02d}": Indicator(
            id=f"ind_{k:02d}",
            label=f"Indicateur {k}",
            unit=UNITS[k % 3],
            unit_label="u",
            definition="synthétique",
            pillar="territoire",
            higher_is_better=bool(k % 2),
            source="synthétique",
            period_meaning="année",
        )
        for k in range(N_IND)
    }
    rows = []
    for t in territories:
        for ind_id, ind in catalogue.items():
            base = rnd.uniform(5, 95) if ind.unit == "pourcent" else rnd.uniform(100, 20000)
            for p in PERIODS:
                v = base + rnd.uniform(-3, 3)
                if ind.unit == "pourcent":
                    v = min(100, max(0, v))
                status = "na" if rnd.random() < 0.02 else "ok"
                rows.append((t, ind_id, p, "" if status == "na" else f"{v:.1f}", status, "synthétique", "QPV 2024", "bench"))
    df = pd.DataFrame(
        rows, columns=["territory", "indicator", "period", "value", "value_status", "source", "perimeter", "contract_ref"]
    )
    csv = folder / "indicators.csv"
    df.to_csv(csv, index=False)
    # QPV-like polygons (≈80 vertices, ≈20 ha) scattered over metropolitan France
    polys = []
    for t in territories:
        lon, lat = rnd.uniform(-4.5, 7.5), rnd.uniform(43.0, 50.8)
        r = 0.0035
        pts = []
        for j in range(80):
            a = 2 * math.pi * j / 80
            rr = r * (0.6 + 0.4 * rnd.random())
            pts.append((lon + rr * math.cos(a) / math.cos(math.radians(lat)), lat + rr * math.sin(a)))
        polys.append(
            {"territory": t, "kind": "qpv", "code": territories[t].code, "name": territories[t].name, "geometry": Polygon(pts)}
        )
    shapes = gpd.GeoDataFrame(polys, crs=4326)
    return territories, catalogue, csv, shapes


def timed(fn, reps=3):
    out = []
    res = None
    for _ in range(reps):
        t = time.perf_counter()
        res = fn()
        out.append(time.perf_counter() - t)
    return sorted(out)[len(out) // 2], res


def synthetic_dataset(catalogue, territories, df) -> Dataset:
    """The real Dataset class over the generated frame (the other files are not needed here)."""
    views = load_dataset().views
    views = views.model_copy(
        update={"carte": views.carte.model_copy(update={"population": {"qpv": "ind_01", "poche": "ind_01"}})}
    )
    return Dataset(
        catalogue=catalogue,
        pillars=[],
        territories=territories,
        frame=df,
        changes=pd.DataFrame(),
        views=views,
        synthesis=None,
        readings=None,
        inconsistencies=None,
        perimeters=None,
        governance=None,
        glossary=None,
        referentiel_links=None,
        residents=None,
        framework=None,
    )


def fiche(ds, territory):
    """What a fiche computes for one quartier: every indicator's series and its evolution (data.model)."""
    out = []
    for ind_id in ds.catalogue:
        s = ds.series(territory, ind_id)
        if len(s) >= 2:
            out.append(model.evolution(ds, territory, ind_id, s[0].period, s[-1].period))
    return out


def fiche_naive(df, territory, catalogue):
    """The first version of the lookups (a boolean mask over the whole frame per value), kept to
    measure what the memoised index saved."""
    out = []
    for ind_id in catalogue:
        sub = df[(df["territory"] == territory) & (df["indicator"] == ind_id)]
        out.append(len(sub))
        for p in (PERIODS[0], PERIODS[-1]):
            df[(df["territory"] == territory) & (df["indicator"] == ind_id) & (df["period"] == p)]
    return out


def run() -> dict:
    proc = psutil.Process()
    results = {"n_indicators": N_IND, "n_periods": len(PERIODS), "sizes": []}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        territories, catalogue, csv, shapes = make_dataset(Path(tmp))
        results["generation_s"] = time.perf_counter() - t0
        full = read_indicator_csv(csv)
        results["rows_national"] = len(full)
        commune = gpd.GeoDataFrame({"name": ["cadre"]}, geometry=[shapes.union_all().envelope], crs=4326)
        for n in SIZES:
            keep = list(territories)[:n]
            sub_csv = Path(tmp) / f"indicators_{n}.csv"
            full[full["territory"].isin(keep)].to_csv(sub_csv, index=False)
            terr = {k: territories[k] for k in keep}
            rss0 = proc.memory_info().rss

            def load_validate():
                return validate_indicators(read_indicator_csv(sub_csv), catalogue, terr, sub_csv.name)

            t_load, df = timed(load_validate)
            rss1 = proc.memory_info().rss
            ds = synthetic_dataset(catalogue, terr, df)
            t_first_fiche, _ = timed(lambda: fiche(ds, keep[0]), reps=1)  # builds the index
            t_fiche, ev = timed(lambda: fiche(ds, keep[-1]))
            t_naive, _ = timed(lambda: fiche_naive(df, keep[-1], catalogue), reps=1)
            shp = shapes[shapes["territory"].isin(keep)]

            def choro():
                m = choropleth(ds, model.map_layer(ds, "ind_00", "2024"), shp, commune)
                return len(m.get_root().render())

            t_choro, html_len = timed(choro)
            results["sizes"].append(
                {
                    "quartiers": n,
                    "rows": len(df),
                    "load_validate_s": t_load,
                    "first_fiche_s": t_first_fiche,
                    "fiche_s": t_fiche,
                    "fiche_naive_s": t_naive,
                    "choropleth_s": t_choro,
                    "choropleth_html_kb": html_len / 1024,
                    "rss_delta_load_mb": (rss1 - rss0) / 2**20,
                }
            )
            print(json.dumps(results["sizes"][-1]), file=sys.stderr)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
