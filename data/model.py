"""The figure model: typed records of what every view shows, built once from the dataset.

Pages, the PDF, the CSV exports and the map are renderers of these records; none of them
computes a figure. Codes are English (`improvement`, `deterioration`, `no_judgement`…); the
French wording of every record lives in one place on the UI side (`ui/wording.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .dataset import STATUS_ABSENT, STATUS_NA, Dataset, Figure
from .framework import Objective, objectives_for_quartier
from .indicators import period_sort_key
from .schemas import CardSpec, Inconsistency, Reading, Territory
from .series import same_segment

# verdicts of a change, judged with the catalogue's « higher is better »
IMPROVEMENT, DETERIORATION, STABLE, NO_JUDGEMENT, UNAVAILABLE = (
    "improvement",
    "deterioration",
    "stable",
    "no_judgement",
    "unavailable",
)
# direction of a change
UP, DOWN = "up", "down"
# comparison of a quartier's change with its reference's (synthesis grid)
BETTER, WORSE, SAME, STRONGER, WEAKER = "better", "worse", "same", "stronger", "weaker"
# where a reference territory's change comes from
FROM_DATA, FROM_STATEMENT, IMPLIED_BY_GAPS, NOT_GIVEN, CONFLICTING = "data", "stated", "implied", "none", "conflicting"
N_CLASSES = 5  # map classes
# why an evolution is not computed, besides a missing value (« absent », « na »): the two figures
# are on different perimeters (QPV 2015 vs QPV 2024): never compared
PERIMETER_BREAK = "perimeter"


# --- records -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evolution:
    start: Figure
    end: Figure
    change: float | None  # in the indicator's unit; points for rates
    change_pct: float | None  # relative change, for counts and euros
    decimals: int
    verdict: str
    direction: str
    missing_reason: str = ""  # "absent", "na" or "perimeter" when not computable

    @property
    def available(self) -> bool:
        return self.change is not None


@dataclass(frozen=True)
class Update:
    """A card's figure followed by a later point (an official table imported, a value of the
    team, validated): the card shows the latest with its millésime and the contract's beside it.
    `evolution` (contract → latest) is unavailable with reason « perimeter » across a change of
    perimeter: a QPV 2015 figure and a QPV 2024 one are never compared."""

    latest: Figure
    contract: Figure
    evolution: Evolution


@dataclass(frozen=True)
class Gap:
    """Quartier minus reference, same indicator and period (points for rates)."""

    territory: str
    reference: str
    indicator: str
    period: str
    value: float | None
    decimals: int
    unit: str
    missing_reason: str = ""


@dataclass(frozen=True)
class StatedChange:
    """A change the contract states in words, with or without levels (changes.csv)."""

    territory: str
    indicator: str
    period_from: str
    period_to: str
    change: float
    decimals: int
    change_unit: str  # points, €, value, %
    reference: str | None  # for a change of the gap to a reference (« écart avec la commune »)
    quote: str
    source: str
    perimeter: str
    contract_ref: str


@dataclass(frozen=True)
class ContextPart:
    before: str
    figure: Figure
    after: str


@dataclass(frozen=True)
class Card:
    """A big figure with what a reader needs beside it."""

    label: str
    figure: Figure
    evolution: Evolution | None = None
    gaps: tuple[Gap, ...] = ()
    stated: tuple[StatedChange, ...] = ()  # changes the contract states (gap to the commune, the reference's)
    companions: tuple[Figure, ...] = ()  # a companion share at the start and the end
    context: tuple[ContextPart, ...] = ()
    note: str = ""
    link: object | None = None  # views.yaml LinkSpec
    update: Update | None = None  # a later point than the contract's (living diagnostic)


@dataclass(frozen=True)
class ComparisonRow:
    indicator: str
    period: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class ComparisonTable:
    territories: tuple[str, ...]
    highlight: str | None
    rows: tuple[ComparisonRow, ...]


@dataclass(frozen=True)
class Priority:
    label: str
    detail: str
    rank: int
    tie: bool


@dataclass(frozen=True)
class Fiche:
    territory: Territory
    cards: tuple[Card, ...]
    comparison: ComparisonTable
    inconsistencies: tuple[Inconsistency, ...]
    reading: Reading
    targeted: tuple[Objective, ...]
    mentioned: tuple[Objective, ...]
    priorities: tuple[Priority, ...]
    figures: tuple[Figure, ...]  # every figure of the quartier (its CSV export)


@dataclass(frozen=True)
class ReferenceChange:
    change: float | None
    decimals: int
    unit: str  # the indicator's unit
    origin: str  # FROM_DATA, FROM_STATEMENT, IMPLIED_BY_GAPS, NOT_GIVEN, CONFLICTING
    quote: str = ""
    implied: tuple[float, ...] = ()  # the changes the gaps imply, when they disagree


@dataclass(frozen=True)
class SynthesisCell:
    column: str
    evolution: Evolution
    comparison: str  # BETTER, WORSE, SAME, STRONGER, WEAKER, UNAVAILABLE
    contract_cell: str = ""  # what the contract's grid prints there instead (« <N/A> »)
    update: Update | None = None  # a published point later than the line's last period
    share: Evolution | None = None  # the row's second indicator (the quartier's share of the commune)


@dataclass(frozen=True)
class SynthesisLine:
    indicator: str
    label: str
    period_label: str
    reference: str
    reference_label: str
    reference_change: ReferenceChange
    cells: tuple[SynthesisCell, ...]


@dataclass(frozen=True)
class MapFeature:
    territory: str
    figure: Figure
    klass: int | None  # 0 … N_CLASSES-1, None when the value is missing
    population: Figure


@dataclass(frozen=True)
class MapLayer:
    indicator: str
    period: str
    features: tuple[MapFeature, ...]
    breaks: tuple[float, ...]  # N_CLASSES + 1 bounds, or (v, v) when every value is equal
    basis: str = ""  # how the classes were fixed: FIXED_PERCENT, FROM_ZERO or INTEGER_COUNTS (see map_breaks)
    references: tuple[Figure, ...] = ()  # reference territories' own values at the same period


@dataclass(frozen=True)
class QuartierTile:
    territory: Territory
    population: Figure


# --- evolutions, gaps, stated changes --------------------------------------------------------------
def judge(change: float | None, higher_is_better: bool | None, start: float | None = None, band=None) -> str:
    """IMPROVEMENT / DETERIORATION by the catalogue's « higher is better »; STABLE for no change, or for
    a change within the indicator's stability band (catalogue `stable_within`, a schemas.StableWithin:
    a share of the start value, or points), the band the contract's own « stabilisation » sets."""
    if change is None:
        return UNAVAILABLE
    if change == 0 or within_band(change, start, band):
        return STABLE
    if higher_is_better is None:
        return NO_JUDGEMENT
    return IMPROVEMENT if (change > 0) == higher_is_better else DETERIORATION


