"""Strategy framework (pillars → orientations → objectives → référentiel d'évaluation), as typed
records: qpv_data/framework.yaml is parsed once by the pydantic models below (unknown keys
refused, types checked, French message with the YAML line), then checked for the rules a model
cannot say (objective ids unique and filed under their orientation, axis links known, indicator
keys unique).

The référentiel is kept as the contract prints it (« Axe de travail | Indicateurs de suivis |
Questions évaluatives »). In an indicator cell, each printed paragraph or bullet is one item:
- an indicator (`RefIndicator`) with its stable `key` — the key of the follow-up values;
- a stem the bullets below it continue (« Commerces et services publics », « …, en particuliers : »)
  is no indicator of its own: it is the `lead` of each bullet, which is the indicator (9.3, 7.2,
  3.1, 1.2);
- bullets that only break one measure down (« Par tranche d'âge », « Par sexe ») are the
  `bullets` of that indicator (1.3), never indicators;
- a line that qualifies the row (« N, N+1, N+2, N+3... », « Année N à année N+5. », « Comparatif
  période N - N+3 ; N+3 -N+5 », « (décomposition primaire, collège, lycée…) ») is a `note` of the
  axis; « Source(s) … » lines are its `sources`.
A question's bullets (9.1: « … les déterminants d'un cadre de vie agréable : » then three) belong to
that one question. An objective's expected indicators are exactly its axes' indicators: 7.3's row
prints a source only, so 7.3 expects none.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .errors import DataValidationError
from .schemas import Record, Text, load_yaml_model

QUARTIERS = ("clos-des-roses", "la-victoire", "vivier-corax", "echarde", "jean-moulin")
FRAMEWORK_PILLARS = ("education", "sante", "emploi", "cadre-de-vie")
ObjectiveId = Annotated[str, StringConstraints(pattern=r"^(10|[1-9])\.[1-9]$")]
IndicatorKey = Annotated[str, StringConstraints(pattern=r"^os(10|[1-9])-(axe[1-9]|ensemble)-[1-9][0-9]?$")]
Quartier = Literal[QUARTIERS]  # type: ignore[valid-type]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5)]


class Objective(Record):
    """An operational objective (its action-plan sheet in the contract)."""

    id: ObjectiveId
    title: LongText
    title_summary_table: str = ""  # the wording of the contract's summary table, when it differs
    resultats_attendus: list[str]
    acteurs: list[str]
    indicateurs_suivi: list[str]  # the action plan's own follow-up indicators (text, never recorded)
    dispositifs: list[str]
    pistes_action: list[str]
    questions_evaluatives: list[str] = []
    notes: list[str] = []
    target_quartiers: list[Quartier]
    target_basis: str = ""
    mentioned_quartiers: list[Quartier]

    @property
    def orientation(self) -> int:
        return int(self.id.split(".")[0])


class RefIndicator(Record):
    """One follow-up indicator of the référentiel, as printed."""

    key: IndicatorKey  # the follow-up values' key: never reused for another indicator
    text: Text
    lead: str = ""  # the printed stem this bullet continues (shared by the bullets under it)
    bullets: list[Text] = []  # printed sub-bullets breaking this one measure down

    @property
    def label(self) -> str:
        """The indicator in one line, every printed word kept: « stem • bullet » or « text • sub-bullet… »."""
        head = f"{self.lead} • {self.text}" if self.lead else self.text
        return head + "".join(f" • {b}" for b in self.bullets)


class RefQuestion(Record):
    """One evaluative question, with the bullets printed under it."""

    text: Text
    bullets: list[Text] = []

    @property
    def label(self) -> str:
        return self.text + "".join(f" • {b}" for b in self.bullets)


class Axis(Record):
    """One row of an orientation's référentiel table, linked to the objective whose title it repeats."""

    axis: Text
    objective_ref: ObjectiveId  # may be another orientation's objective (orientation 1 prints 3.3's row)
    indicators: list[RefIndicator]
    notes: list[Text] = []  # printed lines qualifying the row (time steps, breakdown of all its indicators)
    sources: list[str]
    questions: list[RefQuestion]


class General(Record):
    """« Indicateurs de suivi et/ou question évaluative pour l'orientation stratégique / l'objectif général »."""

    indicators: list[RefIndicator] = []
    questions: list[RefQuestion] = []
    sources: list[str] = []
    notes: list[str] = []


class Referentiel(Record):
    axes: list[Axis]
    general: General


class Orientation(Record):
    number: int = Field(ge=1, le=10)
    pillar: Literal[FRAMEWORK_PILLARS]  # type: ignore[valid-type]
    title: LongText
    title_summary_table: str = ""
    title_referentiel: str = ""
    objectives: list[Objective] = Field(min_length=1)
    referentiel: Referentiel


class Framework(Record):
    source: Text
    orientations: list[Orientation] = Field(min_length=10, max_length=10)

    def orientation(self, number: int) -> Orientation:
        return next(o for o in self.orientations if o.number == number)


def load_framework(path) -> Framework:
    fw = load_yaml_model(path, Framework)
    name = path.name
    ids = [ob.id for o in fw.orientations for ob in o.objectives]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise DataValidationError(name, f"objectif(s) en double : {sorted(dup)}")
    numbers = [o.number for o in fw.orientations]
    if numbers != list(range(1, 11)):
        raise DataValidationError(name, f"orientations attendues de 1 à 10 dans l'ordre, lues : {numbers}")
    keys: list[str] = []
    for o in fw.orientations:
        for ob in o.objectives:
            if ob.orientation != o.number:
                raise DataValidationError(name, f"l'objectif {ob.id} est rangé sous l'orientation {o.number}")
        for ax in o.referentiel.axes:
            if ax.objective_ref not in ids:
                raise DataValidationError(name, f"axe « {ax.axis} » : objectif {ax.objective_ref} inconnu")
        for ind in [i for ax in o.referentiel.axes for i in ax.indicators] + o.referentiel.general.indicators:
            if not ind.key.startswith(f"os{o.number}-"):
                raise DataValidationError(name, f"indicateur « {ind.key} » rangé sous l'orientation {o.number}")
            keys.append(ind.key)
    dup_keys = sorted({k for k in keys if keys.count(k) > 1})
    if dup_keys:
        raise DataValidationError(name, f"clé d'indicateur en double : {', '.join(dup_keys)}")
    return fw


def objectives(framework: Framework) -> list[Objective]:
    """Flat list of the 34 objectives, in the contract's order."""
    return [ob for o in framework.orientations for ob in o.objectives]


def objectives_for_quartier(framework: Framework, territory: str, include_mentions: bool = True) -> list[Objective]:
    return [
        ob
        for ob in objectives(framework)
        if territory in ob.target_quartiers or (include_mentions and territory in ob.mentioned_quartiers)
    ]
