"""Everything the dashboard shows, loaded once from qpv_data/ and geo/ and cross-checked.

`load_dataset()` parses each file at the boundary (typed records, see `data.schemas`; the
indicator and change CSVs, see `data.indicators`; the framework, see `data.framework`), then
checks that every id one file uses is known to territories.yaml and the catalogue. Any fault is
one French `DataValidationError` naming the file, the line and the reason.

The dataset also owns the lookup index of the indicator series (built on first use, kept on the
object: no module-level memo).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import paths
from .errors import DataValidationError
from .framework import Framework, load_framework
from .indicators import load_changes, load_indicators, period_sort_key
from .schemas import (
    Catalogue,
    Glossary,
    Governance,
    Inconsistencies,
    Indicator,
    Perimeters,
    Readings,
    ReferentielLinks,
    Residents,
    Synthesis,
    Territories,
    Territory,
    Views,
    load_yaml_model,
)

# Figures whose territory or period the data infers rather than reads (`inferred` column of
# indicators.csv): the reason is shown beside the figure as « attribution déduite ».
STATUS_NA, STATUS_ABSENT = "na", "absent"
# the unit shown for an indicator an import introduced (the catalogue's own carry theirs)
UNIT_LABELS = {"nombre": "nombre", "pourcent": "%", "euros": "euros", "ratio": "ratio", "note": "note", "fraction": "fraction"}


@dataclass(frozen=True)
class Figure:
    """One figure of the contract with everything a view must show beside it.

    status: « ok » (a value), « na » (the contract prints NA), « absent » (the contract gives no
    figure for this territory, indicator and period). A missing value is None, never 0."""

    territory: str
    indicator: str
    period: str
    value: float | None
    unit: str
    decimals: int
    status: str
    qualifier: str = ""  # "approx" (« environ ») or "lower_bound" (« plus de »)
    source: str = ""
    perimeter: str = ""
    contract_ref: str = ""
    note: str = ""
    inferred: str = ""  # why the territory or period is deduced rather than read ("" = read)
    # a point past the contract (data/series.py): « officielle » or « equipe »; the contract's own: « contrat »
    origin: str = "contrat"
    publication: str = ""  # « validee » (or « proposee » in the team's views); "" for the contract
    recorded_at: str = ""
    point_id: int = 0

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def from_contract(self) -> bool:
        return self.origin == "contrat"


def _float(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@dataclass
class Dataset:
    catalogue: dict[str, Indicator]
    pillars: list
    territories: dict[str, Territory]
    frame: pd.DataFrame
    changes: pd.DataFrame
    views: Views
    synthesis: Synthesis
    readings: Readings
    inconsistencies: Inconsistencies
    perimeters: Perimeters
    governance: Governance
    glossary: Glossary
    referentiel_links: ReferentielLinks
    residents: Residents
    framework: Framework
    _memo: dict = field(default_factory=dict, repr=False)

    # -- territories -----------------------------------------------------------------------------
    @cached_property
    def quartier_ids(self) -> list[str]:
        """The three QPV then the two poches, in the contract's order."""
        ordered = sorted(self.territories.values(), key=lambda t: t.order)
        return [t.id for t in ordered if t.kind in ("qpv", "poche")]

    @cached_property
    def territory_ids(self) -> list[str]:
        return [t.id for t in sorted(self.territories.values(), key=lambda t: t.order)]

    # -- series ----------------------------------------------------------------------------------
    @cached_property
    def _positions(self) -> dict:
        return self.frame.groupby(["territory", "indicator"], sort=False, observed=True).indices

    def series(self, territory: str, indicator: str) -> list[Figure]:
        """Every figure of one (territory, indicator), in chronological order."""
        key = (territory, indicator)
        found = self._memo.get(key)
        if found is None:
            pos = self._positions.get(key)
            rows = [] if pos is None else self.frame.iloc[pos].to_dict("records")
            found = tuple(sorted((self._figure(r) for r in rows), key=lambda f: period_sort_key(f.period)))
            self._memo[key] = found
        return list(found)

    def _figure(self, r: dict) -> Figure:
        return Figure(
            territory=r["territory"],
            indicator=r["indicator"],
            period=r["period"],
            value=_float(r["value"]),
            unit=r["unit"],
            decimals=int(r["decimals"]),
            status=r["value_status"],
            qualifier=r.get("qualifier") or "",
            source=r["source"],
            perimeter=r["perimeter"],
            contract_ref=r["contract_ref"],
            note=r.get("note") or "",
            inferred=r.get("inferred") or "",
            origin=r.get("origin") or "contrat",
            publication=r.get("publication") or "",
            recorded_at=r.get("recorded_at") or "",
            point_id=int(r.get("point_id") or 0),
        )

    def figure(self, territory: str, indicator: str, period: str) -> Figure:
        """The CONTRACT's figure at this period; status « absent » when the contract gives none. Every
        reading of the contract (cards, gaps, comparison, synthesis, stated changes) goes through
        here: a later point never fills a slot the contract left empty (its « NA », its « <N/A> »)."""
        for f in self.series(territory, indicator):
            if f.period == period and f.from_contract:
                return f
        return Figure(territory, indicator, period, None, self.catalogue[indicator].unit, 0, STATUS_ABSENT)

    def at(self, territory: str, indicator: str, period: str) -> Figure:
        """The figure at this period, the contract's or a published point's (the map of a chosen
        millésime); the contract's first."""
        for f in self.series(territory, indicator):
            if f.period == period:
                return f
        return Figure(territory, indicator, period, None, self.catalogue[indicator].unit, 0, STATUS_ABSENT)

    # -- the living diagnostic -------------------------------------------------------------------
    @property
    def is_living(self) -> bool:
        return bool(self._memo.get("__living__"))

    def living(self, points, indicators=()) -> Dataset:
        """This dataset with the points past the contract (data/series.py: validated ones for
        every public view) after the contract's figures, which stay exactly as printed: a point
        never replaces a contract figure, it follows it (`figure()` of a contract period returns
        the contract's). Indicators an import introduced join the catalogue. Points of an unknown
        territory or indicator are left out."""
        catalogue = dict(self.catalogue)
        for ind in indicators:
            if ind.id not in catalogue:
                catalogue[ind.id] = Indicator(
                    id=ind.id,
                    label=ind.label,
                    unit=ind.unit,
                    unit_label=UNIT_LABELS.get(ind.unit, ind.unit),
                    definition=ind.definition,
                    pillar="territoire",
                    higher_is_better=ind.higher_is_better,
                    source="indicateur ajouté par un import de table officielle",
                    period_meaning="Millésime de la table importée.",
                )
        rows = [
            {
                "territory": p.territory,
                "indicator": p.indicator,
                "period": p.period,
                "value": None if p.value is None else float(p.value),
                "value_status": "na" if p.value is None else "ok",
                "qualifier": "",
                "source": p.source,
                "perimeter": p.perimeter,
                "contract_ref": "",
                "note": "",  # the point's comment is the team's (internal): never in a public view or CSV
                "inferred": "",
                "value_text": "" if p.value is None else format(p.value, "f"),
                "unit": catalogue[p.indicator].unit,
                "decimals": p.decimals,
                "origin": p.origin,
                "publication": p.status,
                "recorded_at": p.recorded_at,
                "point_id": p.id,
            }
            for p in points
            if p.territory in self.territories and p.indicator in catalogue
        ]
        base = self.frame.assign(origin="contrat", publication="", recorded_at="", point_id=0)
        frame = pd.concat([base.astype(object), pd.DataFrame(rows, columns=base.columns)], ignore_index=True) if rows else base
        out = replace(self, catalogue=catalogue, frame=frame, _memo={})
        out._memo["__living__"] = True
        return out

    def periods(self, indicator: str, territories: list[str]) -> list[str]:
        return sorted({f.period for t in territories for f in self.series(t, indicator)}, key=period_sort_key)


