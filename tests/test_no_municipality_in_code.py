"""No code names Tyresö (issue #24): the municipality is data, in kommun.Kommun.

Walks the repository's tracked files and fails on "Tyresö" (or "tyreso") in code, templates,
styles, settings and build files, naming each file and line. The Tyresö data set, tests,
documentation and translations may name it; see EXCLUDED for why each one may.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"tyres[oö]", re.IGNORECASE)
SUFFIXES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".toml", ".conf"}
FILENAMES = {"Makefile"}

# Where the name may stand, and why.
EXCLUDED = (
    # Migrations are history: an old migration keeps the field names and texts it had.
    re.compile(r"(^|/)migrations/"),
    # The Tyresö data set itself (datasets/tyreso.py, its steps and any data files of its own).
    re.compile(r"^datasets/(data/)?tyreso"),
    # Tests load Tyresö's data set and assert its texts word for word.
    re.compile(r"^tests/"),
    # Documentation and the README tell about Tyresö, where the portal began.
    re.compile(r"^docs/"),
    re.compile(r"^README\.md$"),
    # Translations are generated (makemessages) from the code, which this test covers.
    re.compile(r"^locale/"),
    # Benchmark results are recorded runs on Tyresö's data set.
    re.compile(r"^bench/results/"),
    # The benchmark's data: Tyresö's data set grown with generated rows (local place names).
    re.compile(r"^datasets/management/commands/seed_bench\.py$"),
)

# The data set's name, where a data set is chosen by name (the Makefile's DATASET, the
# loader's list of data sets): an identifier, not the municipality shown to anyone.
DATASET_NAME = re.compile(r"(?<![\w.])tyreso(?![\w.])|\bdatasets\.tyreso_steps\b")
CHOOSES_A_DATASET = re.compile(r"\bDATASET\b|load_dataset|\"tyreso\": \"datasets\.tyreso_steps\"")


def _names_tyreso(line: str) -> bool:
    if CHOOSES_A_DATASET.search(line):
        line = DATASET_NAME.sub("", line)
    return bool(NAME.search(line))


def _tracked_files() -> list[str]:
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        )
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"git ls-files could not list the repository's files: {error}")
    return [name for name in result.stdout.decode().split("\0") if name]


def _checked(name: str) -> bool:
    path = Path(name)
    if path.suffix not in SUFFIXES and path.name not in FILENAMES:
        return False
    return not any(rule.search(name) for rule in EXCLUDED)


def test_the_walk_sees_the_code() -> None:
    checked = [name for name in _tracked_files() if _checked(name)]
    # The walk must reach what it guards: the layout, settings and a view.
    assert {"templates/base.html", "portal/settings.py", "oppna_data/views.py"} <= set(checked)
    assert not _checked("datasets/tyreso.py") and not _checked("tests/conftest.py")
    assert _checked("Makefile") and _checked("deploy/nginx.conf")
    # The data set's name may choose a data set; the municipality's name may not hide there.
    assert not _names_tyreso("DATASET ?= tyreso")
    assert not _names_tyreso('call_command("load_dataset", "tyreso")')
    assert _names_tyreso("DATASET ?= tyreso  # Tyresö kommun")
    assert _names_tyreso('kommun = "tyreso"')


def test_no_code_names_tyreso() -> None:
    found = []
    for name in _tracked_files():
        if not _checked(name):
            continue
        path = ROOT / name
        if not path.is_file():  # deleted in the working tree, not yet committed
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if _names_tyreso(line):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    assert not found, "Tyresö named outside its data set:\n" + "\n".join(found)
