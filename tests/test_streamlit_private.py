"""Streamlit's private API and front-end details the app depends on (ui/streamlit_private.py): an
upgrade that changes any of them fails here, loudly, instead of silently breaking deep links,
upload refusal, the page styles or the French translation."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit

from ui import streamlit_private as sp
from ui.document import SENTENCES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = Path(streamlit.__file__).parent / "static" / "static" / "js"


def front_end() -> str:
    files = sorted(BUNDLE.glob("*.js"))
    assert files, f"front end de Streamlit introuvable : {BUNDLE}"
    return "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files)


def test_the_installed_streamlit_is_the_series_this_module_was_written_for():
    major_minor = ".".join(streamlit.__version__.split(".")[:2])
    assert major_minor == sp.STREAMLIT_SERIES, (
        f"Streamlit {streamlit.__version__} installé, ui/streamlit_private.py écrit pour {sp.STREAMLIT_SERIES} : "
        "relisez ce module (API privée, data-testid, textes traduits), puis changez STREAMLIT_SERIES"
    )


def test_the_private_attributes_used_still_exist():
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.pages_manager import PagesManager

    assert isinstance(PagesManager.uses_pages_directory, bool | None)
    for name in ("_handle_clear_cache_request",):
        assert hasattr(AppSession, name), name
    for name in ("add_file", "get_upload_urls"):
        assert hasattr(MemoryUploadedFileManager, name), name


def test_every_data_testid_selected_is_listed_and_exists_in_the_front_end():
    used = set()
    for path in [*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        used |= set(re.findall(r"data-testid=[\"']?([A-Za-z]+)", path.read_text(encoding="utf-8")))
    assert used == set(sp.TESTIDS), (sorted(used - sp.TESTIDS), sorted(sp.TESTIDS - used))
    # every word the front end writes between quotes of one kind ("…", '…' or `…`), read in one pass over its
    # 22 MB (a search of the bundle per name and quote took 3 s of CPU, 14 s beside the other tests)
    quoted = {word for _, word in re.findall(r"([\"'`])([A-Za-z]+)\1", front_end())}
    gone = sorted(sp.TESTIDS - quoted)
    assert not gone, f"data-testid absents du front end de Streamlit {streamlit.__version__} : {gone}"


def test_every_english_string_translated_is_still_shown_by_the_front_end():
    bundle = front_end()
    own = {"streamlit_folium.st_folium"}  # a component's title, not in Streamlit's bundle
    # built from a template in the bundle: « Drag and drop ${…} here » (file or files)
    templated = {"Drag and drop file here": "Drag and drop ${", "Drag and drop files here": "Drag and drop ${"}
    missing = sorted(t for t in TRANSLATIONS if t not in own and templated.get(t, t) not in bundle)
    assert not missing, f"textes anglais traduits que Streamlit {streamlit.__version__} n'affiche plus : {missing}"
    sentences = {"MB per file": " per file`"}  # « ${size} per file »: the size is formatted by the front end
    # a file produced at the click that fails: the server's own message, shown by the front end
    server = (Path(streamlit.__file__).parent / "runtime" / "backend_operation_handler.py").read_text(encoding="utf-8")
    gone = [s for s in SENTENCES if sentences.get(s, s) not in bundle and s not in server]
    assert not gone, f"phrases traduites que Streamlit {streamlit.__version__} n'affiche plus : {gone}"
