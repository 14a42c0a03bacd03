"""Reading figures, and the questions they raise. DB-free: pure text in, findings out.

The articles here are written for these tests, each with planted inconsistencies.
"""

from pathlib import Path

import pytest

from verifier import figures

SEED = (
    Path(__file__).parent / "data" / "seed" / "000_ed366670d22ee3fa.txt"
).read_text()


def figure(sentence, at=0):
    return figures.quantities(sentence)[at]


# --- reading ---


@pytest.mark.parametrize(
    "sentence, value, comparator, unit, head",
    [
        (
            "Officials counted more than 30,000 migrant children.",
            30000,
            "more than",
            "",
            "child",
        ),
        ("The fund lost $1.2 billion last year.", 1.2e9, "", "$", "$"),
        ("Turnout fell to about 61.5% in the city.", 61.5, "about", "%", "%"),
        ("Nearly thirty thousand nurses walked out.", 30000, "nearly", "", "nurse"),
        ("Fewer than 900 homes were built.", 900, "less than", "", "home"),
        ("It costs £45m to run the trains.", 45e6, "", "£", "£"),
        ("Some 4,500 unaccompanied minors arrived.", 4500, "about", "", "child"),
    ],
)
def test_a_figure_is_read_with_its_comparator_and_what_it_counts(
    sentence, value, comparator, unit, head
):
    q = figure(sentence)
    assert (q.value, q.comparator, q.unit, q.head) == (value, comparator, unit, head)


def test_years_are_dates_not_figures():
    sentence = "Between 2018 and 2023, the agency moved 448,000 children."
    assert [q.value for q in figures.quantities(sentence)] == [448000]
    assert figures.years(sentence) == {2018, 2023}


def test_a_year_followed_by_a_comma_is_still_a_year():
    assert figures.years("As of May 2024, the count stood at 291,000.") == {2024}


def test_a_figure_that_points_back_is_marked_so():
    q = figure("More than 32,000 of them failed to appear.")
    assert q.anaphoric and q.thing == ()


def test_a_participle_after_the_noun_is_not_part_of_what_is_counted():
    assert figure("It lost 30,000 children released into the country.").thing == (
        "child",
    )


# --- figures that disagree ---


def test_the_seed_headline_and_body_figures_disagree():
    sentences = [line for line in SEED.splitlines() if line.strip()]
    found = figures.disagreements(sentences)
    shown = {(d.first_figure.text, d.second_figure.text) for d in found}
    assert ("more than 30,000", "more than 32,000") in shown


def test_close_figures_for_the_same_thing_are_flagged_as_a_question():
    found = figures.disagreements(
        [
            "The council says 1,250 families are waiting for a home.",
            "Officials later put the waiting list at 1,400 families.",
        ]
    )
    assert len(found) == 1
    assert found[0].about == "families"
    assert "or two different counts?" in found[0].question


def test_different_things_are_not_compared():
    assert (
        figures.disagreements(
            [
                "The council says 1,250 families are waiting for a home.",
                "It built 1,300 homes last year.",
            ]
        )
        == []
    )


def test_figures_far_apart_are_different_counts_not_a_disagreement():
    assert (
        figures.disagreements(
            [
                "The agency transferred 448,000 children.",
                "Some 32,000 children missed their hearings.",
            ]
        )
        == []
    )


def test_figures_for_different_years_are_not_a_disagreement():
    assert (
        figures.disagreements(
            [
                "In 2022 the clinic treated 5,100 patients.",
                "In 2023 it treated 5,600 patients.",
            ]
        )
        == []
    )


def test_the_same_figure_twice_is_no_disagreement():
    assert (
        figures.disagreements(
            ["The strike involved 2,000 drivers.", "All 2,000 drivers walked out."]
        )
        == []
    )


# --- arithmetic ---


def test_a_total_that_is_not_the_sum_of_its_parts_is_flagged():
    found = figures.arithmetic(
        "A total of 120 schools will close: 45 primary schools, 50 secondary "
        "schools and 30 academies."
    )
    assert [f.kind for f in found] == ["sum"]
    assert "add up to 125, not the total of 120" in found[0].question


def test_a_total_that_adds_up_is_not_flagged():
    assert (
        figures.arithmetic(
            "A total of 125 schools will close: 45 primary schools, 50 secondary "
            "schools and 30 academies."
        )
        == []
    )


def test_a_percentage_that_does_not_follow_from_its_numbers_is_flagged():
    found = figures.arithmetic("Only 90 of 400 applicants were accepted, or 30%.")
    assert [f.kind for f in found] == ["percentage"]
    assert "22.5%" in found[0].question


def test_a_change_that_does_not_match_its_percentage_is_flagged():
    found = figures.arithmetic("Arrests rose from 200 to 250, an increase of 30%.")
    assert "25.0%" in found[0].question


def test_a_rounded_percentage_that_follows_is_not_flagged():
    assert figures.arithmetic("Sales rose from 200 to 233, up 16%.") == []
    assert figures.arithmetic("Just 1 of 3 bids won, about 33%.") == []


# --- does the excerpt say it? ---


def test_an_excerpt_with_the_claims_figure_is_found():
    checks = figures.compare_with_excerpt(
        "More than 32,000 children failed to appear, the report said.",
        "More than 32,000 UCs failed to appear for court hearings.",
    )
    assert [(c.what, c.status) for c in checks] == [("figure", "found")]


def test_an_excerpt_with_another_value_is_marked_different():
    checks = figures.compare_with_excerpt(
        "More than 32,000 children failed to appear.",
        "ICE has not issued notices to more than 291,000 children.",
    )
    assert [(c.status, c.excerpt_says) for c in checks] == [
        ("different", "more than 291,000")
    ]


def test_an_excerpt_without_the_figure_or_year_is_marked_missing():
    checks = figures.compare_with_excerpt(
        "In 2023 the city spent $4 million on repairs.",
        "The city has repaired its bridges.",
    )
    assert {(c.what, c.status) for c in checks} == {
        ("figure", "missing"),
        ("year", "missing"),
    }


def test_a_quotation_is_compared_word_by_word():
    checks = figures.compare_with_excerpt(
        "“We have no assurance that children are safe from human trafficking,” "
        "the report said.",
        "ICE has no assurance children are safe from trafficking or forced labor.",
    )
    (quote,) = [c for c in checks if c.what == "quotation"]
    assert quote.status == "different"
    assert ("claim", "human") in quote.diff
    assert ("claim", "that") in quote.diff


def test_a_quotation_given_exactly_is_found():
    checks = figures.compare_with_excerpt(
        "“The budget is balanced for the first time,” she said.",
        "Today the minister said: the budget is balanced for the first time.",
    )
    assert [c.status for c in checks if c.what == "quotation"] == ["found"]
