"""What the verifier publishes and archives, built from model instances.

- ClaimReview: schema.org JSON-LD, one review per approved claim, as Google's Fact Check
  Explorer and other aggregators read it.
(The article archive, which holds everything about an article, is ``verifier.archive``.)

No request and no writes here: the pages and commands call these and present the result.

Two choices worth knowing:

- A rating whose ``value`` is 0 (the default scale's "Unverifiable") is not a degree of
  accuracy, so it is kept off the numeric scale: its ClaimReview carries the verdict as
  text (``alternateName``, ``name``, ``description``) but no ``ratingValue``,
  ``bestRating`` or ``worstRating``. Publishing 0 on a scale whose worst is 0 would tell
  aggregators that "we could not verify it" is worse than "False". ``bestRating`` and
  ``worstRating`` are the highest and lowest values of the other ratings, retired ones
  included, so that reviews already published keep their scale.
- Before sign-off every review says ``"creativeWorkStatus": "Draft"`` (a schema.org
  property of every CreativeWork, so validators accept it); after sign-off it says
  ``"Published"`` and ``datePublished`` is the sign-off date. A draft's
  ``datePublished`` is the date its verdict was approved.
"""

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from verifier.models import Article, Claim, Rating

SCHEMA_CONTEXT = "https://schema.org"
# Google asks for a claimReviewed short enough not to wrap on a phone (about 75
# characters); a claim cut that short usually loses what makes it checkable, so we
# keep a little more and the full text goes in itemReviewed.text.
CLAIM_REVIEWED_MAX = 120
OFF_SCALE_VALUE = 0


# --- ClaimReview ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """The numeric bounds of the verdict scale, as ClaimReview publishes them."""

    best: int | None
    worst: int | None

    def has(self, value: int) -> bool:
        return (
            value != OFF_SCALE_VALUE
            and self.best is not None
            and self.worst is not None
        )


def rating_scale() -> Scale:
    bounds = Rating.objects.exclude(value=OFF_SCALE_VALUE).aggregate(
        best=Max("value"), worst=Min("value")
    )
    return Scale(best=bounds["best"], worst=bounds["worst"])


def shorten_claim(text: str, limit: int = CLAIM_REVIEWED_MAX) -> str:
    """The claim on one line, cut at a clause or word boundary when too long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    clause = max(cut.rfind(mark) for mark in (", ", "; ", ": ", " – ", " — "))
    if clause >= limit // 2:
        cut = cut[:clause]
    elif " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.–—-") + "…"


def organisation() -> dict:
    """The publisher of the fact-check: this newsroom."""
    return {
        "@type": "Organization",
        "name": settings.VERIFIER_ORG_NAME,
        "url": settings.VERIFIER_SITE_URL + "/",
    }


def memo_url(article: Article) -> str:
    return settings.VERIFIER_SITE_URL + reverse("article-report", args=[article.pk])


def review_url(article: Article) -> str:
    """Where the fact-check is read: the address an editor set, else our memo."""
    return article.factcheck_url or memo_url(article)


def claimant(approval: dict, article: Article) -> dict | None:
    """Who made the claim, as approved; else the outlet that printed it."""
    name = (approval.get("claimant") or "").strip()
    if name:
        kind = approval.get("claimant_kind") or guess_kind(name)
        return {"@type": SCHEMA_TYPES[kind], "name": name}
    if article.outlet.strip():
        return {"@type": "Organization", "name": article.outlet.strip()}
    return None


SCHEMA_TYPES = {
    Claim.ClaimantKind.PERSON: "Person",
    Claim.ClaimantKind.ORGANISATION: "Organization",
}

# Words that make a claimant a body, a document or data rather than a person: "the
# Labor Department", "City data", "a government watchdog", "the report".
ORGANISATION_WORDS = frozenset(
    """agency analysis association audit authority bank board bureau campaign census
    center centre charity city commission committee company congress corporation
    council county court data database department division figures firm foundation
    government group hospital inc index institute league ltd ministry newspaper
    office organisation organization parliament party police poll records regulator
    report researchers review senate service statistics study survey team tribunal
    union university watchdog""".split()
)


def guess_kind(name: str) -> str:
    """Organisation for "the Labor Department", "ICE" or "City data", else person."""
    words = name.replace(".", " ").replace(",", " ").replace("'s", " ").split()
    if any(word.lower() in ORGANISATION_WORDS for word in words):
        return Claim.ClaimantKind.ORGANISATION
    if len(words) == 1 and len(words[0]) > 1 and words[0].isupper():
        return Claim.ClaimantKind.ORGANISATION
    return Claim.ClaimantKind.PERSON


def guess_claimant_kind(claim: Claim) -> str:
    """The claimant's kind as said on the claim, else as guessed from the name."""
    if not claim.claimant.strip():
        return ""
    return claim.claimant_kind or guess_kind(claim.claimant)


