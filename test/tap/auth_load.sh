#!/usr/bin/env bash
# Load run for the auth flows (pgbench with custom scripts): 32 clients
# consume one verification token at the same moment and exactly one gets
# true; 32 clients rotate one API key at the same moment and exactly one
# live key is left (the one replacement, which verifies).  Two rounds of
# each.
#
# To make the 32 clients really collide, each first waits on an advisory
# lock that the test holds until all 32 are queued behind it, then lets go.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

clients=32
rounds=2
gate=4242
db=covara_auth_load_$$
work=$(mktemp -d /tmp/covara-auth-load.XXXXXX)
export PGDATABASE=$db

cleanup() {
	[ -n "${gate_pid:-}" ] && kill "$gate_pid" 2>/dev/null || true
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

q() { covara_psql -At "$@"; }

createdb "$db"
q -c 'CREATE EXTENSION covara' \
  -c 'CREATE TABLE load_results (round int, kind text, ok boolean, rotated int, new_key text)'

cat >"$work/consume.sql" <<'SQL'
SELECT pg_advisory_lock_shared(4242);
SELECT pg_advisory_unlock_shared(4242);
INSERT INTO load_results (round, kind, ok)
SELECT :round, 'consume', covara.consume_verification_token('load-' || :round || '@example.com', 'token-' || :round);
SQL
cat >"$work/rotate.sql" <<'SQL'
SELECT pg_advisory_lock_shared(4242);
SELECT pg_advisory_unlock_shared(4242);
INSERT INTO load_results (round, kind, rotated, new_key)
SELECT :round, 'rotate', count(*), max(r.key) FROM covara.rotate_api_key('00000000000000' || lpad(:round::text, 2, '0')) r;
SQL

# Hold the gate until $clients sessions wait behind it (at most a minute),
# then release it by ending the session.
hold_gate() {
	q -c "SELECT pg_advisory_lock($gate)" -c "
		DO \$\$
		BEGIN
			FOR i IN 1..1200 LOOP
				IF (SELECT count(*) FROM pg_locks
					 WHERE locktype = 'advisory' AND objid = $gate AND NOT granted) >= $clients THEN
					RETURN;
				END IF;
				PERFORM pg_sleep(0.05);
			END LOOP;
			RAISE EXCEPTION 'the pgbench clients did not all queue up';
		END
		\$\$" >/dev/null &
	gate_pid=$!
	q -c "DO \$\$
		BEGIN
			FOR i IN 1..1200 LOOP
				IF EXISTS (SELECT FROM pg_locks
						   WHERE locktype = 'advisory' AND objid = $gate AND granted) THEN
					RETURN;
				END IF;
				PERFORM pg_sleep(0.05);
			END LOOP;
			RAISE EXCEPTION 'the gate lock was not taken';
		END
		\$\$" >/dev/null
}

# Run one script with $clients clients, all released at once.
collide() {
	local script=$1 round=$2 rc=0
	hold_gate || { tap_diag "could not take the gate lock"; return 1; }
	pgbench -n -c "$clients" -j 4 -t 1 -D round="$round" -f "$work/$script" >"$work/pgbench.log" 2>&1 || rc=$?
	wait "$gate_pid" || rc=$?
	gate_pid=
	[ $rc -eq 0 ] || sed 's/^/# /' "$work/pgbench.log"
	return $rc
}

for round in $(seq 1 $rounds); do
	key_id=$(printf '00000000000000%02d' "$round")
	old_key="cvk_$key_id.old-secret-$round"
	q -c "INSERT INTO auth_verification_tokens (identifier, token, expires)
		  VALUES ('load-$round@example.com', covara.hash_token('token-$round'),
				  (now() AT TIME ZONE 'UTC') + interval '1 hour')" \
	  -c "INSERT INTO auth_api_keys (id, \"userId\", name, \"keyHash\", \"keyPrefix\", scopes, \"createdAt\")
		  VALUES ('$key_id', 'load-user-$round', 'ci', covara.hash_token('$old_key'), 'cvk_$key_id',
				  '[\"deploy\"]', now() AT TIME ZONE 'UTC')"

	rc=0; collide consume.sql "$round" || rc=$?
	tap_ok $rc "round $round: $clients clients consume one token at once without errors"
	rc=0; collide rotate.sql "$round" || rc=$?
	tap_ok $rc "round $round: $clients clients rotate one key at once without errors"

	IFS='|' read -r consumed tokens_left rotated live_keys new_key_ok old_key_ok < <(q -c "
		SELECT (SELECT count(*) FILTER (WHERE ok) || ' true, ' || count(*) FILTER (WHERE NOT ok) || ' false'
				  FROM load_results WHERE round = $round AND kind = 'consume'),
			   (SELECT count(*) FROM auth_verification_tokens WHERE identifier = 'load-$round@example.com'),
			   (SELECT sum(rotated) || ' of ' || count(*) FROM load_results WHERE round = $round AND kind = 'rotate'),
			   (SELECT count(*) FILTER (WHERE \"revokedAt\" IS NULL) || ' live of ' || count(*)
				  FROM auth_api_keys WHERE \"userId\" = 'load-user-$round'),
			   (SELECT string_agg(v.name || ' ' || v.scopes::text, ',')
				  FROM load_results r, covara.verify_api_key(r.new_key) v
				 WHERE r.round = $round AND r.kind = 'rotate' AND r.rotated = 1),
			   (SELECT count(*) FROM covara.verify_api_key('$old_key'))")
	tap_is "$consumed" "1 true, $((clients - 1)) false" "round $round: exactly one consumer got true"
	tap_is "$tokens_left" 0 "round $round: the token is gone"
	tap_is "$rotated" "1 of $clients" "round $round: exactly one rotation issued a replacement"
	tap_is "$live_keys" "1 live of 2" "round $round: exactly one live key is left"
	tap_is "$new_key_ok" 'ci ["deploy"]' "round $round: the replacement verifies with the old key's name and scopes"
	tap_is "$old_key_ok" 0 "round $round: the old key no longer verifies"
done

tap_done
