"""Streamlit side: the cache layer, the page registry and frame, the French wording, renderers."""
