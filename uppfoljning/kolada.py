"""Reading Kolada's API v3: KPI metadata and values for the municipality and the nation (riket).

The municipality is the one whose Kolada id (`Kommun.kolada_id`, e.g. "0138") the caller passes.

One parser for both inputs: `ApiSource` fetches the responses over HTTPS (following
`next_url`), `FileSource` reads the same responses saved in one JSON file (docs/kolada.md
describes both shapes). Nothing here writes to the database: the import command first reads
and checks everything, then writes in one transaction.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from portal.lib.jsonfile import UnreadableFile, read_json

BASE_URL = "https://api.kolada.se/v3"
RIKET = "0000"
TIMEOUT_SECONDS = 20
# Any year `_year` accepts: checking a whole file means every year in it.
PLAUSIBLE_YEARS = range(1900, 2101)
# A guard against a server that keeps sending next_url: far more pages than two
# municipalities and a few decades of years can ever need.
MAX_PAGES = 100


class KoladaError(Exception):
    """Input that cannot be trusted or fetched; the message says what and where."""


@dataclass(frozen=True)
class KpiMeta:
    id: str
    title: str
    divided_by_gender: bool


@dataclass(frozen=True)
class Varde:
    """One municipality's value for one year; `value` None means missing (never 0)."""

    municipality: str
    year: int
    value: Decimal | None


class Source(Protocol):
    def kpi_meta(self, kpi: str) -> Any: ...

    def data_pages(self, kpi: str, years: range) -> Iterator[Any]: ...


def data_url(kpi: str, years: range, municipality: str) -> str:
    """The values of one KPI for the municipality with this Kolada id and for riket."""
    year_list = ",".join(str(y) for y in years)
    return f"{BASE_URL}/data/kpi/{kpi}/municipality/{municipality},{RIKET}/year/{year_list}"


def kpi_url(kpi: str) -> str:
    return f"{BASE_URL}/kpi/{kpi}"


def parse_kpi_meta(kpi: str, payload: Any) -> KpiMeta:
    """`/kpi/{id}` answers with the KPI object, or with `{"values": [that object]}`."""
    if isinstance(payload, dict) and isinstance(payload.get("values"), list):
        matches = [v for v in payload["values"] if isinstance(v, dict) and v.get("id") == kpi]
        if len(matches) != 1:
            raise KoladaError(f"KPI {kpi}: the metadata does not describe exactly this KPI.")
        payload = matches[0]
    if not isinstance(payload, dict) or payload.get("id") != kpi:
        raise KoladaError(f"KPI {kpi}: the metadata is not an object with id {kpi!r}.")
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        raise KoladaError(f"KPI {kpi}: the metadata has no title.")
    divided = payload.get("is_divided_by_gender", False)
    if not isinstance(divided, bool):
        raise KoladaError(f"KPI {kpi}: is_divided_by_gender must be true or false.")
    return KpiMeta(id=kpi, title=title.strip(), divided_by_gender=divided)


def _year(period: Any, where: str) -> int:
    # Kolada sends the period as a number or as a string ("2023").
    if isinstance(period, bool):
        raise KoladaError(f"{where}: period {period!r} is not a year.")
    if isinstance(period, int):
        year = period
    elif isinstance(period, str) and period.strip().isdigit():
        year = int(period.strip())
    else:
        raise KoladaError(f"{where}: period {period!r} is not a year.")
    if year not in PLAUSIBLE_YEARS:
        raise KoladaError(f"{where}: period {year} is not a plausible year.")
    return year


def _value(entry: Any, where: str) -> Decimal | None:
    if not isinstance(entry, dict):
        raise KoladaError(f"{where}: a value entry is not an object.")
    value = entry.get("value")
    if value is None:
        # A null value is missing (Kolada marks it status "Missing"): never read it as 0.
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise KoladaError(f"{where}: value {value!r} is not a number.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise KoladaError(f"{where}: value {value!r} is not a number.") from None
    if not number.is_finite():
        raise KoladaError(f"{where}: value {value!r} is not a number.")
    if abs(number) >= 10**8:
        # The column holds ten digits, two of them decimals.
        raise KoladaError(f"{where}: value {value!r} is too large to be a key figure.")
    return number


def _pick_gender(entries: list[Any], meta: KpiMeta, where: str) -> Decimal | None:
    """The total ("T"). A KPI split by gender also has K and M rows: they are not summed.

    A KPI that is not split by gender may send its single value without the "T" mark; that
    value is the total.
    """
    totals = [e for e in entries if isinstance(e, dict) and e.get("gender") == "T"]
    if len(totals) > 1:
        raise KoladaError(f"{where}: more than one total (gender T).")
    if totals:
        return _value(totals[0], where)
    if not meta.divided_by_gender and len(entries) == 1:
        return _value(entries[0], where)
    return None


def parse_data_page(
    payload: Any, meta: KpiMeta, where: str, municipality: str
) -> tuple[list[Varde], str | None]:
    """One page of `/data/...`: the values for `municipality` and riket, and the next page's URL."""
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), list):
        raise KoladaError(f"{where}: expected an object with a list 'values'.")
    next_url = payload.get("next_url")
    if next_url is not None and (not isinstance(next_url, str) or not next_url):
        raise KoladaError(f"{where}: next_url must be a URL or null.")
    rows: list[Varde] = []
    for i, item in enumerate(payload["values"]):
        at = f"{where}, values[{i}]"
        if not isinstance(item, dict):
            raise KoladaError(f"{at}: not an object.")
        if item.get("kpi") != meta.id:
            raise KoladaError(f"{at}: kpi {item.get('kpi')!r} is not {meta.id}.")
        kommun = item.get("municipality")
        if not isinstance(kommun, str):
            raise KoladaError(f"{at}: municipality must be a string such as '0138'.")
        year = _year(item.get("period"), at)
        entries = item.get("values")
        if not isinstance(entries, list):
            raise KoladaError(f"{at}: expected a list 'values' of gender entries.")
        if kommun not in (municipality, RIKET):
            continue  # Not asked for; nothing to store.
        rows.append(Varde(kommun, year, _pick_gender(entries, meta, at)))
    return rows, next_url


