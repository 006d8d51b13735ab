#!/usr/bin/env bash
# Benchmark of the auth flows' hot paths with pgbench (not part of
# test/run-all):
#
#   COVARA_DESTDIR=/tmp/destdir-x test/bench/auth.sh
#
# Builds and installs covara, starts a throwaway cluster, loads 100,000 API
# keys, 100,000 sessions and enough verification tokens, and prints one
# table of TPS and ratios measured side by side in this run, 8 clients,
# 30 s per workload:
#
#   - SELECT * FROM covara.verify_api_key(key) against the hand-written
#     indexed look-up of the same row (primary key = the id inside the key,
#     "keyHash" compared with the key's hash, the revoked/expired checks);
#     target >= 0.9x.  With no use due for recording (so, like the
#     hand-written look-up, it only reads); then, alone, with every key's
#     "lastUsedAt" at a random point of the last minute (each key records
#     one use a minute, as in steady use), and cold (the first use of each
#     key in the run records it).
#   - get_session(id) against SELECT ... WHERE id = ... AND "expiresAt" > now.
#   - consume_verification_token(identifier, token), every call a success,
#     against a hand-written DELETE ... RETURNING.
#
# Each pair is measured interleaved: BENCH_SLICES alternating slices of
# each workload (ABBAAB...), the TPS averaged over the slices, so that load
# from elsewhere on the machine falls on both alike.  Both pgbench protocols
# are measured: simple (pgbench's default: every statement parsed and
# planned) and prepared (what drivers that cache prepared statements do).
#
# Settings (environment): BENCH_SECONDS (30), BENCH_CLIENTS (8),
# BENCH_ROWS (100000), BENCH_THREADS (2), BENCH_SLICES (6),
# BENCH_MODES ("simple prepared").
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

if [ -z "${COVARA_BENCH_INSIDE:-}" ]; then
	COVARA_NEED_NODE=0 covara_install_deps
	covara_build_install
	COVARA_BENCH_INSIDE=1 covara_with_cluster "$0" "$@"
	exit
fi

seconds=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-8}
rows=${BENCH_ROWS:-100000}
threads=${BENCH_THREADS:-2}
modes=${BENCH_MODES:-simple prepared}
slices=${BENCH_SLICES:-6}
db=covara_bench_auth
work=$(mktemp -d /tmp/covara-bench-auth.XXXXXX)
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
export PGDATABASE=$db

q() { covara_psql -At "$@"; }

