"""The scripts' shared harness (scripts/_harness.py: servers, HTTP, an own Redis) for tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("_harness", ROOT / "scripts" / "_harness.py")
assert _spec is not None and _spec.loader is not None
harness: Any = sys.modules.setdefault("_harness", importlib.util.module_from_spec(_spec))
if not hasattr(harness, "ROOT"):
    _spec.loader.exec_module(harness)
