"""Helpers the pages need: evolutions, gaps to a reference, direction judged with
« higher is better », the synthesis grid. All pure functions over validated frames."""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import pandas as pd

from .indicators import Indicator, period_sort_key


@dataclass(frozen=True)
class Value:
    """One figure with everything a page must show beside it."""
    territory: str
    indicator: str
    period: str
    value: float | None
    status: str
    decimals: int
    source: str
    perimeter: str
    contract_ref: str
    note: str
    qualifier: str = ""  # "approx" (« environ ») or "lower_bound" (« plus de »)

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Evolution:
    territory: str
    indicator: str
    period_from: str
    period_to: str
    value_from: float | None
    value_to: float | None
    change: float | None          # in the indicator's unit; points for rates
    change_pct: float | None      # relative change for counts and euros
    decimals: int
    reason: str = ""              # why it is not computable, in French

    @property
    def available(self) -> bool:
        return self.change is not None


def _row_to_value(r) -> Value:
    v = r["value"]
    return Value(territory=r["territory"], indicator=r["indicator"], period=r["period"],
                 value=None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v),
                 status=r["value_status"], decimals=int(r["decimals"]), source=r["source"], perimeter=r["perimeter"],
                 contract_ref=r["contract_ref"], note=r.get("note", "") or "", qualifier=r.get("qualifier", "") or "")


# Row positions of each (territory, indicator) series, computed once per validated frame:
# a page asks for dozens of series and a national file has 1,1 M rows, so scanning the whole
# frame for each lookup (the first version) does not scale.
# Validated frames are never mutated, so each series is also built once and memoised.
_POSITIONS: dict[int, tuple[dict, dict]] = {}


def _positions(df: pd.DataFrame) -> tuple[dict, dict]:
    key = id(df)
    entry = _POSITIONS.get(key)
    if entry is None:
        entry = (df.groupby(["territory", "indicator"], sort=False).indices, {})
        _POSITIONS[key] = entry
        weakref.finalize(df, _POSITIONS.pop, key, None)
    return entry


def series(df: pd.DataFrame, territory: str, indicator: str) -> list[Value]:
    positions, memo = _positions(df)
    found = memo.get((territory, indicator))
    if found is not None:
        return list(found)
    pos = positions.get((territory, indicator))
    if pos is None:
        return []
    rows = [_row_to_value(r) for r in df.iloc[pos].to_dict("records")]
    found = tuple(sorted(rows, key=lambda v: period_sort_key(v.period)))
    memo[(territory, indicator)] = found
    return list(found)


def get_value(df: pd.DataFrame, territory: str, indicator: str, period: str) -> Value | None:
    for v in series(df, territory, indicator):
        if v.period == period:
            return v
    return None


def evolution(df: pd.DataFrame, territory: str, indicator: str, period_from: str, period_to: str, unit: str) -> Evolution:
    a, b = get_value(df, territory, indicator, period_from), get_value(df, territory, indicator, period_to)
    decimals = max(a.decimals if a else 0, b.decimals if b else 0)
    if a is None or b is None:
        return Evolution(territory, indicator, period_from, period_to, a and a.value, b and b.value, None, None, decimals,
                         "le contrat ne donne pas la valeur aux deux dates")
    if a.missing or b.missing:
        return Evolution(territory, indicator, period_from, period_to, a.value, b.value, None, None, decimals,
                         "valeur « NA » dans le contrat")
    change = round(b.value - a.value, max(decimals, 0) + 2)
    pct = None
    if unit != "pourcent" and a.value:
        pct = (b.value - a.value) / a.value * 100
    return Evolution(territory, indicator, period_from, period_to, a.value, b.value, change, pct, decimals)


def stated_change(changes: pd.DataFrame, territory: str, indicator: str, period_from: str, period_to: str,
                  measure: str = "level", unit: str | None = None) -> pd.Series | None:
    m = ((changes["territory"] == territory) & (changes["indicator"] == indicator) & (changes["period_from"] == period_from)
         & (changes["period_to"] == period_to) & (changes["measure"] == measure))
    if unit:
        m &= changes["change_unit"] == unit
    sub = changes[m]
    return sub.iloc[0] if len(sub) else None


def gap(df: pd.DataFrame, territory: str, reference: str, indicator: str, period: str) -> float | None:
    """Quartier minus reference for the same indicator and period (points for rates); None if not computable."""
    a, b = get_value(df, territory, indicator, period), get_value(df, reference, indicator, period)
    if a is None or b is None or a.missing or b.missing:
        return None
    return round(a.value - b.value, max(a.decimals, b.decimals) + 2)


def implied_reference_change(quartier_change: float, gap_change: float) -> float:
    """The contract gives, for median income, the QPV change and the change of the gap
    « avec la commune » (gap = commune − QPV: « diminution des écarts (-98 €) » while the QPV
    rose). Then Δcommune = ΔQPV + Δgap."""
    return quartier_change + gap_change


