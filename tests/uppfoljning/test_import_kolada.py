from __future__ import annotations

import gzip
import io
import json
import urllib.error
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections

from kommun.models import Kommun
from tests.conftest import make_indikator
from uppfoljning.kolada import ApiSource, KoladaError, data_url, kpi_url
from uppfoljning.models import Indikator, Matvarde

KPI = "U99999"
TITLE = "Delaktighetsindex, andel (%) av maxpoäng"

# The municipality's record names its Kolada id, 0138 (Tyresö): its rows are imported.
pytestmark = pytest.mark.usefixtures("kommun")


def meta(**kwargs: Any) -> dict[str, Any]:
    obj = {"id": KPI, "title": TITLE, "is_divided_by_gender": False}
    obj.update(kwargs)
    return {"count": 1, "values": [obj]}


def row(municipality: str, period: Any, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"kpi": KPI, "municipality": municipality, "period": period, "values": list(entries)}


def t(value: Any, status: str = "") -> dict[str, Any]:
    return {"gender": "T", "status": status, "value": value}


def write(tmp_path: Path, pages: list[dict[str, Any]], kpi_meta: Any = None) -> str:
    path = tmp_path / "kolada.json"
    content = {"kpis": {KPI: {"meta": kpi_meta or meta(), "pages": pages}}}
    path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_kolada", *args, "--years", "2019-2024", stdout=out)
    return out.getvalue()


def values() -> list[tuple[int, Decimal | None, Decimal | None, str]]:
    return list(Matvarde.objects.order_by("ar").values_list("ar", "kommun", "riket", "kalla"))


@pytest.fixture
def indikator(db: None) -> Indikator:
    return make_indikator(slug="delaktighetsindex", kolada_kpi=KPI, kolada_titel=TITLE)


PAGE = {
    "values": [
        row("0138", 2022, t(60)),
        row("0000", 2022, t(57.5)),
        row("0138", 2023, t(61)),
        row("0000", 2023, t(58)),
    ],
    "next_url": None,
}


def test_it_stores_the_municipality_and_the_nation_per_year(
    indikator: Indikator, tmp_path: Path
) -> None:
    out = run("--file", write(tmp_path, [PAGE]))
    assert values() == [
        (2022, Decimal(60), Decimal("57.5"), "kolada"),
        (2023, Decimal(61), Decimal(58), "kolada"),
    ]
    assert "delaktighetsindex 2023: created (Tyresö 61, riket 58)" in out
    assert out.strip().endswith("2 created, 0 updated, 0 unchanged.")


def test_it_follows_next_url_through_every_page(indikator: Indikator, tmp_path: Path) -> None:
    pages = [
        {
            "values": [row("0138", 2022, t(60))],
            "next_url": f"{data_url(KPI, range(2019, 2025), '0138')}?page=2",
        },
        {"values": [row("0000", 2022, t(57))], "next_url": None},
    ]
    run("--file", write(tmp_path, pages))
    assert values() == [(2022, Decimal(60), Decimal(57), "kolada")]


def test_it_reads_a_period_given_as_a_string(indikator: Indikator, tmp_path: Path) -> None:
    page = {"values": [row("0138", "2021", t(58)), row("0000", " 2021", t(58))], "next_url": None}
    run("--file", write(tmp_path, [page]))
    assert values() == [(2021, Decimal(58), Decimal(58), "kolada")]


def test_a_missing_value_is_left_out_never_zero(indikator: Indikator, tmp_path: Path) -> None:
    page = {
        "values": [
            row("0138", 2022, t(None, "Missing")),
            row("0000", 2022, t(57)),
            row("0138", 2023, t(None, "Missing")),
            row("0000", 2023, t(None, "Missing")),
        ],
        "next_url": None,
    }
    run("--file", write(tmp_path, [page]))
    assert values() == [(2022, None, Decimal(57), "kolada")]


