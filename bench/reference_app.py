"""Benchmark reference: a standalone one-file Streamlit app (no router, no page frame, no data
layer) drawing the same folium map of the three QPV (offline Leaflet, as the app) and one Altair
line chart. Every page's warm rerun, router included, is compared with this app's warm rerun
(bench/pages_bench.py). It reads the files directly, so it runs against any commit of the app."""

import sys
from pathlib import Path

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ui.maps import outline_map  # noqa: E402  (the app's offline Leaflet set-up)


@st.cache_resource
def data():
    qpv = gpd.read_file(ROOT / "geo" / "qpv2024_compiegne.geojson").rename(columns={"code_qp": "territory"})
    df = pd.read_csv(ROOT / "qpv_data" / "indicators.csv", dtype=str, keep_default_na=False)
    df = df[(df["indicator"] == "poverty_rate") & df["territory"].isin(["clos-des-roses", "la-victoire", "vivier-corax"])]
    return qpv, pd.DataFrame({"territoire": df["territory"], "période": df["period"], "valeur": df["value"].astype(float)})


st.title("Page de référence")
qpv, series = data()
st_folium(outline_map(qpv), key="ref_map", height=400, returned_objects=[])
st.altair_chart(
    alt.Chart(series)
    .mark_line(point=True)
    .encode(x="période:N", y="valeur:Q", color="territoire:N")
    .properties(width=600, height=300, title="Taux de pauvreté")
)
