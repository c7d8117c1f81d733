from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from omraden.models import Inspel
from portal.viewer import Viewer
from sok.search import Excerpt, Hit, Search
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
)
from tests.security.xss import Fingerprints, html_problems, plant
from uppfoljning.models import Publicering, Rapport

pytestmark = pytest.mark.django_db


def _inspel(text: str, *, status: str = "godkand", **kwargs: object) -> Inspel:
    if status == "godkand":
        kwargs.setdefault("publicerad_text", text)
    if status == "avvisad":
        kwargs.setdefault("avvisningsorsak", "Personuppgifter.")
    return Inspel.objects.create(typ="ide", text=text, status=status, **kwargs)


def _rapport(n: int, sammanfattning: str, **kwargs: object) -> Rapport:
    return Rapport.objects.create(
        slug=f"rapport-{n}",
        titel=f"Kommundirektörens rapport {n}",
        datum=dt.date(2024, 1, 1) + dt.timedelta(days=n),
        sammanfattning=sammanfattning,
        **kwargs,
    )


def _resident() -> Viewer:
    return Viewer.resident()


def _marked(hit: Hit) -> str:
    """The hit's excerpt as the page shows it: escaped, its matches in <mark>."""
    html = render_to_string("sok/sok.html#search-hit", {"hit": hit})
    return html.split('<p class="search-hit-excerpt">', 1)[1].split("</p>", 1)[0]


def _staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("medarbetare-1"))
    return client


def test_it_shows_an_empty_search_form(client: Client) -> None:
    html = client.get("/sok/").content.decode()
    assert '<form method="get" action="/sok/" role="search"' in html
    assert '<label for="sok-q">' in html
    assert "traffar" not in html


def test_it_finds_areas_follow_ups_reports_and_approved_input(client: Client) -> None:
    omrade = make_omrade(beskrivning="Cirkulär ekonomi och cyklar.")
    make_publicering(make_uppfoljning(omrade=omrade, sammanfattning="Fler cyklar lagas."))
    _rapport(1, "Cyklar i kommunen.")
    _inspel("Jag vill ha fler cyklar vid stationen.")
    html = client.get("/sok/", {"q": "cyklar"}).content.decode()
    assert '<h2 id="traffar" role="status">' in html
    assert "4 träffar för ”cyklar”" in html
    for label in ("Område", "Uppföljning", "Rapport", "Inspel"):
        assert f'<p class="search-hit-meta">{label}' in html


def test_residents_never_find_drafts_or_unapproved_input(client: Client) -> None:
    make_uppfoljning(sammanfattning="Hemlig plan för bibliotek.")
    _inspel("Bibliotek med e-post anna@example.org", status="ny")
    _inspel("Bibliotek igen", status="avvisad")
    _rapport(1, "Bibliotek i rapporten.", publik=False)
    html = client.get("/sok/", {"q": "bibliotek"}).content.decode()
    assert "0 träffar" in html
    assert "anna@example.org" not in html


def test_staff_also_find_drafts_and_unapproved_input(client: Client) -> None:
    make_uppfoljning(sammanfattning="Utkast om bibliotek.")
    _inspel("Bibliotek önskas", status="ny")
    html = _staff().get("/sok/", {"q": "bibliotek"}).content.decode()
    assert "2 träffar" in html
    assert "Utkast" in html


def test_a_non_public_area_and_its_input_are_found_by_staff_only(client: Client) -> None:
    omrade = make_omrade(publik=False, beskrivning="Ny simhall i centrum.")
    _inspel("En simhall vore bra.", omrade=omrade)
    assert "0 träffar" in client.get("/sok/", {"q": "simhall"}).content.decode()
    assert "2 träffar" in _staff().get("/sok/", {"q": "simhall"}).content.decode()


def test_residents_find_only_the_latest_published_version(client: Client) -> None:
    uppf = make_uppfoljning(sammanfattning="")
    make_publicering(uppf, sammanfattning="Version ett om skolgårdar.")
    make_publicering(uppf, sammanfattning="Version två om skolgårdar.")
    html = client.get("/sok/", {"q": "skolgårdar"}).content.decode()
    assert "1 träff " in html
    assert "Version två" in html and "Version ett" not in html


