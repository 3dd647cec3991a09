"""Data layer of the Quartiers 2030 dashboard: typed records, loaders and validation, the figure
model, French number formats, the follow-up store.

Plain Python (pandas / GeoPandas / PyYAML / pydantic): never imports streamlit. The UI caches
these functions in one thin place (ui/cached.py).
"""

# Every submodule, once, in this order, by whichever thread first needs the package. Streamlit
# runs sessions on threads: first imports entering the module graph at different points at the
# same time can be handed partially initialised modules (« cannot import name … », seen in the
# load test at server start). Importing the whole package in one fixed order avoids that.
from . import errors, paths, formatting, indicators, schemas, framework, geo, dataset, model, db, accounts, csvio, followup  # noqa: F401, I001