# --- loading and cross-checks ---------------------------------------------------------------------


def _check_ids(file: str, kind: str, ids, known) -> None:
    for i in ids:
        if i not in known:
            raise DataValidationError(file, f"{kind} inconnu « {i} »")


def load_catalogue(path: Path) -> tuple[dict[str, Indicator], list]:
    cat = load_yaml_model(path, Catalogue)
    indicators = {k: v.model_copy(update={"id": k}) for k, v in cat.indicators.items()}
    return indicators, cat.pillars


def load_territories(path: Path) -> dict[str, Territory]:
    doc = load_yaml_model(path, Territories)
    out: dict[str, Territory] = {}
    for t in doc.territories:
        if t.id in out:
            raise DataValidationError(path.name, f"territoire « {t.id} » en double")
        out[t.id] = t
    for t in out.values():
        _check_ids(path.name, "membre", t.members, out)
    return out


def cross_check(ds: Dataset) -> None:
    """Every id a file uses must be known to territories.yaml and the catalogue."""
    ts, cat = ds.territories, ds.catalogue
    for p in ds.pillars:
        for spec in p.diagnostic:
            _check_ids("catalogue.yaml", "indicateur", [spec.indicator], cat)
            _check_ids("catalogue.yaml", "territoire", spec.territories, ts)
    v = ds.views
    cards = [*v.fiche.qpv_cards, *v.fiche.poche_cards, *v.accueil.cards]
    for c in cards:
        _check_ids("views.yaml", "indicateur", [c.indicator] + ([c.share] if c.share else []), cat)
        refs = [x for x in (c.territory, c.stated_gap, c.stated_reference, c.gap and c.gap.reference) if x]
        _check_ids("views.yaml", "territoire", refs, ts)
    for c in v.accueil.cards:
        for ctx in c.context:
            _check_ids("views.yaml", "indicateur", [ctx.indicator], cat)
            _check_ids("views.yaml", "territoire", [ctx.territory], ts)
    for cmp in (v.fiche.qpv_compare, v.fiche.poche_compare):
        _check_ids("views.yaml", "territoire", cmp.territories, ts)
        _check_ids("views.yaml", "indicateur", [r[0] for r in cmp.rows], cat)
    _check_ids(
        "views.yaml",
        "indicateur",
        [
            *v.evolutions.default_indicators,
            v.carte.default_indicator,
            *v.carte.population.values(),
            *v.accueil.quartier_population.values(),
        ],
        cat,
    )
    for g in [*v.evolutions.gaps, *v.evolutions.stated_gaps]:
        _check_ids("views.yaml", "indicateur", [g.indicator], cat)
        _check_ids("views.yaml", "territoire", [g.reference], ts)
    for row in ds.synthesis.rows:
        _check_ids("synthesis.yaml", "indicateur", [row.indicator], cat)
        _check_ids("synthesis.yaml", "territoire", [row.reference], ts)
    _check_ids("synthesis.yaml", "territoire", ds.synthesis.columns, ts)
    _check_ids("quartiers.yaml", "territoire", ds.readings.quartiers, ts)
    for q in ds.quartier_ids:
        if q not in ds.readings.quartiers:
            raise DataValidationError("quartiers.yaml", f"lecture du contrat manquante pour « {q} »")
    seen = set()
    for item in ds.inconsistencies.items:
        if item.id in seen:
            raise DataValidationError("inconsistencies.yaml", f"identifiant « {item.id} » en double")
        seen.add(item.id)
        _check_ids("inconsistencies.yaml", "territoire", [item.territory] if item.territory else [], ts)
        _check_ids("inconsistencies.yaml", "indicateur", item.indicators, cat)
    per = ds.perimeters
    _check_ids("perimeters.yaml", "territoire", [q.territory for q in per.qpv_2024.quartiers], ts)
    _check_ids("perimeters.yaml", "territoire", [e.territory for e in per.extensions_2024], ts)
    _check_ids("perimeters.yaml", "territoire", [s.territory for s in per.poches.squares], ts)
    for qp in per.qpv_2024.quartiers:
        if ts[qp.territory].code != qp.code:
            raise DataValidationError(
                "perimeters.yaml", f"code « {qp.code} » de « {qp.territory} » différent de territories.yaml"
            )
    ids = [b.id for b in ds.governance.bodies]
    if len(set(ids)) != len(ids):
        raise DataValidationError("governance.yaml", "identifiant d'instance en double")
    terms = [t.term for t in ds.glossary.terms]
    dup = {t for t in terms if terms.count(t) > 1}
    if dup:
        raise DataValidationError("glossary.yaml", f"terme « {sorted(dup)[0]} » en double")
    for link in ds.referentiel_links.links:
        _check_ids("referentiel_links.yaml", "indicateur", link.indicators, cat)
    res = ds.residents
    _check_ids("residents.yaml", "territoire", res.quartiers, ts)
    theme_ids = [t.id for t in res.themes]
    if len(set(theme_ids)) != len(theme_ids):
        raise DataValidationError("residents.yaml", "identifiant de thème en double")
    for theme in res.themes:
        for q in res.quartiers:
            if q not in theme.ranks:
                raise DataValidationError("residents.yaml", f"thème « {theme.id} » : rang manquant pour « {q} »")
        _check_ids("residents.yaml", "territoire", theme.ranks, res.quartiers)
        top3 = sum(1 for q in res.quartiers if theme.ranks[q].rank <= 3)
        if top3 != theme.top3_count:
            raise DataValidationError(
                "residents.yaml",
                f"thème « {theme.id} » : « {theme.top3_count}x » dans le Top 3 alors que les rangs en donnent {top3}",
            )
    _check_ids(
        "framework.yaml",
        "territoire",
        [q for o in ds.framework.orientations for ob in o.objectives for q in ob.target_quartiers + ob.mentioned_quartiers],
        ts,
    )


