"""Reference page for the benchmark: the cost of the components themselves — one folium map
of the three QPV polygons and one Altair line chart, through the same cached loaders."""

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ui import cached
from ui.maps import outline_map

st.title("Page de référence")
shapes = cached.shapes()
st_folium(outline_map(shapes[shapes["kind"] == "qpv"]), key="ref_map", height=400, returned_objects=[])
df = cached.series_frame()
sub = df[(df["indicator"] == "poverty_rate") & df["territory"].isin(["clos-des-roses", "la-victoire", "vivier-corax"])]
st.altair_chart(
    alt.Chart(pd.DataFrame(sub[["territory", "period", "value"]]))
    .mark_line(point=True)
    .encode(x="period:N", y="value:Q", color="territory:N")
    .properties(width=600, height=300, title="Taux de pauvreté")
)
