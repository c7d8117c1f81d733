"""Tiny helpers that read settings from the environment (healthchecks' style)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from redis.exceptions import RedisError

# What the backends `cache_config` chooses raise when their store is unreachable: redis-py's
# errors (server stopped, unreachable, timed out, still loading) and the file cache's OSError
# (folder not writable, disk full). The few places that use the cache catch these, so that an
# outage of the cache costs speed, never a page (docs/deploy.md, "Redis outage").
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)

# How long a Redis command may take before it counts as failed, in seconds. Redis answers in
# well under a millisecond; without a limit a hung or unreachable server would hold each
# request for redis-py's default of several seconds.
REDIS_SOCKET_TIMEOUT = 0.5


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
    ``file:///path``. Query ``?timeout=300&key_prefix=kg`` sets those options; for Redis,
    ``socket_timeout=0.5`` sets how long a command may take (REDIS_SOCKET_TIMEOUT).
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
        socket_timeout = float(query.get("socket_timeout", REDIS_SOCKET_TIMEOUT))
        config = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url.split("?", 1)[0],
            "OPTIONS": {
                "socket_connect_timeout": socket_timeout,
                "socket_timeout": socket_timeout,
            },
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
