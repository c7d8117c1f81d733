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
than the latest and cannot be looked up is reported as not audited (exit 2) – unless it is
*held back*: another installed package's requirement caps it (pysaml2 allows no xmlschema 3,
pyOpenSSL no cryptography 51) and it is the newest release that every such cap allows. Then
no upgrade could be made without dropping that package; it is named on a HELD BACK line in
every run, with the cap and the latest release, and does not fail the run. Its advisories are
still unknown here: a held-back line is a thing to check by hand, not a pass.

Usage: python scripts/audit.py [--index https://pypi.org] [--timeout 20] [--no-pip-audit]
Exit status: 0 no known vulnerability and everything audited or held back, 1 vulnerabilities
found, 2 something else could not be audited.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
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
    # Not audited, but no newer release may be installed: why (see the module's docstring).
    held_back: str = ""


def caps(name: str) -> list[tuple[str, Requirement]]:
    """The requirements on `name` of the installed distributions: (who, requirement)."""
    found = []
    for dist in metadata.distributions():
        for line in dist.requires or []:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if canonicalize_name(req.name) != name or not req.specifier:
                continue
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            found.append((dist.metadata["Name"], req))
    return found


def newest_allowed(releases: list[str], requirements: list[Requirement]) -> Version | None:
    """The newest final release that every requirement admits."""
    allowed = []
    for text in releases:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if all(req.specifier.contains(version) for req in requirements):
            allowed.append(version)
    return max(allowed, default=None)


# A lookup that fails on the network (a DNS answer lost, a reset connection) is tried again:
# one lost answer among ninety lookups must not fail the audit. An HTTP answer is final.
ATTEMPTS = 3


def _get_json(url: str, timeout: float) -> dict | None:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        except OSError:  # URLError, timeouts, resets
            if attempt == ATTEMPTS:
                raise
            time.sleep(attempt)
    return None


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
                held = caps(name)
                newest = newest_allowed(list(data.get("releases") or {}), [r for _, r in held])
                if held and newest == Version(version):
                    by = ", ".join(f"{who} ({req})" for who, req in held)
                    result.held_back = (
                        f"the newest release {by} allow(s); latest {latest}. PyPI's data for "
                        f"{version} is not reachable from here: check its advisories by hand"
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
    held_back = [r for r in unaudited if r.held_back]
    for r in results:
        if r.held_back:
            print(f"  HELD BACK   {r.name} {r.version}: {r.held_back}")
        elif r.problem:
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
        f"{len(unaudited)} not audited ({len(held_back)} of them held back by a cap)."
    )
    if vulnerable:
        return 1
    if len(unaudited) > len(held_back):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