def within_band(change: float, start: float | None, band) -> bool:
    if band is None:
        return False
    if band.points is not None:
        return abs(change) <= band.points
    return start is not None and start != 0 and abs(change) <= abs(start) * band.percent / 100


def direction(change: float | None) -> str:
    if change is None:
        return UNAVAILABLE
    return UP if change > 0 else DOWN if change < 0 else STABLE


def _missing_reason(*figures: Figure) -> str:
    return STATUS_ABSENT if any(f.status == STATUS_ABSENT for f in figures) else STATUS_NA


def evolution(ds: Dataset, territory: str, indicator: str, period_from: str, period_to: str) -> Evolution:
    a, b = ds.figure(territory, indicator, period_from), ds.figure(territory, indicator, period_to)
    return evolution_between(ds, a, b)


def evolution_between(ds: Dataset, a: Figure, b: Figure) -> Evolution:
    """b - a, judged; never across a missing value nor a change of perimeter (data/series.segment)."""
    ind = ds.catalogue[a.indicator]
    decimals = max(a.decimals, b.decimals)
    if a.value is None or b.value is None:  # missing
        return Evolution(a, b, None, None, decimals, UNAVAILABLE, UNAVAILABLE, _missing_reason(a, b))
    if not same_segment(a.perimeter, b.perimeter):
        return Evolution(a, b, None, None, decimals, UNAVAILABLE, UNAVAILABLE, PERIMETER_BREAK)
    change = round(b.value - a.value, decimals + 2)
    pct = (b.value - a.value) / a.value * 100 if ind.unit != "pourcent" and a.value else None
    verdict = judge(change, ind.higher_is_better, a.value, ind.stable_within)
    return Evolution(a, b, change, pct, decimals, verdict, direction(change))


