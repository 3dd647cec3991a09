"""French number formatting: `9 456 €`, `66,4 %`, `+734 €`, `-3,3 points`.

Plain spaces are used as thousands separators (not U+00A0 / U+202F) so that the text a
person reads, copies or searches is the text the tests assert on; pages keep figures on one
line with CSS instead.
"""

from __future__ import annotations

import math
from decimal import Decimal

MISSING = "non disponible"
# first letters that take an elision (« d'environ », « l'ARC », « le nombre d'allocataires »)
ELIDING = "aeiouyàâäéèêëîïôöûüh"


def elides(word: str) -> bool:
    return word[:1].lower() in ELIDING


UNIT_SUFFIX = {
    "pourcent": " %",
    "euros": " €",
    "nombre": "",
    "ratio": "",
    "apl_consultations": "",
    "apl_etp": "",
    "fraction": "",
    "note": " sur 20",
}

# shares the contract words as fractions (unit « fraction »)
FRACTION_WORDS = {(1, 2): "la moitié", (1, 3): "un tiers", (1, 4): "un quart", (2, 3): "deux tiers", (3, 4): "trois quarts"}


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fr_number(value: float | int | None, decimals: int | None = None) -> str:
    """`9456` → `9 456`; `35.5` → `35,5`; decimals=None keeps the value's own precision."""
    if value is None or _is_missing(value):
        return MISSING
    if isinstance(value, Decimal) and decimals is None and value.is_finite():
        return fr_decimal(value)
    if not math.isfinite(float(value)):
        return "valeur hors limites"
    if decimals is None:
        # the value's own digits, never scientific notation (1e-05 → 0,00001)
        plain = format(Decimal(repr(float(value))).normalize(), "f")
        decimals = len(plain.split(".")[1]) if "." in plain else 0
    text = f"{abs(float(value)):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("-" if float(value) < 0 and float(text.replace(" ", "").replace(",", ".")) != 0 else "") + text


def fr_decimal(value: Decimal) -> str:
    """An exact decimal (follow-up values) with every digit it has: 1234.5 → « 1 234,5 »,
    0.00001 → « 0,00001 », never rounded through a float nor in scientific notation."""
    plain = format(value.normalize(), "f") if value != value.to_integral() else format(value.to_integral(), "f")
    sign = "-" if plain.startswith("-") else ""
    whole, _, frac = plain.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = " ".join([whole, *groups]) + ("," + frac if frac else "")
    return sign + text


def fr_euros(value, decimals: int | None = 0) -> str:
    return MISSING if _is_missing(value) else f"{fr_number(value, decimals)} €"


def fr_percent(value, decimals: int | None = None) -> str:
    return MISSING if _is_missing(value) else f"{fr_number(value, decimals)} %"


def fr_fraction(value: float) -> str:
    """1/3 → « un tiers » (the contract's words), else « 5/7 »."""
    from fractions import Fraction

    f = Fraction(value).limit_denominator(12)
    return FRACTION_WORDS.get((f.numerator, f.denominator), f"{f.numerator}/{f.denominator}")


def fr_value(value, unit: str, decimals: int | None = None) -> str:
    """Format a value in its catalogue unit, keeping the precision the source printed."""
    if _is_missing(value):
        return MISSING
    if unit == "fraction":
        return fr_fraction(value)
    return fr_number(value, decimals) + UNIT_SUFFIX.get(unit, "")


# how the contract words a value it gives (indicators.csv `qualifier`)
QUALIFIER_PREFIX = {"approx": "environ ", "lower_bound": "plus de ", "upper_bound": "moins de "}


def fr_qualified(value, unit: str, decimals: int | None, qualifier: str = "") -> str:
    """fr_value with the contract's wording kept: « environ 40 », « plus de 8 000 000 € »."""
    if _is_missing(value):
        return MISSING
    prefix, text = QUALIFIER_PREFIX.get(qualifier, ""), fr_value(value, unit, decimals)
    if prefix.endswith("de ") and elides(text):
        prefix = prefix[:-3] + "d'"  # « plus d'un tiers »
    return prefix + text


def fr_signed(value, decimals: int | None = None, suffix: str = "") -> str:
    """`734` → `+734`; `-3.3` with suffix ` points` → `-3,3 points`."""
    if _is_missing(value):
        return MISSING
    sign = "+" if value > 0 else ""
    return f"{sign}{fr_number(value, decimals)}{suffix}"


def fr_change(change, unit: str, decimals: int | None = None) -> str:
    """A change in the unit it is read in: rates move in points, counts and euros in their unit."""
    if _is_missing(change):
        return MISSING
    if unit == "pourcent":
        # French: « point » stays singular below 2
        return fr_signed(change, decimals, " point" if abs(change) < 2 else " points")
    return fr_signed(change, decimals, UNIT_SUFFIX.get(unit, ""))


def period_label(period: str) -> str:
    """Contract period ids to the French labels a reader expects."""
    if not period:
        return "période non précisée"
    if len(period) == 10 and period[4] == "-" and period[7] == "-":
        y, m, d = period.split("-")
        return f"{d}/{m}/{y}"
    if "-T" in period:
        y, q = period.split("-T")
        return f"T{q} {y}"
    if "-S" in period:
        y, h = period.split("-S")
        return f"{'1er' if h == '1' else '2e'} semestre {y}"
    if len(period) == 7 and period[4] == "-":
        months = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ]
        return f"{months[int(period[5:]) - 1]} {period[:4]}"
    return period
