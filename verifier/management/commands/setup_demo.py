"""Set up roles, the default scale and policy, demo users and the seed article."""

import json
import os
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from verifier import defaults, extraction, workflow
from verifier.models import Article, Claim, Priority, Rating

SEED = settings.BASE_DIR / "fixtures" / "seed"
DEMO_USERS = [
    # username, group, superuser
    ("admin", None, True),
    ("editor", defaults.EDITORS, False),
    ("checker", defaults.FACT_CHECKERS, False),
    ("checker2", defaults.FACT_CHECKERS, False),
]


class Command(BaseCommand):
    help = (
        "Idempotent: groups and permissions, the default verdict scale and policy, "
        "the demo users (password from VERIFIER_DEMO_PASSWORD, else random) and the "
        "seed article."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "setup_demo creates demo users with known passwords and refuses to run "
                "with DEBUG off. Create real users with `manage.py createsuperuser`."
            )
        defaults.ensure_groups()
        defaults.ensure_ratings()
        defaults.ensure_policy()
        password = os.environ.get("VERIFIER_DEMO_PASSWORD", "")
        users = self.ensure_users(password)
        article = self.ensure_seed(users)
        self.stdout.write(
            f"Seed article #{article.pk}: {article.claims.count()} claims."
        )

    def ensure_users(self, password: str) -> dict:
        User = get_user_model()
        generated = password or secrets.token_urlsafe(12)
        users, created = {}, []
        for username, group, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    email=f"{username}@example.org",
                    is_staff=superuser,
                    is_superuser=superuser,
                )
                user.set_password(generated)
                user.save()
                created.append(username)
            elif not user.email:
                # Demo users made before notifications had no address to mail.
                user.email = f"{username}@example.org"
                user.save(update_fields=["email"])
            if password and username not in created:
                # An explicit password always wins, so the printed logins are true.
                user.set_password(password)
                user.save(update_fields=["password"])
            if group:
                user.groups.add(Group.objects.get(name=group))
            users[username] = user
        names = ", ".join(name for name, _, _ in DEMO_USERS)
        if password:
            self.stdout.write(
                f"Demo logins: {names}; password from VERIFIER_DEMO_PASSWORD."
            )
        elif created:
            self.stdout.write(
                f"Demo logins: {names}; password (shown once): {generated}"
            )
        else:
            self.stdout.write(
                f"Demo logins: {names}; passwords unchanged "
                "(set VERIFIER_DEMO_PASSWORD to reset them)."
            )
        return users

    @transaction.atomic
    def ensure_seed(self, users: dict) -> Article:
        body = extraction.normalise((SEED / "article.txt").read_text(encoding="utf-8"))
        # The seed, even after a demo of the outlet's correction gave it a new text.
        digest = workflow.body_digest(body)
        existing = Article.objects.filter(
            Q(body_sha256=digest) | Q(earlier_texts__body_sha256=digest)
        ).first()
        if existing is not None:
            return existing
        demo = json.loads((SEED / "demo.json").read_text(encoding="utf-8"))
        sentences = json.loads((SEED / "claims.json").read_text(encoding="utf-8"))[
            "check_worthy"
        ]
        found = {(s.start, s.end): s for s in extraction.analyse(body)}
        machine_claims, machine_others = extraction.candidates(body)
        spans = []
        for item in sentences:
            start = body.find(item["sentence"])
            if start < 0:
                raise CommandError(
                    f"Seed claim not found in the article: {item['sentence'][:60]}"
                )
            end = start + len(item["sentence"])
            machine = found.get((start, end))
            spans.append(
                workflow.Span(
                    start,
                    end,
                    round(machine.score, 3) if machine else 0.0,
                    tuple(machine.reasons) if machine else (),
                    machine.claimant if machine else "",
                )
            )
        meta = demo["article"]
        chosen = {(s.start, s.end) for s in spans}
        others = [
            s for s in machine_claims + machine_others if (s.start, s.end) not in chosen
        ]
        article = workflow.create_article(
            user=users["checker"],
            spans=spans,
            others=workflow.spans_from(sorted(others, key=lambda s: s.start)),
            body=body,
            title=meta["title"],
            outlet=meta["outlet"],
            byline=meta["byline"],
            published_on=date.fromisoformat(meta["published_on"]),
        )
        self.replay_work(article, demo, users)
        self.set_deadlines(article, users["editor"])
        return article

    def set_deadlines(self, article: Article, editor) -> None:
        """A desk works to deadlines: the seed's fact-check is due tomorrow, and the
        first claim still in progress is wanted sooner."""
        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        article.refresh_from_db(fields=["version"])
        article = workflow.schedule_article(
            article,
            user=editor,
            due=hour + timedelta(days=1, hours=1),
            priority=Priority.HIGH,
            version=article.version,
        )
        sooner = article.claims.filter(state=Claim.State.IN_PROGRESS).order_by("start")
        claim = sooner.first()
        if claim is not None:
            workflow.schedule_claim(
                claim,
                user=editor,
                due=hour + timedelta(hours=4),
                priority=Priority.URGENT,
                version=claim.version,
            )

    def replay_work(self, article: Article, demo: dict, users: dict) -> None:
        """Work some claims through the real workflow, so their history is genuine."""
        editor = users["editor"]
        sources = {
            spec["key"]: workflow.create_source(
                user=users["checker"], **{k: v for k, v in spec.items() if k != "key"}
            )
            for spec in demo["sources"]
        }
        claims = list(article.claims.order_by("start"))
        for item in demo["work"]:
            claim = claims[item["claim"] - 1]
            checker = users[item["assignee"]]
            claim = workflow.assign(
                claim, user=editor, assignee=checker, version=claim.version
            )
            if "rating" not in item:
                continue
            claim = workflow.start(claim, user=checker, version=claim.version)
            for spec in item["evidence"]:
                workflow.add_evidence(
                    claim,
                    user=checker,
                    source=sources[spec["source"]],
                    excerpt=spec["excerpt"],
                    locator=spec["locator"],
                    stance=spec["stance"],
                )
            claim = workflow.save_verdict(
                claim,
                user=checker,
                rating=Rating.objects.get(label=item["rating"]),
                rationale=item["rationale"],
                version=claim.version,
            )
            for text in item.get("notes", []):
                workflow.add_note(claim, user=checker, text=text)
            if item.get("submit"):
                claim = workflow.submit(claim, user=checker, version=claim.version)
            if item.get("return"):
                # Sent back with a reason: it leads its checker's My work.
                claim = workflow.return_(
                    claim, user=editor, reason=item["return"], version=claim.version
                )
            if item.get("approve_by"):
                claim = workflow.approve(
                    claim, user=users[item["approve_by"]], version=claim.version
                )
