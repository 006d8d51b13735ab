#!/usr/bin/env bash
# Benchmark of covara's search triggers (issue 4, "Speed"):
#
#   COVARA_DESTDIR=/tmp/somewhere test/bench/search.sh
#
# Builds and installs covara (test/lib/common.sh), starts a throwaway
# cluster and measures, side by side in one run, on BENCH_DOCS (200000)
# documents of a title and a ~500-character body, weights A and B:
#
#   insert   plain table (no vector), STORED generated column
#            setweight(to_tsvector(title),'A') || setweight(to_tsvector(body),'B'),
#            a PL/pgSQL trigger computing the same, covara.search_trigger
#   update   of a column that is not a source field: a plain table (the same
#            columns and stored vectors, no trigger: the baseline), generated
#            column, PL/pgSQL trigger, core tsvector_update_trigger, a no-op
#            C trigger (what PostgreSQL itself spends on any BEFORE UPDATE
#            row trigger), covara.search_trigger; and, for scale, a table
#            without the tsvector column at all (its rows are about 2.5 times
#            smaller, so its updates write far less).  Each round updates
#            each table three times:
#              - first update after the bulk load (printed for reference):
#                the freshly loaded pages are full, so every new row version
#                goes to a new page at the end and the file doubles, one
#                block at a time (PostgreSQL 15), a cost of its own that
#                every variant pays and that moves every ratio towards 1;
#              - twice in the steady state (the targets): the table has been
#                updated and vacuumed before, so its file has room for the
#                new row versions, as in a table that lives with updates.
#   search   covara.search() for a two-word query over an index of the same
#            documents vs the hand-written SQL it replaces: median latency of
#            BENCH_SEARCH_RUNS (100) runs of each, from the client (pgbench)
#
# Each insert and update is run once a round (the steady-state update twice)
# for BENCH_ROUNDS (2) rounds, round-robin over the variants (in reverse order
# every other round), and the fastest run is reported: on a shared machine
# other work only ever adds time (the medians of the steady-state updates are
# printed too, to show the spread).  The text is generated
# deterministically (setseed; phrases of words taken from PostgreSQL's own
# object comments), so runs are comparable.  The tables carry no GIN index:
# what is measured is the cost of computing the vector, not of indexing it.
# The throwaway cluster runs with autovacuum off (VACUUM ANALYZE runs between
# phases; the update tables keep their free space, vacuum_truncate off), with
# enough WAL kept for recycling that no statement pays for creating WAL files
# and with shared_buffers at a quarter of the machine's memory (the usual
# recommendation; enough here to hold every table, so that no statement pays
# for writing out the dirty pages of another); otherwise with the server's
# defaults.  Next to the wall-clock time it reports the CPU time of the
# backend that ran the statement, which other work on a shared machine
# disturbs much less.
#
# Any BEFORE UPDATE row trigger makes PostgreSQL lock and copy the old row
# (and materialize the new one) before calling it, whatever it does; the
# no-op C trigger row shows that cost, on which covara.search_trigger adds
# its own (also printed: the time spent inside each trigger function).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
cd "$COVARA_ROOT"

DOCS=${BENCH_DOCS:-200000}
ROUNDS=${BENCH_ROUNDS:-2}
RUNS=${BENCH_SEARCH_RUNS:-100}

if [ "${1:-}" != --in-cluster ]; then
	COVARA_NEED_NODE=0 covara_install_deps
	covara_build_install
	# a quarter of the memory for shared_buffers, in MB
	sb=$(awk '/^MemTotal:/ { print int($2 / 4096) }' /proc/meminfo)
	export COVARA_CLUSTER_OPTS="${COVARA_CLUSTER_OPTS:-shared_buffers=${sb}MB max_wal_size=8GB checkpoint_timeout=30min autovacuum=off maintenance_work_mem=256MB min_wal_size=6GB wal_init_zero=off}"
	covara_log "starting a throwaway cluster ($DOCS documents, $ROUNDS rounds)"
	covara_with_cluster "$0" --in-cluster
	exit
fi

DB=covara_bench_search
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
q() { covara_psql -d "$DB" "$@"; }

