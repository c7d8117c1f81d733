"""What `seed_bench` and the bench driver (bench/run.py) agree on; free of Django imports."""

from __future__ import annotations

# Bump when the generated data changes shape, so the bench driver reseeds an old database.
SEED_VERSION = 1


def marker(scale: str) -> str:
    """The comment `seed_bench` puts on a PostgreSQL database it has filled."""
    return f"seed_bench scale={scale} version={SEED_VERSION}"