def test_excerpts_are_escaped_and_only_marks_are_html(client: Client) -> None:
    _inspel('<script>alert("x")</script> Parkbänkar behövs: 5 < 7 & "fler" parkbänkar.')
    html = client.get("/sok/", {"q": "parkbänkar"}).content.decode()
    assert "<script>alert" not in html
    assert "5 &lt; 7 &amp; &quot;fler&quot;" in html
    assert "<mark>parkbänkar</mark>" in html


@pytest.mark.parametrize("meta", ["", "Godkänd", 'Grön (<utkast> & "ändrad")'])
def test_a_hit_is_rendered_escaped_with_only_its_marks_as_html(meta: str) -> None:
    hit = Hit(
        kind="inspel",
        label="Inspel & <förslag>",
        title='Idé – "Parken" <i>\'s</i> & 5 < 7',
        url="/omraden/parken/?a=1&b='2'",
        excerpt=Excerpt([("park", True), (" & mer", False)], cut_start=True),
        meta=meta,
    )
    shown_meta = {
        "": "",
        "Godkänd": " · Godkänd",
        'Grön (<utkast> & "ändrad")': " · Grön (&lt;utkast&gt; &amp; &quot;ändrad&quot;)",
    }[meta]
    assert render_to_string("sok/sok.html#search-hit", {"hit": hit}).strip() == (
        '<li class="search-hit">\n'
        '          <h3 class="search-hit-title"><a href="/omraden/parken/?a=1&amp;b=&#x27;2&#x27;">'
        "Idé – &quot;Parken&quot; &lt;i&gt;&#x27;s&lt;/i&gt; &amp; 5 &lt; 7</a></h3>\n"
        f'          <p class="search-hit-meta">Inspel &amp; &lt;förslag&gt;{shown_meta}</p>\n'
        '          <p class="search-hit-excerpt">… <mark>park</mark> &amp; mer</p>\n'
        "        </li>"
    )


def test_titles_and_meta_are_escaped_on_the_page(client: Client) -> None:
    make_omrade(fraga='Hur blir <b>parken</b> "tryggare" & grönare?', beskrivning="Parken.")
    html = _staff().get("/sok/", {"q": "parken"}).content.decode()
    assert "Hur blir &lt;b&gt;parken&lt;/b&gt; &quot;tryggare&quot; &amp; grönare?" in html
    assert "<b>parken</b>" not in html


def test_an_excerpt_is_a_window_around_the_first_match_cut_between_words() -> None:
    before = " ".join(f"ord{i}" for i in range(60))
    after = " ".join(f"slut{i}" for i in range(60))
    _inspel(f"{before} Parkbänkar behövs. {after}")
    [hit] = Search("parkbänkar", _resident(), postgres=False).page(1).object_list
    text = _marked(hit)
    assert text.startswith("… ord") and text.endswith(" …")
    assert "<mark>Parkbänkar</mark> behövs." in text
    # At most EXCERPT_BEFORE characters before the match, EXCERPT_CHARS in all, whole words.
    shown = text.removeprefix("… ").removesuffix(" …").replace("<mark>", "").replace("</mark>", "")
    assert f" {shown} " in f" {before} Parkbänkar behövs. {after} "
    assert shown.index("Parkbänkar") <= 120 and len(shown) <= 300
    # A short text is shown whole, without ellipses.
    _inspel("Fler parkbänkar vid sjön.")
    hits = Search("vid sjön", _resident(), postgres=False).page(1).object_list
    assert [_marked(h) for h in hits] == ["Fler parkbänkar <mark>vid sjön</mark>."]


def test_private_markers_in_the_text_never_become_tags() -> None:
    _inspel("Parkbänkar \ue000inte markerat\ue001 här.")
    [hit] = Search("parkbänkar", _resident(), postgres=False).page(1).object_list
    assert _marked(hit) == "<mark>Parkbänkar</mark> inte markerat här."


def test_the_fallback_matches_substrings_case_insensitively() -> None:
    _inspel("Mer återBRUK på återvinningscentralen.")
    page = Search("återbruk", _resident(), postgres=False).page(1)
    assert page.paginator.count == 1
    [hit] = page.object_list
    assert "<mark>återBRUK</mark>" in _marked(hit)


