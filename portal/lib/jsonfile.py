"""Reading a JSON file that an operator hands to a management command.

Every way the file can be bad gets one line that names the problem and never quotes the
file's content (an export holds personal data): missing, empty, truncated, damaged gzip,
binary, not JSON. A file that starts with gzip's magic bytes is decompressed first, so
`export_data | gzip > backup.json.gz` can be read back as it is.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"


class UnreadableFile(Exception):
    """The file cannot be read as JSON; the message is one line naming the problem."""


def read_json(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UnreadableFile(f"Cannot read {path}: {e.strerror}.") from None
    if raw.startswith(GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raise UnreadableFile(f"{path} is a truncated gzip file.") from None
        except (OSError, zlib.error):
            raise UnreadableFile(f"{path} is a damaged gzip file.") from None
    if not raw.strip():
        raise UnreadableFile(f"{path} is empty.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path} is a binary file, not JSON text (UTF-8).") from None
    del raw  # A backup can be large: not two copies of it while the JSON is parsed.
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        # A string left open, or an error at the very end, means the text stops too early.
        if e.msg.startswith("Unterminated string") or e.pos >= len(text.rstrip()):
            raise UnreadableFile(f"{path} is truncated: the JSON stops before its end.") from None
        raise UnreadableFile(
            f"{path} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}."
        ) from None
