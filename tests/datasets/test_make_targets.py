"""Which data set `make run`, `make run-worker` and `make demo` load (DATASET, default tyreso)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def planned(*args: str) -> str:
    """The commands make would run (make -n runs none of them)."""
    out = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.mark.parametrize("target", ["run", "run-worker"])
def test_it_loads_tyreso_unless_told_otherwise(target: str) -> None:
    assert "manage.py load_dataset tyreso\n" in planned(target)
    assert "manage.py load_dataset exempelkommun\n" in planned(target, "DATASET=exempelkommun")


@pytest.mark.parametrize("target", ["run", "run-worker", "demo"])
def test_an_empty_data_set_starts_an_empty_portal(target: str) -> None:
    commands = planned(target, "DATASET=")
    assert "manage.py migrate" in commands
    assert "load_dataset" not in commands
    assert "manage.py runserver" in commands


def test_demo_adds_the_demo_data_to_the_data_set() -> None:
    assert "manage.py load_dataset tyreso --demo\n" in planned("demo")
    assert "manage.py load_dataset exempelkommun --demo\n" in planned(
        "demo", "DATASET=exempelkommun"
    )
