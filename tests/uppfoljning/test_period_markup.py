"""The report's markup for each kind of change.

The report's repeated parts are built in the view (`_change_html`, the texts); these cases
are rare in the bench data, so their markup is pinned here (whitespace between tags aside).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.conftest import make_omrade, make_period, make_publicering, make_uppfoljning
from uppfoljning.reports import Change


def _section(html: str, omrade_pk: int) -> str:
    start = html.index(f'aria-labelledby="del-omrade-{omrade_pk}"')
    # Line breaks and indentation between tags are layout, not content.
    return re.sub(r">[ ]*\n\s*", ">", html[start : html.index("</section>", start)]).strip()


@pytest.mark.django_db
def test_each_kind_of_change_has_its_markup(client: Client) -> None:
    t1, t2 = make_period(ar=2024, tertial=1), make_period(ar=2024, tertial=2)
    new, gone, nothing, changed = (make_omrade() for _ in range(4))
    make_publicering(make_uppfoljning(omrade=new, period=t2), sammanfattning="Ny")
    make_publicering(make_uppfoljning(omrade=gone, period=t1), sammanfattning="Borta")
    make_publicering(
        make_uppfoljning(omrade=changed, period=t1, status="gul", orsak="O", atgarder="Å"),
        sammanfattning="a b c",
    )
    make_publicering(
        make_uppfoljning(omrade=changed, period=t2, status="gron"),
        sammanfattning="a x c",
        orsak="Orsaken",
        atgarder="",
    )
    html = client.get("/uppfoljning/2024-t2/").content.decode()

    since = "<h3>Sedan T1 2024</h3>"
    assert _section(html, new.pk).endswith(
        f"{since}<p>Nytt: inget publicerades för föregående period.</p>"
    )
    assert _section(html, gone.pk).endswith(
        f"{since}<p>Något publicerades för föregående period, men inget för den här.</p>"
    )
    assert "<p>Ingen uppföljning publicerades för den här perioden.</p>" in _section(html, gone.pk)
    assert _section(html, nothing.pk).endswith(
        f"{since}<p>Inget publicerat för någon av perioderna.</p>"
    )
    section = _section(html, changed.pk)
    # Swedish texts on the Swedish page: no lang of their own (under English the ones
    # without an English version are marked lang="sv", tests/omraden/test_english_content.py).
    assert (
        '<div class="report-text"><p>a x c</p></div><h3>Orsak</h3><div><p>Orsaken</p></div>'
    ) in section
    assert section.endswith(
        f"{since}"
        "<p>Statusen har ändrats: "
        '<span class="status status-gul"><span class="status-symbol" aria-hidden="true">▲'
        "</span> Gul</span> → "
        '<span class="status status-gron"><span class="status-symbol" aria-hidden="true">●'
        "</span> Grön</span></p>"
        "<p>Texten har ändrats.</p>"
        '<details class="diff-details">'
        "<summary>Visa ändringarna i sammanfattningen</summary>"
        '<div lang="sv"><p class="diff">a <del><span class="visually-hidden">'
        '[borttaget:] </span>b</del> <ins><span class="visually-hidden">[tillagt:] </span>x'
        "</ins> c </p></div>"
        "</details>"
    )


@pytest.mark.parametrize(
    ("before", "after", "kept", "expected"),
    [
        ("a b c", "a x c", 2, [("same", "a"), ("removed", "b"), ("added", "x"), ("same", "c")]),
        # The most words both keep, in order (two alignments keep three here).
        ("vi bygger fler platser i år", "i år bygger vi fler platser", 3, None),
        ("a b c d", "x y c d", 2, [("removed", "a b"), ("added", "x y"), ("same", "c d")]),
        ("", "ny text", 0, [("added", "ny text")]),
        ("gammal text", "", 0, [("removed", "gammal text")]),
        ("samma  text\n", "samma text", 2, [("same", "samma text")]),
    ],
)
def test_the_diff_keeps_the_most_common_words_and_puts_removed_before_added(
    before: str, after: str, kept: int, expected: list[tuple[str, str]] | None
) -> None:
    change = Change(
        before=SimpleNamespace(sammanfattning=before), after=SimpleNamespace(sammanfattning=after)
    )
    diff = change.diff
    # Whatever the alignment, the words read back as the two texts.
    assert " ".join(t for kind, t in diff if kind != "added").split() == before.split()
    assert " ".join(t for kind, t in diff if kind != "removed").split() == after.split()
    assert sum(len(t.split()) for kind, t in diff if kind == "same") == kept
    if expected is not None:
        assert diff == expected
