"""ClaimReview JSON-LD: what is published, for which claims, and that it is valid."""

import datetime
import json

import pytest
from django.utils import timezone
from pyld import jsonld

from tests.conftest import (
    current_version,
    make_approved,
    make_article,
    make_submitted,
    rating,
    refresh,
)
from verifier import exports, workflow
from verifier.models import Claim, Rating

pytestmark = pytest.mark.django_db

SITE = "https://verify.example.org"  # VERIFIER_SITE_URL in tests/env.py
ORG = "Test Verification Desk"  # VERIFIER_ORG_NAME in tests/env.py


def reviews(article):
    return exports.claimreview_document(article)["@graph"]


def approve_first(article, checker, editor):
    claim = article.claims.order_by("start").first()
    make_approved(claim, checker, editor)
    return refresh(claim)


def settle_and_sign_off(article, checker, editor):
    for claim in article.claims.exclude(state=Claim.State.APPROVED):
        workflow.dismiss(
            claim,
            user=checker,
            reason="Not check-worthy.",
            version=current_version(claim),
        )
    return workflow.sign_off(article, user=editor, version=current_version(article))


# --- which claims ---------------------------------------------------------------------


def test_only_approved_claims_get_a_review(article, checker, editor):
    first, second, third = article.claims.order_by("start")
    make_approved(first, checker, editor)
    make_submitted(second, checker)  # has a verdict, not yet approved
    workflow.dismiss(
        third, user=checker, reason="Duplicate.", version=current_version(third)
    )
    texts = [r["itemReviewed"]["text"] for r in reviews(article)]
    assert texts == [first.text]


def test_article_without_approved_claim_has_an_empty_graph(article):
    document = exports.claimreview_document(article)
    assert document == {"@context": "https://schema.org", "@graph": []}


def test_reopened_claim_is_no_longer_published(article, checker, editor):
    claim = approve_first(article, checker, editor)
    workflow.reopen(
        claim, user=editor, reason="New evidence.", version=current_version(claim)
    )
    assert reviews(article) == []


# --- required and recommended properties ----------------------------------------------


def test_review_carries_the_required_properties(article, checker, editor):
    claim = approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.text
    assert review["reviewRating"]["alternateName"] == "Misleading"
    assert review["url"] == f"{SITE}/articles/{article.pk}/report/"


def test_review_rating_carries_value_and_scale_bounds(article, checker, editor):
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "name": "Misleading",
        "description": rating("Misleading").description,
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_review_author_is_the_organisation_from_settings(article, checker, editor):
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["author"] == {"@type": "Organization", "name": ORG, "url": SITE + "/"}


def test_item_reviewed_is_the_claim_with_claimant_appearance_and_date(checker, editor):
    body = "The minister said unemployment halved in 2023.\n\nOther text."
    article = make_article(
        checker,
        body=body,
        spans=[workflow.Span(0, 46, claimant="Jane Doe")],
        title="Jobs report",
        outlet="Daily Planet",
        byline="Lois Lane",
        url="https://planet.example.com/jobs",
        published_on=datetime.date(2024, 3, 5),
    )
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "text": "The minister said unemployment halved in 2023.",
        "author": {"@type": "Person", "name": "Jane Doe"},
        "appearance": {
            "@type": "Article",
            "headline": "Jobs report",
            "url": "https://planet.example.com/jobs",
            "datePublished": "2024-03-05",
            "publisher": {"@type": "Organization", "name": "Daily Planet"},
            "author": {"@type": "Person", "name": "Lois Lane"},
        },
        "datePublished": "2024-03-05",
    }


def test_claim_without_claimant_is_attributed_to_the_outlet(checker, editor):
    article = make_article(checker, outlet="Daily Planet")
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Daily Planet",
    }


def test_claim_without_claimant_or_outlet_has_no_author(article, checker, editor):
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert "author" not in review["itemReviewed"]