def latest_point(ds: Dataset, territory: str, indicator: str) -> Figure | None:
    """The last point past the contract of this series (None in the contract's state, or when
    there is none): the dataset holds only what the view may show (validated for the public)."""
    later = [f for f in ds.series(territory, indicator) if not f.from_contract]
    return later[-1] if later else None


def update_of(ds: Dataset, fig: Figure) -> Update | None:
    """The card's figure and the latest point, when that point is later than the figure."""
    if fig.status == STATUS_ABSENT or not ds.is_living:
        return None
    latest = latest_point(ds, fig.territory, fig.indicator)
    if latest is None or period_sort_key(latest.period) <= period_sort_key(fig.period):
        return None
    return Update(latest, fig, evolution_between(ds, fig, latest))


def gap(ds: Dataset, territory: str, reference: str, indicator: str, period: str) -> Gap:
    a, b = ds.figure(territory, indicator, period), ds.figure(reference, indicator, period)
    decimals = max(a.decimals, b.decimals)
    unit = ds.catalogue[indicator].unit
    if a.value is None or b.value is None:  # missing
        return Gap(territory, reference, indicator, period, None, decimals, unit, _missing_reason(a, b))
    return Gap(territory, reference, indicator, period, round(a.value - b.value, decimals + 2), decimals, unit)


def _stated_index(ds: Dataset) -> dict:
    idx = ds._memo.get("__stated__")
    if idx is None:
        idx = {}
        for r in ds.changes.to_dict("records"):
            measure = r["measure"]
            ref = measure.split(":", 1)[1] if measure.startswith("gap_to:") else None
            sc = StatedChange(
                r["territory"],
                r["indicator"],
                r["period_from"],
                r["period_to"],
                float(r["change"]),
                int(r["decimals"]),
                r["change_unit"],
                ref,
                r["quote"],
                r["source"],
                r["perimeter"],
                r["contract_ref"],
            )
            idx.setdefault((r["territory"], r["indicator"], r["period_from"], r["period_to"], measure), []).append(sc)
        ds._memo["__stated__"] = idx
    return idx


def stated_change(
    ds: Dataset,
    territory: str,
    indicator: str,
    period_from: str,
    period_to: str,
    reference: str | None = None,
    change_unit: str | None = None,
) -> StatedChange | None:
    """The change the contract states for a level (reference None) or for the gap to `reference`."""
    measure = f"gap_to:{reference}" if reference else "level"
    found = _stated_index(ds).get((territory, indicator, period_from, period_to, measure), [])
    found = [s for s in found if change_unit is None or s.change_unit == change_unit]
    return found[0] if found else None


def stated_changes(ds: Dataset) -> list[StatedChange]:
    return [s for group in _stated_index(ds).values() for s in group]


