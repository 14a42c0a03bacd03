#!/usr/bin/env bash
# Load test: 20 simulated people for 60 s against gunicorn + PostgreSQL on 127.0.0.1,
# with one PostgreSQL restart in the middle. Everything runs on this machine.
#
#   benchmarks/load.sh                      # the full run, with the restart
#   LOAD_RESTART_PG=0 benchmarks/load.sh    # no restart (PostgreSQL is shared)
#   LOAD_INSTANCES=2 LOAD_RESTART_PG=0 benchmarks/load.sh
#       # two app servers (gunicorn on LOAD_PORT and LOAD_PORT+1) sharing the database;
#       # every simulated person alternates requests between them, as behind a
#       # round-robin load balancer
#   LOAD_SCALE_CLAIMS=100000 ...            # first fill the database with
#       # make_scale_data (LOAD_SCALE_CLAIMS claims in claims/100 articles)
#   LOAD_SCALE_TEMPLATE=verifier_scale ...  # or start from a copy of a database
#       # make_scale_data has already filled (CREATE DATABASE ... TEMPLATE, seconds
#       # instead of minutes; nothing may be connected to it meanwhile)
#
# Settings (environment): LOAD_PORT (8161), LOAD_DB (verifier_load), LOAD_PG_URL
# (postgres://postgres@127.0.0.1:5432), LOAD_USERS (20), LOAD_SECONDS (60), LOAD_WORKERS
# (4), LOAD_THREADS (4 per worker), LOAD_OUT (/tmp/verifier-load), LOAD_RESTART_AT (30 s
# into the run).
#
# Passes (exit 0) when locust saw no error, every 503 fell in the restart window,
# /healthz answered 503 while PostgreSQL was down and 200 again by itself afterwards,
# and verify_audit finds the history explains every claim.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${LOAD_PORT:-8161}
DB=${LOAD_DB:-verifier_load}
PG_URL=${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}
USERS=${LOAD_USERS:-20}
SECONDS_=${LOAD_SECONDS:-60}
WORKERS=${LOAD_WORKERS:-4}
THREADS=${LOAD_THREADS:-4}
RESTART=${LOAD_RESTART_PG:-1}
RESTART_AT=${LOAD_RESTART_AT:-30}
OUT=${LOAD_OUT:-/tmp/verifier-load}
INSTANCES=${LOAD_INSTANCES:-1}
SCALE_CLAIMS=${LOAD_SCALE_CLAIMS:-0}
PY=.venv/bin/python
BASE=http://127.0.0.1:$PORT
# Every app server's address; locustfile.py spreads each person's requests over them.
HOSTS=$BASE
for n in $(seq 1 $((INSTANCES - 1))); do HOSTS="$HOSTS,http://127.0.0.1:$((PORT + n))"; done
export LOAD_HOSTS=$HOSTS

# locust and what it pulls in stay out of the app's requirements.
[ -x .venv/bin/locust ] || $PY -m pip install --quiet -r benchmarks/requirements.txt

rm -rf "$OUT" && mkdir -p "$OUT"
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 DATABASE_URL=$PG_URL/$DB
export SECRET_KEY=$($PY -c "import secrets; print(secrets.token_urlsafe(50))")
# Plain HTTP on the loopback: no TLS proxy here, so no HTTPS redirect or secure cookies.
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export LOAD_PASSWORD=load-$($PY -c "import secrets; print(secrets.token_urlsafe(9))")
export LOAD_PLAN=$OUT/plan.json LOAD_OUT=$OUT LOAD_USERS=$USERS
export LOG_LEVEL=WARNING
# No mail server here: notifications are written, their mail dropped (a refused SMTP
# connection per notification would only fill the log).
export EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend

echo "== database $DB, migrations, static files, seed"
dropdb --if-exists --maintenance-db="$PG_URL/postgres" "$DB"
if [ -n "${LOAD_SCALE_TEMPLATE:-}" ]; then
  echo "== a copy of $LOAD_SCALE_TEMPLATE"
  createdb --maintenance-db="$PG_URL/postgres" --template="$LOAD_SCALE_TEMPLATE" "$DB"
else
  createdb --maintenance-db="$PG_URL/postgres" "$DB"
fi
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
if [ "$SCALE_CLAIMS" -gt 0 ] && [ -z "${LOAD_SCALE_TEMPLATE:-}" ]; then
  echo "== make_scale_data: $SCALE_CLAIMS claims"
  $PY manage.py make_scale_data --articles $((SCALE_CLAIMS / 100)) --claims "$SCALE_CLAIMS" \
    >"$OUT/scale.log"
fi
$PY benchmarks/seed_load.py "$LOAD_PLAN"

GUNICORNS=()
PROBE=
cleanup() {
  [ -n "$PROBE" ] && kill "$PROBE" 2>/dev/null || true
  for pid in "${GUNICORNS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${GUNICORNS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
for n in $(seq 0 $((INSTANCES - 1))); do
  port=$((PORT + n))
  # As the README deploys it: threaded workers, so that /healthz and short pages are
  # answered while other threads wait on the database or stream an export.
  echo "== gunicorn on http://127.0.0.1:$port ($WORKERS workers of $THREADS threads)"
  .venv/bin/gunicorn verifier.wsgi --bind "127.0.0.1:$port" --workers "$WORKERS" \
    --worker-class gthread --threads "$THREADS" \
    --timeout 60 --error-logfile "$OUT/gunicorn-$port.log" &
  GUNICORNS+=($!)
done
for host in ${HOSTS//,/ }; do
  for _ in $(seq 1 50); do
    curl -fs -o /dev/null "$host/healthz" && break
    sleep 0.2
  done
  curl -fs "$host/healthz" >/dev/null
done

# The load balancer's view: /healthz every 0.1 s, "unix-time status" per line.
( end=$(( $(date +%s) + SECONDS_ + 15 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    echo "$(date +%s.%N) $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/healthz")"
    sleep 0.1
  done ) >"$OUT/healthz.log" &
PROBE=$!

if [ "$RESTART" = 1 ]; then
  ( sleep "$RESTART_AT"
    cluster=$(ls /etc/postgresql | head -1)
    date +%s.%N >"$OUT/restart-start"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main restart -m fast
    date +%s.%N >"$OUT/restart-end" ) &
fi

echo "== locust: $USERS users for ${SECONDS_}s"
.venv/bin/locust -f benchmarks/locustfile.py --headless --host "$BASE" \
  --users "$USERS" --spawn-rate "$USERS" --run-time "${SECONDS_}s" \
  --csv "$OUT/locust" --only-summary >"$OUT/locust.log" 2>&1 || true
wait "$PROBE" 2>/dev/null || true
PROBE=

echo "== after the run"
curl -s "$BASE/healthz" >"$OUT/healthz-after.json" || true
set +e
$PY manage.py verify_audit >"$OUT/verify_audit.log" 2>&1
echo $? >"$OUT/verify_audit.rc"
set -e
$PY benchmarks/report.py "$OUT" "$RESTART"