def load_dataset(folder: Path | None = None) -> Dataset:
    folder = folder or paths.qpv_data()
    catalogue, pillars = load_catalogue(folder / "catalogue.yaml")
    territories = load_territories(folder / "territories.yaml")
    ds = Dataset(
        catalogue=catalogue,
        pillars=pillars,
        territories=territories,
        frame=load_indicators(folder / "indicators.csv", catalogue, territories),
        changes=load_changes(folder / "changes.csv", catalogue, territories),
        views=load_yaml_model(folder / "views.yaml", Views),
        synthesis=load_yaml_model(folder / "synthesis.yaml", Synthesis),
        readings=load_yaml_model(folder / "quartiers.yaml", Readings),
        inconsistencies=load_yaml_model(folder / "inconsistencies.yaml", Inconsistencies),
        perimeters=load_yaml_model(folder / "perimeters.yaml", Perimeters),
        governance=load_yaml_model(folder / "governance.yaml", Governance),
        glossary=load_yaml_model(folder / "glossary.yaml", Glossary),
        referentiel_links=load_yaml_model(folder / "referentiel_links.yaml", ReferentielLinks),
        residents=load_yaml_model(folder / "residents.yaml", Residents),
        framework=load_framework(folder / "framework.yaml"),
    )
    cross_check(ds)
    return ds
