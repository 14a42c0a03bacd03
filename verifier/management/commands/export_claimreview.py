"""Print an article's ClaimReview JSON-LD: one review per approved claim."""

from django.core.management.base import BaseCommand, CommandError

from verifier import exports
from verifier.models import Article


class Command(BaseCommand):
    help = (
        "Print the article's ClaimReview JSON-LD (schema.org) on stdout: one review "
        "per approved claim. Before sign-off every review is marked as a draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("article_id", type=int, help="The article's id.")

    def handle(self, *args, article_id, **options):
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            raise CommandError(f"There is no article #{article_id}.")
        document = exports.claimreview_document(article)
        self.stdout.write(exports.to_json(document))
        n = len(document["@graph"])
        if not article.is_signed_off:
            self.stderr.write(
                f"Draft: article #{article.pk} is not signed off, so "
                + ("its review says" if n == 1 else f"its {n} reviews say")
                + ' "creativeWorkStatus": "Draft". Publish only after sign-off.'
            )
        if n == 0:
            self.stderr.write(
                f"Article #{article.pk} has no approved claim: nothing to publish."
            )
