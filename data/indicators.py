"""Indicator series, catalogue and territories: load once, validate loudly.

Validation is vectorised (one pandas pass per rule) so that a national-size file
(1 584 quartiers × 60 indicators × 12 periods ≈ 1,1 M rows) validates in seconds; each rule
reports the first offending row with its line number in the CSV (header = line 1).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .errors import DataValidationError

if TYPE_CHECKING:
    from .schemas import Indicator

INDICATOR_COLUMNS = ["territory", "indicator", "period", "value", "value_status", "source", "perimeter", "contract_ref"]
VALUE_STATUSES = {"ok", "na"}  # na: the contract prints NA / <NA> / <N/A>
# how the contract words a value it gives: "" exact, approx « environ / près de / une quarantaine »,
# lower_bound « plus de »
# upper_bound « moins de »
QUALIFIERS = {"", "approx", "lower_bound", "upper_bound"}
PERIOD_RE = r"^$|^\d{4}$|^\d{4}-\d{4}$|^\d{4}-\d{2}-\d{2}$|^\d{4}-T[1-4]$|^\d{4}-S[12]$|^\d{4}-\d{2}$"
# fraction: a share the contract words as a fraction (« plus d'un tiers »), stored « 1/3 », never as a
# rounded decimal
UNITS = {"nombre", "pourcent", "euros", "ratio", "apl_consultations", "apl_etp", "fraction", "note"}
FRACTION_RE = r"^\d+/\d+$"
NON_NEGATIVE_UNITS = UNITS  # no figure of the contract is a signed level; changes live in changes.csv


def _fail_first(mask: pd.Series, df: pd.DataFrame, file: str, reason) -> None:
    if mask.any():
        idx = mask.to_numpy().nonzero()[0][0]
        row = df.iloc[idx]
        raise DataValidationError(file, reason(row) if callable(reason) else reason, row=int(idx) + 2)


def validate_indicators(df: pd.DataFrame, catalogue: dict[str, Indicator], territories, file: str) -> pd.DataFrame:
    """Check every rule; return the frame with a float `value` and the printed `decimals`."""
    missing_cols = [c for c in INDICATOR_COLUMNS if c not in df.columns]
    if missing_cols:
        raise DataValidationError(file, f"colonne(s) manquante(s) : {', '.join(missing_cols)}")
    _fail_first(~df["territory"].isin(list(territories)), df, file, lambda r: f"territoire inconnu « {r['territory']} »")
    _fail_first(~df["indicator"].isin(list(catalogue)), df, file, lambda r: f"indicateur inconnu « {r['indicator']} »")
    # periods repeat a lot: check each distinct label once
    bad_periods = [p for p in df["period"].unique() if not re.match(PERIOD_RE, p)]
    _fail_first(
        df["period"].isin(bad_periods),
        df,
        file,
        lambda r: f"période « {r['period']} » hors format (AAAA, AAAA-AAAA, AAAA-MM-JJ, AAAA-MM, AAAA-Tn, AAAA-Sn ou vide)",
    )
    _fail_first(
        ~df["value_status"].isin(VALUE_STATUSES),
        df,
        file,
        lambda r: f"statut de valeur inconnu « {r['value_status']} » (attendu : ok ou na)",
    )
    if "qualifier" in df.columns:
        _fail_first(
            ~df["qualifier"].isin(QUALIFIERS),
            df,
            file,
            lambda r: f"qualificatif inconnu « {r['qualifier']} » (attendu : vide, approx, lower_bound ou upper_bound)",
        )
    for col in ("source", "perimeter", "contract_ref"):
        _fail_first(df[col].str.strip() == "", df, file, f"colonne « {col} » vide : chaque chiffre doit porter sa {col}")
    dup = df.duplicated(["territory", "indicator", "period"], keep="first")
    _fail_first(dup, df, file, lambda r: f"doublon pour ({r['territory']}, {r['indicator']}, « {r['period']} »)")

    raw = df["value"].str.strip()
    units = df["indicator"].map({k: v.unit for k, v in catalogue.items()})
    value = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
    is_fraction = units == "fraction"
    if is_fraction.any():
        _fail_first(
            is_fraction & ~raw.str.match(FRACTION_RE), df, file, lambda r: f"fraction « {r['value']} » hors format (a/b, ex. 1/3)"
        )
        parts = raw[is_fraction].str.split("/", expand=True).astype(float)
        _fail_first(is_fraction & (raw.str.split("/").str[-1] == "0"), df, file, lambda r: f"fraction « {r['value']} » invalide")
        value = value.where(~is_fraction, parts[0] / parts[1])
    is_na = df["value_status"] == "na"
    _fail_first(
        is_na & (raw != ""),
        df,
        file,
        lambda r: f"valeur « {r['value']} » alors que le statut est « na » (une valeur manquante reste vide, jamais 0)",
    )
    _fail_first(~is_na & value.isna(), df, file, lambda r: f"valeur non numérique « {r['value']} »")
    _fail_first(
        (units == "pourcent") & ((value < 0) | (value > 100)),
        df,
        file,
        lambda r: f"pourcentage hors de 0–100 : {r['value']} ({r['indicator']})",
    )
    _fail_first(
        units.isin(list(NON_NEGATIVE_UNITS)) & (value < 0),
        df,
        file,
        lambda r: f"valeur négative {r['value']} pour « {r['indicator']} » (un effectif ou un montant ne peut être négatif)",
    )

    out = df.copy()
    out["value_text"] = raw
    out["value"] = value
    out["unit"] = units
    out["decimals"] = printed_decimals(raw).where(~is_fraction, 0)
    for optional in ("qualifier", "note", "inferred"):
        if optional not in out.columns:
            out[optional] = ""
    # repeated labels as categories: a third of the memory and faster grouping at national size
    for col in ("territory", "indicator", "period", "value_status", "qualifier", "source", "perimeter", "contract_ref", "unit"):
        out[col] = out[col].astype("category")
    return out


def printed_decimals(raw: pd.Series) -> pd.Series:
    """Decimals as printed (« 56,0 » keeps its 0): characters after the separator. str.find is
    vectorised; a regex extract took 2,5 s on a national-size file (bench/scale.py)."""
    sep = raw.str.replace(",", ".", regex=False).str.find(".")
    return (raw.str.len() - sep - 1).where(sep >= 0, 0).astype("int64")


def read_indicator_csv(path: Path) -> pd.DataFrame:
    """Every column as text (« 56,0 » keeps its printed decimals); unreadable, empty or header-only
    files are French errors."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise DataValidationError(path.name, "fichier introuvable") from None
    except pd.errors.EmptyDataError:
        raise DataValidationError(path.name, "fichier vide") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataValidationError(path.name, f"CSV illisible ({type(exc).__name__})") from None
    if df.empty:
        raise DataValidationError(path.name, "aucune ligne de données (en-tête seul)")
    return df