def test_it_pages_the_results(client: Client) -> None:
    for i in range(25):
        _inspel(f"Lekplats nummer {i}.")
    first = client.get("/sok/", {"q": "lekplats"}).content.decode()
    second = client.get("/sok/", {"q": "lekplats", "sida": 2}).content.decode()
    assert "25 träffar" in first
    assert first.count('class="search-hit"') == 20
    assert second.count('class="search-hit"') == 5
    assert "Sida 2 av 2" in second
    assert 'href="?q=lekplats&amp;sida=1" rel="prev"' in second


@pytest.mark.parametrize("rows", [1, 30])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, rows: int
) -> None:
    # One match of each kind, and `rows` more rows of each kind that match as well or not.
    for i in range(rows):
        word = "Trygghet" if i == 0 else "Annat"
        omrade = make_omrade(beskrivning=f"{word} {i}.")
        uppf = make_uppfoljning(
            omrade=omrade, period=make_period(ar=2000 + i), sammanfattning=f"{word} ökar."
        )
        make_publicering(uppf)
        make_publicering(uppf, version=2)
        _rapport(i, f"{word} i skolan.")
        _inspel(f"{word} i parken.")
    # 1: (kind, id, rank) of the matches of all four kinds, best first (one UNION)
    # 2: every hit on the page: the areas, the follow-ups (period, area, assignment), the
    # reports and the input, each with the text of its excerpt (one UNION; on PostgreSQL
    # the text marked by ts_headline()).
    with django_assert_num_queries(2):
        assert client.get("/sok/", {"q": "trygghet"}).status_code == 200