def test_it_takes_the_total_of_a_kpi_split_by_gender(indikator: Indikator, tmp_path: Path) -> None:
    page = {
        "values": [
            row(
                "0138",
                2023,
                {"gender": "K", "status": "", "value": 64},
                {"gender": "M", "status": "", "value": 58},
                t(61),
            ),
            row("0000", 2023, {"gender": "K", "value": 60}, {"gender": "M", "value": 56}),
        ],
        "next_url": None,
    }
    run("--file", write(tmp_path, [page], meta(is_divided_by_gender=True)))
    # Riket has no total in this answer: missing, not K + M and not K alone.
    assert values() == [(2023, Decimal(61), None, "kolada")]


def test_a_changed_kpi_title_stops_the_import(indikator: Indikator, tmp_path: Path) -> None:
    path = write(tmp_path, [PAGE], meta(title="Något helt annat"))
    with pytest.raises(CommandError, match="title of Kolada KPI U99999 has changed"):
        run("--file", path)
    assert values() == []


@pytest.mark.parametrize(
    "page",
    [
        {"values": [row("0138", 2022, t(60)), row("0000", "tjugo", t(57))], "next_url": None},
        {"values": [row("0138", 2022, t(60)), row("0000", 2022, t("mycket"))], "next_url": None},
        {"values": [row("0138", 2022, t(60)), {"kpi": "N00001", "municipality": "0000"}]},
        {"values": [row("0138", 2022, t(60)), row("0138", 2022, t(61))], "next_url": None},
        {"rows": []},
    ],
    ids=["bad-period", "bad-value", "other-kpi", "duplicate-year", "no-values"],
)
def test_malformed_input_is_refused_and_nothing_is_written(
    indikator: Indikator, tmp_path: Path, page: dict[str, Any]
) -> None:
    # The first page is fine: the second one's fault still means nothing at all is written.
    first = dict(PAGE, next_url=f"{data_url(KPI, range(2019, 2025), '0138')}?page=2")
    with pytest.raises(CommandError, match="Nothing was imported"):
        run("--file", write(tmp_path, [first, page]))
    assert values() == []


def test_an_incomplete_file_is_refused(indikator: Indikator, tmp_path: Path) -> None:
    page = dict(PAGE, next_url=f"{data_url(KPI, range(2019, 2025), '0138')}?page=2")
    with pytest.raises(CommandError, match="the file is incomplete"):
        run("--file", write(tmp_path, [page]))
    assert values() == []


def test_a_file_that_is_not_json_is_refused(indikator: Indikator, tmp_path: Path) -> None:
    path = tmp_path / "trasig.json"
    path.write_text("{ inte json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid JSON"):
        run("--file", str(path))


def test_a_second_run_changes_nothing(indikator: Indikator, tmp_path: Path) -> None:
    path = write(tmp_path, [PAGE])
    run("--file", path)
    before = list(Matvarde.objects.order_by("pk").values())
    out = run("--file", path)
    assert list(Matvarde.objects.order_by("pk").values()) == before
    assert out.strip().endswith("0 created, 0 updated, 2 unchanged.")


def test_a_revised_value_is_updated(indikator: Indikator, tmp_path: Path) -> None:
    run("--file", write(tmp_path, [PAGE]))
    revised = {"values": [row("0138", 2023, t(62)), row("0000", 2023, t(58))], "next_url": None}
    out = run("--file", write(tmp_path, [revised]))
    assert (2023, Decimal(62), Decimal(58), "kolada") in values()
    assert "delaktighetsindex 2023: updated (Tyresö 62, riket 58)" in out


def test_dry_run_writes_nothing(indikator: Indikator, tmp_path: Path) -> None:
    out = run("--file", write(tmp_path, [PAGE]), "--dry-run")
    assert values() == []
    assert "Dry run, nothing written." in out
    assert "2 created" in out


def test_it_keeps_to_the_years_asked_for(indikator: Indikator, tmp_path: Path) -> None:
    out = io.StringIO()
    path = write(tmp_path, [PAGE])
    call_command("import_kolada", "--file", path, "--years", "2023", stdout=out)
    assert [v[0] for v in values()] == [2023]