def reference_change(
    ds: Dataset, reference: str, indicator: str, period_from: str, period_to: str, quartiers: list[str]
) -> ReferenceChange:
    """Change of a reference territory: from its figures, else as the contract states it, else
    (median income) implied by the QPV gaps when they agree. The contract gives, for median
    income, each QPV's change and the change of its gap « avec la commune » (gap = commune − QPV:
    « diminution des écarts (-98 €) » while the QPV rose), so Δcommune = ΔQPV + Δgap."""
    unit = ds.catalogue[indicator].unit
    ev = evolution(ds, reference, indicator, period_from, period_to)
    if ev.available:
        return ReferenceChange(ev.change, ev.decimals, unit, FROM_DATA)
    st = stated_change(ds, reference, indicator, period_from, period_to)
    if st is not None:
        return ReferenceChange(st.change, st.decimals, unit, FROM_STATEMENT, st.quote)
    implied = set()
    decimals = 0
    for q in quartiers:
        g = stated_change(ds, q, indicator, period_from, period_to, reference=reference)
        qe = evolution(ds, q, indicator, period_from, period_to)
        if g is not None and qe.change is not None:  # available
            implied.add(round(qe.change + g.change, 6))
            decimals = max(decimals, qe.decimals, g.decimals)
    if len(implied) == 1:
        return ReferenceChange(implied.pop(), decimals, unit, IMPLIED_BY_GAPS)
    if len(implied) > 1:
        return ReferenceChange(None, decimals, unit, CONFLICTING, implied=tuple(sorted(implied)))
    return ReferenceChange(None, 0, unit, NOT_GIVEN)


# --- cards and the fiche ---------------------------------------------------------------------------
def card(ds: Dataset, spec: CardSpec, territory: str) -> Card | None:
    """A card of views.yaml for a territory; None for an optional card the contract has no figure for."""
    fig = ds.figure(territory, spec.indicator, spec.period)
    if fig.status == STATUS_ABSENT and spec.optional:
        return None
    evo = evolution(ds, territory, spec.indicator, spec.from_, spec.period) if spec.from_ else None
    stated = []
    if spec.stated_gap and spec.from_:
        s = stated_change(ds, territory, spec.indicator, spec.from_, spec.period, reference=spec.stated_gap)
        stated += [s] if s else []
    if spec.stated_reference and spec.from_:
        s = stated_change(ds, spec.stated_reference, spec.indicator, spec.from_, spec.period)
        stated += [s] if s else []
    gaps = (gap(ds, territory, spec.gap.reference, spec.indicator, spec.gap.period),) if spec.gap else ()
    companions: tuple[Figure, ...] = ()
    if spec.share and spec.from_:
        pair = (ds.figure(territory, spec.share, spec.from_), ds.figure(territory, spec.share, spec.period))
        if any(f.status != STATUS_ABSENT for f in pair):
            companions = pair
    context = tuple(
        ContextPart(c.before, ds.figure(c.territory, c.indicator, c.period), c.after) for c in getattr(spec, "context", ())
    )
    return Card(
        spec.label,
        fig,
        evo,
        tuple(g for g in gaps if g.value is not None),
        tuple(stated),
        companions,
        context,
        spec.note,
        getattr(spec, "link", None),
        update_of(ds, fig),
    )


def comparison(ds: Dataset, territory: str) -> ComparisonTable:
    spec = ds.views.fiche.qpv_compare if ds.territories[territory].kind == "qpv" else ds.views.fiche.poche_compare
    rows = tuple(
        ComparisonRow(ind, period, tuple(ds.figure(q, ind, period) for q in spec.territories)) for ind, period in spec.rows
    )
    return ComparisonTable(tuple(spec.territories), territory, rows)


def fiche(ds: Dataset, territory: str) -> Fiche:
    t = ds.territories[territory]
    specs = ds.views.fiche.qpv_cards if t.kind == "qpv" else ds.views.fiche.poche_cards
    cards = tuple(c for c in (card(ds, s, territory) for s in specs) if c is not None)
    targeted = objectives_for_quartier(ds.framework, territory, include_mentions=False)
    mentioned = [ob for ob in objectives_for_quartier(ds.framework, territory) if ob not in targeted]
    res = ds.residents
    priorities: tuple[Priority, ...] = ()
    if territory in res.quartiers:
        ranked = sorted(res.themes, key=lambda th: th.ranks[territory].rank)
        priorities = tuple(Priority(th.label, th.detail, th.ranks[territory].rank, th.ranks[territory].tie) for th in ranked)
    figures = tuple(f for ind in ds.catalogue for f in ds.series(territory, ind))
    return Fiche(
        t,
        cards,
        comparison(ds, territory),
        inconsistencies_for(ds, territory=territory),
        ds.readings.quartiers[territory],
        tuple(targeted),
        tuple(mentioned),
        priorities,
        figures,
    )


