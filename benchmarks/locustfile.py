"""Twenty people on the desk at once: 15 fact-checkers and 5 editors.

Checkers read the dashboard and the claim list, open their claims, write notes, save
verdicts and submit; editors approve what is submitted in their share and reopen what
they approved, so the cycle goes on. Shares are disjoint, so nobody races anybody:
every answer other than a success is an error, except a 503 while PostgreSQL restarts,
which is counted apart (written to LOAD_OUT/user-503.log) and checked by load.sh.

Everyone logs in first, and the timed requests start once all twenty have: a log-in
is PBKDF2 by design (about a second of CPU while twenty arrive at once on two cores),
and twenty of them in the same second are not the desk's working load. The log-ins
are not in locust's figures; their times go to LOAD_OUT/logins.log, and report.py
prints them apart.

Run by load.sh; the plan (accounts and claim ids) comes from seed_load.py.
"""

import itertools
import json
import os
import random
import re
import time

import requests
from gevent.event import Event
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
OUT = os.environ.get("LOAD_OUT", ".")
HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
STATE = re.compile(r'class="badge state-(\w+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
MESSAGE = re.compile(r'<p class="message message-error">(.*?)</p>')
UNAVAILABLE = []  # timestamps of 503 answers
LOGINS = []  # (seconds, status) of each log-in, outside locust's figures
PEOPLE = int(os.environ.get("LOAD_USERS", "20"))  # locust --users
EVERYONE_IN = Event()
_checkers = itertools.count()
_editors = itertools.count()


class Unavailable(Exception):
    """The app said 503: the database is restarting; start the round again."""


class DeskUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.hosts = itertools.cycle(HOSTS or [self.host])
        self.log_in()
        if len(LOGINS) == PEOPLE:
            EVERYONE_IN.set()
        EVERYONE_IN.wait(timeout=120)

    def log_in(self):
        """Logs in through the form in a plain requests session, then hands its
        cookies to locust's: the same log-in, but outside locust's figures (LOGINS)."""
        browser, host = requests.Session(), next(self.hosts)
        start = time.perf_counter()
        browser.get(host + "/accounts/login/")
        response = browser.post(
            host + "/accounts/login/",
            data={
                "username": self.username,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
            },
            headers={"Referer": host + "/accounts/login/"},
            allow_redirects=False,
        )
        LOGINS.append((time.perf_counter() - start, response.status_code))
        # A failed log-in shows as errors all the same: every page then redirects to
        # the login page, which call() counts as a failure.
        self.client.cookies.update(browser.cookies)

    def call(self, method, path, name=None, **kwargs):
        # With several app servers (LOAD_HOSTS), each request goes to the next one, so
        # a person's session, CSRF token and writes must hold across servers.
        host = next(self.hosts)
        with self.client.request(
            method,
            host + path,
            name=name or path,
            catch_response=True,
            allow_redirects=False,
            **kwargs,
        ) as response:
            if response.status_code == 503:
                UNAVAILABLE.append(time.time())
                response.success()
                raise Unavailable
            if response.status_code >= 400:
                said = MESSAGE.findall(response.text)  # the refusal, as the page says
                response.failure(
                    f"{response.status_code}: {said or response.text[:200]}"
                )
            elif (
                response.status_code == 302
                and "/accounts/login/" in response.headers.get("Location", "")
            ):
                response.failure("redirected to the login page")
            else:
                response.success()
            return response

    def get(self, path, name=None):
        return self.call("GET", path, name)

    def post(self, path, data, name=None):
        data = dict(data, csrfmiddlewaretoken=self.client.cookies.get("csrftoken", ""))
        return self.call(
            "POST", path, name, data=data, headers={"Referer": self.host + path}
        )

    def claim(self, pk):
        html = self.page = self.get(f"/claims/{pk}/", name="/claims/[id]/").text
        state, version = STATE.search(html), VERSION.search(html)
        return (state.group(1) if state else ""), (
            int(version.group(1)) if version else 0
        )

    def round(self, steps):
        try:
            steps()
        except Unavailable:
            time.sleep(1)  # Retry-After says 5; a person would retry sooner or later


class Checker(DeskUser):
    fixed_count = 15

    def on_start(self):
        self.username = sorted(PLAN["checkers"])[
            next(_checkers) % len(PLAN["checkers"])
        ]
        self.claims = PLAN["checkers"][self.username]
        super().on_start()

    @task(3)
    def work_a_claim(self):
        self.round(self._work)

    def _work(self):
        pk = random.choice(self.claims)
        state, version = self.claim(pk)
        self.post(
            f"/claims/{pk}/notes/",
            {"text": f"Checked at {time.time():.0f}."},
            "/claims/[id]/notes/",
        )
        if state != "in_progress":
            return
        self.post(
            f"/claims/{pk}/verdict/",
            {
                "rating": random.choice(PLAN["ratings"]),
                "rationale": f"Budget table 3, checked {time.time():.0f}.",
                "version": version,
            },
            "/claims/[id]/verdict/",
        )
        if random.random() < 0.5:
            _, version = self.claim(pk)
            # Submit as a person would: with the button the page offers (a claim
            # page also shows other claims' state badges, so STATE alone can mislead).
            if f'action="/claims/{pk}/submit/"' in self.page:
                self.post(
                    f"/claims/{pk}/submit/",
                    {"version": version},
                    "/claims/[id]/submit/",
                )

    @task(1)
    def read_lists(self):
        self.round(
            lambda: (
                self.get("/"),
                self.get("/claims/?state=in_progress", "/claims/?state"),
            )
        )


class Editor(DeskUser):
    fixed_count = 5

    def on_start(self):
        self.username = sorted(PLAN["editors"])[next(_editors) % len(PLAN["editors"])]
        self.claims = PLAN["editors"][self.username]
        super().on_start()

    @task(3)
    def decide(self):
        self.round(self._decide)

    def _decide(self):
        html = self.get("/claims/?state=submitted", "/claims/?state").text
        mine = [pk for pk in self.claims if f"/claims/{pk}/" in html] or self.claims
        pk = random.choice(mine)
        state, version = self.claim(pk)
        if state == "submitted":
            self.post(
                f"/claims/{pk}/approve/", {"version": version}, "/claims/[id]/approve/"
            )
        elif state == "approved":
            self.post(
                f"/claims/{pk}/reopen/",
                {"reason": "Spot check: look again.", "version": version},
                "/claims/[id]/reopen/",
            )

    @task(1)
    def read_dashboard(self):
        self.round(
            lambda: (self.get("/"), self.get("/static/verifier/app.css", "/static/"))
        )


@events.test_stop.add_listener
def write_unavailable(**kwargs):
    with open(os.path.join(OUT, "user-503.log"), "w") as log:
        log.writelines(f"{t:.3f}\n" for t in UNAVAILABLE)
    with open(os.path.join(OUT, "logins.log"), "w") as log:
        log.writelines(f"{seconds:.3f} {status}\n" for seconds, status in LOGINS)
