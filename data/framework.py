"""Strategy framework (pillars → orientations → objectives), référentiel, governance,
residents' priorities, synthesis grid, the contract's readings and its inconsistencies."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from .errors import DataValidationError
from .paths import QPV_DATA


def _yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataValidationError(path.name, f"YAML illisible ({exc})") from exc


def load_framework(path: Path = QPV_DATA / "framework.yaml", schema_path: Path = QPV_DATA / "framework.schema.json") -> dict:
    doc = _yaml(path)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise DataValidationError(path.name, f"{where or 'racine'} : {exc.message}") from exc
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
    return [ob for ob in objectives(framework)
            if territory in ob["target_quartiers"] or (include_mentions and territory in ob["mentioned_quartiers"])]


def load_residents(path: Path = QPV_DATA / "residents.yaml") -> dict:
    doc = _yaml(path)
    for theme in doc["themes"]:
        for q in doc["quartiers"]:
            r = theme["ranks"].get(q)
            if r is None or not isinstance(r.get("rank"), int) or r["rank"] < 1:
                raise DataValidationError(path.name, f"thème « {theme['id']} » : rang manquant ou invalide pour « {q} »")
        top3 = sum(1 for q in doc["quartiers"] if theme["ranks"][q]["rank"] <= 3)
        if top3 != theme["top3_count"]:
            raise DataValidationError(path.name, f"thème « {theme['id']} » : « {theme['top3_count']}x » dans le Top 3 "
                                                 f"alors que les rangs en donnent {top3}")
    return doc


@lru_cache(maxsize=None)
def load_yaml_doc(name: str) -> dict:
    """governance, synthesis, quartiers, inconsistencies, perimeters."""
    return _yaml(QPV_DATA / f"{name}.yaml")
