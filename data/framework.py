"""Strategy framework (pillars → orientations → objectives → référentiel), validated by its JSON
schema (qpv_data/framework.schema.json) plus the rules a schema cannot say."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from .errors import DataValidationError
from .schemas import _line_of, read_yaml


def load_framework(path: Path, schema_path: Path) -> dict:
    doc, node = read_yaml(path)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as exc:
        loc = tuple(exc.absolute_path)
        where = " › ".join(str(p) for p in loc)
        raise DataValidationError(path.name, f"{where or 'racine'} : {_schema_reason(exc)}", row=_line_of(node, loc)) from None
    ids = [ob["id"] for o in doc["orientations"] for ob in o["objectives"]]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise DataValidationError(path.name, f"objectif(s) en double : {sorted(dup)}")
    for o in doc["orientations"]:
        for ob in o["objectives"]:
            if int(ob["id"].split(".")[0]) != o["number"]:
                raise DataValidationError(path.name, f"l'objectif {ob['id']} est rangé sous l'orientation {o['number']}")
        for ax in o["referentiel"]["axes"]:
            if ax["objective_ref"] not in ids:
                raise DataValidationError(path.name, f"axe « {ax['axis']} » : objectif {ax['objective_ref']} inconnu")
    return doc


def objectives(framework: dict) -> list[dict]:
    """Flat list of the 34 objectives with their orientation and pillar attached."""
    out = []
    for o in framework["orientations"]:
        for ob in o["objectives"]:
            out.append({**ob, "orientation": o["number"], "orientation_title": o["title"], "pillar": o["pillar"]})
    return out


def objectives_for_quartier(framework: dict, territory: str, include_mentions: bool = True) -> list[dict]:
    return [
        ob
        for ob in objectives(framework)
        if territory in ob["target_quartiers"] or (include_mentions and territory in ob["mentioned_quartiers"])
    ]


def _schema_reason(exc: jsonschema.ValidationError) -> str:
    """jsonschema's messages are English: say the same in French."""
    reasons = {
        "required": "champ obligatoire absent",
        "additionalProperties": "champ inconnu",
        "type": "type inattendu",
        "enum": "valeur non autorisée",
        "pattern": "format invalide",
        "minItems": "liste trop courte",
        "minLength": "texte vide",
        "minimum": "valeur trop petite",
        "maximum": "valeur trop grande",
    }
    return reasons.get(exc.validator, "valeur invalide")
