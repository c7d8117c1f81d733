"""`word_opcodes` gives the answer of difflib's SequenceMatcher, which it replaced."""

from __future__ import annotations

import difflib
import random

import pytest

from uppfoljning.reports import word_opcodes


def _difflib(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("", ""),
        ("", "ny text"),
        ("gammal text", ""),
        ("samma ord här", "samma ord här"),
        ("a b c d", "a x c d"),
        ("a b a b a", "b a b"),
        ("x a b c y", "a b c x a b c y"),
        (" abcd", "abcd abcd"),
        ("qabxcd", "abycdf"),
    ],
)
def test_it_agrees_with_difflib_on_known_cases(a: str, b: str) -> None:
    # Single characters as words too: difflib's own documented examples.
    for x, y in ((a.split(), b.split()), (list(a), list(b))):
        assert word_opcodes(x, y) == _difflib(x, y)


def test_it_agrees_with_difflib_on_random_texts() -> None:
    # Few distinct words, so that words repeat and matches compete; more than 200 words in
    # some, where autojunk would have mattered had the report not turned it off.
    rng = random.Random(7)
    for _ in range(3000):
        vocabulary = [f"w{n}" for n in range(rng.randint(1, 8))]
        size = rng.choice((5, 30, 250))
        a = rng.choices(vocabulary, k=rng.randint(0, size))
        b = rng.choices(vocabulary, k=rng.randint(0, size))
        if rng.random() < 0.5:
            # A revised text: the old one with a few words changed, added or removed.
            b = list(a)
            for _ in range(rng.randint(0, 5)):
                at = rng.randint(0, len(b))
                b[at : at + rng.randint(0, 2)] = rng.choices(vocabulary, k=rng.randint(0, 2))
        assert word_opcodes(a, b) == _difflib(a, b), (a, b)