def load_indicators(path: Path, catalogue, territories) -> pd.DataFrame:
    return validate_indicators(read_indicator_csv(path), catalogue, territories, path.name)


CHANGE_COLUMNS = [
    "territory",
    "indicator",
    "period_from",
    "period_to",
    "change",
    "change_unit",
    "measure",
    "source",
    "perimeter",
    "contract_ref",
    "quote",
]


def load_changes(path: Path, catalogue, territories) -> pd.DataFrame:
    """Changes the contract states in words (some without any level: EPCI poverty « +0,3 point »)."""
    df = read_indicator_csv(path)
    file = path.name
    missing_cols = [c for c in CHANGE_COLUMNS if c not in df.columns]
    if missing_cols:
        raise DataValidationError(file, f"colonne(s) manquante(s) : {', '.join(missing_cols)}")
    _fail_first(~df["territory"].isin(list(territories)), df, file, lambda r: f"territoire inconnu « {r['territory']} »")
    _fail_first(~df["indicator"].isin(list(catalogue)), df, file, lambda r: f"indicateur inconnu « {r['indicator']} »")
    for col in ("period_from", "period_to"):
        _fail_first(~df[col].str.match(PERIOD_RE), df, file, lambda r, c=col: f"période « {r[c]} » hors format")
    _fail_first(
        ~df["change_unit"].isin(["points", "€", "value", "%"]),
        df,
        file,
        lambda r: f"unité de variation inconnue « {r['change_unit']} »",
    )
    _fail_first(
        ~df["measure"].str.match(r"^(level|gap_to:[a-z0-9-]+)$"),
        df,
        file,
        lambda r: f"mesure inconnue « {r['measure']} » (level ou gap_to:<territoire>)",
    )
    change = pd.to_numeric(df["change"], errors="coerce")
    _fail_first(change.isna(), df, file, lambda r: f"variation non numérique « {r['change']} »")
    dup = df.duplicated(["territory", "indicator", "period_from", "period_to", "measure", "change_unit"])
    _fail_first(
        dup, df, file, lambda r: f"doublon pour ({r['territory']}, {r['indicator']}, {r['period_from']}→{r['period_to']})"
    )
    out = df.copy()
    out["change"] = change
    out["decimals"] = printed_decimals(df["change"].str.strip())
    return out


def period_sort_key(period: str) -> tuple:
    """Chronological order across the contract's heterogeneous period labels."""
    if not period:
        return (9999, 99, 99)
    m = re.match(r"^(\d{4})(?:-(\d{4})|-T(\d)|-S(\d)|-(\d{2})-(\d{2})|-(\d{2}))?$", period)
    if not m:
        return (9998, 0, 0)
    year = int(m[1])
    if m[2]:
        return (int(m[2]), 0, 0)  # a two-year period ends in its second year
    if m[3]:
        return (year, int(m[3]) * 3, 0)
    if m[4]:
        return (year, int(m[4]) * 6, 0)
    if m[5]:
        return (year, int(m[5]), int(m[6]))
    if m[7]:
        return (year, int(m[7]), 31)
    return (year, 12, 31)