def read_values(
    source: Source, meta: KpiMeta, years: range, municipality: str
) -> dict[int, dict[str, Decimal]]:
    """All pages of a KPI's data: {year: {municipality: value, "0000": value}}, missing left out."""
    per_year: dict[int, dict[str, Decimal]] = {}
    for n, page in enumerate(source.data_pages(meta.id, years), start=1):
        rows, _next = parse_data_page(page, meta, f"KPI {meta.id}, page {n}", municipality)
        for row in rows:
            if row.year not in years or row.value is None:
                continue
            seen = per_year.setdefault(row.year, {})
            if row.municipality in seen:
                raise KoladaError(
                    f"KPI {meta.id}, page {n}: {row.year} for {row.municipality} appears twice."
                )
            seen[row.municipality] = row.value
    return per_year


class ApiSource:
    """The live API: plain urllib with a timeout, following next_url page by page."""

    def __init__(self, municipality: str, opener: Any = urllib.request.urlopen) -> None:
        self.municipality = municipality
        self._open = opener

    def _get(self, url: str) -> Any:
        if not url.startswith(BASE_URL + "/"):
            raise KoladaError(f"Refusing to follow {url}: it is not under {BASE_URL}.")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with self._open(request, timeout=TIMEOUT_SECONDS) as response:
                body = response.read()
        except urllib.error.HTTPError as e:
            raise KoladaError(f"Kolada answered {e.code} for {url}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise KoladaError(
                f"Kolada is unreachable ({url}: {getattr(e, 'reason', e)}). Without internet "
                "access, save the responses in a file and use --file (see docs/kolada.md)."
            ) from None
        try:
            return json.loads(body)
        except ValueError:
            raise KoladaError(f"Kolada's answer for {url} is not JSON.") from None

    def kpi_meta(self, kpi: str) -> Any:
        return self._get(kpi_url(kpi))

    def data_pages(self, kpi: str, years: range) -> Iterator[Any]:
        url: str | None = data_url(kpi, years, self.municipality)
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._get(url)
            yield page
            url = page.get("next_url") if isinstance(page, dict) else None
        raise KoladaError(f"KPI {kpi}: more than {MAX_PAGES} pages; stopping.")


class FileSource:
    """Saved responses: {"kpis": {"<id>": {"meta": <GET /kpi/id>, "pages": [<GET /data>…]}}}.

    The pages are in the order the API sent them: every page but the last has a next_url,
    the last has none, so an incompletely saved file is noticed. The whole file is read and
    checked when it is opened, every KPI in it whether an indicator asks for it or not.
    """

    def __init__(self, path: Path, municipality: str) -> None:
        try:
            raw = read_json(path)
        except UnreadableFile as e:
            raise KoladaError(str(e)) from None
        if not isinstance(raw, dict) or not isinstance(raw.get("kpis"), dict):
            raise KoladaError(f"{path}: expected an object with a 'kpis' object.")
        if not raw["kpis"]:
            raise KoladaError(f"{path}: the 'kpis' object holds no KPI.")
        self.path = path
        self.kpis: dict[str, Any] = raw["kpis"]
        for kpi in self.kpis:
            meta = parse_kpi_meta(kpi, self.kpi_meta(kpi))
            read_values(self, meta, PLAUSIBLE_YEARS, municipality)

    def _entry(self, kpi: str) -> dict[str, Any]:
        entry = self.kpis.get(kpi)
        if not isinstance(entry, dict):
            raise KoladaError(f"{self.path}: no entry for KPI {kpi}.")
        return entry

    def kpi_meta(self, kpi: str) -> Any:
        entry = self._entry(kpi)
        if "meta" not in entry:
            raise KoladaError(f"{self.path}: KPI {kpi} has no 'meta'.")
        return entry["meta"]

    def data_pages(self, kpi: str, years: range) -> Iterator[Any]:
        pages = self._entry(kpi).get("pages")
        if not isinstance(pages, list) or not pages:
            raise KoladaError(f"{self.path}: KPI {kpi} needs a non-empty list 'pages'.")
        for n, page in enumerate(pages, start=1):
            has_next = isinstance(page, dict) and page.get("next_url") is not None
            if has_next and n == len(pages):
                raise KoladaError(
                    f"{self.path}: KPI {kpi}, page {n} has a next_url but the file holds no "
                    "further page: the file is incomplete."
                )
            if not has_next and n < len(pages):
                raise KoladaError(
                    f"{self.path}: KPI {kpi}, page {n} has no next_url but more pages follow."
                )
            yield page
