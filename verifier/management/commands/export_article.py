"""Write one article, with everything about it, as a JSON archive."""

from django.core.management.base import BaseCommand, CommandError

from verifier import archive
from verifier.models import Article


class Command(BaseCommand):
    help = (
        "Write one JSON document holding the article, its claims, evidence, sources, "
        "notes and events (users by username, ratings by label). "
        "Restore it elsewhere with import_article_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("article_id", type=int, help="The article's id.")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write to FILE instead of stdout."
        )

    def handle(self, *args, article_id, output=None, **options):
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            raise CommandError(f"There is no article #{article_id}.")
        text = archive.archive_json(article) + "\n"
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stderr.write(f"Article #{article.pk} archived to {output}.")
