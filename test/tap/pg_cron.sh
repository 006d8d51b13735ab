#!/usr/bin/env bash
# The README's pg_cron job, for real: starts a cluster of its own with
# shared_preload_libraries = pg_cron and cron.database_name = postgres
# (pg_cron's usual setup), makes database mydb with covara and rows due for
# purging, runs the README's statements (the SQL block after its
# "<!-- test/tap/pg_cron.sh -->" marker, as they are) in the pg_cron
# database and waits, polling cron.job_run_details with a deadline, until
# the job ran (the README schedules it every minute) and succeeded, the due
# rows are gone and the live ones remain.  A plain cron.schedule of the same
# command, scheduled alongside, shows why the README does not use it: it
# runs in the postgres database and fails.  pg_cron connects to the server
# for each run; this cluster's TCP wants a password, so jobs run in
# background workers (cron.use_background_workers, as the README says).
# Skips where the server in use has no pg_cron.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

readme=$COVARA_ROOT/README.md
# How long the job may take to run once: the README schedules it every
# minute, so the first run starts within 60 s.
deadline_s=${COVARA_PG_CRON_DEADLINE:-150}

# readme_sql: the SQL block that follows the marker line in the README.
readme_sql() {
	awk '/^<!-- test\/tap\/pg_cron.sh -->$/ { m = 1; next }
		m == 1 && /^```sql$/ { m = 2; next }
		m == 2 && /^```$/ { exit }
		m == 2 { print }' "$readme"
}

# q DB ARGS: psql in database DB, unaligned, stopping at the first error.
q() { local db=$1; shift; covara_psql -At -d "$db" "$@"; }

if [ "${1:-}" = --inside ]; then
	# inside the pg_cron cluster: every test of the suite
	tap_is "$(q postgres -c "SHOW shared_preload_libraries")/$(q postgres -c "SHOW cron.database_name" 2>&1)" \
		"pg_cron/postgres" "the cluster preloads pg_cron and keeps it in database postgres"
	createdb mydb && q mydb -c "CREATE EXTENSION covara" >/dev/null
	tap_ok $? "database mydb with covara"
	q mydb >/dev/null <<'SQL'
INSERT INTO auth_sessions (id, "userId", "createdAt", "expiresAt") VALUES
	('due-1', 'u1', now() AT TIME ZONE 'UTC' - interval '2 hours', now() AT TIME ZONE 'UTC' - interval '1 hour'),
	('due-2', 'u2', '2000-01-01', '2000-01-02');
SELECT covara.create_session('live-user', interval '1 day');
INSERT INTO auth_verification_tokens (identifier, token, expires) VALUES
	('due@example.com', repeat('d', 64), now() AT TIME ZONE 'UTC' - interval '1 minute');
SELECT covara.issue_verification_token('live@example.com', interval '1 day');
SELECT id FROM covara.create_api_key('key-user', 'revoked long ago');
UPDATE auth_api_keys SET "revokedAt" = now() AT TIME ZONE 'UTC' - interval '31 days' WHERE name = 'revoked long ago';
SELECT id FROM covara.create_api_key('key-user', 'live');
SQL
	tap_ok $? "mydb holds 2 expired sessions, 1 expired token and 1 key revoked 31 days ago, and live ones"
	count_rows() {
		q mydb -c "SELECT (SELECT count(*) FROM auth_sessions WHERE id LIKE 'due-%') || ' '
			|| (SELECT count(*) FROM auth_sessions WHERE \"userId\" = 'live-user') || ' '
			|| (SELECT count(*) FROM auth_verification_tokens WHERE identifier = 'due@example.com') || ' '
			|| (SELECT count(*) FROM auth_verification_tokens WHERE identifier = 'live@example.com') || ' '
			|| (SELECT count(*) FROM auth_api_keys WHERE name = 'revoked long ago') || ' '
			|| (SELECT count(*) FROM auth_api_keys WHERE name = 'live')"
	}
	tap_is "$(count_rows)" "2 1 1 1 1 1" "before the job: due and live rows (sessions, tokens, keys)"

	sql=$(readme_sql)
	if [ -z "$sql" ]; then
		tap_ok 1 "README.md has an SQL block after <!-- test/tap/pg_cron.sh -->"
		tap_done
		exit 1
	fi
	tap_diag "the README's statements:"
	while IFS= read -r line; do tap_diag "  $line"; done <<<"$sql"
	out=$(q postgres <<<"$sql" 2>&1)
	rc=$?
	tap_ok $rc "the README's statements run in database postgres (pg_cron's)"
	[ $rc -eq 0 ] || tap_diag "$out"
	job=$(q postgres -c "SELECT jobid FROM cron.job WHERE jobname = 'covara-purge-expired'")
	tap_is "$(q postgres -c "SELECT database || ' ' || username || ' ' || schedule FROM cron.job WHERE jobid = '${job:-0}'")" \
		"mydb postgres * * * * *" "the job is to run in mydb as the scheduling role, every minute"
	# the same command scheduled the way the README used to
	plain=$(q postgres -c "SELECT cron.schedule('covara-purge-plain', '* * * * *', \$\$SELECT * FROM covara.purge_expired()\$\$)")

	# wait for a finished run of both jobs (at the next minute boundary)
	status=
	start=$SECONDS
	while [ $((SECONDS - start)) -lt "$deadline_s" ]; do
		status=$(q postgres -c "SELECT string_agg(jobid || ':' || status, ' ' ORDER BY jobid)
			FROM (SELECT DISTINCT ON (jobid) jobid, status FROM cron.job_run_details
			       WHERE jobid IN ('${job:-0}', '${plain:-0}') AND status IN ('succeeded', 'failed')
			       ORDER BY jobid, runid) r")
		[ "$(wc -w <<<"$status")" = 2 ] && break
		sleep 0.5
	done
	tap_diag "runs finished after $((SECONDS - start)) s: $status"
	tap_is "$(q postgres -c "SELECT status || ' ' || return_message FROM cron.job_run_details WHERE jobid = '${job:-0}' ORDER BY runid LIMIT 1")" \
		"succeeded SELECT 3" "the README's job ran within ${deadline_s} s and succeeded (purge_expired's 3 rows)"
	tap_is "$(count_rows)" "0 1 0 1 0 1" "the due rows are gone, the live ones remain"
	tap_is "$(q postgres -c "SELECT status || ': ' || regexp_replace(return_message, '\s+', ' ', 'g') FROM cron.job_run_details WHERE jobid = '${plain:-0}' ORDER BY runid LIMIT 1")" \
		'failed: ERROR: schema "covara" does not exist' \
		"a plain cron.schedule of the same command runs in database postgres and fails there"
	q postgres -c "SELECT cron.unschedule(jobid) FROM cron.job" >/dev/null
	tap_done
	exit
fi

# pg_cron is Debian's postgresql-15-cron for 15 (covara_install_deps), and
# built from Debian's source into the server tree by test/pg/fetch for the
# pinned versions
if [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_cron'")" != 1 ]; then
	tap_skip "the README's pg_cron job purges what is due" \
		"no pg_cron for PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version')"
	tap_done
	exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
COVARA_CLUSTER_OPTS="shared_preload_libraries=pg_cron cron.database_name=postgres cron.use_background_workers=on" \
	covara_with_cluster "$0" --inside 2>"$out"
rc=$?
if [ $rc -ne 0 ]; then
	# the inner run printed its own plan; say why it failed
	sed 's/^/# /' "$out"
	exit $rc
fi