def judge(change: float | None, higher_is_better: bool | None) -> str:
    """French verdict of a change: amélioration / dégradation / stable / sans jugement / non disponible."""
    if change is None:
        return "non disponible"
    if change == 0:
        return "stable"
    if higher_is_better is None:
        return "sans jugement"
    return "amélioration" if (change > 0) == higher_is_better else "dégradation"


def direction(change: float | None) -> str:
    if change is None:
        return "non disponible"
    return "hausse" if change > 0 else "baisse" if change < 0 else "stable"


@dataclass(frozen=True)
class ReferenceChange:
    change: float | None
    unit: str           # "points", "€", "value"
    origin: str         # "données" / "énoncé du contrat" / "déduit des écarts" / ""
    detail: str


def reference_change(df, changes, reference: str, indicator: Indicator, period_from: str, period_to: str,
                     quartiers: list[str]) -> ReferenceChange:
    """Change of the reference territory: from its figures, else as the contract states it,
    else (median income) implied by the three QPV gaps when they agree."""
    unit = "points" if indicator.unit == "pourcent" else ("€" if indicator.unit == "euros" else "value")
    ev = evolution(df, reference, indicator.id, period_from, period_to, indicator.unit)
    if ev.available:
        return ReferenceChange(ev.change, unit, "données", "")
    st = stated_change(changes, reference, indicator.id, period_from, period_to)
    if st is not None:
        return ReferenceChange(float(st["change"]), st["change_unit"], "énoncé du contrat", st["quote"])
    implied = set()
    for q in quartiers:
        g = stated_change(changes, q, indicator.id, period_from, period_to, measure=f"gap_to:{reference}")
        qe = evolution(df, q, indicator.id, period_from, period_to, indicator.unit)
        if g is not None and qe.available:
            implied.add(round(implied_reference_change(qe.change, float(g["change"])), 6))
    if len(implied) == 1:
        return ReferenceChange(implied.pop(), unit, "déduit des écarts",
                               "déduit des évolutions des écarts de chaque QPV à la commune données par le contrat")
    if len(implied) > 1:
        return ReferenceChange(None, unit, "", f"les écarts du contrat impliquent des évolutions différentes : {sorted(implied)}")
    return ReferenceChange(None, unit, "", "le contrat ne donne pas l'évolution de la référence")


def synthesis_grid(df, changes, catalogue: dict[str, Indicator], synthesis: dict) -> pd.DataFrame:
    """One row per (grid row, column): the change, its direction and verdict, and the reference change."""
    records = []
    quartiers = [c for c in synthesis["columns"] if c != "ensemble-qpv"]
    for row in synthesis["rows"]:
        ind = catalogue[row["indicator"]]
        ref = reference_change(df, changes, row["reference"], ind, row["from"], row["to"], quartiers)
        for col in synthesis["columns"]:
            ev = evolution(df, col, ind.id, row["from"], row["to"], ind.unit)
            reason = ev.reason
            if col == "ensemble-qpv" and row.get("qpv_cell"):
                reason = f"« {row['qpv_cell']} » dans la grille du contrat"
            elif not ev.available and not reason:
                reason = "non disponible"
            comparison = "non disponible"
            if ev.available and ref.change is not None:
                if ind.unit == "nombre" and ev.change_pct is not None:
                    ref_ev = evolution(df, row["reference"], ind.id, row["from"], row["to"], ind.unit)
                    q_rel, r_rel = ev.change_pct, ref_ev.change_pct
                else:
                    q_rel, r_rel = ev.change, ref.change
                if q_rel is not None and r_rel is not None:
                    if ind.higher_is_better is None:
                        comparison = "plus forte" if q_rel > r_rel else "moins forte" if q_rel < r_rel else "identique"
                    else:
                        better = (q_rel > r_rel) == ind.higher_is_better
                        comparison = "identique" if q_rel == r_rel else ("mieux que la référence" if better else "moins bien que la référence")
            records.append({
                "indicator": ind.id, "label": row["label"], "period_label": row["period_label"], "column": col,
                "value_from": ev.value_from, "value_to": ev.value_to, "change": ev.change, "change_pct": ev.change_pct,
                "decimals": ev.decimals, "direction": direction(ev.change),
                "verdict": judge(ev.change, ind.higher_is_better) if ev.available else "non disponible",
                "reason": "" if ev.available else reason,
                "reference": row["reference"], "reference_label": row["reference_label"],
                "reference_change": ref.change, "reference_change_unit": ref.unit, "reference_origin": ref.origin,
                "reference_detail": ref.detail, "comparison": comparison,
            })
    return pd.DataFrame.from_records(records)
