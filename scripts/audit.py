"""Known vulnerabilities in the installed dependencies, from PyPI's vulnerability data.

The rule: every distribution installed in this virtualenv (except the project itself) is
checked against PyPI's JSON API, which carries the OSV advisories that affect each release.
The run fails when any installed version has a known, not withdrawn vulnerability, and also
when a version could not be checked at all: a check that checked nothing is not a pass.

pip-audit first, where it is installed: it asks `/pypi/<name>/<version>/json`, and its answer
is used for every package it could audit. But pip-audit counts a package it could not look up
as "skipped" and still exits 0, and the machines this project is built on reach PyPI through
a mirror that answers the per-version endpoint with 404 (and cannot resolve api.osv.dev). So
whatever pip-audit skipped, or everything when it is not installed, is looked up here: the
per-version endpoint first (pip-audit's own source) and, when that is not served, the project
endpoint `/pypi/<name>/json`, whose `vulnerabilities` list belongs to the latest release —
used only when the installed version *is* that release. An installed version that is older
than the latest and cannot be looked up is reported as not audited (exit 2).

Usage: python scripts/audit.py [--index https://pypi.org] [--timeout 20] [--no-pip-audit]
Exit status: 0 no known vulnerability and everything audited, 1 vulnerabilities found,
2 something could not be audited.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PROJECT = "kommungemensamt"
PYPI = "https://pypi.org"
SOURCES = ("pip-audit", "release", "latest release")


@dataclass
class Result:
    name: str
    version: str
    source: str = ""
    vulnerabilities: list[dict] = field(default_factory=list)
    problem: str = ""


def _get_json(url: str, timeout: float) -> dict | None:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def _in_force(vulns: list[dict]) -> list[dict]:
    """The advisories of a release's `vulnerabilities` list that are not withdrawn.

    PyPI attaches an advisory to exactly the releases its OSV ranges cover, so that list is
    already the answer for the release. Its `fixed_in` names the fix on every branch (3.2.19,
    4.1.9 and 4.2.1, say) and says nothing about whether this release is past one of them:
    4.1.5 is newer than 3.2.19 and still affected. Like pip-audit, trust the list.
    """
    return [vuln for vuln in vulns if not vuln.get("withdrawn")]


def audit_one(name: str, version: str, index: str, timeout: float) -> Result:
    result = Result(name, version)
    try:
        data = _get_json(f"{index}/pypi/{name}/{version}/json", timeout)
        if data is not None:
            result.source = "release"
        else:
            data = _get_json(f"{index}/pypi/{name}/json", timeout)
            if data is None:
                result.problem = "not on PyPI"
                return result
            latest = data["info"]["version"]
            if Version(latest) != Version(version):
                result.problem = (
                    f"installed {version}, latest {latest}: PyPI's data for {version} "
                    "is not reachable from here"
                )
                return result
            result.source = "latest release"
    except (OSError, ValueError, KeyError) as error:
        result.problem = f"lookup failed: {error}"
        return result
    result.vulnerabilities = _in_force(data.get("vulnerabilities") or [])
    return result


def _run_pip_audit(timeout: float) -> dict | None:
    """pip-audit's JSON report on this environment, or None when it is missing or failed."""
    if importlib.util.find_spec("pip_audit") is None:
        print("pip-audit is not installed: every package is looked up here.")
        return None
    command = [sys.executable, "-m", "pip_audit", "--format", "json"]
    command += ["--progress-spinner", "off", "--skip-editable", "--timeout", str(int(timeout))]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
        # It exits 1 both on findings and on failure; the report on stdout tells them apart.
        return json.loads(run.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as error:
        print(f"pip-audit failed ({error}): every package is looked up here.")
        return None


def from_pip_audit(report: dict) -> dict[str, Result]:
    """The packages pip-audit did audit, by canonical name; the ones it skipped are left out."""
    results = {}
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep or "version" not in dep:
            continue
        vulns = [{"id": v["id"], "fixed_in": v.get("fix_versions", [])} for v in dep["vulns"]]
        name = canonicalize_name(dep["name"])
        results[name] = Result(name, dep["version"], "pip-audit", vulns)
    return results


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def installed() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name or canonicalize_name(name) == PROJECT:
            continue
        seen.setdefault(canonicalize_name(name), dist.version)
    return sorted(seen.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(
            "Fail when an installed dependency has a known vulnerability in PyPI's "
            "vulnerability data (OSV), or when one could not be looked up."
        )
    )
    parser.add_argument("--index", default=PYPI, help="PyPI base URL")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    parser.add_argument(
        "--no-pip-audit", action="store_true", help="look every package up here, not pip-audit"
    )
    args = parser.parse_args(argv)
    index = args.index.rstrip("/")

    packages = installed()
    print(f"Auditing {len(packages)} installed distributions against PyPI …", flush=True)
    by_pip_audit: dict[str, Result] = {}
    report = None
    # pip-audit always asks pypi.org, so it is left out when another index was asked for.
    if not args.no_pip_audit and index == PYPI:
        report = _run_pip_audit(args.timeout)
        if report is not None:
            by_pip_audit = from_pip_audit(report)
    done = {
        name: by_pip_audit[name]
        for name, version in packages
        if name in by_pip_audit and _same_version(by_pip_audit[name].version, version)
    }
    rest = [p for p in packages if p[0] not in done]
    if report is not None:
        print(f"pip-audit audited {len(done)} of {len(packages)}; the rest are looked up here.")
    with ThreadPoolExecutor(max_workers=8) as pool:
        looked_up = pool.map(lambda p: audit_one(p[0], p[1], index, args.timeout), rest)
        results = sorted([*done.values(), *looked_up], key=lambda r: r.name)

    vulnerable = [r for r in results if r.vulnerabilities]
    unaudited = [r for r in results if r.problem]
    for r in results:
        if r.problem:
            print(f"  NOT AUDITED {r.name} {r.version}: {r.problem}")
        for v in r.vulnerabilities:
            fixed = ", ".join(v.get("fixed_in") or []) or "no fix yet"
            print(f"  VULNERABLE  {r.name} {r.version}: {v.get('id')} (fixed in {fixed})")
    count = {s: sum(r.source == s for r in results) for s in SOURCES}
    print(
        f"{len(results) - len(unaudited)} of {len(results)} audited "
        f"({count['pip-audit']} by pip-audit, {count['release']} by release, "
        f"{count['latest release']} as latest release), "
        f"{sum(len(r.vulnerabilities) for r in vulnerable)} known vulnerabilities, "
        f"{len(unaudited)} not audited."
    )
    if vulnerable:
        return 1
    if unaudited:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
