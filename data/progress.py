"""Each objective's progress (/avancement, and a quartier's fiche): for every orientation and every
operational objective of the contract, its follow-up indicators from the référentiel, which of
the years N … N+5 have a value for the chosen territory, the last value (with its unit, source
and date), its change since N and how complete each year's follow-up is (indicators with a
value / indicators expected), next to the référentiel's evaluative questions.

Records only: the page, the fiche and the exports lay them out; nothing here formats a number.
Links between the référentiel's axes and the objectives are the contract's own (`objective_ref`);
an axis of one orientation may point at another orientation's objective (orientation 1 → 3.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .followup import YEAR_N, Entry, FollowupIndicator, referentiel_indicators
from .framework import Framework
from .series import same_segment

FOLLOW_YEARS = list(range(YEAR_N, YEAR_N + 6))  # N … N+5


@dataclass(frozen=True)
class IndicatorProgress:
    key: str
    label: str
    orientation: int  # the référentiel orientation it comes from
    by_year: dict[int, Entry | None]  # the value in force for each year N … N+5 (None: not recorded)
    last: Entry | None  # the most recent year that has a value
    change_since_n: Decimal | None  # last − N, same unit, when both exist and differ in year
    change_note: str  # why there is no change (« pas de valeur en N », « unités différentes »…)


@dataclass(frozen=True)
class Completeness:
    year: int
    with_value: int
    expected: int

    @property
    def share(self) -> float | None:
        return self.with_value / self.expected if self.expected else None


@dataclass(frozen=True)
class ObjectiveProgress:
    id: str
    title: str
    orientation: int
    pillar: str
    indicators: list[IndicatorProgress]
    plan_indicators: list[str]  # the action plan's own follow-up indicators (text, not recorded)
    questions: list[str]  # the référentiel's evaluative questions for this objective
    completeness: list[Completeness] = field(default_factory=list)


@dataclass(frozen=True)
class OrientationProgress:
    number: int
    title: str
    pillar: str
    objectives: list[ObjectiveProgress]
    general_indicators: list[IndicatorProgress]  # « ensemble de l'orientation »
    general_questions: list[str]
    completeness: list[Completeness]


def _completeness(indicators: list[IndicatorProgress]) -> list[Completeness]:
    return [Completeness(y, sum(1 for i in indicators if i.by_year[y] is not None), len(indicators)) for y in FOLLOW_YEARS]


def _indicator(ind: FollowupIndicator, entries: dict[tuple[str, int], Entry]) -> IndicatorProgress:
    by_year = {y: entries.get((ind.key, y)) for y in FOLLOW_YEARS}
    recorded = [e for e in by_year.values() if e is not None]
    last = max(recorded, key=lambda e: e.year) if recorded else None
    first = by_year[YEAR_N]
    change, note = None, ""
    if last is None:
        note = "aucune valeur"
    elif first is None:
        note = "pas de valeur en N"
    elif last.year == YEAR_N:
        note = "une seule année"
    elif first.unit != last.unit:
        note = f"unités différentes (« {first.unit} » en N, « {last.unit} » en {last.year})"
    elif not same_segment(first.perimeter, last.perimeter):
        note = f"périmètres différents ({first.perimeter} en N, {last.perimeter} en {last.year}) : pas de comparaison"
    else:
        change = last.value - first.value
    return IndicatorProgress(ind.key, ind.label, ind.orientation, by_year, last, change, note)


def shared_entries(ds, territory: str) -> dict[tuple[str, int], Entry]:
    """The yearly values of the référentiel indicators that ARE a catalogue series (data/links.py):
    the series' points past the contract whose millésime is a year N … N+5, as the référentiel's
    values (one value, never two). `ds` is the dataset the view shows (validated points only for
    the public)."""
    from .links import shared_links

    indicators = {i.key: i for i in referentiel_indicators(ds.framework)}
    out: dict[tuple[str, int], Entry] = {}
    for key, catalogue_id in shared_links(ds).items():
        if catalogue_id not in ds.catalogue:
            continue
        ind = indicators[key]
        unit = ds.catalogue[catalogue_id].unit_label
        for f in ds.series(territory, catalogue_id):
            if f.from_contract or f.missing or not f.period.isdigit() or int(f.period) not in FOLLOW_YEARS:
                continue
            out[(ind.key, int(f.period))] = Entry(
                id=f.point_id,
                indicator_key=ind.key,
                indicator_label=ind.label,
                orientation=ind.orientation,
                territory=territory,
                year=int(f.period),
                value=Decimal(f"{f.value:.{f.decimals}f}"),
                unit=unit,
                source=f.source,
                comment=f"valeur de la série « {ds.catalogue[catalogue_id].label} » (périmètre {f.perimeter})",
                author="",
                recorded_at=f.recorded_at,
                status=f.publication or "validee",
                perimeter=f.perimeter,
            )
    return out


def progress(
    framework: Framework, entries: list[Entry], territory: str, pillar: str | None = None, ds=None
) -> list[OrientationProgress]:
    """The progress of every orientation (of one pillar, if given) for one territory, from the
    values in force (`FollowupStore.latest()`) and, with `ds`, the points of the catalogue series
    that a référentiel indicator shares (they win over a value typed for the same year: one value)."""
    current = {(e.indicator_key, e.year): e for e in entries if e.territory == territory}
    if ds is not None:
        from .links import shared_links

        # one value, never two: a shared indicator's values are the series' (a value typed for it
        # before the link existed stays in the history, not here)
        current = {k: e for k, e in current.items() if k[0] not in shared_links(ds)}
        current.update(shared_entries(ds, territory))
    by_objective: dict[str, list[IndicatorProgress]] = {}
    general: dict[int, list[IndicatorProgress]] = {}
    for ind in referentiel_indicators(framework):
        prog = _indicator(ind, current)
        if ind.objective_ref is None:  # « ensemble de l'orientation »
            general.setdefault(ind.orientation, []).append(prog)
        else:
            by_objective.setdefault(ind.objective_ref, []).append(prog)
    questions: dict[str, list[str]] = {}
    for o in framework.orientations:
        for ax in o.referentiel.axes:
            questions.setdefault(ax.objective_ref, []).extend(q.label for q in ax.questions)
    out = []
    for o in framework.orientations:
        if pillar and o.pillar != pillar:
            continue
        objectives = []
        for ob in o.objectives:
            inds = by_objective.get(ob.id, [])
            qs = list(dict.fromkeys([*questions.get(ob.id, []), *ob.questions_evaluatives]))
            objectives.append(
                ObjectiveProgress(ob.id, ob.title, o.number, o.pillar, inds, list(ob.indicateurs_suivi), qs, _completeness(inds))
            )
        gen = general.get(o.number, [])
        every = [i for ob in objectives for i in ob.indicators] + gen
        out.append(
            OrientationProgress(
                o.number,
                o.title,
                o.pillar,
                objectives,
                gen,
                [q.label for q in o.referentiel.general.questions],
                _completeness(every),
            )
        )
    return out
