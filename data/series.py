"""Series that go on past the contract.

The contract's figures (qpv_data/indicators.csv) are immutable: never edited, never overwritten.
Every later point of a catalogue indicator — a value of an official table imported (INSEE, ANCT:
origin « officielle ») or recorded by the team (« equipe ») — is a row of `series_point` with its
exact value (or None: « non disponible », never 0), the decimals as published, its millésime,
perimeter, unit, source, author and date. Like the follow-up values it is « proposée » first and
public only once an administrateur validates it (data/validation.py, events in `series_event`);
a correction or a re-import is a new version, nothing is deleted.

An indicator the catalogue lacks can be introduced by an import (`series_indicator`): label, unit,
definition and which direction is better; the dataset then shows it like the others
(`Dataset.living`).

Perimeters are labels of one vocabulary shared with the contract's figures (« QPV 2015 »,
« QPV 2024 »…). `segment` says which points may be compared: a QPV's 2015-perimeter points and its
2024-perimeter points are two segments, never joined, never compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from .db import StoreError, french_fault, series_event, series_indicator, series_point

OFFICIAL, TEAM, CONTRACT = "officielle", "equipe", "contrat"
ORIGIN_LABELS = {CONTRACT: "contrat", OFFICIAL: "source officielle importée", TEAM: "saisie de l'équipe"}

# the perimeter codes a correspondence file or a form may name → the label shown everywhere
PERIMETERS = {
    "qpv-2015": "QPV 2015",
    "qpv-2024": "QPV 2024",
    "poche": "poche de pauvreté (carreau INSEE 200 m)",
    "commune": "commune",
    "epci": "EPCI",
    "departement": "département",
    "region": "région",
    "france": "France",
}
POCHE_LABEL = PERIMETERS["poche"]


def segment(perimeter: str) -> str:
    """The comparison segment of a perimeter label: points of two different segments are never
    compared (no evolution, gap, verdict or line between them). The contract's « carreau INSEE
    200 m CRS… » names the same square as « poche de pauvreté (carreau INSEE 200 m) »; every other
    label is its own segment (« EPCI (territoire non explicitement précisé) » is not « EPCI »)."""
    p = (perimeter or "").strip()
    if p.startswith("carreau INSEE 200 m") or p == POCHE_LABEL:
        return POCHE_LABEL
    return p


def same_segment(a: str, b: str) -> bool:
    return segment(a) == segment(b)


@dataclass(frozen=True)
class Point:
    id: int
    indicator: str
    territory: str
    period: str
    perimeter: str
    value: Decimal | None
    decimals: int
    unit: str
    source: str
    origin: str
    batch: str
    comment: str
    author: str
    recorded_at: str
    status: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator, self.territory, self.period, self.perimeter)


@dataclass(frozen=True)
class NewIndicator:
    id: str
    label: str
    unit: str
    definition: str
    higher_is_better: bool | None
    author: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class Change:
    """What writing one row would do: « nouvelle » (no point yet for this indicator, territory,
    millésime and perimeter), « modifiée » (a different value or source is in force: a new
    version), « inchangée » (the same: nothing written)."""

    row: dict
    kind: str
    before: Point | None = None


@dataclass
class WriteReport:
    written: list[Point] = field(default_factory=list)
    unchanged: int = 0
    changed: int = 0
    indicators: list[str] = field(default_factory=list)


POINT_COLUMNS = [c.name for c in series_point.columns]
SAME = ("value", "decimals", "source", "unit")  # a re-import with these equal writes nothing


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SeriesStore:
    """The points past the contract, in the follow-up database (one engine, data/db.py)."""

    def __init__(self, engine: sa.Engine, read_only: bool = False):
        self.engine = engine
        self.read_only = read_only

    # -- reading -------------------------------------------------------------------------------
    def _select(self, q) -> list:
        try:
            with self.engine.connect() as con:
                return list(con.execute(q).all())
        except sa.exc.SQLAlchemyError as exc:
            text = str(getattr(exc, "orig", exc)).lower()
            if self.read_only and any(s in text for s in ("no such table", "unable to open database", "does not exist")):
                return []  # a public screen before anything was recorded
            raise french_fault(exc) from exc

    def points(self, statuses: tuple[str, ...] | None = None, batch: str | None = None) -> list[Point]:
        q = sa.select(*(series_point.c[c] for c in POINT_COLUMNS)).order_by(series_point.c.id)
        if statuses is not None:
            q = q.where(series_point.c.status.in_(statuses))
        if batch is not None:
            q = q.where(series_point.c.batch == batch)
        return [Point(**dict(zip(POINT_COLUMNS, r, strict=True))) for r in self._select(q)]

    def in_force(self, published: bool = True) -> list[Point]:
        """The point in force for each (indicator, territory, millésime, perimeter): the last
        VALIDATED one (a withdrawn version gives way to the validated one before it); for the team
        (published=False) the last one validated or still proposed, marked by its status."""
        from .validation import PROPOSED, VALIDATED

        current: dict[tuple, Point] = {}
        for p in self.points(statuses=(VALIDATED,) if published else (VALIDATED, PROPOSED)):
            current[p.key] = p
        return list(current.values())

    def pending(self) -> list[Point]:
        from .validation import PROPOSED

        return self.points(statuses=(PROPOSED,))

    def indicators(self) -> list[NewIndicator]:
        q = sa.select(series_indicator).order_by(series_indicator.c.id)
        return [
            NewIndicator(r.id, r.label, r.unit, r.definition, r.higher_is_better, r.author, r.created_at) for r in self._select(q)
        ]

    def version(self) -> tuple:
        """Changes whenever the published set changes (a validation, a withdrawal, a new
        indicator): the caches of every process compare it (ui/cached.py)."""
        from .validation import VALIDATED

        # the validated set's size, sum and sum of squares of ids: a validation and a withdrawal in the
        # same 30 s cannot leave all three unchanged unless they swap equal multisets of ids
        ident = sa.cast(series_point.c.id, sa.BigInteger)
        rows = self._select(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(ident), 0),
                sa.func.coalesce(sa.func.sum(ident * ident), 0),
            ).where(series_point.c.status == VALIDATED)
        )
        ind = self._select(sa.select(sa.func.count()).select_from(series_indicator))
        return (tuple(rows[0]) if rows else (0, 0), ind[0][0] if ind else 0)

    # -- planning and writing ------------------------------------------------------------------
    def plan(self, rows: Iterable[dict]) -> list[Change]:
        """What writing these rows would do, compared with the points in force for the team."""
        current = {p.key: p for p in self.in_force(published=False)}
        out = []
        for row in rows:
            key = (row["indicator"], row["territory"], row["period"], row["perimeter"])
            before = current.get(key)
            if before is None:
                out.append(Change(row, "nouvelle"))
            elif all(_same(getattr(before, k), row.get(k)) for k in SAME):
                out.append(Change(row, "inchangée", before))
            else:
                out.append(Change(row, "modifiée", before))
        return out

    def write(
        self, rows: list[dict], origin: str, author: str, batch: str = "", indicators: Iterable[NewIndicator] = ()
    ) -> WriteReport:
        """Write checked rows (keys: indicator, territory, period, perimeter, value, decimals, unit,
        source, comment) and the new indicators in ONE transaction — all or nothing. A row equal to
        the point in force is not written again (no duplicate); a different one is a new version.
        Every point written is « proposée » with its first event."""
        from .validation import PROPOSED

        if self.read_only:
            raise StoreError("la base est en lecture seule sur ce serveur (rien n'a été enregistré)")
        if origin not in (OFFICIAL, TEAM):
            raise ValueError(origin)
        now = _now()
        report = WriteReport()
        plan = self.plan(rows)
        try:
            with self.engine.begin() as con:
                known = {r.id for r in con.execute(sa.select(series_indicator.c.id))}
                for ind in indicators:
                    if ind.id in known:
                        continue
                    con.execute(
                        series_indicator.insert().values(
                            id=ind.id,
                            label=ind.label,
                            unit=ind.unit,
                            definition=ind.definition,
                            higher_is_better=ind.higher_is_better,
                            author=author,
                            created_at=now,
                        )
                    )
                    report.indicators.append(ind.id)
                for ch in plan:
                    if ch.kind == "inchangée":
                        report.unchanged += 1
                        continue
                    report.changed += ch.kind == "modifiée"
                    values = {
                        "indicator": ch.row["indicator"],
                        "territory": ch.row["territory"],
                        "period": ch.row["period"],
                        "perimeter": ch.row["perimeter"],
                        "value": ch.row["value"],
                        "decimals": int(ch.row.get("decimals", 0)),
                        "unit": ch.row["unit"],
                        "source": ch.row["source"],
                        "origin": origin,
                        "batch": batch,
                        "comment": ch.row.get("comment", ""),
                        "author": author,
                        "recorded_at": now,
                        "status": PROPOSED,
                    }
                    new_id = int(con.execute(series_point.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]
                    report.written.append(Point(id=new_id, **values))
                if report.written:
                    con.execute(
                        series_event.insert(),
                        [
                            {"value_id": p.id, "action": PROPOSED, "actor": author, "at": now, "reason": ""}
                            for p in report.written
                        ],
                    )
        except sa.exc.SQLAlchemyError as exc:
            raise french_fault(exc) from exc
        return report


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if a is None or b is None:
            return a is b
        return Decimal(a) == Decimal(b)
    return (a or "") == (b or "") if isinstance(a, str) or isinstance(b, str) else a == b


# --- a point recorded by the team (the /suivi form « Prolonger une série du diagnostic ») --------
TEAM_TERRITORIES = ("ensemble-qpv", "compiegne", "arc")  # besides the five quartiers
PERIOD_RE = r"(20[1-3][0-9])(-(20[1-3][0-9]))?"
DEFAULT_PERIMETER = {"qpv": "qpv-2024", "poche": "poche", "compiegne": "commune", "arc": "epci", "ensemble-qpv": "qpv-2024"}


def contract_conflict(ds, indicator: str, territory: str, period: str) -> str | None:
    """Why a point may not be written: the contract already has a figure (or its « NA ») for this
    territory, indicator and millésime. A point follows the contract, it never replaces nor
    « completes » one of its figures: the contract's stay exactly as printed."""
    if indicator not in ds.catalogue or territory not in ds.territories:
        return None
    f = ds.figure(territory, indicator, period)
    if f.status == "absent":
        return None
    said = "« NA »" if f.missing else f"une valeur ({f.perimeter})"
    return (
        f"le contrat donne déjà {said} pour {ds.territories[territory].name} en {period} : ses chiffres restent tels "
        "qu'imprimés (un point suit le contrat, il ne le remplace ni ne le complète)"
    )


