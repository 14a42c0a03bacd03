"""Backup and restore, with the README's commands, into a fresh database.

The test builds a worked demo database in a separate process, backs it up, restores
it into a new database, and compares what both serve: every row of the review desk
(timestamps included), the rendered claim and article pages, and the audit replay.
It runs with the commands of the database the suite runs on: the sqlite3 shell's
.backup/.restore on SQLite, pg_dump/pg_restore on PostgreSQL.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

# Prints, as one JSON line, what an instance holds and serves.
SNAPSHOT = """
import json, re
from django.contrib.auth import get_user_model
from django.test import Client
from verifier.models import Article, Claim, Event, Evidence, Note, Rating, Source
rows = {
    m.__name__: [
        {k: str(v) for k, v in r.items()} for r in m.objects.order_by("pk").values()
    ]
    for m in (Article, Claim, Event, Evidence, Note, Rating, Source, get_user_model())
}
client = Client()
client.force_login(get_user_model().objects.get(username="editor"))
paths = ["/claims/", *[c.get_absolute_url() for c in Claim.objects.all()],
         *[a.get_absolute_url() for a in Article.objects.all()]]
token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
pages = {}
for path in paths:
    response = client.get(path)
    pages[path] = [response.status_code, token.sub("", response.content.decode())]
print(json.dumps({"rows": rows, "pages": pages}))
"""


def run(*command, env, cwd=None):
    result = subprocess.run(
        command,
        cwd=cwd or settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def manage(*args, database_url):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "testserver",
        "VERIFIER_DEMO_PASSWORD": "backup-Test-pw-9",
    }
    return run(sys.executable, "manage.py", *args, env=env)


def snapshot(database_url):
    output = manage("shell", "-c", SNAPSHOT, database_url=database_url)
    return json.loads(output.strip().splitlines()[-1])


def worked_demo(database_url):
    manage("migrate", "--noinput", database_url=database_url)
    manage("setup_demo", database_url=database_url)


def sqlite_backup(source, target):
    """The README's `sqlite3 db.sqlite3 ".backup 'FILE'"`, or its stdlib equivalent."""
    if shutil.which("sqlite3"):
        run("sqlite3", str(source), f".backup '{target}'", env=os.environ)
    else:
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)


def round_trip_sqlite(tmp_path):
    """Back up a live file and restore it into a fresh one, as after losing a disk."""
    source = f"{tmp_path}/db.sqlite3"
    backup = f"{tmp_path}/backup.sqlite3"
    restored = f"{tmp_path}/restored.sqlite3"
    worked_demo(f"sqlite:///{source}")
    sqlite_backup(source, backup)
    sqlite_backup(backup, restored)
    return f"sqlite:///{source}", f"sqlite:///{restored}"


def round_trip_postgresql(tmp_path, cleanup):
    """pg_dump the database and pg_restore the dump into a new, empty one."""
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    admin = f"--maintenance-db={server}/postgres"
    base = connection.settings_dict["NAME"]
    source, restored = f"{base}_backup_source", f"{base}_backup_restored"
    for name in (source, restored):
        run("dropdb", "--if-exists", admin, name, env=env)
        cleanup.append(
            lambda name=name: run("dropdb", "--if-exists", admin, name, env=env)
        )
    dump = tmp_path / "verifier.dump"
    run("createdb", admin, source, env=env)
    worked_demo(f"{server}/{source}")
    run("pg_dump", "--format=custom", f"--file={dump}", f"{server}/{source}", env=env)
    run("createdb", admin, restored, env=env)
    run(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        f"--dbname={server}/{restored}",
        str(dump),
        env=env,
    )
    return f"{server}/{source}", f"{server}/{restored}"


@pytest.fixture
def cleanup():
    steps = []
    yield steps
    for step in steps:
        step()


def test_backup_restores_the_same_claims_verdicts_and_history(tmp_path, cleanup):
    if connection.vendor == "postgresql":
        source, restored = round_trip_postgresql(tmp_path, cleanup)
    else:
        source, restored = round_trip_sqlite(tmp_path)
    before, after = snapshot(source), snapshot(restored)
    assert len(before["rows"]["Event"]) > 20
    assert before["rows"]["Claim"] and before["pages"]
    assert after == before
    assert "The audit trail matches" in manage("verify_audit", database_url=restored)