def test_kpi_option_needs_an_indicator_with_that_kpi(indikator: Indikator, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No indicator carries the Kolada KPI N00000"):
        run("--file", write(tmp_path, [PAGE]), "--kpi", "N00000")


def test_it_imports_the_municipality_the_record_names(indikator: Indikator, tmp_path: Path) -> None:
    kommun = Kommun.objects.get()
    kommun.kolada_id, kommun.kortnamn = "0182", "Nacka"
    kommun.save()
    page = {"values": [row("0138", 2023, t(61)), row("0182", 2023, t(70))], "next_url": None}
    out = run("--file", write(tmp_path, [page]))
    assert values() == [(2023, Decimal(70), None, "kolada")]
    assert "delaktighetsindex 2023: created (Nacka 70, riket –)" in out
    assert "/municipality/0182,0000/year/2023" in data_url(KPI, range(2023, 2024), "0182")


@pytest.mark.usefixtures("_as_manage_py")
def test_without_a_kolada_id_it_says_to_set_it_in_the_admin(
    indikator: Indikator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kommun = Kommun.objects.get()
    kommun.kolada_id = ""
    kommun.save()
    status, out, err = manage("--file", write(tmp_path, [PAGE]), capsys=capsys)
    assert (status, out) == (1, "")
    assert err == (
        "CommandError: The municipality's Kolada id is not set: enter it in the admin "
        "(Municipality → Kolada municipality id). Nothing was imported.\n"
    )
    assert values() == []


def test_indicators_without_a_kpi_are_left_alone(db: None) -> None:
    make_indikator(slug="egen")
    assert "nothing to import" in run()


class FakeResponse(io.BytesIO):
    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_the_api_source_feeds_the_same_parser_and_follows_next_url(
    indikator: Indikator, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = data_url(KPI, range(2019, 2025), "0138")
    answers = {
        kpi_url(KPI): meta(),
        first: {"values": [row("0138", 2023, t(61))], "next_url": first + "&page=2"},
        first + "&page=2": {"values": [row("0000", 2023, t(58))], "next_url": None},
    }
    asked: list[str] = []

    def opener(request: Any, timeout: float) -> FakeResponse:
        asked.append(request.full_url)
        assert timeout > 0
        return FakeResponse(json.dumps(answers[request.full_url]).encode())

    monkeypatch.setattr(
        "uppfoljning.management.commands.import_kolada.ApiSource",
        lambda municipality: ApiSource(municipality, opener),
    )
    run()
    assert values() == [(2023, Decimal(61), Decimal(58), "kolada")]
    assert asked == [kpi_url(KPI), first, first + "&page=2"]


def test_the_api_source_says_clearly_when_kolada_is_unreachable() -> None:
    def opener(request: Any, timeout: float) -> FakeResponse:
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(KoladaError, match="Kolada is unreachable.*use --file"):
        ApiSource("0138", opener).kpi_meta(KPI)


def test_the_api_source_follows_no_url_outside_kolada() -> None:
    def opener(request: Any, timeout: float) -> FakeResponse:
        return FakeResponse(
            json.dumps({"values": [], "next_url": "https://example.org/x"}).encode()
        )

    pages = ApiSource("0138", opener).data_pages(KPI, range(2023, 2024))
    next(pages)
    with pytest.raises(KoladaError, match="not under https://api.kolada.se/v3"):
        next(pages)


# A bad --file: one line naming the problem, exit status 1, nothing written; the file is read
# and checked whole even while no indicator carries a KPI id.


def manage(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """manage.py import_kolada as an operator runs it: exit status, stdout, stderr."""
    capsys.readouterr()
    try:
        execute_from_command_line(["manage.py", "import_kolada", *args, "--years", "2019-2024"])
    except SystemExit as e:
        status = int(e.code or 0)
    else:
        status = 0
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def _as_manage_py(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    # manage.py closes every connection when a command ends; the test still needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    # manage.py runs the system checks; tests run with DEBUG off, so SITE_URL must pass them.
    settings.SITE_URL = "https://testserver"


def _saved(pages: list[Any] | None = None, kpi_meta: Any = None) -> dict[str, Any]:
    return {"kpis": {KPI: {"meta": kpi_meta or meta(), "pages": pages or [PAGE]}}}


BAD_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (
        lambda p: p.write_text(json.dumps(_saved())[:-3], encoding="utf-8"),
        "{path} is truncated: the JSON stops before its end.",
    ),
    "truncated-gzip": (
        lambda p: p.write_bytes(gzip.compress(json.dumps(_saved()).encode())[:40]),
        "{path} is a truncated gzip file.",
    ),
    "empty": (lambda p: p.write_bytes(b""), "{path} is empty."),
    "binary": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256))),
        "{path} is a binary file, not JSON text (UTF-8).",
    ),
    "a-list": (
        lambda p: p.write_text(json.dumps([_saved()])),
        "{path}: expected an object with a 'kpis' object.",
    ),
    "no-kpi": (lambda p: p.write_text('{"kpis": {}}'), "{path}: the 'kpis' object holds no KPI."),
    "no-meta": (
        lambda p: p.write_text(json.dumps({"kpis": {KPI: {"pages": [PAGE]}}})),
        f"{{path}}: KPI {KPI} has no 'meta'.",
    ),
    "pages-not-a-list": (
        lambda p: p.write_text(json.dumps({"kpis": {KPI: {"meta": meta(), "pages": PAGE}}})),
        f"{{path}}: KPI {KPI} needs a non-empty list 'pages'.",
    ),
    "meta-of-another-kpi": (
        lambda p: p.write_text(json.dumps(_saved(kpi_meta=meta(id="N00001")))),
        f"KPI {KPI}: the metadata does not describe exactly this KPI.",
    ),
    "last-page-missing": (
        lambda p: p.write_text(
            json.dumps(_saved([{**PAGE, "next_url": data_url(KPI, range(2019, 2025), "0138")}]))
        ),
        f"{{path}}: KPI {KPI}, page 1 has a next_url but the file holds no further page: the "
        "file is incomplete.",
    ),
    "a-year-twice": (
        lambda p: p.write_text(
            json.dumps(_saved([{"values": [row("0138", 1990, t(1)), row("0138", 1990, t(2))]}]))
        ),
        f"KPI {KPI}, page 1: 1990 for 0138 appears twice.",
    ),
}


