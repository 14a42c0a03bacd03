"""Loaded before Django (``-p tests.env``): the environment the suite runs in.

Settings are read with DEBUG on, like `make run`; pytest-django then turns DEBUG off
while tests run, as in production. DATABASE_URL passes through, so the same suite
runs on SQLite (the default) and on PostgreSQL.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VERIFIER_ORG_NAME", "Test Verification Desk")
os.environ.setdefault("VERIFIER_SITE_URL", "https://verify.example.org")
# Playwright's sync API runs an event loop; Django allows ORM calls beside it in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
