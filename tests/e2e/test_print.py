"""Printing from the browser (print media, Chromium's own PDF): the content only — no navigation,
no widgets, no buttons — and the fiche's figures are all there."""

from __future__ import annotations

import io

import pypdf

from .conftest import ARTIFACTS, offline_page
from .test_browser import open_app, wait_texts


def test_printing_the_fiche_gives_the_content_only(browser, app_url):
    ctx, page = offline_page(browser, 1280, 1600)
    open_app(page, app_url + "/fiche?q=clos-des-roses")
    wait_texts(page, ["10 190 €", "En bref"])
    page.wait_for_timeout(1500)
    page.emulate_media(media="print")
    for hidden in (
        "[data-testid=stTopNav]",
        "[data-testid=stSelectbox]",
        "[data-testid=stDownloadButton]",
        "[data-testid=stPageLink]",
    ):
        loc = page.locator(hidden)
        assert loc.count() == 0 or all(not loc.nth(i).is_visible() for i in range(loc.count())), hidden
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "impression-fiche.pdf").write_bytes(pdf)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "Le Clos des Roses" in flat and "10 190 €" in flat and "63,1 %" in flat
    for chrome in ("Les quatre piliers", "Télécharger la fiche", "Présenter ce quartier", "Évaluation et concertation"):
        assert chrome not in flat, chrome
    ctx.close()