def team_territories(ds) -> list[str]:
    return [*ds.quartier_ids, *(t for t in TEAM_TERRITORIES if t in ds.territories)]


def allowed_perimeters(ds, territory: str) -> list[str]:
    """The perimeter codes a territory is measured on (the same rule as an official import): a QPV
    on its 2015 or 2024 boundaries, a poche on its square, the town as a commune, the ARC as an EPCI,
    all the QPV together on either QPV perimeter."""
    kind = ds.territories[territory].kind if territory in ds.territories else ""
    if territory == "compiegne":
        return ["commune"]
    if territory == "arc":
        return ["epci"]
    if kind == "poche":
        return ["poche"]
    return ["qpv-2024", "qpv-2015"]


def default_perimeter(ds, territory: str) -> str:
    """The perimeter code a value recorded today most likely has: QPV 2024 for a QPV (the 2015
    perimeters are those of the contract's series), the square for a poche, the commune, the EPCI."""
    kind = ds.territories[territory].kind if territory in ds.territories else ""
    return DEFAULT_PERIMETER.get(territory, DEFAULT_PERIMETER.get(kind, "qpv-2024"))


def check_point(
    ds,
    *,
    indicator: str,
    territory: str,
    period: str,
    perimeter: str,
    value_text: str,
    source: str,
    author: str,
    comment: str = "",
) -> dict:
    """Every rule of a point the team records for a catalogue series; the row for SeriesStore.write,
    or FollowupError (French, naming the field). The unit is the indicator's (never typed); the
    value follows the form's number rules (exact decimal, « 2.500 » refused as ambiguous); a rate
    stays within 0–100; nothing negative; the millésime is a year (or « 2020-2021 »), 2015–2030."""
    import re

    from .followup import MAX_COMMENT, MAX_SOURCE, FollowupError, _text, parse_number, shown

    if indicator not in ds.catalogue:
        raise FollowupError("indicateur", f"indicateur inconnu « {shown(indicator, 40)} »")
    if territory not in team_territories(ds):
        raise FollowupError(
            "territoire", f"territoire « {shown(territory)} » : choisissez parmi {', '.join(team_territories(ds))}."
        )
    p = (period or "").strip()
    m = re.fullmatch(PERIOD_RE, p)
    if not m or (m.group(3) and int(m.group(3)) <= int(m.group(1))) or not 2015 <= int(m.group(1)) <= 2030:
        raise FollowupError(
            "millésime", f"millésime « {shown(p, 20)} » invalide : une année (ex. 2023) ou deux (ex. 2022-2023), de 2015 à 2030."
        )
    if perimeter not in PERIMETERS:
        raise FollowupError("périmètre", f"périmètre inconnu « {shown(perimeter, 20)} » : {', '.join(PERIMETERS.values())}.")
    if perimeter not in allowed_perimeters(ds, territory):
        raise FollowupError(
            "périmètre",
            f"{ds.territories[territory].name} ne se mesure pas sur le périmètre « {PERIMETERS[perimeter]} » "
            f"(possibles : {', '.join(PERIMETERS[c] for c in allowed_perimeters(ds, territory))}).",
        )
    if (conflict := contract_conflict(ds, indicator, territory, p)) is not None:
        raise FollowupError("millésime", conflict + ".")
    unit = ds.catalogue[indicator].unit
    value = parse_number(value_text)
    if value < 0:
        raise FollowupError("valeur", "une valeur ne peut pas être négative (un taux, un effectif, un montant).")
    if unit == "pourcent" and value > 100:
        raise FollowupError("valeur", f"un taux est compris entre 0 et 100 % (saisi : {shown(value_text)}).")
    if unit == "fraction" and value > 1:
        raise FollowupError("valeur", f"une fraction est comprise entre 0 et 1 (saisi : {shown(value_text)}).")
    text = (value_text or "").strip().replace("\u00a0", " ").replace("\u202f", " ").rstrip("% ")
    decimals = len(text.replace(".", ",").partition(",")[2]) if "," in text or "." in text else 0
    return {
        "indicator": indicator,
        "territory": territory,
        "period": p,
        "perimeter": PERIMETERS[perimeter],
        "value": value,
        "decimals": decimals,
        "unit": unit,
        "source": _text(
            source, "source", MAX_SOURCE, "indiquez la source (ex. « Insee, RP 2021 » ou « bilan de la Mission locale »)."
        ),
        "comment": _text(comment, "commentaire", MAX_COMMENT, None, multiline=True),
        "author": _text(author, "auteur", 64, "connectez-vous : la valeur est enregistrée au nom de votre compte."),
    }
