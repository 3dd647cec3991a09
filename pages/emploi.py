"""Pillar page « emploi »: diagnostic figures, orientations and objectives (see ui/pillar.py)."""

from ui.pillar import render

render("emploi")