@pytest.mark.parametrize(
    "claimant, kind",
    [
        ("Joseph Cuffari", "Person"),
        ("the Labor Department", "Organization"),
        ("ICE", "Organization"),
        ("Office of Inspector General", "Organization"),
        ("City data", "Organization"),
        ("a government watchdog", "Organization"),
    ],
)
def test_claimant_kind_is_guessed_from_the_name_when_nobody_said(claimant, kind):
    approval = {"claimant": claimant, "claimant_kind": ""}
    assert exports.claimant(approval, article=None)["@type"] == kind


@pytest.mark.parametrize(
    "said, kind",
    [
        (Claim.ClaimantKind.PERSON, "Person"),
        (Claim.ClaimantKind.ORGANISATION, "Organization"),
    ],
)
def test_claimant_kind_said_by_a_checker_wins_over_the_guess(said, kind):
    approval = {"claimant": "Harbour Watch", "claimant_kind": said}
    assert exports.claimant(approval, article=None)["@type"] == kind


def test_every_review_of_a_full_article_has_every_property(checker, editor):
    article = make_article(checker, outlet="Daily Planet")
    for claim in article.claims.order_by("start"):
        make_approved(claim, checker, editor)
    settle_and_sign_off(article, checker, editor)
    graph = reviews(article)
    assert len(graph) == 3
    for review in graph:
        assert review["claimReviewed"]
        assert review["url"].startswith("https://")
        assert review["datePublished"]
        assert review["author"]["name"] == ORG
        assert {"alternateName", "ratingValue", "bestRating", "worstRating"} <= set(
            review["reviewRating"]
        )
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["itemReviewed"]["author"]["name"] == "Daily Planet"
        assert review["itemReviewed"]["appearance"]["headline"] == "Test article"


# --- the scale ------------------------------------------------------------------------


def test_scale_bounds_follow_the_admins_scale(article, checker, editor):
    Rating.objects.create(label="Pants on fire", value=-1, colour="#000000")
    Rating.objects.filter(label="Accurate").update(value=9)
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert (
        review["reviewRating"]["bestRating"],
        review["reviewRating"]["worstRating"],
    ) == (
        9,
        -1,
    )


def test_retired_ratings_still_count_in_the_scale(article, checker, editor):
    Rating.objects.filter(label="Accurate").update(is_active=False)
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["reviewRating"]["bestRating"] == 5


def test_unverifiable_verdict_is_published_as_text_without_numbers(
    article, checker, editor
):
    claim = article.claims.order_by("start").first()
    make_submitted(claim, checker, label="Unverifiable")
    workflow.approve(claim, user=editor, version=current_version(claim))
    (review,) = reviews(article)
    assert review["reviewRating"]["alternateName"] == "Unverifiable"
    assert not {"ratingValue", "bestRating", "worstRating"} & set(
        review["reviewRating"]
    )


# --- draft and published --------------------------------------------------------------


def test_review_before_sign_off_is_marked_draft(article, checker, editor):
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert review["creativeWorkStatus"] == "Draft"


def test_draft_review_is_dated_by_its_approval(article, checker, editor):
    claim = approve_first(article, checker, editor)
    approved_at = claim.events.get(action="approve").created_at
    (review,) = reviews(article)
    assert review["datePublished"] == timezone.localdate(approved_at).isoformat()


def test_review_after_sign_off_is_published_on_the_sign_off_date(
    article, checker, editor
):
    approve_first(article, checker, editor)
    article = settle_and_sign_off(article, checker, editor)
    (review,) = reviews(article)
    assert review["creativeWorkStatus"] == "Published"
    assert (
        review["datePublished"] == timezone.localdate(article.signed_off_at).isoformat()
    )


def test_review_links_to_the_published_factcheck_url_when_set(article, checker, editor):
    approve_first(article, checker, editor)
    url = "https://verify.example.org/2024/jobs-claims"
    workflow.update_article(article, user=editor, factcheck_url=url)
    (review,) = reviews(refresh(article))
    assert review["url"] == url


