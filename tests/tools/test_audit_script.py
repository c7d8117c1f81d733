"""scripts/audit.py fails on a known vulnerability and on anything it could not check."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "audit_script", Path(__file__).resolve().parents[2] / "scripts" / "audit.py"
)
audit = importlib.util.module_from_spec(_SPEC)
sys.modules["audit_script"] = audit  # dataclasses look their module up there
_SPEC.loader.exec_module(audit)

ADVISORY = {"id": "PYSEC-2099-1", "fixed_in": ["2.0.1"], "withdrawn": None}


def _fake_pypi(monkeypatch, answers: dict[str, dict | None]) -> None:
    def get_json(url: str, timeout: float) -> dict | None:
        return answers.get(url)

    monkeypatch.setattr(audit, "_get_json", get_json)
    monkeypatch.setattr(audit, "installed", lambda: [("libx", "2.0.0")])


def test_vulnerable_release_fails(monkeypatch, capsys):
    _fake_pypi(monkeypatch, {"I/pypi/libx/2.0.0/json": {"vulnerabilities": [ADVISORY]}})
    assert audit.main(["--index", "I"]) == 1
    assert "VULNERABLE  libx 2.0.0: PYSEC-2099-1 (fixed in 2.0.1)" in capsys.readouterr().out


def test_latest_release_data_used_only_for_the_latest_version(monkeypatch, capsys):
    _fake_pypi(
        monkeypatch, {"I/pypi/libx/json": {"info": {"version": "2.0.0"}, "vulnerabilities": []}}
    )
    assert audit.main(["--index", "I"]) == 0
    assert "1 of 1 audited (0 by release, 1 as latest release), 0 known" in capsys.readouterr().out


def test_older_version_without_its_own_data_is_not_a_pass(monkeypatch, capsys):
    _fake_pypi(
        monkeypatch, {"I/pypi/libx/json": {"info": {"version": "3.0.0"}, "vulnerabilities": []}}
    )
    assert audit.main(["--index", "I"]) == 2
    assert "NOT AUDITED libx 2.0.0: installed 2.0.0, latest 3.0.0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("advisory", "affected"),
    [
        (ADVISORY, True),
        ({**ADVISORY, "fixed_in": ["1.9"]}, False),
        ({**ADVISORY, "withdrawn": "2099-01-01"}, False),
        ({**ADVISORY, "fixed_in": []}, True),
    ],
)
def test_affecting(advisory, affected):
    assert bool(audit._affecting([advisory], "2.0.0")) is affected
