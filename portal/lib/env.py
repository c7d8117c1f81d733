"""Tiny helpers that read settings from the environment (healthchecks' style)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str) -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/systemd secrets)."""
    value = os.environ.get(name, "")
    if value:
        return value
    path = os.environ.get(f"{name}_FILE", "")
    if path:
        return Path(path).read_text().strip()
    return ""


def cache_config(url: str) -> dict[str, object]:
    """Turn CACHE_URL into a CACHES entry for one of Django's built-in backends.

    Supported: ``locmem://[name]``, ``dummy://``, ``redis://host:port/db`` (and ``rediss://``),
    ``file:///path``. Query ``?timeout=300&key_prefix=kg`` sets those options.
    """
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    config: dict[str, object]
    if parts.scheme == "locmem":
        config = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "kommungemensamt",
        }
    elif parts.scheme == "dummy":
        config = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    elif parts.scheme in {"redis", "rediss"}:
        config = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url.split("?", 1)[0],
        }
    elif parts.scheme == "file":
        config = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parts.path,
        }
    else:
        raise ValueError(f"CACHE_URL has an unsupported scheme: {parts.scheme!r}")
    if "timeout" in query:
        config["TIMEOUT"] = int(query["timeout"])
    if "key_prefix" in query:
        config["KEY_PREFIX"] = query["key_prefix"]
    return config
