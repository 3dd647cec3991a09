"""Pillar page « education »: diagnostic figures, orientations and objectives (see ui/pillar.py)."""

from ui.pillar import render

render("education")
