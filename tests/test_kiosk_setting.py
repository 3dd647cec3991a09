"""QUARTIERS_KIOSK: an unattended screen is a kiosk only on top of consultation mode."""

from __future__ import annotations

import pytest

from ui import document


@pytest.mark.parametrize(
    "mode,kiosk,expected",
    [
        ("consultation", "1", True),
        ("consultation", "oui", True),
        ("consultation", "", False),
        ("consultation", "0", False),
        ("", "1", False),  # the team's app is never a kiosk: its downloads stay
    ],
)
def test_kiosk_needs_consultation_mode(monkeypatch, mode, kiosk, expected):
    monkeypatch.setenv(document.MODE_ENV, mode)
    monkeypatch.setenv(document.KIOSK_ENV, kiosk)
    assert document.kiosk() is expected
