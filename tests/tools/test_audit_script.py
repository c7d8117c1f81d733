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

# One advisory fixed on three branches. Its OSV ranges are introduced 0 / fixed 3.2.19,
# introduced 4.0 / fixed 4.1.9 and introduced 4.2 / fixed 4.2.1; PyPI attaches it to the
# releases those ranges cover, and `fixed_in` lists all three fixes.
BRANCHES = {"id": "PYSEC-2099-2", "fixed_in": ["3.2.19", "4.1.9", "4.2.1"], "withdrawn": None}
BRANCH_RELEASES = {
    "3.2.18": [BRANCHES],
    "3.2.19": [],
    "4.1.5": [BRANCHES],
    "4.1.9": [],
    "4.2.0": [BRANCHES],
    "4.2.1": [],
    "5.0": [],
}


def _fake_pypi(
    monkeypatch, answers: dict[str, dict | None], version: str = "2.0.0", name: str = "libx"
) -> None:
    def get_json(url: str, timeout: float) -> dict | None:
        return answers.get(url)

    monkeypatch.setattr(audit, "_get_json", get_json)
    monkeypatch.setattr(audit, "installed", lambda: [(name, version)])


def test_vulnerable_release_fails(monkeypatch, capsys):
    _fake_pypi(monkeypatch, {"I/pypi/libx/2.0.0/json": {"vulnerabilities": [ADVISORY]}})
    assert audit.main(["--index", "I"]) == 1
    assert "VULNERABLE  libx 2.0.0: PYSEC-2099-1 (fixed in 2.0.1)" in capsys.readouterr().out


