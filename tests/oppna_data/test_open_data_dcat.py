"""The DCAT-AP-SE catalogue for Sweden's data portal: /datasets/dcat (RDF/XML)."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from kommun.models import Kommun
from tests.conftest import make_omrade

# Plain namespaces (rdflib's closed ones warn when pytest inspects this module); they are
# strings, so terms named like str methods (title, format) are looked up with [].
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# The host the test client asks for: the catalogue is built on the request's address.
BASE = "http://testserver"
DATASETS = ["omraden", "uppfoljningar", "aktiviteter", "indikatorer", "inspel"]
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


@pytest.fixture
def graph(client: Client, db: None) -> Graph:
    r = client.get("/datasets/dcat")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/rdf+xml; charset=utf-8"
    return Graph().parse(data=r.content, format="xml")


def _languages(g: Graph, subject: URIRef, prop: URIRef) -> set[str]:
    return {o.language for o in g.objects(subject, prop) if isinstance(o, Literal)}


def test_it_has_no_blank_nodes(graph: Graph) -> None:
    assert len(graph) > 100
    for triple in graph:
        assert not any(isinstance(term, BNode) for term in triple), triple


def test_every_iri_of_ours_is_absolute_on_the_requests_address(graph: Graph) -> None:
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    ours = [s for s in subjects if "creativecommons" not in s]
    assert ours and all(s.startswith(f"{BASE}/") for s in ours)


def test_the_catalog_has_title_description_publisher_licence_and_its_datasets(
    graph: Graph,
) -> None:
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert _languages(graph, catalog, DCTERMS["title"]) == {"sv", "en"}
    assert _languages(graph, catalog, DCTERMS.description) == {"sv", "en"}
    assert graph.value(catalog, DCTERMS.publisher) == URIRef(f"{BASE}/datasets/dcat#utgivare")
    assert graph.value(catalog, DCTERMS.license) == CC0
    assert graph.value(catalog, FOAF.homepage) == URIRef(f"{BASE}/oppna-data/")
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert datasets == {URIRef(f"{BASE}/datasets/dcat#{d}") for d in DATASETS}


def test_publisher_is_an_agent_and_contact_point_a_vcard(kommun: Kommun, graph: Graph) -> None:
    # The record first: the graph fixture fetches the catalogue.
    publisher = URIRef(f"{BASE}/datasets/dcat#utgivare")
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "Tyresö kommun"
    assert graph.value(publisher, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/LocalAuthority"
    )
    contact = URIRef(f"{BASE}/datasets/dcat#kontakt")
    assert (contact, RDF.type, VCARD.Organization) in graph
    assert graph.value(contact, VCARD.fn) is not None
    assert str(graph.value(contact, VCARD.hasEmail)).startswith("mailto:")


@pytest.mark.parametrize("slug", DATASETS)
def test_each_dataset_has_the_required_properties(graph: Graph, slug: str) -> None:
    dataset = URIRef(f"{BASE}/datasets/dcat#{slug}")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert _languages(graph, dataset, DCTERMS["title"]) == {"sv", "en"}
    assert _languages(graph, dataset, DCTERMS.description) == {"sv", "en"}
    assert graph.value(dataset, DCTERMS.publisher) == URIRef(f"{BASE}/datasets/dcat#utgivare")
    assert graph.value(dataset, DCAT.contactPoint) == URIRef(f"{BASE}/datasets/dcat#kontakt")
    assert graph.value(dataset, DCAT.landingPage) == URIRef(f"{BASE}/oppna-data/#{slug}")
    assert graph.value(dataset, DCAT.theme) is not None
    assert graph.value(dataset, DCTERMS.accessRights) is not None
    distributions = set(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) >= 2


@pytest.mark.parametrize("slug", DATASETS)
def test_each_distribution_has_access_and_download_url_format_and_licence(
    graph: Graph, slug: str
) -> None:
    dataset = URIRef(f"{BASE}/datasets/dcat#{slug}")
    media_types = set()
    for dist in graph.objects(dataset, DCAT.distribution):
        assert (dist, RDF.type, DCAT.Distribution) in graph
        access = graph.value(dist, DCAT.accessURL)
        assert access is not None and str(access).startswith(f"{BASE}/oppna-data/{slug}.")
        if str(access).endswith(".json"):
            # The first of several pages is no download of the whole dataset: it says so.
            assert graph.value(dist, DCAT.downloadURL) is None
            assert _languages(graph, dist, DCTERMS.description) == {"sv", "en"}
        else:
            assert graph.value(dist, DCAT.downloadURL) == access
        assert graph.value(dist, DCTERMS.license) == CC0
        assert _languages(graph, dist, DCTERMS["title"]) == {"sv", "en"}
        media_types.add(str(graph.value(dist, DCAT.mediaType)))
    assert {
        "https://www.iana.org/assignments/media-types/text/csv",
        "https://www.iana.org/assignments/media-types/application/json",
    } <= media_types
    csv = URIRef(f"{BASE}/datasets/dcat#{slug}-csv")
    assert graph.value(csv, DCTERMS["format"]) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/CSV"
    )


def test_the_feeds_are_distributions_of_their_datasets(graph: Graph) -> None:
    feed = URIRef(f"{BASE}/datasets/dcat#uppfoljningar-atom")
    assert (URIRef(f"{BASE}/datasets/dcat#uppfoljningar"), DCAT.distribution, feed) in graph
    assert graph.value(feed, DCAT.accessURL) == URIRef(f"{BASE}/oppna-data/uppfoljningar.atom")
    ical = URIRef(f"{BASE}/datasets/dcat#aktiviteter-icalendar")
    assert graph.value(ical, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/calendar"
    )


def test_indicators_name_kolada_as_a_source(graph: Graph) -> None:
    dataset = URIRef(f"{BASE}/datasets/dcat#indikatorer")
    assert graph.value(dataset, DCTERMS.source) == URIRef("https://www.kolada.se/")


def test_the_titles_are_translated(graph: Graph) -> None:
    dataset = URIRef(f"{BASE}/datasets/dcat#aktiviteter")
    titles = {o.language: str(o) for o in graph.objects(dataset, DCTERMS["title"])}
    assert titles == {"sv": "Aktiviteter", "en": "Activities"}


@pytest.mark.django_db
def test_it_follows_the_address_it_was_asked_for(client: Client, settings: object) -> None:
    settings.ALLOWED_HOSTS = ["kommungemensamt.tyreso.se"]  # type: ignore[attr-defined]
    r = client.get("/datasets/dcat", HTTP_HOST="kommungemensamt.tyreso.se", secure=True)
    g = Graph().parse(data=r.content, format="xml")
    (catalog,) = g.subjects(RDF.type, DCAT.Catalog)
    assert catalog == URIRef("https://kommungemensamt.tyreso.se/datasets/dcat#katalog")


# Each area's feeds: datasets of their own (a DCAT distribution is the whole of its dataset
# in one format, and an area's feed is a part of the site-wide one).
AREA_DATASETS = {
    "uppfoljningar": ("/oppna-data/omraden/unga/uppfoljningar.atom", "application/atom+xml"),
    "aktiviteter": ("/oppna-data/omraden/unga/aktiviteter.ics", "text/calendar"),
}


@pytest.fixture
def area_graph(client: Client, db: None) -> Graph:
    make_omrade(slug="unga", kortnamn="Unga")
    make_omrade(slug="dolt", kortnamn="Dolt", publik=False)
    r = client.get("/datasets/dcat")
    assert r.status_code == 200
    return Graph().parse(data=r.content, format="xml")


def test_the_catalog_lists_each_visible_areas_feeds_as_datasets(area_graph: Graph) -> None:
    (catalog,) = area_graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(area_graph.objects(catalog, DCAT.dataset))
    assert datasets == {URIRef(f"{BASE}/datasets/dcat#{d}") for d in DATASETS} | {
        URIRef(f"{BASE}/datasets/dcat#omrade-unga-{d}") for d in AREA_DATASETS
    }
    # A non-public area is nowhere in the catalogue.
    assert "dolt" not in area_graph.serialize(format="nt").lower()
    for triple in area_graph:
        assert not any(isinstance(term, BNode) for term in triple), triple


@pytest.mark.parametrize("parent", sorted(AREA_DATASETS))
def test_an_areas_feed_is_a_dataset_with_one_distribution(area_graph: Graph, parent: str) -> None:
    g = area_graph
    dataset = URIRef(f"{BASE}/datasets/dcat#omrade-unga-{parent}")
    assert (dataset, RDF.type, DCAT.Dataset) in g
    titles = {o.language: str(o) for o in g.objects(dataset, DCTERMS["title"])}
    assert set(titles) == {"sv", "en"} and all("Unga" in t for t in titles.values())
    descriptions = {o.language: str(o) for o in g.objects(dataset, DCTERMS.description)}
    assert set(descriptions) == {"sv", "en"} and all("Unga" in t for t in descriptions.values())
    assert g.value(dataset, DCTERMS.publisher) == URIRef(f"{BASE}/datasets/dcat#utgivare")
    assert g.value(dataset, DCAT.contactPoint) == URIRef(f"{BASE}/datasets/dcat#kontakt")
    # Its landing page is the area's page, which links the feed.
    assert g.value(dataset, DCAT.landingPage) == URIRef(f"{BASE}/omraden/unga/")
    assert g.value(dataset, DCAT.theme) is not None
    assert g.value(dataset, DCTERMS.accessRights) is not None
    assert Literal("Unga", lang="sv") in set(g.objects(dataset, DCAT.keyword))
    # The site-wide dataset it is the area's part of.
    assert g.value(dataset, DCTERMS.relation) == URIRef(f"{BASE}/datasets/dcat#{parent}")

    path, media_type = AREA_DATASETS[parent]
    (dist,) = g.objects(dataset, DCAT.distribution)
    assert (dist, RDF.type, DCAT.Distribution) in g
    assert g.value(dist, DCAT.accessURL) == URIRef(f"{BASE}{path}")
    assert g.value(dist, DCAT.downloadURL) == URIRef(f"{BASE}{path}")
    assert g.value(dist, DCAT.mediaType) == URIRef(
        f"https://www.iana.org/assignments/media-types/{media_type}"
    )
    assert g.value(dist, DCTERMS.license) == CC0
    assert _languages(g, dist, DCTERMS["title"]) == {"sv", "en"}
    if media_type == "application/atom+xml":
        assert g.value(dist, DCTERMS["format"]) == URIRef(
            "http://publications.europa.eu/resource/authority/file-type/ATOM"
        )


@pytest.mark.django_db
def test_the_area_feeds_it_lists_answer(client: Client) -> None:
    make_omrade(slug="unga", kortnamn="Unga")
    g = Graph().parse(data=client.get("/datasets/dcat").content, format="xml")
    urls = {str(u) for u in g.objects(None, DCAT.accessURL) if "/omraden/" in str(u)}
    assert len(urls) == 2
    for url in urls:
        assert client.get(url.removeprefix(BASE)).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 7])
def test_the_number_of_queries_does_not_grow_with_the_areas(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for _ in range(size):
        make_omrade()
    # 1: the visible areas
    with django_assert_num_queries(1):
        assert client.get("/datasets/dcat").status_code == 200