covara_log "loading $rows API keys and $rows sessions"
dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
# Key n has the id 1000000000000000 + n (16 decimal digits are 16 hex
# digits) and the key cvk_<id>.AAAAAAAAAAAAAAAA<id>, so that a pgbench
# script can build it from a random number; "keyHash" is its real SHA-256.
q -c 'CREATE EXTENSION covara' -c "
	INSERT INTO auth_api_keys (id, \"userId\", name, \"keyHash\", \"keyPrefix\", scopes, \"createdAt\")
	SELECT k.id, 'user-' || n, 'bench key', covara.hash_token('cvk_' || k.id || '.AAAAAAAAAAAAAAAA' || k.id),
		   'cvk_' || k.id, '[\"read\", \"write\"]', now() AT TIME ZONE 'UTC'
	  FROM generate_series(1, $rows) n, LATERAL (SELECT (1000000000000000 + n)::text AS id) k;
	INSERT INTO auth_sessions (id, \"userId\", \"createdAt\", \"expiresAt\", data)
	SELECT 'sess-' || (1000000000000000 + n), 'user-' || n, now() AT TIME ZONE 'UTC',
		   (now() AT TIME ZONE 'UTC') + interval '1 day', '{\"theme\":\"dark\"}'
	  FROM generate_series(1, $rows) n;
	CREATE SEQUENCE bench_consume_seq;
	CREATE SEQUENCE bench_delete_seq;" -c 'VACUUM ANALYZE'

cat >"$work/verify_hand.sql" <<SQL
\set n 1000000000000000 + random(1, $rows)
SELECT id, "userId", name, scopes, "expiresAt" FROM public.auth_api_keys WHERE id = (:n)::text AND "keyHash" = covara.hash_token('cvk_' || :n || '.AAAAAAAAAAAAAAAA' || :n) AND "revokedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > (now() AT TIME ZONE 'UTC'));
SQL
cat >"$work/verify.sql" <<SQL
\set n 1000000000000000 + random(1, $rows)
SELECT * FROM covara.verify_api_key('cvk_' || :n || '.AAAAAAAAAAAAAAAA' || :n);
SQL
cat >"$work/get_hand.sql" <<SQL
\set n 1000000000000000 + random(1, $rows)
SELECT id, "userId", "createdAt", "expiresAt", data FROM public.auth_sessions WHERE id = 'sess-' || :n AND "expiresAt" > (now() AT TIME ZONE 'UTC');
SQL
cat >"$work/get.sql" <<SQL
\set n 1000000000000000 + random(1, $rows)
SELECT * FROM covara.get_session('sess-' || :n);
SQL
cat >"$work/consume_hand.sql" <<'SQL'
WITH s AS (SELECT nextval('bench_delete_seq') AS n) DELETE FROM public.auth_verification_tokens t USING s WHERE t.identifier = 'd-' || s.n AND t.token = covara.hash_token('tok-' || s.n) RETURNING t.expires > (now() AT TIME ZONE 'UTC');
SQL
cat >"$work/consume.sql" <<'SQL'
SELECT covara.consume_verification_token('c-' || s.n, 'tok-' || s.n) FROM (SELECT nextval('bench_consume_seq') AS n) s;
SQL

# Set every key's "lastUsedAt" (an SQL expression) and tidy the table.
set_last_used() {
	q -c "UPDATE auth_api_keys SET \"lastUsedAt\" = $1" -c 'VACUUM auth_api_keys' -c 'CHECKPOINT' >/dev/null
}

# tps MODE SCRIPT SECONDS: run one workload and print its TPS.
tps() {
	local out
	out=$(pgbench -n -M "$1" -c "$clients" -j "$threads" -T "$3" -f "$work/$2" 2>&1) || {
		printf '%s\n' "$out" >&2
		return 1
	}
	if grep -q 'number of failed transactions: [1-9]' <<<"$out"; then
		printf '%s\n' "$out" >&2
		return 1
	fi
	sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' <<<"$out"
}

# pair MODE SCRIPT_A SCRIPT_B: run A and B for $seconds each, in $slices
# alternating slices (A B B A A B ...); print "TPS_A TPS_B", each the mean
# over its slices.
pair() {
	local mode=$1 a=$2 b=$3 slice i sum_a=0 sum_b=0 t
	slice=$(( (seconds + slices - 1) / slices ))
	for i in $(seq 1 "$slices"); do
		if [ $((i % 2)) = 1 ]; then
			t=$(tps "$mode" "$a" "$slice"); sum_a=$(awk -v s="$sum_a" -v t="$t" 'BEGIN { print s + t }')
			t=$(tps "$mode" "$b" "$slice"); sum_b=$(awk -v s="$sum_b" -v t="$t" 'BEGIN { print s + t }')
		else
			t=$(tps "$mode" "$b" "$slice"); sum_b=$(awk -v s="$sum_b" -v t="$t" 'BEGIN { print s + t }')
			t=$(tps "$mode" "$a" "$slice"); sum_a=$(awk -v s="$sum_a" -v t="$t" 'BEGIN { print s + t }')
		fi
	done
	awk -v a="$sum_a" -v b="$sum_b" -v n="$slices" 'BEGIN { printf "%.1f %.1f\n", a / n, b / n }'
}

declare -A result
for mode in $modes; do
	covara_log "[$mode] verify: hand-written look-up and verify_api_key (nothing to record), interleaved"
	# a "lastUsedAt" ahead of now is never rewritten: verification only reads
	set_last_used "(now() AT TIME ZONE 'UTC') + interval '1 day'"
	read -r result[$mode,verify_hand] result[$mode,verify] < <(pair "$mode" verify_hand.sql verify.sql)
	covara_log "[$mode] verify: verify_api_key, steady use (one recorded use per key and minute)"
	set_last_used "(now() AT TIME ZONE 'UTC') - random() * interval '1 minute'"
	result[$mode,verify_steady]=$(tps "$mode" verify.sql "$seconds")
	result[$mode,recorded_steady]=$(q -c "SELECT count(*) FROM auth_api_keys WHERE \"lastUsedAt\" > (now() AT TIME ZONE 'UTC') - interval '$seconds seconds'")
	covara_log "[$mode] verify: verify_api_key, cold"
	set_last_used NULL
	result[$mode,verify_cold]=$(tps "$mode" verify.sql "$seconds")
	result[$mode,recorded_cold]=$(q -c "SELECT count(*) FROM auth_api_keys WHERE \"lastUsedAt\" IS NOT NULL")

	covara_log "[$mode] sessions: hand-written look-up and get_session, interleaved"
	read -r result[$mode,get_hand] result[$mode,get] < <(pair "$mode" get_hand.sql get.sql)

	# enough tokens for every consume of both workloads to succeed
	best=$(awk -v a="${result[$mode,verify_hand]}" -v b="${result[$mode,get_hand]}" 'BEGIN { print (a > b) ? a : b }')
	supply=$(awk -v t="$best" -v s="$seconds" 'BEGIN { n = int(t * s * 1.2); print (n < 100000) ? 100000 : n }')
	covara_log "[$mode] loading 2 x $supply verification tokens"
	q -c "TRUNCATE auth_verification_tokens" \
	  -c "SELECT setval('bench_consume_seq', 1, false), setval('bench_delete_seq', 1, false)" \
	  -c "INSERT INTO auth_verification_tokens (identifier, token, expires)
		  SELECT p || n, covara.hash_token('tok-' || n), (now() AT TIME ZONE 'UTC') + interval '1 day'
			FROM generate_series(1, $supply) n, (VALUES ('c-'), ('d-')) v(p)" \
	  -c 'VACUUM ANALYZE auth_verification_tokens' -c 'CHECKPOINT' >/dev/null
	covara_log "[$mode] tokens: hand-written DELETE ... RETURNING and consume_verification_token, interleaved"
	read -r result[$mode,consume_hand] result[$mode,consume] < <(pair "$mode" consume_hand.sql consume.sql)
	exhausted=$(q -c "SELECT (SELECT last_value FROM bench_consume_seq) > $supply OR (SELECT last_value FROM bench_delete_seq) > $supply")
	[ "$exhausted" = f ] || covara_log "WARNING: the token supply ran out; the consume figures include failed consumes"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "covara auth benchmark: pgbench, $rows API keys and sessions, $clients clients, $threads threads,"
echo "${seconds} s per workload (pairs interleaved in $slices slices); $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg);"
echo "throwaway cluster (fsync=off)"
row() { printf '%-10s %-72s %10.0f %7s\n' "$@"; }
for mode in $modes; do
	echo
	printf '%-10s %-72s %10s %7s\n' "protocol" "workload" "TPS" "ratio"
	row "$mode" "verify: hand-written look-up by id + keyHash (baseline)" "${result[$mode,verify_hand]}" "1.00"
	row "$mode" "verify: SELECT * FROM covara.verify_api_key(key), nothing to record" "${result[$mode,verify]}" \
		"$(ratio "${result[$mode,verify]}" "${result[$mode,verify_hand]}")"
	row "$mode" "verify: verify_api_key, steady use (records each key once a minute)" "${result[$mode,verify_steady]}" \
		"$(ratio "${result[$mode,verify_steady]}" "${result[$mode,verify_hand]}")"
	row "$mode" "verify: verify_api_key, cold (records each key's first use)" "${result[$mode,verify_cold]}" \
		"$(ratio "${result[$mode,verify_cold]}" "${result[$mode,verify_hand]}")"
	row "$mode" "sessions: hand-written look-up by id + expiresAt (baseline)" "${result[$mode,get_hand]}" "1.00"
	row "$mode" "sessions: SELECT * FROM covara.get_session(id)" "${result[$mode,get]}" \
		"$(ratio "${result[$mode,get]}" "${result[$mode,get_hand]}")"
	row "$mode" "tokens: hand-written DELETE ... RETURNING (baseline)" "${result[$mode,consume_hand]}" "1.00"
	row "$mode" "tokens: SELECT covara.consume_verification_token(identifier, token)" "${result[$mode,consume]}" \
		"$(ratio "${result[$mode,consume]}" "${result[$mode,consume_hand]}")"
	echo "           (uses recorded: steady run ${result[$mode,recorded_steady]}, cold run ${result[$mode,recorded_cold]}, of $rows keys)"
done
echo
for mode in $modes; do
	r=$(ratio "${result[$mode,verify]}" "${result[$mode,verify_hand]}")
	verdict=$(awk -v r="$r" 'BEGIN { print (r >= 0.9) ? "met" : "NOT met" }')
	echo "target verify_api_key >= 0.90 x hand-written look-up, $mode protocol: $r ($verdict)"
done