# "wall cpu": the milliseconds one statement takes (psql's \\timing, server
# round trip) and the CPU time its backend used meanwhile (from
# /proc/<pid>/stat; the cluster runs on this machine).  CPU time leaves out
# the time spent waiting for a CPU or the disk that other work on a shared
# machine takes.
HZ=$(getconf CLK_TCK)
timed() {
	q -c 'CHECKPOINT' >/dev/null
	q -v stmt="$1" <<'SQL' | awk -v hz="$HZ" '/^Time: / { w = $2 } /^cpu / { c = ($3 - $2) * 1000 / hz } END { print w, c }'
SELECT pg_backend_pid() AS pid \gset
\setenv COVARA_BENCH_PID :pid
\set cpu0 `awk '{ print $14 + $15 }' /proc/$COVARA_BENCH_PID/stat`
\timing on
:stmt ;
\timing off
\set cpu1 `awk '{ print $14 + $15 }' /proc/$COVARA_BENCH_PID/stat`
\echo cpu :cpu0 :cpu1
SQL
}

# Smallest of the numbers given as arguments: on a shared machine other work
# only ever adds time, so the fastest round is the best estimate.
fastest() {
	printf '%s\n' "$@" | sort -g | head -1
}

# Median of the numbers given as arguments.
median() {
	printf '%s\n' "$@" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
covara_log "generating $DOCS documents"
q <<SQL
CREATE EXTENSION covara;
SELECT pg_catalog.setseed(0.4242);
SET work_mem = '256MB';
SET max_parallel_workers_per_gather = 0;	-- random() in one process: deterministic
-- a fixed vocabulary: the words of PostgreSQL's own comments on built-in
-- objects, numbered from 0
CREATE TABLE words AS
SELECT (row_number() OVER (ORDER BY w))::int - 1 AS n, w
  FROM (SELECT DISTINCT lower(x) AS w
		  FROM pg_description d, regexp_split_to_table(d.description, '[^A-Za-z]+') AS x
		 WHERE d.objoid < 16384 AND length(x) BETWEEN 3 AND 12) s;
-- 20000 phrases of 8 words, drawn with a skew towards the front of the list
-- so that some words are common and most are rare
CREATE TABLE phrases AS
SELECT x.id AS n, string_agg(w.w, ' ' ORDER BY x.pos) AS p
  FROM (SELECT g.id - 1 AS id, p.pos,
			   floor(power(random(), 2) * (SELECT count(*) FROM words))::int AS n
		  FROM generate_series(1, 20000) g(id), generate_series(1, 8) p(pos)) x
  JOIN words w USING (n)
 GROUP BY x.id;
-- each document: a title of 3 to 8 words and a body of 500 characters
-- made of random phrases
CREATE TABLE src AS
SELECT x.id,
	   array_to_string((string_to_array(min(ph.p) FILTER (WHERE x.pos = 0), ' '))[1:3 + x.id % 6], ' ') AS title,
	   left(string_agg(ph.p, ' ' ORDER BY x.pos) FILTER (WHERE x.pos > 0), 500) AS body
  FROM (SELECT g.id, p.pos, floor(random() * 20000)::int AS n
		  FROM generate_series(1, $DOCS) g(id), generate_series(0, 11) p(pos)) x
  JOIN phrases ph USING (n)
 GROUP BY x.id;
SQL
q -At -c "SELECT 'vocabulary ' || (SELECT count(*) FROM words) || ' words; average title ' || round(avg(length(title))) || ' chars, body ' || round(avg(length(body))) || ' chars' FROM src" >&2

q <<'SQL'
CREATE TABLE t_plain (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0);
CREATE TABLE t_plainv (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0, tsv tsvector);
CREATE TABLE t_generated (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0,
	tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A')
									  || setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED);
CREATE TABLE t_plpgsql (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0, tsv tsvector);
CREATE FUNCTION plpgsql_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.tsv := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
			   || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
	RETURN NEW;
END $$;
CREATE TRIGGER tsv BEFORE INSERT OR UPDATE ON t_plpgsql FOR EACH ROW EXECUTE FUNCTION plpgsql_tsv();
CREATE TABLE t_core (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0, tsv tsvector);
CREATE TRIGGER tsv BEFORE INSERT OR UPDATE ON t_core FOR EACH ROW
	EXECUTE FUNCTION tsvector_update_trigger(tsv, 'pg_catalog.english', title, body);
-- a C trigger that does next to nothing (it compares the two rows): what any
-- BEFORE UPDATE row trigger costs PostgreSQL (it locks the old row first)
CREATE TABLE t_noop (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0, tsv tsvector);
CREATE TRIGGER tsv BEFORE UPDATE ON t_noop FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TABLE t_covara (id int PRIMARY KEY, title text, body text, views int NOT NULL DEFAULT 0, tsv tsvector);
CREATE TRIGGER tsv BEFORE INSERT OR UPDATE ON t_covara FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.english', 'title:A', 'body:B');
-- VACUUM keeps the room that earlier row versions leave at the end of a file
ALTER TABLE t_plain SET (vacuum_truncate = false);
ALTER TABLE t_plainv SET (vacuum_truncate = false);
ALTER TABLE t_generated SET (vacuum_truncate = false);
ALTER TABLE t_plpgsql SET (vacuum_truncate = false);
ALTER TABLE t_core SET (vacuum_truncate = false);
ALTER TABLE t_noop SET (vacuum_truncate = false);
ALTER TABLE t_covara SET (vacuum_truncate = false);
SQL

INS_VARIANTS="plain generated plpgsql covara"
UPD_VARIANTS="plain plainv noop generated plpgsql core covara"
# upd/updc: steady-state updates; fst/fstc: first update after the load
declare -A ins upd insc updc fst fstc
for v in $INS_VARIANTS $UPD_VARIANTS; do
	ins[$v]=""; upd[$v]=""; insc[$v]=""; updc[$v]=""; fst[$v]=""; fstc[$v]=""
done

# the variants in order in odd rounds and in reverse order in even ones, so
# that no variant always follows the same one
order() {
	if [ $((r % 2)) = 1 ]; then printf '%s\n' "$@"; else printf '%s\n' "$@" | tac; fi
}

# update_all WALL CPU: one timed update of a non-source column of every
# update table, its times appended to the arrays named
update_all() {
	local -n aw=$1 ac=$2
	local v w c
	for v in $(order $UPD_VARIANTS); do
		read -r w c < <(timed "UPDATE t_$v SET views = views + 1")
		aw[$v]+=" $w"; ac[$v]+=" $c"
	done
}

for r in $(seq 1 "$ROUNDS"); do
	covara_log "round $r of $ROUNDS: inserts"
	for v in $(order $INS_VARIANTS); do
		q -c "TRUNCATE t_$v" >/dev/null
		read -r w c < <(timed "INSERT INTO t_$v (id, title, body) SELECT id, title, body FROM src")
		ins[$v]+=" $w"; insc[$v]+=" $c"
	done
	# tables measured for updates only: filled untimed, with covara's vectors
	q -c "TRUNCATE t_plainv, t_noop, t_core" \
	  -c "INSERT INTO t_plainv SELECT id, title, body, views, tsv FROM t_covara" \
	  -c "INSERT INTO t_noop SELECT id, title, body, views, tsv FROM t_covara" \
	  -c "ALTER TABLE t_core DISABLE TRIGGER tsv" \
	  -c "INSERT INTO t_core SELECT id, title, body, views, tsv FROM t_covara" \
	  -c "ALTER TABLE t_core ENABLE TRIGGER tsv" >/dev/null
	q -c "VACUUM ANALYZE" >/dev/null
	covara_log "round $r of $ROUNDS: first updates of a non-source column after the load"
	update_all fst fstc
	# steady state: each pass reuses the room the previous one left (two
	# passes, as the new versions alternate between the two halves of the file)
	for pass in 1 2; do
		q -c "VACUUM" >/dev/null
		covara_log "round $r of $ROUNDS: steady-state updates, pass $pass"
		update_all upd updc
	done
done

# time spent inside each trigger function during one more non-source update
# (EXPLAIN ANALYZE; much less sensitive to a busy machine than wall-clock)
declare -A trig
for v in plpgsql core covara; do
	q -c "VACUUM t_$v" >/dev/null
	trig[$v]=$(q -At -c "EXPLAIN (ANALYZE, COSTS OFF) UPDATE t_$v SET views = views + 1" |
		awk '/^Trigger tsv: time=/ { sub(/.*time=/, ""); sub(/ calls=.*/, ""); print }')
done
for v in $INS_VARIANTS; do covara_log "insert $v: wall${ins[$v]}; CPU${insc[$v]}"; done
for v in $UPD_VARIANTS; do
	covara_log "update $v: steady wall${upd[$v]}; CPU${updc[$v]}; first after load wall${fst[$v]}; CPU${fstc[$v]}"
done
rowsizes=$(q -At -c "SELECT round(avg(pg_column_size(p.*))) || ' and ' || round(avg(pg_column_size(v.*))) FROM t_plain p JOIN t_plainv v USING (id)")
# the vectors are the same as the generated column's
same=$(q -At -c "SELECT count(*) FROM t_covara c JOIN t_generated g USING (id) WHERE c.tsv = g.tsv")

covara_log "search: building the index"
q -c "SELECT covara.create_search_index('docs', '{\"title\": \"A\", \"body\": \"B\"}')" \
  -c "DROP INDEX covara_fts_docs_search_idx" >/dev/null
read -r idx_ms idx_cpu < <(timed "INSERT INTO covara_fts_docs (doc_id, source) SELECT id::text, jsonb_build_object('id', id::text, 'title', title, 'body', body) FROM src")
q -c "CREATE INDEX covara_fts_docs_search_idx ON covara_fts_docs USING gin (search_vector)" \
  -c "VACUUM ANALYZE covara_fts_docs" >/dev/null
# two words found in about 2% of the documents each
query=$(q -At <<'SQL'
SELECT string_agg(word, ' ' ORDER BY word)
  FROM (SELECT word FROM ts_stat('SELECT search_vector FROM covara_fts_docs WHERE doc_id::int % 20 = 0')
		 WHERE length(word) > 3
		 ORDER BY abs(ndoc - (SELECT count(*) / 20 * 0.02 FROM covara_fts_docs)), word LIMIT 2) s
SQL
)
hits=$(q -At -c "SELECT covara.search_count('docs', '$query')")
plan=$(q -At -c "EXPLAIN SELECT doc_id FROM covara_fts_docs WHERE search_vector @@ websearch_to_tsquery('english', '$query')" | grep -o 'Bitmap Index Scan on [a-z_]*' || true)

tmp=$(mktemp -d)
cat >"$tmp/covara.sql" <<SQL
SELECT * FROM covara.search('docs', '$query', 20);
SQL
cat >"$tmp/hand.sql" <<SQL
SELECT doc_id, ts_rank(search_vector, q) AS score, source,
	   ts_headline('english', concat_ws(' ', source->>'title', source->>'body'), q) AS headline
  FROM covara_fts_docs, websearch_to_tsquery('english', '$query') AS q
 WHERE search_vector @@ q
 ORDER BY score DESC, doc_id
 LIMIT 20;
SQL
search_ms() {
	(cd "$tmp" && rm -f pgbench_log.* &&
	 pgbench -n -M extended -t "$RUNS" -f "$1" -l "$DB" >/dev/null 2>&1 &&
	 median $(awk '{ print $3 / 1000 }' pgbench_log.*))
}
covara_log "search: $RUNS runs each of covara.search and the hand-written SQL"
# a checkpoint first, so that no background write of the earlier phases'
# dirty pages competes with the measured queries
q -c 'CHECKPOINT' >/dev/null
s_hand=$(search_ms hand.sql)
q -c 'CHECKPOINT' >/dev/null
s_cov=$(search_ms covara.sql)
rm -rf "$tmp"

for v in $INS_VARIANTS; do ins[$v]=$(fastest ${ins[$v]}); insc[$v]=$(fastest ${insc[$v]}); done
# the steady-state medians, for the spread behind the fastest runs
nsteady=$(echo ${upd[covara]} | wc -w)
med_plainv=$(median ${upd[plainv]}); med_covara=$(median ${upd[covara]}); med_plpgsql=$(median ${upd[plpgsql]})
for v in $UPD_VARIANTS; do
	upd[$v]=$(fastest ${upd[$v]}); updc[$v]=$(fastest ${updc[$v]})
	fst[$v]=$(fastest ${fst[$v]}); fstc[$v]=$(fastest ${fstc[$v]})
done

echo
echo "covara search benchmark: $DOCS documents (title + ~500-character body, weights A and B), fastest of $ROUNDS rounds (steady-state updates: two runs a round)"
echo "load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
echo
# row NAME BASELINE-KEY ARRAY-NAME KEY [NOTE]: wall and CPU with ratios
row() {
	local -n wall=$2 cpu=$3
	printf '%-54s %9.0f %6s %9.0f %6s  %s\n' "$1" "${wall[$5]}" "$(ratio "${wall[$5]}" "${wall[$4]}")" \
		"${cpu[$5]}" "$(ratio "${cpu[$5]}" "${cpu[$4]}")" "${6:-}"
}
printf '%-54s %9s %6s %9s %6s\n' "insert $DOCS rows" "wall ms" "ratio" "CPU ms" "ratio"
row "plain table, no vector" ins insc generated plain
row "STORED generated column (baseline)" ins insc generated generated
row "PL/pgSQL trigger" ins insc generated plpgsql
row "covara.search_trigger" ins insc generated covara "target <= 1.05"
echo
# update_table WALL CPU TITLE TARGET1 TARGET2: the update rows of one kind
update_table() {
	local -n uw=$1 uc=$2
	echo "update a non-source column of $DOCS rows, $3"
	printf '%-54s %9s %6s %9s %6s\n' "" "wall ms" "ratio" "CPU ms" "ratio"
	row "plain table: same columns, vector stored, no trigger" "$1" "$2" plainv plainv
	row "no-op C trigger (suppress_redundant_updates_trigger)" "$1" "$2" plainv noop
	row "STORED generated column" "$1" "$2" plainv generated
	row "PL/pgSQL trigger" "$1" "$2" plainv plpgsql
	row "core tsvector_update_trigger (no weights)" "$1" "$2" plainv core
	row "covara.search_trigger" "$1" "$2" plainv covara "${4:-}"
	printf '  PL/pgSQL trigger vs covara: %sx wall, %sx CPU%s\n' \
		"$(ratio "${uw[plpgsql]}" "${uw[covara]}")" "$(ratio "${uc[plpgsql]}" "${uc[covara]}")" "${5:-}"
	printf '  (for scale: the table without the tsvector column, %.0f ms wall, %.0f ms CPU)\n' "${uw[plain]}" "${uc[plain]}"
}
update_table upd updc "steady state (room from an earlier update, vacuumed)" "target <= 1.15" " (target >= 4)"
printf '  medians of the %s steady-state runs of each (wall): covara %sx the plain table, PL/pgSQL %sx covara\n' \
	"$nsteady" "$(ratio "$med_covara" "$med_plainv")" "$(ratio "$med_plpgsql" "$med_covara")"
printf '  time inside the trigger function (EXPLAIN ANALYZE, one more run): covara %.0f ms (%.2f us/row), PL/pgSQL %.0f ms, core %.0f ms\n' \
	"${trig[covara]}" "$(awk -v t="${trig[covara]}" -v n="$DOCS" 'BEGIN { print t * 1000 / n }')" "${trig[plpgsql]}" "${trig[core]}"
echo "  average row: $rowsizes bytes without and with the vector"
echo
update_table fst fstc "first update after the bulk load (the file doubles)"
echo
printf '%-58s %10s %8s\n' "search '$query' ($hits hits, top 20)" "ms" "ratio"
printf '%-58s %10.2f %8s\n' "hand-written SQL (websearch_to_tsquery, ts_rank, ts_headline)" "$s_hand" "1.00"
printf '%-58s %10.2f %8s\n' "covara.search()" "$s_cov" "$(ratio "$s_cov" "$s_hand")"
echo "  median of $RUNS runs each from pgbench; plan: ${plan:-NO BITMAP INDEX SCAN}"
echo
echo "covara vectors equal to the generated column's: $same of $DOCS rows"
printf 'building the index table through its trigger (from jsonb source): %.0f ms wall, %.0f ms CPU\n' "$idx_ms" "$idx_cpu"
psql -X -q -d postgres -c "DROP DATABASE $DB"
