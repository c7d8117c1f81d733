"""`load_dataset exempelkommun`: a fictional municipality, and not a trace of Tyresö anywhere.

The walk requests every address of the URLconf (tests/security/urlmap.py fills their
arguments with Exempelkommun's own rows), anonymously and as an administrator, in Swedish
and under /en/, plus the admin's pages, the open-data files and the tertial reports.
"""

from __future__ import annotations

import io
import re
import zipfile
from io import StringIO
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kommun.contrast import ratio
from kommun.models import Kommun
from omraden.models import Aktivitet, Anmalan, Inspel, Ledartroja, Omrade, Person
from portal.viewer import Viewer
from tests.conftest import make_inspel, make_user
from tests.datasets.test_dataset_tyreso import snapshot
from tests.security.urlmap import admin_urls, concrete_urls
from uppfoljning.models import (
    Indikator,
    Matvarde,
    Period,
    Publicering,
    Rapport,
    Status,
    Uppdrag,
    Uppfoljning,
)

# "Tyresö" however it is written: any case, without the dot, or escaped in HTML or JSON.
TYRESO = re.compile(r"tyres(?:o|ö|&ouml;|&#246;|&#xf6;|\\u00f6)", re.IGNORECASE)


@pytest.fixture
def exempel(db: None) -> None:
    call_command("load_dataset", "exempelkommun", verbosity=0)


@pytest.mark.django_db
def test_it_loads_a_municipality_marked_as_an_example(exempel: None) -> None:
    kommun = Kommun.objects.current()
    assert kommun.configured and kommun.exempel
    assert (kommun.namn, kommun.kortnamn, kommun.kolada_id) == (
        "Exempelkommun",
        "Exempelkommun",
        "",
    )
    addresses = [kommun.epost, kommun.dataskyddsombud_epost, kommun.tillganglighet_epost]
    assert all(a.endswith("@example.se") for a in addresses)
    assert kommun.webbplats == "https://www.example.se/"
    assert ratio(kommun.accentfarg, "#ffffff") >= 4.5
    assert kommun.accentfarg != "#00507a"


@pytest.mark.django_db
def test_everyone_in_it_is_fictional_with_an_example_address(exempel: None) -> None:
    assert Person.objects.count() == 6
    assert not Person.objects.filter(fiktiv=False).exists()
    assert all(p.epost.endswith("@example.se") for p in Person.objects.all())
    assert Ledartroja.objects.filter(aktiv=True).count() == 2


@pytest.mark.django_db
def test_its_areas_have_a_fadder_and_english_for_some(exempel: None) -> None:
    areas = list(Omrade.objects.order_by("nummer"))
    assert len(areas) == 4
    assert all(o.fadder is not None and o.fas is not None for o in areas)
    assert all("påhittat" in o.beskrivning for o in areas)
    assert [bool(o.fraga_en) for o in areas] == [True, True, False, False]
    assert Uppdrag.objects.get().omraden.count() == 4


@pytest.mark.django_db
def test_its_follow_ups_obey_the_status_rules(exempel: None) -> None:
    year = timezone.localdate().year - 1
    assert [(p.ar, p.tertial, p.tillstand) for p in Period.objects.all()] == [
        (year, 1, "stangd"),
        (year, 2, "stangd"),
        (year, 3, "stangd"),
    ]
    published = Publicering.objects.visible_to(Viewer.resident())
    assert published.count() == Uppfoljning.objects.count() == 9
    assert {p.status for p in published} == {Status.GRON, Status.GUL, Status.ROD}
    for p in published:
        p.uppfoljning.full_clean()
        needs_comment = p.status in (Status.GUL, Status.ROD)
        assert bool(p.orsak and p.atgarder) == needs_comment
        assert "Påhittad" in p.sammanfattning
    assert Uppfoljning.objects.filter(uppdrag__overgripande=True).count() == 1


@pytest.mark.django_db
def test_its_indicators_have_manual_yearly_values(exempel: None) -> None:
    assert Indikator.objects.count() == 2
    assert Matvarde.objects.count() == 5
    assert set(Matvarde.objects.values_list("kalla", flat=True)) == {"manuell"}
    for value in Matvarde.objects.all():
        value.full_clean()


@pytest.mark.django_db
def test_a_second_run_changes_nothing(exempel: None) -> None:
    before = snapshot()
    out = StringIO()
    call_command("load_dataset", "exempelkommun", stdout=out)
    assert snapshot() == before
    assert out.getvalue().strip().endswith("0 created, 0 updated, 53 unchanged.")


