"""Known vulnerabilities in the installed dependencies, from PyPI's vulnerability data.

The rule: every distribution installed in this virtualenv (except the project itself) is
looked up in PyPI's JSON API, which carries the OSV advisories that affect a release. The run
fails when any installed version has a known, not withdrawn vulnerability, and also when a
version could not be looked up at all: a check that checked nothing is not a pass.

Why not plain pip-audit: pip-audit asks `/pypi/<name>/<version>/json`, and the machines this
project is built on reach PyPI only through a mirror that answers the project endpoint
`/pypi/<name>/json` but not the per-version one (404), and they cannot resolve api.osv.dev.
So this script asks the per-version endpoint first (exactly pip-audit's source) and, when that
is not served, the project endpoint, whose `vulnerabilities` list belongs to the latest
release — used only when the installed version *is* that release. An installed version that
is older than the latest and cannot be looked up is reported as not audited (exit 2).

Usage: python scripts/audit.py [--index https://pypi.org] [--timeout 20]
Exit status: 0 no known vulnerability and everything audited, 1 vulnerabilities found,
2 something could not be audited.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

from packaging.utils import canonicalize_name
from packaging.version import Version

PROJECT = "kommungemensamt"


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


def _affecting(vulns: list[dict], version: str) -> list[dict]:
    """Advisories not withdrawn whose fixes (if any) are all newer than `version`."""
    installed = Version(version)
    found = []
    for vuln in vulns:
        if vuln.get("withdrawn"):
            continue
        fixed = [Version(v) for v in vuln.get("fixed_in") or []]
        if any(f <= installed for f in fixed):
            continue
        found.append(vuln)
    return found


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
    result.vulnerabilities = _affecting(data.get("vulnerabilities") or [], version)
    return result


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
    parser.add_argument("--index", default="https://pypi.org", help="PyPI base URL")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    args = parser.parse_args(argv)

    packages = installed()
    print(f"Auditing {len(packages)} installed distributions against PyPI …", flush=True)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda p: audit_one(p[0], p[1], args.index.rstrip("/"), args.timeout), packages
            )
        )
    vulnerable = [r for r in results if r.vulnerabilities]
    unaudited = [r for r in results if r.problem]
    for r in results:
        if r.problem:
            print(f"  NOT AUDITED {r.name} {r.version}: {r.problem}")
        for v in r.vulnerabilities:
            fixed = ", ".join(v.get("fixed_in") or []) or "no fix yet"
            print(f"  VULNERABLE  {r.name} {r.version}: {v.get('id')} (fixed in {fixed})")
    by_source = {s: sum(r.source == s for r in results) for s in ("release", "latest release")}
    print(
        f"{len(results) - len(unaudited)} of {len(results)} audited "
        f"({by_source['release']} by release, {by_source['latest release']} as latest release), "
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
