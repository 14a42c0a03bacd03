"""Archiving an article and restoring it elsewhere, with nothing lost."""

import datetime
import io
import json
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from tests.conftest import (
    cite,
    current_version,
    make_approved,
    make_article,
    make_in_progress,
    make_source,
    refresh,
)
from verifier import archive, exports, importing, previously, workflow
from verifier.models import (
    Article,
    ArticleText,
    AuditHead,
    Claim,
    Event,
    Evidence,
    ImmutableEventError,
    Note,
    Notification,
    Source,
    WorkflowPolicy,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_article(checker, other_checker, editor):
    """An article with every kind of record: approved, dismissed and worked claims,
    shared and offline sources, withdrawn evidence, notes, and an earlier text."""
    article = make_article(
        checker,
        outlet="Daily Planet",
        byline="Lois Lane",
        url="https://planet.example.com/a",
        factcheck_url="https://verify.example.org/fc/1",
        others=[workflow.Span(0, 14, 0.21, ("number",))],
    )
    first, second, third = article.claims.order_by("start")
    workflow.assign(
        first, user=editor, assignee=other_checker, version=current_version(first)
    )
    make_approved(first, other_checker, editor)
    workflow.add_note(first, user=other_checker, text="Checked with the press office.")
    workflow.dismiss(
        second, user=checker, reason="An opinion.", version=current_version(second)
    )
    make_in_progress(third, checker, label="False")
    offline = workflow.create_source(
        user=checker, title="Interview", reference="Phone call, 3 May"
    )
    withdrawn = cite(third, checker, offline)
    workflow.remove_evidence(withdrawn, user=checker)
    cite(third, checker, offline)
    workflow.add_note(third, user=checker, text="Waiting for the data.")
    importing.import_new_version(
        user=editor,
        article=refresh(article),
        body="Updated at noon.\n\n" + article.body,
    )
    return refresh(article)


def signed_off(article, checker, editor):
    for claim in article.claims.exclude(state__in=["approved", "dismissed"]):
        workflow.dismiss(
            claim, user=checker, reason="Out of scope.", version=current_version(claim)
        )
    workflow.sign_off(article, user=editor, version=current_version(article))
    return refresh(article)


def natural(obj):
    """An object's identity without its primary key."""
    if obj is None:
        return None
    if isinstance(obj, User):
        return obj.username
    if isinstance(obj, Article):
        return obj.body_sha256
    if isinstance(obj, Claim):
        return (natural(obj.article), obj.start, obj.end)
    if isinstance(obj, Source):
        return (obj.title, obj.url, obj.reference)
    if isinstance(obj, Evidence):
        return (natural(obj.claim), natural(obj.source), obj.excerpt, obj.added_at)
    if isinstance(obj, Note):
        return (natural(obj.claim), obj.text, obj.created_at)
    return str(obj)  # a rating, by its label


def fields(obj):
    """Every stored field of a record, relations by natural key, without the pk."""
    row = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            row[field.name] = natural(getattr(obj, field.name))
        else:
            row[field.name] = getattr(obj, field.attname)
    return row


TARGETS = {"article": Article, "claim": Claim, "evidence": Evidence, "note": Note}


def event_fields(event):
    row = fields(event)
    for name in ("sequence", "recorded_at", "previous_hash", "hash"):
        del row[name]  # the place in this instance's chain, not what happened
    model = TARGETS.get(event.target_type) or (
        Source if event.target_type == "source" else None
    )
    target = model.objects.filter(pk=event.target_id).first() if model else None
    row["target_id"] = natural(target)
    return row


def dump(article):
    """Everything about an article, as comparable plain data."""
    claims = article.claims.order_by("start")
    evidence = Evidence.objects.filter(claim__article=article).order_by("added_at")
    sources = Source.objects.filter(evidence__in=evidence).distinct().order_by("title")
    events = Event.objects.filter(article=article).exclude(action="restore")
    source_events = Event.objects.filter(target_type="source", target_id__in=sources)
    return {
        "article": fields(article),
        "earlier_texts": [fields(t) for t in article.earlier_texts.order_by("number")],
        "claims": [fields(c) for c in claims],
        "evidence": [fields(e) for e in evidence],
        "sources": [fields(s) for s in sources],
        "notes": [fields(n) for n in Note.objects.filter(claim__article=article)],
        "events": [event_fields(e) for e in events.order_by("created_at", "pk")],
        "source_events": [
            event_fields(e) for e in source_events.order_by("created_at")
        ],
    }


@contextmanager
def append_only_trigger_off():
    """PostgreSQL refuses to delete Events (migration 0004); SQLite only updates."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign-key check of this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE verifier_event DISABLE TRIGGER USER")
        yield
        cursor.execute("ALTER TABLE verifier_event ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def wipe(article, users=()):
    """Remove the article and all about it, as on a fresh instance (test only: normal
    code can never delete an Event)."""
    sources = list(Source.objects.filter(evidence__claim__article=article).distinct())
    # What people were told about it goes too: it points at its Events.
    Notification.objects.filter(event__article=article).delete()
    with append_only_trigger_off():
        Event.objects.filter(article=article)._raw_delete("default")
        Event.objects.filter(target_type="source")._raw_delete("default")
    Note.objects.filter(claim__article=article).delete()
    Evidence.objects.filter(claim__article=article).delete()
    article.claims.all().delete()
    article.earlier_texts.all().delete()
    Source.objects.filter(pk__in=[s.pk for s in sources]).delete()
    Article.objects.filter(pk=article.pk).delete()
    User.objects.filter(username__in=users).delete()


def restore(document):
    return archive.restore(json.loads(json.dumps(document, cls=archive.ArchiveEncoder)))


# --- the archive document -------------------------------------------------------------


def test_archive_holds_article_claims_evidence_sources_notes_and_events(worked_article):
    document = archive.article_archive(worked_article)
    assert document["format"] == "claim-verifier-article-archive"
    assert document["article"]["body"] == worked_article.body
    assert len(document["claims"]) == 3
    assert len(document["evidence"]) == 3
    assert [s["title"] for s in document["sources"]] == [
        "Government report",
        "Government report",
        "Interview",
    ]
    assert len(document["notes"]) == 2
    source_events = Event.objects.filter(target_type="source").count()
    assert len(document["events"]) == worked_article.events.count() + source_events


def test_archive_names_users_by_username_and_ratings_by_label(worked_article):
    document = archive.article_archive(worked_article)
    claim = document["claims"][0]
    assert (claim["assignee"], claim["approved_by"], claim["rating"]) == (
        "bob",
        "carol",
        "Misleading",
    )
    assert document["users"] == ["alice", "bob", "carol"]
    assert document["ratings"] == ["False", "Misleading"]


def test_archive_keeps_timestamps_to_the_microsecond(worked_article):
    text = archive.archive_json(worked_article)
    created = json.loads(text)["claims"][0]["created_at"]
    assert created == worked_article.claims.order_by("start")[0].created_at.isoformat()


@pytest.mark.parametrize(
    "model, archived, related",
    [
        (Article, archive.ARTICLE_FIELDS, {"imported_by", "signed_off_by"}),
        (ArticleText, archive.EARLIER_TEXT_FIELDS, {"article", "replaced_by"}),
        (
            Claim,
            archive.CLAIM_FIELDS,
            {"article", "rating", "assignee", "submitted_by", "approved_by"},
        ),
        # A source's earlier version is not carried: the archive holds the
        # versions the article cited, each as it was.
        (Source, archive.SOURCE_FIELDS, {"created_by", "supersedes"}),
        (Evidence, archive.EVIDENCE_FIELDS, {"claim", "source", "added_by"}),
        (Note, archive.NOTE_FIELDS, {"claim", "author"}),
        # An Event's place in the hash chain is this instance's: restored Events
        # are chained anew.
        (
            Event,
            archive.EVENT_FIELDS,
            {"actor", "article", "claim", "target_id"}
            | {"sequence", "recorded_at", "previous_hash", "hash"},
        ),
    ],
)
def test_archive_carries_every_field_of_every_model(model, archived, related):
    # The search index is rebuilt by the database (migration 0006's trigger).
    derived = {"search_vector"}
    stored = {
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in derived
    }
    assert stored == set(archived) | related


# --- the round trip -------------------------------------------------------------------


def test_round_trip_restores_the_article_identically(worked_article):
    before = dump(worked_article)
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    restored = restore(document)
    assert dump(restored.article) == before


def test_a_restored_approval_is_previously_checked_for_a_claim_seen_before(
    worked_article, checker
):
    approved = worked_article.claims.get(state="approved")
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    for claim in document["claims"]:  # approved long before it was archived
        claim["updated_at"] -= datetime.timedelta(days=30)
    elsewhere = make_article(checker, body=approved.text, title="Elsewhere")
    claim = elsewhere.claims.get()
    assert previously.previously_checked(claim) == []  # looked at: nothing yet
    restored = restore(document).article
    (prior,) = previously.previously_checked(claim)
    assert prior.claim == restored.claims.get(state="approved")
    assert prior.match.same


def test_round_trip_of_a_signed_off_article_keeps_the_sign_off(
    worked_article, checker, editor
):
    article = signed_off(worked_article, checker, editor)
    before = dump(article)
    document = archive.article_archive(article)
    wipe(article)
    restored = restore(document).article
    assert dump(restored) == before
    assert (restored.state, restored.signed_off_by.username) == ("signed_off", "carol")
    assert restored.fingerprint == article.fingerprint


def test_round_trip_into_an_instance_without_the_users(worked_article):
    before = dump(worked_article)
    document = archive.article_archive(worked_article)
    wipe(worked_article, users=["alice", "bob", "carol"])
    restored = restore(document)
    assert dump(restored.article) == before
    assert restored.created_users == ("alice", "bob", "carol")


def test_restore_keeps_the_order_of_events(worked_article):
    actions = list(
        worked_article.events.order_by("created_at", "pk").values_list(
            "action", flat=True
        )
    )
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    article = restore(document).article
    restored = article.events.exclude(action="restore").order_by("created_at", "pk")
    assert list(restored.values_list("action", flat=True)) == actions


def test_restored_events_join_this_instances_chain_as_they_were(worked_article):
    original = list(
        worked_article.events.order_by("sequence").values(
            "created_at", "actor__username", "action", "changes", "reason"
        )
    )
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    head = AuditHead.objects.get().sequence
    article = restore(document).article
    events = list(article.events.order_by("sequence"))
    restored = [e for e in events if e.action != "restore"]
    assert [
        {
            "created_at": e.created_at,
            "actor__username": e.actor.username if e.actor else None,
            "action": e.action,
            "changes": e.changes,
            "reason": e.reason,
        }
        for e in restored
    ] == original
    assert events[0].sequence > head
    assert events[-1].action == "restore"
    assert events[-1].changes["restored_events"] == [
        None,
        Event.objects.filter(sequence__gt=head).count() - 1,
    ]
    for before, event in zip(events, events[1:], strict=False):
        assert event.sequence > before.sequence
    assert all(e.recorded_at >= e.created_at for e in events)


def test_an_instance_restored_from_an_archive_passes_verify_audit(
    worked_article, checker, editor
):
    article = signed_off(worked_article, checker, editor)
    document = archive.article_archive(article)
    wipe(article)
    # A fresh instance: no chain yet (test only: normal code never deletes an Event).
    Notification.objects.all().delete()
    with append_only_trigger_off():
        Event.objects.all()._raw_delete("default")
    AuditHead.objects.all().delete()
    # Here the archive's authors hold no permission: the instance it came from
    # vouched for them, and its rules were checked when it was restored.
    for user in User.objects.filter(username__in=["alice", "bob", "carol"]):
        user.groups.clear()
    restore(document)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "The audit trail matches" in out.getvalue()


def test_self_approval_in_an_archive_is_restored_when_four_eyes_is_off(
    worked_article,
):
    document = archive.article_archive(worked_article)
    approval = next(e for e in document["events"] if e["action"] == "approve")
    approval["actor"] = "bob"
    approval["changes"]["approved_by"] = [None, "bob"]
    document["claims"][0]["approved_by"] = "bob"
    wipe(worked_article)
    WorkflowPolicy.objects.update(four_eyes=True)
    with pytest.raises(workflow.WorkflowError, match="was approved by bob, who wrote"):
        restore(document)
    WorkflowPolicy.objects.update(four_eyes=False)
    assert restore(document).article.claims.filter(approved_by__username="bob")


def test_restore_records_itself_as_an_event(worked_article):
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    article = restore(document).article
    event = article.events.order_by("pk").last()
    assert (event.action, event.actor, event.target_id) == ("restore", None, article.pk)
    assert event.changes["archived_id"] == [None, document["article"]["id"]]


def test_restored_events_stay_immutable(worked_article):
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    event = restore(document).article.events.first()
    event.reason = "Rewritten"
    with pytest.raises(ImmutableEventError):
        event.save()


def test_withdrawn_evidence_events_keep_what_they_said(worked_article):
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    article = restore(document).article
    removal = article.events.get(action="remove_evidence")
    assert removal.target_id is None
    assert removal.changes["source"] == ["Interview", None]


# --- users, ratings and sources -------------------------------------------------------


def test_missing_users_are_created_inactive_without_usable_password(worked_article):
    document = archive.article_archive(worked_article)
    wipe(worked_article, users=["bob"])
    restored = restore(document)
    bob = User.objects.get(username="bob")
    assert restored.created_users == ("bob",)
    assert not bob.is_active
    assert not bob.has_usable_password()
    assert not bob.groups.exists()


def test_existing_users_are_reused(worked_article):
    alice = User.objects.get(username="alice")
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    article = restore(document).article
    assert article.imported_by == alice
    assert User.objects.filter(username="alice").count() == 1


def test_sources_already_here_are_reused_not_copied(worked_article, checker):
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    here = make_source(checker)  # same URL as the archived "Government report"
    restored = restore(document)
    assert Source.objects.filter(url=here.url).count() == 1
    assert restored.article.claims.order_by("start")[0].evidence.get().source == here
    assert set(restored.reused_sources) == {str(here)}


@pytest.mark.parametrize(
    "reference, n_interviews", [("Phone call, 3 May", 1), ("Another call", 2)]
)
def test_offline_sources_are_matched_by_title_and_reference(
    worked_article, checker, reference, n_interviews
):
    document = archive.article_archive(worked_article)
    wipe(worked_article)
    workflow.create_source(user=checker, title="Interview", reference=reference)
    restore(document)
    assert Source.objects.filter(title="Interview").count() == n_interviews


def test_unknown_rating_is_refused_and_nothing_is_written(worked_article):
    document = archive.article_archive(worked_article)
    document["claims"][0]["rating"] = "Pants on fire"
    wipe(worked_article, users=["bob"])
    counts = (Article.objects.count(), Event.objects.count(), User.objects.count())
    with pytest.raises(workflow.WorkflowError, match="“Pants on fire”"):
        restore(document)
    assert (
        Article.objects.count(),
        Event.objects.count(),
        User.objects.count(),
    ) == counts


def test_article_already_here_is_refused(worked_article):
    document = archive.article_archive(worked_article)
    n_events = Event.objects.count()
    with pytest.raises(
        workflow.WorkflowError, match=f"already here as #{worked_article.pk}"
    ):
        restore(document)
    assert Article.objects.count() == 1
    assert Event.objects.count() == n_events


def test_damaged_article_text_is_refused(worked_article):
    document = archive.article_archive(worked_article)
    document["article"]["body"] += " Edited."
    with pytest.raises(workflow.WorkflowError, match="checksum"):
        restore(document)


def test_the_earlier_texts_come_back_for_what_changed(client, worked_article, editor):
    document = archive.article_archive(worked_article)
    assert [t["number"] for t in document["earlier_texts"]] == [1]
    wipe(worked_article)
    article = restore(document).article
    assert article.text_version == 2
    (earlier,) = article.earlier_texts.all()
    assert "Updated at noon." not in earlier.body
    client.force_login(editor)
    page = client.get(reverse("article-text-changes", args=[article.pk, 1]))
    assert page.status_code == 200
    assert "Updated at noon." in page.content.decode()


def test_an_archive_made_before_earlier_texts_were_archived_still_restores(
    client, worked_article, editor
):
    document = archive.article_archive(worked_article)
    del document["earlier_texts"]
    wipe(worked_article)
    article = restore(document).article
    assert article.text_version == 2 and not article.earlier_texts.exists()
    # Nothing to compare, so the article page offers no comparison.
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "text version 2" in page and "what changed" not in page


@pytest.mark.parametrize(
    "change, error",
    [
        (
            {"body": "Edited afterwards."},
            r"earlier_texts\[0\]\.body: does not match its checksum",
        ),
        ({"number": 2}, r"earlier_texts\[0\]\.number: 2 is not earlier than"),
        ({"number": 0}, r"earlier_texts\[0\]\.number: must be at least 1"),
    ],
)
def test_a_damaged_earlier_text_is_refused_and_nothing_is_written(
    worked_article, change, error
):
    document = archive.article_archive(worked_article)
    document["earlier_texts"][0].update(change)
    wipe(worked_article)
    with pytest.raises(workflow.WorkflowError, match=error):
        restore(document)
    assert not Article.objects.exists() and not ArticleText.objects.exists()


def test_the_same_earlier_version_twice_is_refused(worked_article):
    document = archive.article_archive(worked_article)
    document["article"]["text_version"] = 3
    document["earlier_texts"].append(dict(document["earlier_texts"][0]))
    wipe(worked_article)
    with pytest.raises(
        workflow.WorkflowError, match=r"earlier_texts\[1\]\.number: version 1 is there"
    ):
        restore(document)


def test_claim_that_does_not_match_the_text_is_refused_and_nothing_is_written(
    worked_article,
):
    document = archive.article_archive(worked_article)
    document["claims"][-1]["text"] = "Something else"
    wipe(worked_article, users=["bob"])
    with pytest.raises(workflow.WorkflowError, match="does not match the article text"):
        restore(document)
    assert not Article.objects.exists()
    assert not Claim.objects.exists()
    assert not User.objects.filter(username="bob").exists()


def test_invalid_record_is_refused_with_what_is_wrong(worked_article):
    document = archive.article_archive(worked_article)
    document["claims"][0]["state"] = "lost"
    wipe(worked_article)
    with pytest.raises(
        workflow.WorkflowError, match=r"claims\[0\]\.state: must be one of 'open'"
    ):
        restore(document)


def test_claim_with_a_span_that_is_not_a_number_is_refused(worked_article):
    document = archive.article_archive(worked_article)
    document["claims"][0]["start"] = "the beginning"
    wipe(worked_article)
    with pytest.raises(
        workflow.WorkflowError, match=r"claims\[0\]\.start: must be a whole number"
    ):
        restore(document)


def test_record_without_id_is_refused(worked_article):
    document = archive.article_archive(worked_article)
    del document["notes"][0]["id"]
    with pytest.raises(workflow.WorkflowError, match=r"notes\[0\]\.id: is missing"):
        restore(document)


def test_other_json_is_not_an_archive(db):
    with pytest.raises(workflow.WorkflowError, match="not an article archive"):
        archive.restore({"@context": "https://schema.org"})


def test_archive_of_a_newer_format_is_refused(worked_article):
    document = archive.article_archive(worked_article)
    document["version"] = archive.VERSION + 1
    with pytest.raises(workflow.WorkflowError, match=f"version {archive.VERSION + 1}"):
        restore(document)


def test_restoring_user_needs_permission_to_import(worked_article, nobody):
    document = json.loads(archive.archive_json(worked_article))
    wipe(worked_article)
    with pytest.raises(workflow.WorkflowError, match="permission"):
        archive.restore(document, user=nobody)
    assert not Article.objects.exists()


def test_restoring_user_is_the_actor_of_the_restore_event(worked_article, checker):
    document = json.loads(archive.archive_json(worked_article))
    wipe(worked_article)
    article = archive.restore(document, user=checker).article
    assert article.events.get(action="restore").actor == checker


# --- the commands ---------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_article_prints_one_json_document(worked_article):
    out, _ = run("export_article", str(worked_article.pk))
    assert json.loads(out)["article"]["title"] == worked_article.title


def test_export_article_writes_to_a_file(worked_article, tmp_path):
    path = tmp_path / "archive.json"
    _, err = run("export_article", str(worked_article.pk), "-o", str(path))
    assert (
        json.loads(path.read_text(encoding="utf-8"))["article"]["id"]
        == worked_article.pk
    )
    assert str(path) in err


def test_import_article_archive_restores_the_file(worked_article, tmp_path):
    path = tmp_path / "archive.json"
    run("export_article", str(worked_article.pk), "-o", str(path))
    before = dump(worked_article)
    wipe(worked_article, users=["bob"])
    out, _ = run("import_article_archive", str(path))
    restored = Article.objects.get()
    assert dump(restored) == before
    assert f"Restored article #{restored.pk}" in out
    assert "Created inactive users with no usable password" in out
    assert "bob" in out


@pytest.mark.parametrize("command", ["export_article", "export_claimreview"])
def test_export_of_an_unknown_article_is_an_error(db, command):
    with pytest.raises(CommandError, match="no article #999"):
        run(command, "999")


def test_import_of_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_article_archive", str(tmp_path / "missing.json"))


def test_import_of_invalid_json_is_an_error(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON .line 1"):
        run("import_article_archive", str(path))


def test_import_of_a_binary_file_is_an_error(db, tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(CommandError, match="not UTF-8"):
        run("import_article_archive", str(path))


def test_import_of_an_article_already_here_is_an_error(worked_article, tmp_path):
    path = tmp_path / "archive.json"
    run("export_article", str(worked_article.pk), "-o", str(path))
    with pytest.raises(CommandError, match="already here"):
        run("import_article_archive", str(path))


def test_export_claimreview_prints_json_ld_and_notes_a_draft(worked_article):
    out, err = run("export_claimreview", str(worked_article.pk))
    assert json.loads(out) == json.loads(
        exports.to_json(exports.claimreview_document(worked_article))
    )
    assert len(json.loads(out)["@graph"]) == 1
    assert "Draft" in err


def test_export_claimreview_after_sign_off_is_not_a_draft(
    worked_article, checker, editor
):
    article = signed_off(worked_article, checker, editor)
    out, err = run("export_claimreview", str(article.pk))
    assert json.loads(out)["@graph"][0]["creativeWorkStatus"] == "Published"
    assert err == ""