@pytest.mark.usefixtures("_as_manage_py")
@pytest.mark.parametrize("case", BAD_FILES)
@pytest.mark.parametrize("with_indicator", [False, True], ids=["no-kpi-yet", "with-kpi"])
def test_a_bad_file_stops_with_one_line_and_writes_nothing(
    case: str, with_indicator: bool, db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_indikator(slug="egen")
    if with_indicator:
        make_indikator(slug="delaktighetsindex", kolada_kpi=KPI, kolada_titel=TITLE)
    write_bad, message = BAD_FILES[case]
    path = tmp_path / "kolada.json"
    write_bad(path)
    before = list(Indikator.objects.order_by("pk").values())
    for dry_run in ([], ["--dry-run"]):
        status, out, err = manage("--file", str(path), *dry_run, capsys=capsys)
        assert (status, out) == (1, "")
        assert err == f"CommandError: {message.format(path=path)} Nothing was imported.\n"
    assert values() == []
    assert list(Indikator.objects.order_by("pk").values()) == before


@pytest.mark.usefixtures("_as_manage_py")
def test_a_sound_file_is_checked_while_no_indicator_carries_a_kpi(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_indikator(slug="egen")
    path = tmp_path / "kolada.json.gz"
    path.write_bytes(gzip.compress(json.dumps(_saved()).encode()))
    status, out, err = manage("--file", str(path), capsys=capsys)
    assert (status, err) == (0, "")
    assert out == (
        "No indicator carries a Kolada KPI id: nothing to import. The file's 1 KPI(s) are sound.\n"
    )


def test_a_bad_kpi_no_indicator_asks_for_still_stops_the_import(
    indikator: Indikator, tmp_path: Path
) -> None:
    content = _saved()
    content["kpis"]["N00002"] = {"meta": meta(), "pages": [PAGE]}
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(CommandError, match="^KPI N00002: the metadata does not describe exactly"):
        run("--file", str(path))
    assert values() == []