# --- claimReviewed --------------------------------------------------------------------


def test_short_claim_is_kept_whole_on_one_line():
    assert (
        exports.shorten_claim("Prices rose\n 3.2%  in March.")
        == "Prices rose 3.2% in March."
    )


def test_long_claim_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = "word " * 40
    short = exports.shorten_claim(text, limit=50)
    assert len(short) <= 50
    assert short.endswith("word…")


def test_long_claim_is_cut_at_a_clause_when_one_is_near_the_end():
    text = "Inspector General Joseph Cuffari found that, between 2018 and 2023, " * 3
    short = exports.shorten_claim(text, limit=80)
    assert (
        short == "Inspector General Joseph Cuffari found that, between 2018 and 2023…"
    )


def test_long_claim_keeps_the_full_text_in_item_reviewed(checker, editor):
    sentence = "Officials said " + "very " * 40 + "many children were lost."
    article = make_article(checker, body=sentence)
    approve_first(article, checker, editor)
    (review,) = reviews(article)
    assert len(review["claimReviewed"]) <= exports.CLAIM_REVIEWED_MAX
    assert review["itemReviewed"]["text"] == sentence


# --- valid JSON-LD --------------------------------------------------------------------

# The schema.org terms the export may use, by the type that carries them.
SCHEMA_TERMS = {
    "ClaimReview": {
        "url",
        "claimReviewed",
        "reviewRating",
        "author",
        "datePublished",
        "creativeWorkStatus",
        "itemReviewed",
    },
    "Rating": {
        "alternateName",
        "name",
        "description",
        "ratingValue",
        "bestRating",
        "worstRating",
    },
    "Claim": {"text", "author", "appearance", "datePublished"},
    "Article": {"headline", "url", "datePublished", "publisher", "author"},
    "Organization": {"name", "url"},
    "Person": {"name"},
}


def schema_org_loader(url, options=None):
    """The schema.org context without the network: its vocabulary is schema.org."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": "https://schema.org/"}},
    }


def expanded_nodes(node):
    """Every node object in an expanded JSON-LD tree."""
    if isinstance(node, list):
        for item in node:
            yield from expanded_nodes(item)
    elif isinstance(node, dict) and "@value" not in node:
        yield node
        for key, value in node.items():
            if not key.startswith("@"):
                yield from expanded_nodes(value)


def test_claimreview_is_valid_json_ld_in_the_schema_org_context(checker, editor):
    article = make_article(
        checker,
        outlet="Daily Planet",
        byline="Lois Lane",
        url="https://planet.example.com/a",
        published_on=datetime.date(2024, 3, 5),
    )
    approve_first(article, checker, editor)
    text = exports.to_json(exports.claimreview_document(article))
    expanded = jsonld.expand(json.loads(text), {"documentLoader": schema_org_loader})
    nodes = list(expanded_nodes(expanded))
    types = {node["@type"][0] for node in nodes}
    assert types == {f"https://schema.org/{t}" for t in SCHEMA_TERMS}
    for node in nodes:
        kind = node["@type"][0].removeprefix("https://schema.org/")
        terms = {k.removeprefix("https://schema.org/") for k in node if k != "@type"}
        assert terms <= SCHEMA_TERMS[kind], kind


def test_expansion_keeps_every_property_of_the_review(article, checker, editor):
    approve_first(article, checker, editor)
    document = exports.claimreview_document(article)
    (node,) = jsonld.expand(document, {"documentLoader": schema_org_loader})
    assert {k.removeprefix("https://schema.org/") for k in node} - {"@type"} == set(
        document["@graph"][0]
    ) - {"@type"}


def test_script_json_cannot_close_the_script_element():
    document = {"@graph": [{"claimReviewed": "</script><script>alert(1)</script>"}]}
    text = exports.script_json(document)
    assert "</script" not in text.lower()
    assert json.loads(text) == document
