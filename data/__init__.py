"""Data layer of the Quartiers 2030 dashboard: loaders, validation, analysis helpers.

Plain Python (pandas / GeoPandas / PyYAML): never imports streamlit. Pages cache these
functions in one thin place (pages/_frame.py).
"""
