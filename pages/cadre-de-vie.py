"""Pillar page « cadre-de-vie »: diagnostic figures, orientations and objectives (see ui/pillar.py)."""

from ui.pillar import render

render("cadre-de-vie")
