"""import_data on a bad file: one line naming the problem, exit status 1, nothing written.

Every file here holds a resident's e-mail address and text (SECRET): no message may repeat
them, nor any other value of the file.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.db import connections

from granskning.models import Granskningslogg
from omraden.models import Inspel
from tests.backup.test_backup import snapshot
from tests.conftest import make_inspel, make_omrade, make_period, make_user

SECRET = "hemlig.invanare@example.org"


@pytest.fixture(autouse=True)
def _as_manage_py(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    # manage.py closes every connection when a command ends; the test still needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    # manage.py runs the system checks; tests run with DEBUG off, so SITE_URL must pass them.
    settings.SITE_URL = "https://testserver"


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """manage.py import_data as an operator runs it: exit status, stdout, stderr."""
    capsys.readouterr()
    try:
        execute_from_command_line(["manage.py", "import_data", *args])
    except SystemExit as e:
        status = int(e.code or 0)
    else:
        status = 0
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def export(db: None, tmp_path: Path) -> dict[str, Any]:
    """A real export of a small database (so the database is not empty: the file's faults
    are found first, before the check that the database is empty)."""
    make_omrade(slug="unga")
    make_user("kim")
    make_user("alex")
    make_inspel(epost=SECRET, namn="Hemlig Invånare", text=f"Skriv till {SECRET}")
    path = tmp_path / "export.json"
    call_command("export_data", output=str(path), verbosity=0)
    return json.loads(path.read_text())


def rows(data: dict[str, Any], label: str) -> list[dict[str, Any]]:
    return next(b["rows"] for b in data["models"] if b["model"] == label)


def _fails_with(path: Path, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()
    for args in ([str(path)], [str(path), "--dry-run"]):
        status, out, err = run(*args, capsys=capsys)
        assert status == 1
        assert out == ""
        assert err == f"CommandError: {message} Nothing was imported.\n"
        assert SECRET not in err
    assert snapshot() == before


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "fel.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# The file itself


def test_a_truncated_file(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(export)
    for cut in (len(text) // 2, text.index(SECRET) + 3, len(text) - 1):
        path = tmp_path / f"avklippt-{cut}.json"
        path.write_text(text[:cut], encoding="utf-8")
        _fails_with(path, f"{path} is truncated: the JSON stops before its end.", capsys)


def test_a_truncated_gzip_file(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = gzip.compress(json.dumps(export).encode())
    path = tmp_path / "export.json.gz"
    path.write_bytes(packed[: len(packed) // 2])
    _fails_with(path, f"{path} is a truncated gzip file.", capsys)


def test_a_damaged_gzip_file(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.json.gz"
    path.write_bytes(b"\x1f\x8b" + bytes(range(256)))
    _fails_with(path, f"{path} is a damaged gzip file.", capsys)


def test_an_empty_file(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tom.json"
    for content in (b"", b" \n"):
        path.write_bytes(content)
        _fails_with(path, f"{path} is empty.", capsys)


def test_binary_garbage(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bild.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)) * 4)
    _fails_with(path, f"{path} is a binary file, not JSON text (UTF-8).", capsys)


def test_text_that_is_not_json(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "anteckning.json"
    path.write_text(f"namn;epost\nHemlig;{SECRET}\n", encoding="utf-8")
    _fails_with(path, f"{path} is not valid JSON: Expecting value at line 1, column 1.", capsys)


def test_a_missing_file(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "finns-inte.json"
    _fails_with(path, f"Cannot read {path}: No such file or directory.", capsys)
    _fails_with(tmp_path, f"Cannot read {tmp_path}: Is a directory.", capsys)


def test_a_gzip_compressed_export_is_read_as_it_is(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.json.gz"
    path.write_bytes(gzip.compress(json.dumps(export).encode()))
    status, out, err = run(str(path), "--dry-run", capsys=capsys)
    # The file is sound; only the database (which holds data) stops it.
    assert status == 1
    assert err.startswith("CommandError: The database is not empty: ")


# The file's shape

BROKEN: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "a-list": (lambda d: [d], "This is not a Kommungemensamt export file."),
    "other-version": (lambda d: {**d, "version": 2}, "Export format version 2 is not supported."),
    "no-models": (lambda d: {**d, "models": {}}, "The file has no list of models."),
    "block-not-an-object": (
        lambda d: {**d, "models": [SECRET]},
        "Model block 1: expected an object with 'model' and 'rows'.",
    ),
    "rows-not-a-list": (
        lambda d: {**d, "models": [{"model": "omraden.inspel", "rows": {}}]},
        "Model block 1: expected an object with 'model' and 'rows'.",
    ),
    "unknown-model": (
        lambda d: {**d, "models": [{"model": SECRET, "rows": []}]},
        "The file has rows of an unknown model: ?.",
    ),
    "a-model-twice": (
        lambda d: {**d, "models": [*d["models"], {"model": "omraden.inspel", "rows": []}]},
        "The file has two blocks of omraden.inspel.",
    ),
    "row-not-an-object": (
        lambda d: rows(d, "omraden.inspel").insert(0, [SECRET]),
        "omraden.inspel, row 1: expected an object with 'pk' and 'fields'.",
    ),
    "unknown-field": (
        lambda d: rows(d, "omraden.inspel")[0]["fields"].update(personnummer=SECRET),
        "omraden.inspel, row 1: unknown field personnummer.",
    ),
    "wrong-type": (
        lambda d: rows(d, "omraden.inspel")[0]["fields"].update(skapad=SECRET),
        "omraden.inspel, row 1: skapad has a value of the wrong type.",
    ),
    "text-where-a-number-goes": (
        lambda d: rows(d, "omraden.inspel")[0].update(pk=SECRET),
        "omraden.inspel, row 1: id has a value of the wrong type.",
    ),
    "an-object-where-text-goes": (
        lambda d: rows(d, "omraden.inspel")[0]["fields"].update(epost={"a": SECRET}),
        "omraden.inspel, row 1: epost has a value of the wrong type.",
    ),
    "missing-required-value": (
        lambda d: rows(d, "omraden.inspel")[0]["fields"].update(text=None),
        "omraden.inspel, row 1: text is empty, but the column requires a value.",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_wrongly_shaped_file(
    case: str, export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, message = BROKEN[case]
    data = copy.deepcopy(export)
    changed = change(data)
    _fails_with(_write(tmp_path, data if changed is None else changed), message, capsys)


# Rows that do not fit together


def test_a_reference_to_a_row_that_is_not_in_the_file(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows(export, "omraden.omrade")[0]["fields"]["fadder"] = 999999
    message = (
        "omraden.omrade, row 1: fadder refers to a row of omraden.person that is not in the file."
    )
    _fails_with(_write(tmp_path, export), message, capsys)


def test_a_row_whose_model_is_left_out(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export["models"] = [b for b in export["models"] if b["model"] != "omraden.omrade"]
    rows(export, "omraden.inspel")[0]["fields"]["omrade"] = 1
    message = (
        "omraden.inspel, row 1: omrade refers to a row of omraden.omrade that is not in the file."
    )
    _fails_with(_write(tmp_path, export), message, capsys)


def test_a_primary_key_twice(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inspel = rows(export, "omraden.inspel")
    inspel.append(copy.deepcopy(inspel[0]))
    message = "omraden.inspel, row 2: id repeats the value of an earlier row."
    _fails_with(_write(tmp_path, export), message, capsys)


def test_a_unique_value_twice(
    export: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = rows(export, "auth.user")
    users[1]["fields"]["username"] = users[0]["fields"]["username"]
    message = "auth.user, row 2: username repeats the value of an earlier row."
    _fails_with(_write(tmp_path, export), message, capsys)


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_period(ar=2024, tertial=1)
    make_inspel(epost=SECRET)
    path = tmp_path / "export.json"
    call_command("export_data", output=str(path), verbosity=0)
    data = json.loads(path.read_text())
    call_command("flush", interactive=False, verbosity=0)
    # Only the database knows this rule (a check constraint): a tertial is 1, 2 or 3.
    rows(data, "uppfoljning.period")[0]["fields"]["tertial"] = 4
    message = (
        "The database refused the rows of uppfoljning.period: a repeated, missing or too long "
        "value, or a broken rule."
    )
    _fails_with(_write(tmp_path, data), message, capsys)
    assert not Inspel.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_of_a_sound_file_inserts_it_and_rolls_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_inspel(epost=SECRET)
    path = tmp_path / "export.json"
    call_command("export_data", output=str(path), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    before = snapshot()
    status, out, err = run(str(path), "--dry-run", capsys=capsys)
    assert (status, err) == (0, "")
    assert out.startswith("Dry run: the file is sound and fits this database (")
    assert snapshot() == before


def test_export_to_a_place_it_cannot_write(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "finns-inte" / "export.json"
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "export_data", "--output", str(path)])
    assert exit.value.code == 1
    assert capsys.readouterr().err == (
        f"CommandError: Cannot write {path}: No such file or directory.\n"
    )
    assert not Granskningslogg.objects.filter(handling="export").exists()
