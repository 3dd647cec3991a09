"""Streamlit side: the page registry, the one cache layer, the page frame, the French wording and
the renderers of the figure model (page, PDF, CSV, charts, map)."""

# Every submodule, once, in this order, by whichever session thread first needs the package (see
# data/__init__.py: concurrent first imports of a module graph can return half-built modules).
from ui import registry, document, wording, sentences, render, progress_view, exports, charts  # noqa: F401, I001
from ui import maps, pdf, locator, slides, cached, auth, admin, deeplink, frame, boot, pillar  # noqa: F401

# Then, once per process: a first visitor's deep link leaves « pages/ directory » mode and is
# rerun through the router (ui/deeplink.py). Nothing is left half-imported if it reruns.
deeplink.route_through_app()
