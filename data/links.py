"""Which référentiel follow-up indicators already have figures in the dashboard
(qpv_data/referentiel_links.yaml): a référentiel indicator whose text contains a link's `match`
(case- and accent-insensitive) is linked to that link's catalogue indicators.

A link to ONE catalogue indicator that is not a proxy is a **shared** indicator: the référentiel
indicator and the catalogue series are one measure, so they have one value — the series' points
(contract, official import, team entry) are the référentiel's yearly values (/avancement), and the
team records it once, as a point of the series. A proxy (`proxy:` in the file) only approaches what
the référentiel asks: it is shown beside, never counted as the référentiel's value."""

from __future__ import annotations

import unicodedata


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")


def linked_indicators(ds, text: str) -> list[str]:
    found: list[str] = []
    for link in ds.referentiel_links.links:
        if fold(link.match) in fold(text):
            found += [i for i in link.indicators if i not in found]
    return found


def proxy_note(ds, text: str) -> str:
    return " ".join(link.proxy for link in ds.referentiel_links.links if link.proxy and fold(link.match) in fold(text))


def shared_indicator(ds, text: str) -> str | None:
    """The catalogue indicator a référentiel indicator IS (one link, one indicator, no proxy), or None."""
    links = [link for link in ds.referentiel_links.links if fold(link.match) in fold(text)]
    if len(links) == 1 and len(links[0].indicators) == 1 and not links[0].proxy:
        return links[0].indicators[0]
    return None


def shared_links(ds) -> dict[str, str]:
    """{référentiel indicator key: the catalogue indicator it IS}, for every shared indicator of the
    référentiel; worked out once per dataset (the view, /avancement and the imports ask at each use)."""
    found = ds._memo.get("__shared__")
    if found is None:
        from .followup import referentiel_indicators

        found = {i.key: cid for i in referentiel_indicators(ds.framework) if (cid := shared_indicator(ds, i.label))}
        ds._memo["__shared__"] = found
    return found