def test_a_full_page_of_many_matches_needs_no_more_queries(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for i in range(40):
        _rapport(i, "Trygghet i skolan.")
        _inspel("Trygghet i parken.")
    # The two queries above, however many rows match.
    with django_assert_num_queries(2):
        assert client.get("/sok/", {"q": "trygghet"}).status_code == 200


@pytest.mark.postgres
def test_swedish_stemming_finds_other_forms_of_a_word(client: Client) -> None:
    _inspel("Fler möjligheter till återbruk i Tyresö.")
    _inspel("Något helt annat om skolan.")
    html = client.get("/sok/", {"q": "återbruka"}).content.decode()
    assert "1 träff " in html
    assert "<mark>återbruk</mark>" in html


@pytest.mark.postgres
def test_the_excerpt_marks_exactly_the_words_the_swedish_stemmer_matches() -> None:
    # "återbruka" is 'återbruk': the words PostgreSQL reduces to it are marked in any case; a
    # longer word that merely begins the same (a compound the stemmer keeps whole) is not.
    _inspel("Återbruk växer, återbruka mera; återbrukscentralen och e-tjänster.")
    [hit] = Search("återbruka", _resident()).page(1).object_list
    assert _marked(hit) == (
        "<mark>Återbruk</mark> växer, <mark>återbruka</mark> mera; "
        "återbrukscentralen och e-tjänster."
    )
    # Several words, and a hyphenated one, each marked wherever it occurs.
    [hit] = Search("e-tjänster återbrukscentralen", _resident()).page(1).object_list
    assert _marked(hit) == (
        "Återbruk växer, återbruka mera; "
        "<mark>återbrukscentralen</mark> och <mark>e-tjänster</mark>."
    )


@pytest.mark.postgres
def test_better_matches_rank_first(client: Client) -> None:
    _inspel("Cykelbana nämns en gång, sedan handlar det om annat: parker och bad.")
    _inspel("Cykelbana, cykelbana och fler cykelbanor: cykelbanan är allt.")
    page = Search("cykelbana", _resident()).page(1)
    assert "allt" in _marked(page.object_list[0])


@pytest.mark.postgres
def test_it_ranks_only_the_newest_matches_of_each_kind_and_says_so(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sok.search.CAP", 3)
    old = _inspel("Badplats, badplats och åter badplats: den äldsta nämner den mest.")
    newer = [_inspel(f"En badplats till, nummer {i}.") for i in range(4)]
    _rapport(1, "Badplats i kommunen.")
    page = Search("badplats", _resident()).page(1)
    # The three newest inputs and the report; the oldest input is left out, however well
    # it would rank.
    assert page.paginator.count == 4
    assert all("äldsta" not in _marked(hit) for hit in page.object_list)
    html = client.get("/sok/", {"q": "badplats"}).content.decode()
    assert "Fler än 4 träffar för ”badplats”" in html
    assert "bara de 3 nyaste av varje slag" in html
    # Exactly CAP inputs: nothing is left out, and the page says no more than it knows.
    old.delete()
    newer[0].delete()
    html = client.get("/sok/", {"q": "badplats"}).content.decode()
    assert "4 träffar för ”badplats”" in html
    assert "Fler än" not in html and "nyaste av varje slag" not in html


@pytest.mark.postgres
def test_staff_searches_are_capped_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sok.search.CAP", 2)
    for i in range(3):
        _inspel(f"Simhall önskas, nummer {i}.", status="ny")
    search = Search("simhall", Viewer.staff_member())
    page = search.page(1)
    assert search.capped
    assert [_marked(hit).count("nummer 0") for hit in page.object_list] == [0, 0]


@pytest.mark.postgres
def test_an_older_version_never_ranks_when_a_newer_one_is_public(client: Client) -> None:
    uppf = make_uppfoljning(period=make_period(ar=2021), sammanfattning="")
    make_publicering(uppf, sammanfattning="Lekplatser, lekplatser och lekplatser.")
    make_publicering(uppf, sammanfattning="Inget om det längre.")
    # A newer version scheduled for tomorrow does not hide today's.
    scheduled = make_uppfoljning(period=make_period(ar=2022), sammanfattning="")
    make_publicering(scheduled, sammanfattning="En lekplats.")
    make_publicering(
        scheduled,
        sammanfattning="Inget om det.",
        publicerad_at=timezone.now() + dt.timedelta(days=1),
    )
    # A follow-up of an area that is not public stays hidden.
    hidden = make_uppfoljning(omrade=make_omrade(publik=False), period=make_period(ar=2023))
    make_publicering(hidden, sammanfattning="Lekplats bakom stängda dörrar.")
    page = Search("lekplats", _resident()).page(1)
    assert page.paginator.count == 1
    [hit] = page.object_list
    assert hit.title.endswith("2022") and _marked(hit) == "En <mark>lekplats</mark>."


@pytest.mark.postgres
def test_a_matching_version_scheduled_for_later_is_not_found(client: Client) -> None:
    uppf = make_uppfoljning(sammanfattning="")
    make_publicering(uppf, sammanfattning="Inget om det ännu.")
    make_publicering(
        uppf,
        sammanfattning="Nya fotbollsplaner.",
        publicerad_at=timezone.now() + dt.timedelta(hours=1),
    )
    # Only scheduled: no version is visible at all.
    later = make_uppfoljning(period=make_period(ar=2022), sammanfattning="")
    make_publicering(
        later, sammanfattning="Fotbollsplaner.", publicerad_at=timezone.now() + dt.timedelta(days=1)
    )
    assert Search("fotbollsplan", _resident()).page(1).paginator.count == 0


@pytest.mark.postgres
def test_residents_search_exactly_the_current_versions() -> None:
    # Search and Publicering.objects.current() pick the same versions: the latest one due,
    # ties on the moment broken by the newest id, none of an area that is not public, none
    # of a follow-up with nothing due yet.
    now = timezone.now()
    past, recent, future = (
        now - dt.timedelta(days=2),
        now - dt.timedelta(days=1),
        now + dt.timedelta(days=1),
    )
    area, hidden_area, uppdrag = make_omrade(), make_omrade(publik=False), make_uppdrag()
    cases = [
        ({"omrade": area}, [past, recent, future]),
        ({"omrade": area}, [future]),
        ({"omrade": hidden_area}, [past]),
        ({"uppdrag": uppdrag}, [recent, past]),
        ({"omrade": area}, []),
    ]
    for ar, (subject, moments) in enumerate(cases, start=2015):
        uppf = make_uppfoljning(**subject, period=make_period(ar=ar), sammanfattning="")
        for i, at in enumerate(moments):
            make_publicering(uppf, sammanfattning=f"Simskola {ar} {i}.", publicerad_at=at)
            # Two versions visible from the same moment: the newer id counts.
            make_publicering(uppf, sammanfattning=f"Simskola {ar} {i} igen.", publicerad_at=at)
    found = {pk for kind, pk, _rank in Search("simskola", _resident())._candidates()}
    latest = set(Publicering.objects.current(_resident()).values_list("pk", flat=True))
    assert found == latest
    assert len(found) == 2


@pytest.mark.postgres
def test_residents_search_exactly_the_public_input() -> None:
    # Search and Inspel.objects.visible_to() agree: approved input without an area or about
    # a public area, never about a hidden one, never unapproved.
    area, hidden_area = make_omrade(), make_omrade(publik=False)
    for omrade in (None, area, hidden_area):
        for status in ("godkand", "ny", "avvisad"):
            _inspel("Fler sittbänkar i parken.", status=status, omrade=omrade)
    found = {
        pk
        for kind, pk, _rank in Search("sittbänkar", _resident())._candidates()
        if kind == "inspel"
    }
    assert found == set(Inspel.objects.visible_to(_resident()).values_list("pk", flat=True))
    assert len(found) == 2


@pytest.mark.postgres
@pytest.mark.parametrize("staff", [False, True])
def test_the_hits_on_postgresql_match_the_fallback(staff: bool) -> None:
    # Each kind's hit on PostgreSQL names, links and labels the row exactly as the SQLite
    # fallback does; only the excerpt's marks are PostgreSQL's own (the stemmer's).
    area, uppdrag = make_omrade(beskrivning="Om lekplatser."), make_uppdrag()
    published = make_uppfoljning(
        omrade=area,
        sammanfattning="Lekplatser byggs.",
        status="gul",
        orsak="Försenat.",
        atgarder="Ny plan.",
    )
    version = make_publicering(published)
    draft = make_uppfoljning(
        uppdrag=uppdrag,
        period=make_period(ar=2025),
        status="gron",
        sammanfattning="Lekplatser i utkast.",
    )
    rapport = _rapport(1, "Lekplatser i rapporten.")
    inspel = [_inspel("Fler lekplatser.", omrade=area), _inspel("Lekplatser överallt.")]
    rows = [("omrade", area.pk, 1.0), ("rapport", rapport.pk, 1.0)]
    rows += [("uppfoljning", (draft if staff else version).pk, 1.0)]
    if staff:
        rows += [("uppfoljning", published.pk, 1.0)]
    rows += [("inspel", i.pk, 1.0) for i in inspel]
    viewer = Viewer.staff_member() if staff else _resident()

    def shown(postgres: bool) -> list[tuple[str, str, str, str, str]]:
        hits = Search("lekplatser", viewer, postgres=postgres)._hits(rows)
        return [(h.kind, h.label, h.title, h.url, h.meta) for h in hits]

    on_postgresql = shown(True)
    assert on_postgresql == shown(False)
    assert len(on_postgresql) == len(rows)


@pytest.mark.parametrize("staff", [False, True])
@pytest.mark.parametrize("round_no", [0, 1, 2])
def test_hostile_text_in_every_field_is_inert_in_the_results(
    client: Client, staff: bool, round_no: int
) -> None:
    area = make_omrade()
    make_publicering(make_uppfoljning(omrade=area))
    _rapport(1, "Rapport.")
    _inspel("Inspel.", omrade=area)
    _inspel("Inspel.", status="ny")
    planted = plant(round_no)
    if staff:
        client.force_login(User.objects.create_user("medarbetare-1"))
    prints = Fingerprints.of(planted)
    problems: list[str] = []
    bodies = ""
    # Words of the payloads: the hits' titles, meta and excerpts are all hostile text.
    for q in ("alert", "script", "onerror", "javascript"):
        response = client.get("/sok/", {"q": q})
        problems += html_problems(f"/sok/?q={q}", response, planted, prints)
        bodies += response.content.decode()
    assert problems == []
    # The payloads did reach the results (escaped): the check above is not vacuous.
    assert bodies.count('class="search-hit"') >= 3
    assert "<mark>" in bodies
    assert sum(escape(value) in bodies for value in planted) >= 3
