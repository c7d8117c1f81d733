"""Masking personal data in input before it is published: a corpus of what must and must not go."""

from __future__ import annotations

import pytest
from django.utils import translation

from portal.lib.pii import Kind, find, mask, segments

PERSONNUMMER = [
    "19800101-1234",  # the example: its check digit is wrong, still masked
    "198001011238",
    "800101-1238",
    "8001011238",
    "800101 1238",
    "191212121212",
    "121212+1212",  # over 100 years old
    "800161-1236",  # coordination number: the day plus 60
    "19800161 1236",
    "20050229-1234",  # no such date
]
PERSONNUMMER_MASKED = PERSONNUMMER[:-1]

TELEFON = [
    "070-123 45 67",
    "070-1234567",
    "0701234567",
    "070 123 45 67",
    "070 - 123 45 67",
    "073–123 45 67",
    "08-578 291 00",
    "08 578 291 00",
    "08-5782 9100",
    "0758-123 45",
    "+46 70 123 45 67",
    "+46701234567",
    "+46-70-123 45 67",
    "+46 8 578 291 00",
    "+46 (0)8-578 291 00",
    "0046 70 123 45 67",
]

EPOST = [
    "eva@example.se",
    "eva.ek+tyck@post.example.com",
    "Åsa.Öberg@tyresö.se",
    "eva(at)example.se",
    "eva [at] example.se",
]

NOT_PERSONAL_DATA = [
    "2024-01-15",
    "15/1 2024",
    "1980",
    "år 1980 och 2024",
    "12 500 kr",
    "1 250 000 kronor",
    "3,5 miljoner",
    "kl. 08-10",
    "kl 08.00–10.00",
    "Öppet 0800-1700",
    "Mötet 2024-01-15 08-10",
    "135 40 Tyresö",
    "13540",
    "Trollbäcksvägen 12",
    "Budget 2024: 3 400 000 kr",
    "20240115",
    "10 %",
    "556677-8899",  # an organisation number: month 66 is no date
    "Linje 807 går 07.15",
    "@tyresokommun",
]


@pytest.mark.parametrize("value", PERSONNUMMER_MASKED)
def test_it_masks_personal_identity_numbers(value: str) -> None:
    with translation.override("sv"):
        masked, findings = mask(f"Mitt personnummer är {value}, tack.")
    assert masked == "Mitt personnummer är [personnummer borttaget], tack."
    assert [(f.kind, f.value) for f in findings] == [(Kind.PERSONNUMMER, value)]


def test_a_number_that_is_no_date_is_left() -> None:
    assert find("Beställning 20050229-1234") == []


@pytest.mark.parametrize("value", TELEFON)
def test_it_masks_phone_numbers(value: str) -> None:
    masked, findings = mask(f"Ring mig på {value}.")
    assert masked == "Ring mig på [telefonnummer borttaget]."
    assert [(f.kind, f.value) for f in findings] == [(Kind.TELEFON, value)]


@pytest.mark.parametrize("value", EPOST)
def test_it_masks_e_mail_addresses(value: str) -> None:
    masked, findings = mask(f"Skriv till {value} om ni undrar.")
    assert masked == "Skriv till [e-postadress borttagen] om ni undrar."
    assert [(f.kind, f.value) for f in findings] == [(Kind.EPOST, value)]


@pytest.mark.parametrize("text", NOT_PERSONAL_DATA)
def test_it_leaves_dates_years_sums_postal_codes_and_times(text: str) -> None:
    assert mask(text) == (text, [])


def test_the_placeholder_is_in_the_portals_language_whatever_the_moderators() -> None:
    with translation.override("en"):
        masked, findings = mask("Pnr 19800101-1234")
        assert masked == "Pnr [personnummer borttaget]"
        assert str(findings[0].kind.label) == "personal identity number"


def test_it_says_where_each_finding_was_and_keeps_the_rest() -> None:
    text = "Hej!\nRing 070-123 45 67 eller mejla eva@example.se.\nPnr 800101-1238. År 2024."
    masked, findings = mask(text)
    assert masked == (
        "Hej!\nRing [telefonnummer borttaget] eller mejla [e-postadress borttagen].\n"
        "Pnr [personnummer borttaget]. År 2024."
    )
    assert [(f.kind, f.line, text[f.start : f.end]) for f in findings] == [
        (Kind.TELEFON, 2, "070-123 45 67"),
        (Kind.EPOST, 2, "eva@example.se"),
        (Kind.PERSONNUMMER, 3, "800101-1238"),
    ]
    assert "".join(piece for piece, _f in segments(text, findings)) == text


def test_ten_digits_starting_with_0_read_as_a_phone_number_unless_written_as_a_pnr() -> None:
    assert [f.kind for f in find("0701234567")] == [Kind.TELEFON]
    assert [f.kind for f in find("070123-4567")] == [Kind.PERSONNUMMER]


def test_two_numbers_in_a_row_are_both_masked() -> None:
    masked, findings = mask("070-123 45 67, 08-578 291 00")
    assert masked == "[telefonnummer borttaget], [telefonnummer borttaget]"


def test_a_masked_text_has_nothing_left_to_find() -> None:
    text = " ".join(PERSONNUMMER_MASKED + TELEFON + EPOST)
    masked, findings = mask(text)
    assert len(findings) == len(PERSONNUMMER_MASKED) + len(TELEFON) + len(EPOST)
    assert find(masked) == []