@pytest.mark.django_db
def test_demo_adds_to_it_without_replacing_its_ledartrojor(exempel: None) -> None:
    call_command("load_dataset", "exempelkommun", "--demo", verbosity=0)
    before = snapshot()
    call_command("load_dataset", "exempelkommun", "--demo", verbosity=0)
    assert snapshot() == before
    area = Omrade.objects.get(nummer=1)
    assert set(area.ledartrojor.values_list("person__namn", flat=True)) == {
        "Erik Exempel",
        "Frida Exempel",
    }
    assert not Person.objects.filter(fiktiv=False).exists()


@pytest.mark.django_db
def test_it_is_not_loaded_over_another_municipality(tyreso: None) -> None:
    with pytest.raises(Exception, match="holds Tyresö kommun's data"):
        call_command("load_dataset", "exempelkommun", verbosity=0)
    assert Kommun.objects.get().namn == "Tyresö kommun"


# The walk


def _world() -> dict[str, Any]:
    """Exempelkommun's own rows for every argument urlmap.SAMPLES asks for."""
    omrade = Omrade.objects.get(nummer=1)
    today = timezone.localdate()
    coming = Aktivitet.objects.filter(datum__gte=today).first()
    past = Aktivitet.objects.filter(datum__lt=today).first()
    assert coming is not None and past is not None
    return {
        "omrade": omrade,
        "period": Period.objects.order_by("ar", "tertial").first(),
        "uppdrag": Uppdrag.objects.get(),
        "uppfoljning": Uppfoljning.objects.filter(omrade=omrade).first(),
        "aktivitet": coming,
        "past": past,
        "anmalan": Anmalan.objects.create(
            aktivitet=coming, namn="Ada Exempel", epost="ada@example.org", status="bekraftad"
        ),
        "inspel": make_inspel(
            omrade=omrade,
            text="Fler lampor i Exempelparken (påhittat inspel).",
            namn="Bo Exempel",
            epost="bo@example.org",
            visa_namn=True,
        ),
        "indikator": Indikator.objects.first(),
        "rapport": Rapport.objects.get(),
        "staff": None,
    }


def _leaks(client: Client, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        r = client.get(url)
        # A page that fails would hide what it shows (the PDF answers 503 without Pango).
        if r.status_code >= 500 and not (r.status_code == 503 and url.endswith(".pdf")):
            found.append(f"{url} ({r.status_code})")
        body = b"".join(r.streaming_content) if r.streaming else r.content
        text = _readable(url, r, body)
        for match in TYRESO.finditer(text):
            context = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
            found.append(f"{url} ({r.status_code}): …{context}…")
            break
    return found


def _readable(url: str, r: Any, body: bytes) -> str:
    """The response as text: a DOCX's XML parts, a PDF's text and metadata, else the body."""
    kind = r.get("Content-Type", "")
    if url.endswith(".docx") and r.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            parts = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
            return "\n".join(z.read(name).decode() for name in parts)
    if kind.startswith("application/pdf"):
        reader = pypdf.PdfReader(io.BytesIO(body))
        pages = "\n".join(page.extract_text() for page in reader.pages)
        return f"{reader.metadata}\n{pages}"
    return body.decode(errors="replace")


@pytest.fixture
def world(exempel: None) -> dict[str, Any]:
    make_inspel(omrade=Omrade.objects.get(nummer=2), status=Inspel.Status.NY, text="En ny idé.")
    return _world()


@pytest.mark.django_db
def test_no_public_page_feed_or_file_names_tyreso(world: dict[str, Any]) -> None:
    urls = list(concrete_urls(world))
    assert "/en/" in urls and "/datasets/dcat" in urls and "/oppna-data/uppfoljningar.atom" in urls
    assert any(u.endswith("/rapport.pdf") for u in urls)
    assert any(u.endswith("/rapport.docx") for u in urls)
    leaks = _leaks(Client(), urls)
    assert not leaks, "Tyresö on:\n" + "\n".join(leaks)


@pytest.mark.django_db
def test_no_staff_or_admin_page_names_tyreso(world: dict[str, Any]) -> None:
    admin = make_user("exempeladmin", groups=("medarbetare", "administratör"), email="a@example.se")
    client = Client()
    client.force_login(admin)
    urls = [*concrete_urls(world), *admin_urls()]
    assert "/installation/" in urls and "/arbetsyta/" in urls
    leaks = _leaks(client, urls)
    assert not leaks, "Tyresö on:\n" + "\n".join(leaks)


@pytest.mark.django_db
def test_the_front_page_shows_it_marked_as_an_example(world: dict[str, Any]) -> None:
    for url in ("/", "/en/"):
        html = Client().get(url).content.decode()
        assert "notice-exempel" in html
        assert "Exempelkommun" in html
        assert "Hur kan vi göra parkerna i Exempelkommun trygga" in html or url == "/en/"
    english = Client().get("/en/").content.decode()
    assert "How can we make the parks of Exempelkommun feel safe" in english
    # Area 3 has no English question: its Swedish one is shown instead.
    assert "Hur kan vi få fler invånare att laga" in english
