#!/usr/bin/env bash
# Benchmark: covara.seed(target, rows) against the hand-written statement
#
#   INSERT INTO t SELECT * FROM jsonb_populate_recordset(NULL::t, $1)
#     ON CONFLICT DO NOTHING
#
# with 100,000 rows, into a four-column table and into auth_sessions, on the
# first run (empty table) and the repeat run (every row conflicts).  Each
# side is one dynamic statement run the same way (plpgsql EXECUTE ... USING
# the same jsonb value), timed in the server, and the two sides alternate
# which goes first.  Prints the median of SEED_BENCH_ROUNDS rounds (default
# 5) per cell and the ratio covara.seed / hand-written (target: at most
# 1.2), in elapsed time and in the backend's CPU time (from
# /proc/self/schedstat, which other load on a shared machine disturbs less).
# A last, informational line seeds rows with two key sets (half without
# "data"), which takes covara.seed's grouped path.
#
#   COVARA_DESTDIR=/tmp/somewhere test/bench/seed.sh
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

if [ "${1:-}" != --inside ]; then
	cd "$COVARA_ROOT"
	COVARA_NEED_NODE=0 covara_install_deps
	covara_build_install
	export COVARA_CLUSTER_OPTS="${COVARA_CLUSTER_OPTS:-} shared_buffers=256MB max_wal_size=4GB checkpoint_timeout=1h autovacuum=off"
	covara_log "starting a throwaway cluster for the benchmark"
	covara_with_cluster "$COVARA_ROOT/test/bench/seed.sh" --inside
	exit
fi

rows=${SEED_BENCH_ROWS:-100000}
rounds=${SEED_BENCH_ROUNDS:-5}
db=covara_bench_seed_$$
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

covara_psql -d "$db" -v rows="$rows" <<'SQL'
CREATE EXTENSION covara;
CREATE TABLE bench_four (
	id integer PRIMARY KEY,
	name text NOT NULL,
	score numeric,
	created_at timestamp
);
CREATE TABLE bench_payload (name text PRIMARY KEY, rows jsonb NOT NULL);
INSERT INTO bench_payload
SELECT 'four', jsonb_agg(jsonb_build_object(
		'id', i, 'name', 'user ' || i, 'score', i * 1.5,
		'created_at', to_char(timestamp '2024-01-01' + i * interval '1 second',
							  'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY i)
  FROM generate_series(1, :rows) i;
INSERT INTO bench_payload
SELECT 'auth_sessions', jsonb_agg(jsonb_build_object(
		'id', 'sess_' || md5(i::text), 'userId', 'user_' || (i % 1000),
		'createdAt', to_char(timestamp '2024-01-01' + i * interval '1 second',
							 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
		'expiresAt', to_char(timestamp '2024-02-01' + i * interval '1 second',
							 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
		'data', jsonb_build_object('theme', 'dark', 'n', i)::text) ORDER BY i)
  FROM generate_series(1, :rows) i;
-- the same sessions with "data" left out of every second row: two key sets
INSERT INTO bench_payload
SELECT 'auth_sessions mixed', jsonb_agg(CASE WHEN o % 2 = 0 THEN e - 'data' ELSE e END ORDER BY o)
  FROM bench_payload p, jsonb_array_elements(p.rows) WITH ORDINALITY x(e, o)
 WHERE p.name = 'auth_sessions';

CREATE TABLE bench_results (target text, run text, method text, round int,
							ms float8, cpu_ms float8);

-- CPU time of this backend in nanoseconds (Linux), or NULL
CREATE FUNCTION bench_cpu_ns() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	RETURN split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint;
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END
$$;

CREATE PROCEDURE bench_run(rounds int)
LANGUAGE plpgsql AS $$
DECLARE
	j jsonb;
	label text;
	tbl text;
	m text;
	run int;
	t0 timestamptz;
	c0 bigint;
	ms float8;
	cpu_ms float8;
BEGIN
	FOR r IN 1..rounds LOOP
		FOREACH label IN ARRAY ARRAY['four', 'auth_sessions', 'auth_sessions mixed'] LOOP
			tbl := CASE label WHEN 'four' THEN 'bench_four' ELSE 'auth_sessions' END;
			SELECT p.rows INTO j FROM bench_payload p WHERE p.name = label;
			FOREACH m IN ARRAY CASE WHEN r % 2 = 1 THEN ARRAY['hand', 'seed']
									ELSE ARRAY['seed', 'hand'] END LOOP
				EXECUTE format('TRUNCATE %I', tbl);
				COMMIT;
				FOR run IN 1..2 LOOP
					c0 := bench_cpu_ns();
					t0 := clock_timestamp();
					IF m = 'hand' THEN
						EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_recordset(NULL::%I, $1) ON CONFLICT DO NOTHING',
									   tbl, tbl) USING j;
					ELSE
						EXECUTE 'SELECT covara.seed($1, $2)' USING tbl::regclass, j;
					END IF;
					ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
					cpu_ms := (bench_cpu_ns() - c0) / 1e6;
					COMMIT;
					INSERT INTO bench_results
					VALUES (label, CASE run WHEN 1 THEN 'first' ELSE 'repeat' END, m, r, ms, cpu_ms);
					COMMIT;
				END LOOP;
			END LOOP;
		END LOOP;
	END LOOP;
END
$$;
SQL

covara_log "running $rounds rounds of $rows rows (this takes a while)"
covara_psql -d "$db" -c "CALL bench_run($rounds)"

# Check that both sides inserted the same rows, then print the medians.
covara_psql -d "$db" -At <<'SQL' | sed 's/^/    /'
SELECT 'rows in bench_four after the last run: ' || count(*) FROM bench_four;
SQL
echo
echo "covara.seed vs hand-written INSERT ... jsonb_populate_recordset ... ON CONFLICT DO NOTHING"
echo "($rows rows, median of $rounds rounds, milliseconds; target ratio <= 1.20)"
echo
covara_psql -d "$db" <<'SQL'
\pset footer off
WITH m AS (
	SELECT target, run,
		   percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE method = 'hand') AS hand,
		   percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE method = 'seed') AS seed,
		   percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) FILTER (WHERE method = 'hand') AS hand_cpu,
		   percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) FILTER (WHERE method = 'seed') AS seed_cpu
	  FROM bench_results
	 GROUP BY target, run)
SELECT CASE target WHEN 'four' THEN 'four-column table' ELSE target END AS target,
	   run,
	   round(hand::numeric, 1) AS "hand-written ms",
	   round(seed::numeric, 1) AS "covara.seed ms",
	   round((seed / hand)::numeric, 2) AS ratio,
	   round(hand_cpu::numeric, 1) AS "hand cpu ms",
	   round(seed_cpu::numeric, 1) AS "seed cpu ms",
	   round((seed_cpu / hand_cpu)::numeric, 2) AS "cpu ratio",
	   CASE WHEN target LIKE '%mixed' THEN 'informational'
			WHEN seed <= 1.2 * hand THEN 'met'
			ELSE 'NOT met' END AS "target <= 1.20"
  FROM m
 ORDER BY CASE target WHEN 'four' THEN 1 WHEN 'auth_sessions' THEN 2 ELSE 3 END, run;
SQL
