"""The slides of the presentation mode (/presentation), built from the figure records: the territory
at a glance, one slide per quartier (key figures with evolution and gap, locator map, generated
sentences), one per pillar (its headline figures and one chart), the residents' priorities.
Nothing is computed here that the model does not give; the page lays these out."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from data import model
from data.dataset import Dataset
from data.formatting import period_label
from ui import wording as w
from ui.sentences import Sentence, fiche_sentences, judged_cards


@dataclass(frozen=True)
class BigFigure:
    label: str
    value: str
    lines: tuple[str, ...]  # evolution, gaps, stated changes (as the fiche words them)
    source: str
    verdict: str = ""


@dataclass(frozen=True)
class Slide:
    kind: str  # territory, quartier, pillar, priorities
    title: str
    subtitle: str = ""
    figures: tuple[BigFigure, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    territory: str = ""  # quartier slides: its id (locator map, ?q=)
    chart: dict | None = None  # pillar slides: a Vega-Lite spec, projector-sized
    rows: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # priorities: (quartier, top themes)


def big(ds: Dataset, c: model.Card) -> BigFigure:
    ct = w.card_text(ds, c)
    label = ct.label + (f" ({ct.period})" if ct.period else "")
    ev = c.update.evolution if c.update is not None else c.evolution
    return BigFigure(label, ct.value, tuple(ln.text for ln in ct.lines), ct.source, ev.verdict if ev else "")


def key_cards(fiche: model.Fiche, n: int = 3) -> list[model.Card]:
    """The fiche's first cards whose evolution the catalogue judges, then any present figure."""
    judged = judged_cards(fiche.cards)
    rest = [c for c in fiche.cards if c not in judged and not c.figure.missing]
    return [*judged, *rest][:n]


PROJECTOR_FONT = 20  # chart text on a projector (the issue asks ≥ 18 px)


def projector_spec(spec: dict, height: int = 290) -> dict:
    """The same chart spec, with text sized for a room."""
    spec = copy.deepcopy(spec)
    cfg = spec.setdefault("config", {})
    for key in ("axis", "legend"):
        cfg.setdefault(key, {}).update(labelFontSize=PROJECTOR_FONT, titleFontSize=PROJECTOR_FONT)
    cfg["axis"]["labelLimit"] = 320  # whole territory names
    cfg.setdefault("title", {}).update(fontSize=PROJECTOR_FONT + 4, subtitleFontSize=PROJECTOR_FONT)
    cfg.setdefault("text", {}).update(fontSize=PROJECTOR_FONT)
    spec["height"] = height
    from ui.charts import slide_marks

    return slide_marks(spec)  # lines ≥ 4 px, points ≥ 14 px


def build(ds: Dataset, chart_spec) -> list[Slide]:
    """`chart_spec(kind, indicator, territories, title)` is the app's cached chart builder."""
    slides = [
        Slide(
            "territory",
            "Quartiers 2030 – le territoire en bref",
            "Contrat de Ville de l'Agglomération de la Région de Compiègne : 3 quartiers prioritaires, 2 poches de pauvreté",
            tuple(big(ds, c) for c in model.home_cards(ds)[:4]),
        )
    ]
    for q in ds.quartier_ids:
        f = model.fiche(ds, q)
        slides.append(
            Slide(
                "quartier",
                f.territory.name,
                w.KIND[f.territory.kind],
                tuple(big(ds, c) for c in key_cards(f)),
                tuple(fiche_sentences(ds, f)),
                territory=q,
            )
        )
    for p in ds.pillars:
        spec = next((s for s in p.diagnostic if s.chart != "figures"), None)
        figures: list[BigFigure] = []
        chart, note = None, ""
        if spec is not None:
            ind = ds.catalogue[spec.indicator]
            series = model.series_figures(ds, spec.indicator, tuple(spec.territories))
            last = {}
            for fig in series:  # the latest period of each territory, as the contract prints it
                last[fig.territory] = fig
            for fig in list(last.values())[:4]:
                figures.append(
                    BigFigure(
                        f"{w.name(ds, fig.territory, True)} ({period_label(fig.period)})",
                        w.value_or_reason(fig),
                        (),
                        w.source_line(fig),
                    )
                )
            title = ind.label if spec.chart in ("series", "bar_periods") else f"{ind.label} ({period_label(series[0].period)})"
            chart = projector_spec(chart_spec(spec.chart, ind.id, tuple(spec.territories), title))
            note = ind.label
        slides.append(Slide("pillar", p.name, note, tuple(figures), chart=chart))
    rows = []
    for q in ds.quartier_ids:
        pr = model.fiche(ds, q).priorities
        if pr:
            rows.append(
                (w.name(ds, q), tuple(w.priority_line(w.rank_text(x.rank, x.tie), x.label) for x in model.top_priorities(pr, 3)))
            )
    slides.append(
        Slide(
            "priorities",
            "Les priorités des habitants",
            "Les thèmes classés dans les trois premiers rangs, ex æquo compris, par quartier (annexe 1 du contrat)",
            rows=tuple(rows),
        )
    )
    return slides
