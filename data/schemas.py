"""Typed records of every qpv_data YAML file, parsed once at the boundary.

Each file has a pydantic model (unknown keys refused, types checked); `load_yaml_model` reads a
file, validates it and turns any fault into one French `DataValidationError` naming the file, the
YAML line and the reason. Cross-file checks (ids known to territories.yaml and the catalogue) live
in `data.dataset`, once every file is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from .errors import DataValidationError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Period = Annotated[
    str, StringConstraints(pattern=r"^$|^\d{4}$|^\d{4}-\d{4}$|^\d{4}-\d{2}-\d{2}$|^\d{4}-T[1-4]$|^\d{4}-S[12]$|^\d{4}-\d{2}$")
]

UNITS = ("nombre", "pourcent", "euros", "ratio", "apl_consultations", "apl_etp", "fraction", "note")
PILLARS = ("territoire", "education", "sante", "emploi", "cadre-de-vie")


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- catalogue.yaml ------------------------------------------------------------------------------
class StableWithin(Record):
    """The change an indicator may show and still be judged « stable » (data/model.judge): a share of the
    start value for a count (`percent`), or points for a rate (`points`); `why` quotes the contract."""

    percent: float | None = Field(default=None, gt=0, le=10)
    points: float | None = Field(default=None, gt=0, le=5)
    why: Text

    @model_validator(mode="after")
    def _one_measure(self):
        if (self.percent is None) == (self.points is None):
            raise ValueError("donner soit « percent » (part de la valeur de départ), soit « points » (taux)")
        return self


class Indicator(Record):
    id: Slug = ""  # filled from the mapping key
    label: Text
    unit: Literal[UNITS]  # type: ignore[valid-type]
    unit_label: Text
    definition: Text
    pillar: Literal[PILLARS]  # type: ignore[valid-type]
    higher_is_better: bool | None
    source: Text
    period_meaning: Text
    # how the contract words it, when our label or definition differs (kept, never dropped)
    contract_wording: str = ""
    decimals: int | None = None  # decimals of computed changes and gaps (default: by unit)
    # a change this small is « stable », where the contract itself calls such a change a stabilisation
    stable_within: StableWithin | None = None


class DiagnosticSpec(Record):
    indicator: Slug
    chart: Literal["series", "bar", "bar_periods", "figures"]
    territories: list[Slug] = Field(min_length=1)


class Pillar(Record):
    id: Literal[PILLARS[1:]]  # type: ignore[valid-type]
    name: Text
    orientations: list[int] = Field(min_length=1)
    diagnostic: list[DiagnosticSpec]


class Catalogue(Record):
    pillars: list[Pillar] = Field(min_length=4, max_length=4)
    indicators: dict[Slug, Indicator] = Field(min_length=1)


# --- territories.yaml ----------------------------------------------------------------------------
class Territory(Record):
    id: Slug
    name: Text
    short: Text
    kind: Literal["qpv", "poche", "reference", "groupe", "autre"]
    order: int
    code: str = ""
    description: str = ""
    members: list[Slug] = []  # a grouping of quartiers (« les deux quartiers »)
    # the definite article before the short name in a sentence (« l'ARC », « le Clos des Roses »,
    # « les Hauts-de-France »); "" when the name takes none (« Compiègne », « La Victoire »)
    article: Literal["", "le", "la", "les", "l'"] = ""
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-f]{6}$")] = "#666666"  # in every chart


class Territories(Record):
    territories: list[Territory] = Field(min_length=1)


# --- views.yaml -----------------------------------------------------------------------------------
class GapSpec(Record):
    reference: Slug
    period: Period


class CardSpec(Record):
    label: Text
    indicator: Slug
    period: Period
    territory: Slug | None = None  # home cards name their territory; fiche cards use the quartier
    from_: Period | None = Field(default=None, alias="from")
    gap: GapSpec | None = None
    stated_gap: Slug | None = None
    stated_reference: Slug | None = None
    share: Slug | None = None
    note: str = ""
    optional: bool = False


class ContextSpec(Record):
    before: str
    territory: Slug
    indicator: Slug
    period: Period
    after: str


class LinkSpec(Record):
    page: Slug
    query: dict[str, str] = {}
    label: Text


class HomeCardSpec(CardSpec):
    territory: Slug
    link: LinkSpec | None = None
    context: list[ContextSpec] = []


class CompareSpec(Record):
    territories: list[Slug] = Field(min_length=1)
    rows: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = Field(min_length=1)  # [indicator, period]


class FicheViews(Record):
    qpv_cards: list[CardSpec] = Field(min_length=1)
    poche_cards: list[CardSpec] = Field(min_length=1)
    qpv_compare: CompareSpec
    poche_compare: CompareSpec


class IndicatorRef(Record):
    indicator: Slug
    reference: Slug


class StatedGapView(IndicatorRef):
    from_: Period = Field(alias="from")
    to: Period


class EvolutionViews(Record):
    default_indicators: list[Slug] = Field(min_length=1)
    gaps: list[IndicatorRef]
    stated_gaps: list[StatedGapView]


class MapViews(Record):
    default_indicator: Slug
    # which figure gives each kind of quartier its population in the map's tooltip
    population: dict[Literal["qpv", "poche", "reference", "groupe", "autre"], Slug]


class HomeViews(Record):
    cards: list[HomeCardSpec] = Field(min_length=1)
    quartier_population: dict[Literal["qpv", "poche", "reference", "groupe", "autre"], Slug]


class Views(Record):
    fiche: FicheViews
    evolutions: EvolutionViews
    carte: MapViews
    accueil: HomeViews


# --- synthesis.yaml -------------------------------------------------------------------------------
class SynthesisRow(Record):
    indicator: Slug
    label: Text
    period_label: Text
    from_: Period = Field(alias="from")
    to: Period
    reference: Slug
    reference_label: Text
    qpv_cell: str = ""
    share: Slug | None = None  # a second indicator the row's label names (« Population en QPV (% commune) »)


class Findings(Record):
    title: Text
    items: list[Text]
    conclusion: Text


class Synthesis(Record):
    source: Text
    caveat: Text
    columns: list[Slug] = Field(min_length=1)
    rows: list[SynthesisRow] = Field(min_length=1)
    findings: Findings


# --- quartiers.yaml -------------------------------------------------------------------------------
class Reading(Record):
    headline: Text
    findings: list[Text]
    conclusion: Text
    perimeter_2024: str = ""
    renewal: str = ""


class Readings(Record):
    source: Text
    quartiers: dict[Slug, Reading]


# --- inconsistencies.yaml -------------------------------------------------------------------------
class Version(Record):
    value: str | int | float
    where: Text


class Inconsistency(Record):
    id: Slug
    summary: Text
    territory: Slug | None = None
    indicators: list[Slug] = []
    versions: list[Version] = []
    # « question »: an ambiguity the contract leaves open, not a contradiction; « note »: a remark that is
    # not an inconsistency of the contract (the contract against another source, figures that agree)
    kind: Literal["contradiction", "question", "note"] = "contradiction"


class Inconsistencies(Record):
    items: list[Inconsistency] = Field(min_length=1)


# --- perimeters.yaml ------------------------------------------------------------------------------
class QpvPerimeter(Record):
    territory: Slug
    code: Text
    contract_says: Text
    consistent: bool
    note: str = ""


class Qpv2024(Record):
    file: Text
    millesime: Text
    code_suffix_meaning: dict[str, Text]
    quartiers: list[QpvPerimeter] = Field(min_length=1)


class Qpv2015(Record):
    available: bool
    note: Text
    contract_footnote_3: Text


class Extension(Record):
    territory: Slug
    housing_units: int
    items: list[Text]


class Square(Record):
    territory: Slug
    id: Text


class Poches(Record):
    file: Text
    method: Text
    squares: list[Square] = Field(min_length=1)


class Perimeters(Record):
    qpv_2024: Qpv2024
    qpv_2015: Qpv2015
    extensions_2024: list[Extension]
    poches: Poches


# --- governance.yaml ------------------------------------------------------------------------------
class Body(Record):
    id: Slug
    name: Text
    function: Text
    frequency: Text
    missions: list[Text]
    pillars: list[Literal[PILLARS[1:]]] = []  # type: ignore[valid-type]


class Governance(Record):
    source: Text
    functions: list[Text]
    bodies: list[Body] = Field(min_length=1)


# --- glossary.yaml --------------------------------------------------------------------------------
class Term(Record):
    term: Text
    definition: Text


class Glossary(Record):
    terms: list[Term] = Field(min_length=1)


# --- referentiel_links.yaml -----------------------------------------------------------------------
class ReferentielLink(Record):
    match: Text
    indicators: list[Slug] = Field(min_length=1)
    # « proxy »: the figures only approach what the référentiel asks (said beside the link)
    proxy: str = ""


class ReferentielLinks(Record):
    links: list[ReferentielLink]


# --- residents.yaml -------------------------------------------------------------------------------
class Rank(Record):
    rank: int = Field(ge=1)
    tie: bool


class Theme(Record):
    id: Slug
    label: Text
    detail: Text
    ranks: dict[Slug, Rank]
    top3_count: int = Field(ge=0)


class PartnerBlock(Record):
    theme: Text
    items: list[Text]


class Residents(Record):
    source: Text
    quartiers: list[Slug] = Field(min_length=1)
    themes: list[Theme] = Field(min_length=1)
    analysis: list[Text]
    conditions: list[Text]
    partners: list[PartnerBlock]
    partners_not_covered: list[Text]


# --- loading with French errors -------------------------------------------------------------------
M = TypeVar("M", bound=BaseModel)

REASONS = {
    "missing": "champ obligatoire absent",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "string_too_short": "texte vide",
    "string_pattern_mismatch": "format invalide",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "float_type": "nombre attendu",
    "bool_type": "true ou false attendu",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
    "dict_type": "dictionnaire (clé : valeur) attendu",
    "model_type": "bloc (clé : valeur) attendu",
    "literal_error": "valeur non autorisée",
    "too_short": "liste trop courte",
    "too_long": "liste trop longue",
    "greater_than_equal": "valeur trop petite",
    "none_required": "aucune valeur attendue",
}


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The YAML line (1-based) of the deepest node the error path reaches."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(part)), None)
            if nxt is None:  # an unknown key: point at the key itself
                nxt = next((k for k, _ in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node, line = nxt, nxt.start_mark.line + 1
    return line


# libyaml's parser (bundled in PyYAML's wheels) with PyYAML's safe constructor: the same documents
# (checked on the twelve files of qpv_data/) in a fourteenth of the time (0,70 s → 0,05 s for the
# whole folder: every process start, every reload of the data); PyYAML's own where libyaml is absent
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path):
    """Parse a YAML file; unreadable, undecodable or empty files are French errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataValidationError(path.name, "fichier introuvable") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(path.name, f"fichier illisible ({type(exc).__name__})") from None
    try:
        doc = yaml.load(text, Loader=_SAFE_LOADER)
        node = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataValidationError(
            path.name, f"YAML illisible ({getattr(exc, 'problem', None) or 'syntaxe'})", row=mark.line + 1 if mark else None
        ) from None
    if doc is None or node is None:
        raise DataValidationError(path.name, "fichier vide")
    _no_duplicate_keys(path.name, node)
    return doc, node


def _no_duplicate_keys(file: str, node: yaml.Node) -> None:
    """PyYAML keeps the last of two equal keys without a word: refuse them."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen = set()
            for k, v in n.value:
                if k.value in seen:
                    raise DataValidationError(file, f"clé « {k.value} » en double", row=k.start_mark.line + 1)
                seen.add(k.value)
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def load_yaml_model(path: Path, model: type[M]) -> M:
    doc, node = read_yaml(path)
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
        where = " › ".join(str(p) for p in loc) or "racine"
        reason = REASONS.get(err["type"], "valeur invalide")
        if err["type"] == "literal_error":
            reason += f" (attendu : {err['ctx']['expected']})"
        if err["type"] == "value_error":  # a record's own rule, worded in French where it is written
            reason = str(err["ctx"]["error"])
        got = err.get("input")
        if err["type"] not in ("missing",) and isinstance(got, str | int | float | bool):
            reason += f", reçu « {got} »"
        raise DataValidationError(path.name, f"{where} : {reason}", row=_line_of(node, loc)) from None