def top_priorities(priorities: tuple[Priority, ...], n: int = 3) -> tuple[Priority, ...]:
    """The themes ranked within the first `n`, ties included: a cut by rank, never by count (two
    themes 3rd ex æquo are both in a Top 3)."""
    return tuple(p for p in priorities if p.rank <= n)


def inconsistencies_for(ds: Dataset, territory: str | None = None, indicator: str | None = None) -> tuple:
    items = ds.inconsistencies.items
    if territory:
        items = [i for i in items if i.territory == territory]
    if indicator:
        items = [i for i in items if indicator in i.indicators]
    return tuple(items)


# --- home ------------------------------------------------------------------------------------------
def home_cards(ds: Dataset) -> tuple[Card, ...]:
    return tuple(c for c in (card(ds, spec, spec.territory) for spec in ds.views.accueil.cards) if c is not None)


def quartier_tiles(ds: Dataset) -> tuple[QuartierTile, ...]:
    pop = ds.views.accueil.quartier_population
    return tuple(QuartierTile(ds.territories[q], ds.figure(q, pop[ds.territories[q].kind], "")) for q in ds.quartier_ids)


def synthesis(ds: Dataset) -> tuple[SynthesisLine, ...]:
    syn = ds.synthesis
    quartiers = [c for c in syn.columns if ds.territories[c].kind == "qpv"]
    out = []
    for row in syn.rows:
        ind = ds.catalogue[row.indicator]
        ref = reference_change(ds, row.reference, ind.id, row.from_, row.to, quartiers)
        ref_ev = evolution(ds, row.reference, ind.id, row.from_, row.to)
        cells = []
        for col in syn.columns:
            ev = evolution(ds, col, ind.id, row.from_, row.to)
            comparison_code = UNAVAILABLE
            if ev.available and ref.change is not None:
                q_rel: float | None
                r_rel: float | None
                if ind.unit == "nombre" and ev.change_pct is not None:
                    q_rel, r_rel = ev.change_pct, ref_ev.change_pct  # counts: compare relative changes
                else:
                    q_rel, r_rel = ev.change, ref.change
                if q_rel is not None and r_rel is not None:
                    if q_rel == r_rel:
                        comparison_code = SAME
                    elif ind.higher_is_better is None:
                        comparison_code = STRONGER if q_rel > r_rel else WEAKER
                    else:
                        comparison_code = BETTER if (q_rel > r_rel) == ind.higher_is_better else WORSE
            contract_cell = row.qpv_cell if ds.territories[col].kind != "qpv" else ""
            end = ds.figure(col, ind.id, row.to)
            share = evolution(ds, col, row.share, row.from_, row.to) if row.share else None
            cells.append(SynthesisCell(col, ev, comparison_code, contract_cell, update_of(ds, end), share))
        out.append(SynthesisLine(ind.id, row.label, row.period_label, row.reference, row.reference_label, ref, tuple(cells)))
    return tuple(out)


# --- map -------------------------------------------------------------------------------------------
def mappable_indicators(ds: Dataset) -> list[str]:
    """Indicators with figures for at least two quartiers (what a map can compare), catalogue order."""
    return [i for i in ds.catalogue if sum(1 for q in ds.quartier_ids if ds.series(q, i)) >= 2]


def class_breaks(values: list[float]) -> tuple[float, ...]:
    """Equal-interval class bounds over the values shown (few quartiers: quantiles would be noise)."""
    vals = sorted(values)
    if not vals:
        return ()
    lo, hi = vals[0], vals[-1]
    if lo == hi:
        return (lo, hi)
    step = (hi - lo) / N_CLASSES
    return tuple(lo + step * i for i in range(N_CLASSES + 1))


