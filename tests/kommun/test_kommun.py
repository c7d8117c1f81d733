"""The municipality record: one row, validated, cached and invalidated, colour and logo served."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from PIL import Image

from kommun import contrast
from kommun.forms import KommunForm
from kommun.models import CACHE_KEY, Kommun, validate_organisationsnummer

pytestmark = pytest.mark.django_db


def _kommun(**extra: object) -> Kommun:
    fields = {"namn": "Provkommun", "kortnamn": "Prov", "accentfarg": "#00507a"} | extra
    return Kommun.objects.create(**fields)


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 80, 122)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast.ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast.ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # #767676 is the lightest grey that passes 4.5:1 on white.
    assert contrast.ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast.darker("#00507a") == "#003855"


def test_a_light_accent_colour_is_refused_with_its_ratio() -> None:
    kommun = Kommun(namn="Provkommun", kortnamn="Prov", accentfarg="#ffcc00")
    with pytest.raises(ValidationError) as refused:
        kommun.full_clean()
    message = refused.value.message_dict["accentfarg"][0]
    assert "#ffcc00" in message and "1,51:1" in message  # Swedish decimal comma
    Kommun(namn="Provkommun", kortnamn="Prov", accentfarg="#6b2c91").full_clean()


@pytest.mark.parametrize("value", ["#00507", "00507a", "#00507g", "red"])
def test_an_accent_colour_must_be_hex(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Kommun(namn="Provkommun", kortnamn="Prov", accentfarg=value).full_clean()
    assert "accentfarg" in refused.value.message_dict


def test_organisation_number_needs_its_check_digit() -> None:
    validate_organisationsnummer("212000-0142")
    with pytest.raises(ValidationError, match="kontrollsiffran"):
        validate_organisationsnummer("212000-0143")
    with pytest.raises(ValidationError, match="NNNNNN-NNNN"):
        validate_organisationsnummer("2120000142")


def test_there_is_only_ever_one_record() -> None:
    first = _kommun()
    second = Kommun(namn="Annan", kortnamn="Annan")
    second.save()  # save() keeps the one primary key: it replaces, never adds
    assert Kommun.objects.count() == 1 and first.pk == second.pk == Kommun.PK
    with connection.cursor() as cursor, pytest.raises(IntegrityError), transaction.atomic():
        cursor.execute(
            "INSERT INTO kommun_kommun (id, namn, namn_en, kortnamn, postadress, "
            "organisationsnummer, kolada_id, epost, telefon, webbplats, dataskyddsombud_epost, "
            "tillganglighet_epost, tillganglighet_telefon, utgivare, utgivare_url, accentfarg, "
            "logotyp, logotyp_typ, logotyp_hash, exempel) VALUES (2, 'x', '', 'x', '', '', '', "
            "'', '', '', '', '', '', '', '', '#00507a', %s, '', '', %s)",
            [b"", False],
        )


def test_without_a_record_the_placeholder_is_not_configured() -> None:
    cache.delete(CACHE_KEY)
    kommun = Kommun.objects.current()
    assert not kommun.configured and kommun.pk is None
    assert kommun.namn  # pages still have something to call it


def test_current_is_cached_and_a_save_replaces_the_cached_copy(
    django_assert_num_queries: object,
) -> None:
    kommun = _kommun()
    assert Kommun.objects.current().namn == "Provkommun"
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert Kommun.objects.current().namn == "Provkommun"
    kommun.namn = "Nykommun"
    kommun.save()
    assert Kommun.objects.current().namn == "Nykommun"


def test_the_name_follows_the_language() -> None:
    from django.utils import translation

    kommun = _kommun(namn_en="Test municipality")
    with translation.override("en"):
        assert kommun.visningsnamn == "Test municipality"
    with translation.override("sv"):
        assert kommun.visningsnamn == "Provkommun"
    kommun.namn_en = ""
    with translation.override("en"):
        assert kommun.visningsnamn == "Provkommun"
        assert Kommun.placeholder().visningsnamn == "The municipality"
    with translation.override("sv"):
        assert Kommun.placeholder().visningsnamn == "Kommunen"


def test_publisher_defaults_to_the_name_and_website() -> None:
    kommun = _kommun(webbplats="https://www.example.se/")
    assert (kommun.publisher_name, kommun.publisher_url) == (
        "Provkommun",
        "https://www.example.se/",
    )
    kommun.utgivare, kommun.utgivare_url = "Kommunstyrelsen", "https://ks.example.se/"
    assert (kommun.publisher_name, kommun.publisher_url) == (
        "Kommunstyrelsen",
        "https://ks.example.se/",
    )


def test_the_colour_stylesheet_carries_the_current_colour_only() -> None:
    _kommun(accentfarg="#6b2c91")
    client = Client()
    response = client.get("/kommun/farger-6b2c91.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "--brand: #6b2c91" in response.text and "--brand-dark: #4b1f66" in response.text
    assert "immutable" in response["Cache-Control"]
    assert client.get("/kommun/farger-00507a.css").status_code == 404


def test_a_logo_is_checked_stored_and_served() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    kommun = _kommun()
    data = {"namn": "Provkommun", "kortnamn": "Prov", "accentfarg": "#00507a"}
    form = KommunForm(
        data, {"logotyp_fil": SimpleUploadedFile("logo.png", _png())}, instance=kommun
    )
    assert form.is_valid(), form.errors
    form.save()
    current = Kommun.objects.current()
    assert current.logotyp_typ == "image/png" and len(current.logotyp_hash) == 16
    response = Client().get(f"/kommun/logotyp-{current.logotyp_hash}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == _png()
    assert Client().get("/kommun/logotyp-0000000000000000.png").status_code == 404

    bad = KommunForm(
        data,
        {"logotyp_fil": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>")},
        instance=kommun,
    )
    assert not bad.is_valid()
    assert "PNG-, JPEG- eller WebP" in bad.errors["logotyp_fil"][0]
    huge = KommunForm(
        data, {"logotyp_fil": SimpleUploadedFile("l.png", _png((2400, 10)))}, instance=kommun
    )
    assert not huge.is_valid() and "2400" in huge.errors["logotyp_fil"][0]

    removed = KommunForm(data | {"ta_bort_logotyp": "on"}, instance=kommun)
    assert removed.is_valid()
    removed.save()
    assert Kommun.objects.current().logotyp_hash == ""


def test_the_admin_list_leads_to_the_one_record(admin_client: Client) -> None:
    response = admin_client.get("/admin/kommun/kommun/")
    assert response.status_code == 302 and response["Location"].endswith("/add/")
    _kommun()
    response = admin_client.get("/admin/kommun/kommun/")
    assert response.status_code == 302 and response["Location"].endswith("/1/change/")
    assert admin_client.get("/admin/kommun/kommun/add/").status_code == 403
    assert admin_client.get("/admin/kommun/kommun/1/delete/").status_code == 403


def test_a_database_outage_gives_the_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    cache.delete(CACHE_KEY)

    def down(*_a: object, **_k: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(Kommun.objects, "defer", down)
    assert not Kommun.objects.current().configured


def test_a_stored_value_that_is_no_colour_never_reaches_the_stylesheet() -> None:
    # The admin refuses it (above); a raw write is served the default colour instead.
    Kommun.objects.create(
        namn="Provkommun", kortnamn="Prov", accentfarg="red;}*{"
    )  # seven characters, as the column holds
    kommun = Kommun.objects.current()
    assert kommun.accent == "#00507a"
    response = Client().get("/kommun/farger-00507a.css")
    assert response.status_code == 200 and "red" not in response.text
