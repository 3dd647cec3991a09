"""Streamlit side: the page registry, the one cache layer, the page frame, the French wording and
the renderers of the figure model (page, PDF, CSV, charts, map)."""

# No submodule is imported here but ui.streamlit_private (which imports no ui module): see data/__init__.py —
# a package that imports its submodules deadlocks concurrent first imports (tests/test_imports.py).

# Once per process: a first visitor's deep link leaves « pages/ directory » mode and is rerun
# through the router (ui/streamlit_private.py). Every page imports a ui module before reading its address.
from ui import streamlit_private

streamlit_private.refuse_clear_cache()
streamlit_private.refuse_anonymous_uploads()
streamlit_private.route_through_app()
