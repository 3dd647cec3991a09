"""Benchmark probe: the router and the shared page frame with no page content (a title), to
measure what every page pays before its own code runs. Run as `app.py` would run a page."""

from ui.frame import page_setup

page_setup("Sonde du routeur")