def test_a_fix_on_an_older_branch_does_not_hide_the_advisory(monkeypatch, capsys):
    # The bug of issue 18: 3.2.19 <= 4.1.5 made the script skip this advisory.
    _fake_pypi(
        monkeypatch, {"I/pypi/libx/4.1.5/json": {"vulnerabilities": [BRANCHES]}}, version="4.1.5"
    )
    assert audit.main(["--index", "I"]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE  libx 4.1.5: PYSEC-2099-2 (fixed in 3.2.19, 4.1.9, 4.2.1)" in out
    assert "1 of 1 audited (0 by pip-audit, 1 by release, 0 as latest release), 1 known" in out


@pytest.mark.parametrize(
    ("version", "exit_status"),
    [("4.1.5", 1), ("4.1.9", 0), ("4.2.0", 1), ("3.2.18", 1), ("3.2.19", 0), ("5.0", 0)],
)
def test_each_release_gets_its_own_answer(monkeypatch, version, exit_status):
    answers = {
        f"I/pypi/libx/{v}/json": {"vulnerabilities": vs} for v, vs in BRANCH_RELEASES.items()
    }
    _fake_pypi(monkeypatch, answers, version=version)
    assert audit.main(["--index", "I"]) == exit_status


def test_the_latest_release_is_reported_too(monkeypatch, capsys):
    _fake_pypi(
        monkeypatch,
        {"I/pypi/libx/json": {"info": {"version": "4.2.0"}, "vulnerabilities": [BRANCHES]}},
        version="4.2.0",
    )
    assert audit.main(["--index", "I"]) == 1
    assert "VULNERABLE  libx 4.2.0: PYSEC-2099-2" in capsys.readouterr().out


def test_latest_release_data_used_only_for_the_latest_version(monkeypatch, capsys):
    _fake_pypi(
        monkeypatch, {"I/pypi/libx/json": {"info": {"version": "2.0.0"}, "vulnerabilities": []}}
    )
    assert audit.main(["--index", "I"]) == 0
    assert (
        "1 of 1 audited (0 by pip-audit, 0 by release, 1 as latest release), 0 known"
        in capsys.readouterr().out
    )


def test_older_version_without_its_own_data_is_not_a_pass(monkeypatch, capsys):
    _fake_pypi(
        monkeypatch, {"I/pypi/libx/json": {"info": {"version": "3.0.0"}, "vulnerabilities": []}}
    )
    assert audit.main(["--index", "I"]) == 2
    assert "NOT AUDITED libx 2.0.0: installed 2.0.0, latest 3.0.0" in capsys.readouterr().out


def _capped(monkeypatch, spec: str) -> None:
    req = audit.Requirement(f"libx{spec}")
    monkeypatch.setattr(audit, "caps", lambda name: [("libcap", req)] if name == "libx" else [])


RELEASES = {"1.9.0": [], "2.0.0": [], "2.1.0rc1": [], "3.0.0": []}


def test_a_version_held_back_by_a_cap_is_named_and_does_not_fail(monkeypatch, capsys):
    # libcap requires libx<3: 2.0.0 is the newest final release it allows (not the rc).
    answer = {"info": {"version": "3.0.0"}, "vulnerabilities": [], "releases": RELEASES}
    _fake_pypi(monkeypatch, {"I/pypi/libx/json": answer})
    _capped(monkeypatch, "<3,>=1.0")
    assert audit.main(["--index", "I"]) == 0
    out = capsys.readouterr().out
    assert "HELD BACK   libx 2.0.0: the newest release libcap (libx<3,>=1.0) allow(s)" in out
    assert "latest 3.0.0" in out and "check its advisories by hand" in out
    assert "1 not audited (1 of them held back by a cap)" in out


def test_a_capped_version_with_a_newer_allowed_release_still_fails(monkeypatch, capsys):
    # libx<4 admits 3.0.0: staying on 2.0.0 is a choice, not a cap.
    answer = {"info": {"version": "3.0.0"}, "vulnerabilities": [], "releases": RELEASES}
    _fake_pypi(monkeypatch, {"I/pypi/libx/json": answer})
    _capped(monkeypatch, "<4")
    assert audit.main(["--index", "I"]) == 2
    assert "NOT AUDITED libx 2.0.0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("advisory", "in_force"),
    [
        (ADVISORY, True),
        ({**ADVISORY, "fixed_in": ["1.9"]}, True),
        (BRANCHES, True),
        ({**ADVISORY, "withdrawn": "2099-01-01"}, False),
        ({**ADVISORY, "fixed_in": []}, True),
    ],
)
def test_in_force(advisory, in_force):
    assert bool(audit._in_force([advisory])) is in_force


# pip-audit: its report is used for what it audited; what it skipped is looked up here.


def _pip_audit_report(*deps: dict) -> dict:
    return {"dependencies": list(deps), "fixes": []}


def _skipped(name: str, version: str) -> dict:
    reason = f"Dependency not found on PyPI and could not be audited: {name} ({version})"
    return {"name": name, "skip_reason": reason}