def appearance(article: Article) -> dict:
    """The reviewed article, described inline (it may have no address of its own)."""
    work: dict = {"@type": "Article", "headline": article.title}
    if article.url:
        work["url"] = article.url
    if article.published_on:
        work["datePublished"] = article.published_on.isoformat()
    if article.outlet:
        work["publisher"] = {"@type": "Organization", "name": article.outlet}
    if article.byline:
        work["author"] = {"@type": "Person", "name": article.byline}
    return work


def review_rating(rating: dict, scale: dict) -> dict:
    """The approved verdict on the scale as it stood when it was approved."""
    result: dict = {
        "@type": "Rating",
        "alternateName": rating["label"],
        "name": rating["label"],
    }
    if rating.get("description"):
        result["description"] = rating["description"]
    on_scale = Scale(best=scale.get("best"), worst=scale.get("worst"))
    if on_scale.has(rating["value"]):
        result.update(
            ratingValue=rating["value"],
            bestRating=on_scale.best,
            worstRating=on_scale.worst,
        )
    return result


def claim_review(article: Article, claim: Claim, *, published: datetime.date) -> dict:
    """One ClaimReview for one approved claim, from what was approved."""
    approval = claim.approval
    item: dict = {"@type": "Claim", "text": " ".join(claim.text.split())}
    author = claimant(approval, article)
    if author is not None:
        item["author"] = author
    item["appearance"] = appearance(article)
    if article.published_on:
        item["datePublished"] = article.published_on.isoformat()
    return {
        "@type": "ClaimReview",
        "url": review_url(article),
        "claimReviewed": shorten_claim(claim.text),
        "reviewRating": review_rating(approval["rating"], approval["scale"]),
        "author": organisation(),
        "datePublished": published.isoformat(),
        "creativeWorkStatus": "Published" if article.is_signed_off else "Draft",
        "itemReviewed": item,
    }


def approved_claims(article: Article) -> list[Claim]:
    """The claims whose verdict an editor approved; no other claim is ever published."""
    return list(
        article.claims.filter(state=Claim.State.APPROVED).order_by("start", "pk")
    )


def approval_date(claim: Claim) -> datetime.date:
    approved_at = datetime.datetime.fromisoformat(claim.approval["approved_at"])
    return timezone.localdate(approved_at)


def claimreview_document(article: Article) -> dict:
    """The ClaimReview JSON-LD of an article: one review per approved claim.

    After sign-off every review is dated the day of the sign-off; before it, the day
    its verdict was approved.
    """
    signed = (
        timezone.localdate(article.signed_off_at) if article.is_signed_off else None
    )
    return {
        "@context": SCHEMA_CONTEXT,
        "@graph": [
            claim_review(article, claim, published=signed or approval_date(claim))
            for claim in approved_claims(article)
        ],
    }


def to_json(document: dict, encoder: type = DjangoJSONEncoder) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, cls=encoder)


# Inside <script>, "</script>" or "<!--" in a claim would end or confuse the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(document: dict) -> str:
    """JSON safe to place inside <script type="application/ld+json">."""
    return to_json(document).translate(_SCRIPT_ESCAPES)
