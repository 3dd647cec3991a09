"""Validation before publication of the team's follow-up values.

A value recorded by the team (form, spreadsheet import, command line) is « proposée »: the team
sees it, marked; nothing public does. An administrateur validates it (it becomes public: public
screens, /avancement, the fiches, the public CSV) or refuses it with a reason. A validated value
can be withdrawn, with a reason (the previous validated value of the same indicator, territory and
year, if any, is then the one in force). Nothing is deleted or rewritten: each step is a row of
`followup_event` (who, when, what, why), and a correction is a new value.

Every function here re-checks the actor's right in the database (`accounts.require`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from .accounts import Account, Accounts, AuthError, require
from .db import StoreError, followup_event, followup_value, french_fault, series_event, series_point

PROPOSED, VALIDATED, REFUSED, WITHDRAWN = "proposee", "validee", "refusee", "retiree"
STATUS_LABELS = {PROPOSED: "proposée", VALIDATED: "validée", REFUSED: "refusée", WITHDRAWN: "retirée"}
MAX_REASON = 300
# which step may follow which
ALLOWED = {VALIDATED: {PROPOSED}, REFUSED: {PROPOSED}, WITHDRAWN: {VALIDATED}}


# which values a decision is about: the référentiel's follow-up values, or the points that extend
# the contract's series (data/series.py); both follow the same steps
KINDS = {"suivi": (followup_value, followup_event), "serie": (series_point, series_event)}


class ValidationError(ValueError):
    """A step refused, in French (unknown id, wrong status, missing reason); nothing was written."""


@dataclass(frozen=True)
class Event:
    value_id: int
    action: str
    actor: str
    at: str
    reason: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _reason(text: str | None, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError("indiquez la raison (elle est conservée avec la décision)")
    if len(text) > MAX_REASON:
        raise ValidationError(f"raison : {MAX_REASON} caractères au plus ({len(text)} saisis)")
    from .followup import refused_character

    if (why := refused_character(text, multiline=True)) is not None:  # control, bidi and invisible characters
        raise ValidationError(f"raison : {why}")
    return text


def record_proposals(con, ids: list[int], author: str, at: str) -> None:
    """The first step of new values (called in the transaction that writes them)."""
    if ids:
        con.execute(
            followup_event.insert(), [{"value_id": i, "action": PROPOSED, "actor": author, "at": at, "reason": ""} for i in ids]
        )


def decide(
    engine: sa.Engine,
    accounts: Accounts,
    actor: Account | None,
    ids: list[int],
    action: str,
    reason: str = "",
    kind: str = "suivi",
) -> list[int]:
    """Validate, refuse or withdraw values, all or none, by an administrateur re-read from the
    database. Returns the ids changed; ValidationError (French) when any id cannot take this step."""
    who = require(actor, "validate", accounts)
    values, steps = KINDS[kind]
    prefix = "S" if kind == "serie" else ""  # a series point is « S12 » on every screen and in the command line
    if action not in ALLOWED:
        raise ValidationError(f"décision inconnue « {action[:20]} »")
    reason = _reason(reason, required=action in (REFUSED, WITHDRAWN))
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise ValidationError("aucune valeur choisie")
    at = _now()
    try:
        with engine.begin() as con:
            rows = {r.id: r.status for r in con.execute(sa.select(values.c.id, values.c.status).where(values.c.id.in_(ids)))}
            missing = [i for i in ids if i not in rows]
            if missing:
                raise ValidationError(f"valeur inconnue : n° {', '.join(prefix + str(i) for i in missing)}")
            wrong = [i for i in ids if rows[i] not in ALLOWED[action]]
            if wrong:
                raise ValidationError(
                    f"la valeur n° {prefix}{wrong[0]} est « {STATUS_LABELS.get(rows[wrong[0]], rows[wrong[0]])} » : "
                    f"elle ne peut pas être {STATUS_LABELS[action]}"
                )
            # the status only moves forward from the one read (a concurrent decision changes nothing twice)
            for i in ids:
                n = con.execute(
                    values.update().where(values.c.id == i, values.c.status == rows[i]).values(status=action)
                ).rowcount
                if n != 1:
                    raise ValidationError(
                        f"la valeur n° {prefix}{i} vient d'être traitée par quelqu'un d'autre : rien n'a été changé"
                    )
            con.execute(
                steps.insert(),
                [{"value_id": i, "action": action, "actor": who.login, "at": at, "reason": reason} for i in ids],
            )
    except (ValidationError, AuthError, StoreError):
        raise
    except sa.exc.SQLAlchemyError as exc:
        raise french_fault(exc) from exc
    return ids


def events(engine: sa.Engine, value_id: int | None = None, kind: str = "suivi") -> list[Event]:
    steps = KINDS[kind][1]
    q = sa.select(steps).order_by(steps.c.id)
    if value_id is not None:
        q = q.where(steps.c.value_id == value_id)
    try:
        with engine.connect() as con:
            return [Event(r.value_id, r.action, r.actor, r.at, r.reason) for r in con.execute(q)]
    except sa.exc.SQLAlchemyError as exc:
        raise french_fault(exc) from exc