def test_pip_audit_finding_fails(monkeypatch, capsys):
    report = _pip_audit_report(
        {
            "name": "libx",
            "version": "4.1.5",
            "vulns": [{"id": "PYSEC-2099-2", "fix_versions": ["3.2.19", "4.1.9", "4.2.1"]}],
        }
    )
    monkeypatch.setattr(audit, "_run_pip_audit", lambda timeout: report)
    _fake_pypi(monkeypatch, {}, version="4.1.5")
    assert audit.main([]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE  libx 4.1.5: PYSEC-2099-2 (fixed in 3.2.19, 4.1.9, 4.2.1)" in out
    assert "1 of 1 audited (1 by pip-audit, 0 by release, 0 as latest release), 1 known" in out


def test_pip_audit_clean_passes_without_own_lookups(monkeypatch, capsys):
    report = _pip_audit_report({"name": "libx", "version": "2.0.0", "vulns": []})
    monkeypatch.setattr(audit, "_run_pip_audit", lambda timeout: report)
    _fake_pypi(monkeypatch, {})  # any own lookup would find nothing: not audited
    assert audit.main([]) == 0
    assert "1 of 1 audited (1 by pip-audit," in capsys.readouterr().out


def test_what_pip_audit_skipped_is_looked_up_here(monkeypatch, capsys):
    monkeypatch.setattr(
        audit, "_run_pip_audit", lambda timeout: _pip_audit_report(_skipped("libx", "2.0.0"))
    )
    _fake_pypi(
        monkeypatch,
        {"https://pypi.org/pypi/libx/json": {"info": {"version": "2.0.0"}, "vulnerabilities": []}},
    )
    assert audit.main([]) == 0
    assert "(0 by pip-audit, 0 by release, 1 as latest release)" in capsys.readouterr().out


def test_pip_audit_skipping_everything_is_not_a_pass(monkeypatch, capsys):
    # pip-audit itself exits 0 here ("No known vulnerabilities found").
    monkeypatch.setattr(
        audit, "_run_pip_audit", lambda timeout: _pip_audit_report(_skipped("libx", "2.0.0"))
    )
    _fake_pypi(
        monkeypatch,
        {"https://pypi.org/pypi/libx/json": {"info": {"version": "3.0.0"}, "vulnerabilities": []}},
    )
    assert audit.main([]) == 2
    assert "0 of 1 audited" in capsys.readouterr().out


def test_pip_audit_of_another_version_is_not_used(monkeypatch):
    report = _pip_audit_report({"name": "libx", "version": "1.0", "vulns": []})
    monkeypatch.setattr(audit, "_run_pip_audit", lambda timeout: report)
    _fake_pypi(monkeypatch, {})
    assert audit.main([]) == 2


def test_pip_audit_is_not_asked_for_another_index_or_when_turned_off(monkeypatch):
    def fail(timeout):
        raise AssertionError("pip-audit was run")

    monkeypatch.setattr(audit, "_run_pip_audit", fail)
    _fake_pypi(monkeypatch, {"I/pypi/libx/2.0.0/json": {"vulnerabilities": []}})
    assert audit.main(["--index", "I"]) == 0
    _fake_pypi(monkeypatch, {"https://pypi.org/pypi/libx/2.0.0/json": {"vulnerabilities": []}})
    assert audit.main(["--no-pip-audit"]) == 0


def test_missing_pip_audit_means_own_lookups(monkeypatch, capsys):
    monkeypatch.setattr(audit.importlib.util, "find_spec", lambda name: None)
    assert audit._run_pip_audit(20) is None
    assert "pip-audit is not installed" in capsys.readouterr().out


def test_a_failed_pip_audit_means_own_lookups(monkeypatch, capsys):
    class Run:
        stdout = ""

    monkeypatch.setattr(audit.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(audit.subprocess, "run", lambda *args, **kwargs: Run())
    assert audit._run_pip_audit(20) is None
    assert "pip-audit failed" in capsys.readouterr().out


class _Answer:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self, *args):
        return b'{"info": {"version": "1.0"}}'


def _urlopen_failing(times: int, calls: list[str]):
    import urllib.error

    def urlopen(request, timeout):
        calls.append(request.full_url)
        if len(calls) <= times:
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        return _Answer()

    return urlopen


def test_a_lookup_lost_on_the_network_is_tried_again(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(audit.urllib.request, "urlopen", _urlopen_failing(2, calls))
    monkeypatch.setattr(audit.time, "sleep", lambda seconds: None)
    assert audit._get_json("https://pypi.example/pypi/libx/json", 1) == {"info": {"version": "1.0"}}
    assert len(calls) == 3


def test_a_lookup_that_keeps_failing_is_reported(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(audit.urllib.request, "urlopen", _urlopen_failing(9, calls))
    monkeypatch.setattr(audit.time, "sleep", lambda seconds: None)
    result = audit.audit_one("libx", "1.0", "https://pypi.example", 1)
    assert result.problem.startswith("lookup failed") and len(calls) == audit.ATTEMPTS
