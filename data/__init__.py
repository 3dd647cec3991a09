"""Data layer of the Quartiers 2030 dashboard: typed records, loaders and validation, the figure
model, French number formats, the follow-up store.

Plain Python (pandas / GeoPandas / PyYAML / pydantic): never imports streamlit. The UI caches
these functions in one thin place (ui/cached.py).
"""

# Nothing is imported here, on purpose. Streamlit runs sessions on threads, and a package whose
# __init__ imports its submodules makes an import cycle with each of them (a submodule's
# « from . import x » waits for the package): two sessions entering at different submodules then
# deadlock, and Python breaks the deadlock by handing out half-built modules (« cannot import name
# … from partially initialized module », seen in the load test at server start). With no package
# imports and no cycle between submodules (tests/test_imports.py), concurrent first imports are safe.
