from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tests.conftest import make_indikator
from uppfoljning.charts import build_chart, fmt, summary
from uppfoljning.models import Indikator, Punkt


def p(ar: int, tyreso: float | None, riket: float | None) -> Punkt:
    def d(v: float | None) -> Decimal | None:
        return None if v is None else Decimal(str(v))

    return Punkt(ar, d(tyreso), d(riket), "kolada")


def test_numbers_are_written_the_swedish_way_without_needless_decimals() -> None:
    with translation.override("sv"):
        assert fmt(Decimal("58.00"), "procent") == "58 %"
        assert fmt(Decimal("57.50"), "procent") == "57,5 %"
        assert fmt(Decimal("1200"), "antal") == "1200"
        assert fmt(None, "procent") == "–"


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_the_summary_names_each_year_with_both_values() -> None:
    indikator = make_indikator()
    with translation.override("sv"):
        lines = summary(indikator, [p(2022, 60, 57.5), p(2023, 61, 58), p(2024, 62, None)])
    assert lines == [
        "2022: Tyresö 60 %, riket 57,5 %",
        "2023: Tyresö 61 %, riket 58 %",
        "2024: Tyresö 62 %",
    ]


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_the_series_differ_in_marker_and_label_and_later_years_lie_further_right() -> None:
    indikator = make_indikator()
    with translation.override("sv"):
        chart = build_chart(indikator, [p(2021, 58, 58), p(2022, 60, 57), p(2023, 61, 58)])
    assert chart is not None
    tyreso, riket = chart.series
    assert (tyreso.key, riket.key) == ("kommun", "riket")
    assert tyreso.end_label == "Tyresö 61 %" and riket.end_label == "Riket 58 %"
    xs = [m.x for m in tyreso.points]
    assert xs == sorted(xs) and len(set(xs)) == 3
    # A higher value is drawn higher up (a smaller y).
    assert tyreso.points[-1].y < riket.points[-1].y


@pytest.mark.django_db
def test_end_labels_of_equal_values_never_overlap() -> None:
    indikator = make_indikator()
    chart = build_chart(indikator, [p(2021, 58, 58)])
    assert chart is not None
    tyreso, riket = chart.series
    assert abs(tyreso.end_y - riket.end_y) >= 16


@pytest.mark.django_db
def test_a_percentage_axis_stays_within_0_and_100_and_spans_the_data() -> None:
    indikator = make_indikator()
    chart = build_chart(indikator, [p(2021, 99, 1)])
    assert chart is not None
    labels = [text for _y, text in chart.y_ticks]
    assert labels[0] == "0 %" and labels[-1] == "100 %"
    ys = [m.y for s in chart.series for m in s.points]
    assert all(chart.plot_top <= y <= chart.plot_bottom for y in ys)


@pytest.mark.django_db
def test_a_missing_value_is_left_out_of_its_line() -> None:
    indikator = make_indikator()
    chart = build_chart(indikator, [p(2021, 58, None), p(2022, None, 57), p(2023, 61, 58)])
    assert chart is not None
    tyreso, riket = chart.series
    assert len(tyreso.points) == 2 and len(riket.points) == 2


@pytest.mark.django_db
def test_there_is_no_chart_without_values() -> None:
    indikator = make_indikator(enhet=Indikator.Enhet.ANTAL)
    assert build_chart(indikator, []) is None