def class_of(value: float | None, breaks: tuple[float, ...]) -> int | None:
    if value is None or not breaks:
        return None
    if len(breaks) == 2:
        return N_CLASSES // 2
    for i in range(len(breaks) - 1):  # integer classes may be fewer than N_CLASSES (map_breaks)
        if value <= breaks[i + 1] + 1e-9:
            return i
    return len(breaks) - 2


FIXED_PERCENT, FROM_ZERO, INTEGER_COUNTS = "fixed_percent", "from_zero", "integer_counts"
MAP_REFERENCES = ("compiegne", "arc", "france", "qpv-france")


def map_breaks(unit: str, values: list[float]) -> tuple[tuple[float, ...], str]:
    """Classes that cannot mislead. A stretch over the quartiers' own values painted La Victoire's
    59,3 % poverty rate in the palest colour, as if it were low. Rates: the same five classes of
    20 points for every indicator and period (a colour always means the same level); other units:
    equal classes from zero to the largest value (a zero baseline, like the charts). Whole counts
    (3 public facilities, 1 tertiary building): classes of distinct integers, each upper bound a whole
    number (0 | 1–2 | 3–4 …; 0 | 1 | 2 | 3 when the largest is under N_CLASSES), never « 0 – 1, 1 – 1 »:
    class i holds the integers above breaks[i] up to breaks[i + 1], the first from breaks[0]."""
    if not values:
        return (), ""
    if unit == "pourcent" and max(values) <= 100 and min(values) >= 0:
        return tuple(float(x) for x in range(0, 101, 100 // N_CLASSES)), FIXED_PERCENT
    hi = max(values)
    if hi <= 0:
        return class_breaks(values), ""
    if unit == "nombre" and min(values) >= 0 and all(float(v).is_integer() for v in values):
        top = int(hi)
        if top < N_CLASSES:  # one class per whole number 0, 1, …, top
            return (0.0, *(float(k) for k in range(top + 1))), INTEGER_COUNTS
        return (0.0, *(float(math.ceil(top * (i + 1) / N_CLASSES - 1e-9)) for i in range(N_CLASSES))), INTEGER_COUNTS
    return tuple(hi * i / N_CLASSES for i in range(N_CLASSES + 1)), FROM_ZERO


LATEST = "derniere"  # the map's « dernière valeur »: each quartier's latest figure, its own period and perimeter


def latest_figure(ds: Dataset, territory: str, indicator: str) -> Figure:
    """The latest figure with a value (contract or published point); the last one if none has."""
    series = ds.series(territory, indicator)
    present = [f for f in series if not f.missing]
    if present:
        return present[-1]
    return series[-1] if series else Figure(territory, indicator, "", None, ds.catalogue[indicator].unit, 0, STATUS_ABSENT)


def has_points(ds: Dataset, indicator: str) -> bool:
    """Some quartier has a point past the contract for this indicator (the map then opens on
    « dernière valeur »)."""
    return ds.is_living and any(latest_point(ds, q, indicator) is not None for q in ds.quartier_ids)


def map_layer(ds: Dataset, indicator: str, period: str) -> MapLayer:
    """The quartiers coloured by one period's figures, or with period LATEST by each quartier's
    latest figure (periods and perimeters may then differ: the legend lists them)."""
    if period == LATEST:
        figures = [latest_figure(ds, q, indicator) for q in ds.quartier_ids]
        references = tuple(
            f for f in (latest_figure(ds, r, indicator) for r in MAP_REFERENCES if r in ds.territories) if not f.missing
        )
    else:
        figures = [ds.at(q, indicator, period) for q in ds.quartier_ids]
        references = tuple(
            f for f in (ds.at(r, indicator, period) for r in MAP_REFERENCES if r in ds.territories) if not f.missing
        )
    # the references are stated beside the legend; the classes are the quartiers' (a commune's
    # population would put every quartier in the first class)
    breaks, basis = map_breaks(ds.catalogue[indicator].unit, [f.value for f in figures if f.value is not None])
    pop = ds.views.carte.population
    features = tuple(
        MapFeature(f.territory, f, class_of(f.value, breaks), ds.figure(f.territory, pop[ds.territories[f.territory].kind], ""))
        for f in figures
    )
    return MapLayer(indicator, period, features, breaks, basis, references)


def locator_layer(ds: Dataset) -> MapLayer:
    """The quartiers with no values: the fiche's locator map."""
    pop = ds.views.carte.population
    features = tuple(
        MapFeature(q, ds.figure(q, pop[ds.territories[q].kind], ""), None, ds.figure(q, pop[ds.territories[q].kind], ""))
        for q in ds.quartier_ids
    )
    return MapLayer("", "", features, ())


# --- évolutions, pillar pages, sources -------------------------------------------------------------
def chartable_indicators(ds: Dataset) -> list[str]:
    """Indicators some territory has at two dated periods or more (what an evolution chart shows)."""
    out = []
    for ind in ds.catalogue:
        for t in ds.territory_ids:
            if len({f.period for f in ds.series(t, ind) if not f.missing and f.period}) >= 2:
                out.append(ind)
                break
    return out


def chartable_territories(ds: Dataset) -> list[str]:
    """Quartiers with at least one indicator at two dated periods (those an evolution chart can show)."""
    return [
        q
        for q in ds.quartier_ids
        if any(len({f.period for f in ds.series(q, i) if not f.missing and f.period}) >= 2 for i in ds.catalogue)
    ]


def series_figures(ds: Dataset, indicator: str, territories: tuple[str, ...]) -> tuple[Figure, ...]:
    return tuple(f for t in territories for f in ds.series(t, indicator))


def gap_table(ds: Dataset, quartiers: list[str]) -> tuple[list[Gap], list[StatedChange]]:
    """The « écart à la référence » views of views.yaml for these quartiers."""
    measured = []
    for spec in ds.views.evolutions.gaps:
        ref_periods = [f.period for f in ds.series(spec.reference, spec.indicator)]
        measured += [gap(ds, q, spec.reference, spec.indicator, p) for q in quartiers for p in ref_periods]
    stated = []
    for spec in ds.views.evolutions.stated_gaps:
        for q in quartiers:
            s = stated_change(ds, q, spec.indicator, spec.from_, spec.to, reference=spec.reference)
            stated += [s] if s else []
    return measured, stated


@dataclass(frozen=True)
class DatasetSummary:
    indicator: str
    sources: tuple[str, ...]
    periods: tuple[str, ...]
    perimeters: tuple[str, ...]
    territories: tuple[str, ...]
    contract_refs: tuple[str, ...]
    na_count: int
    inferred_count: int


def dataset_summaries(ds: Dataset) -> tuple[DatasetSummary, ...]:
    """One summary per indicator: producers, millésimes, perimeters, territories, parts of the contract."""
    from .indicators import period_sort_key

    groups = dict(list(ds.frame.groupby("indicator", observed=True)))
    out = []
    for ind in (i for i in ds.catalogue if i in groups):
        sub = groups[ind]
        out.append(
            DatasetSummary(
                ind,
                tuple(sorted(set(sub["source"]))),
                tuple(sorted(set(sub["period"]), key=period_sort_key)),
                tuple(sorted(set(sub["perimeter"]))),
                tuple(dict.fromkeys(sub["territory"])),
                tuple(sorted(set(sub["contract_ref"]))),
                int((sub["value_status"] == STATUS_NA).sum()),
                int((sub["inferred"].astype(str) != "").sum()),
            )
        )
    return tuple(out)


def all_figures(ds: Dataset, territory: str | None = None, indicator: str | None = None) -> tuple[Figure, ...]:
    """Every figure (of one territory, or one indicator), territory then catalogue order."""
    terrs = [territory] if territory else ds.territory_ids
    inds = [indicator] if indicator else list(ds.catalogue)
    return tuple(f for t in terrs for ind in inds for f in ds.series(t, ind))
