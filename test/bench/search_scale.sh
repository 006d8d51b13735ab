#!/usr/bin/env bash
# Benchmark of covara's search at scale (not part of test/run-all):
#
#   COVARA_DESTDIR=/tmp/somewhere test/bench/search_scale.sh
#   BENCH_DOCS=1000000 COVARA_DESTDIR=/tmp/somewhere test/bench/search_scale.sh
#
# Builds and installs covara (test/lib/common.sh), installs Debian's
# postgresql-15-rum when it is missing (apt-get; without it the RUM column
# says n/a), starts a throwaway cluster and loads BENCH_DOCS (100000)
# documents of test/bench/corpus.py (a title of 5-10 words, weight A, and a
# body of 80-150 words, weight D, from a Zipf-distributed vocabulary of
# 50,000 synthetic words) into the search index 'docs'
# (covara.create_search_index, its trigger computing the vectors).  Then,
# side by side:
#
#   search   the top 20 for query words picked by document frequency: rare
#            (~10 documents per million, or the rarest the corpus has),
#            medium (~1 %), common (~20 %), two common words (AND), the
#            same two as a phrase ("a b", in the order they are more often
#            adjacent), a prefix (the first 4 letters of the medium word,
#            3 if the stemmer would change 4) and a typo (the medium word
#            with its last two letters swapped): covara.search() (with
#            prefix => true, fuzzy => true) and covara.search_suggest()
#            against the hand-written query over the same table
#            (ts_rank, ORDER BY rank DESC, doc_id LIMIT 20; for the typo a
#            pg_trgm index over the index's lexemes from ts_stat) and RUM
#            (a copy of doc_id and search_vector with a rum_tsvector_ops
#            index, ORDER BY search_vector <=> q LIMIT 20)
#   count    covara.search_count(index, q, 1000) against count(*), the
#            two-argument covara.search_count(index, q) and count(*) on
#            the RUM copy, for the medium, common and AND queries
#   insert   BENCH_INSERT_DOCS (20000) documents into a fresh index, once
#            with the covara built here and once in a second database with
#            CREATE EXTENSION covara VERSION '0.10.0' (the same shared
#            library: what differs is the SQL of that version), docs/s
#   sizes    the index table, its TOAST, each of its indexes, any other
#            table named covara_fts_docs*, the RUM copy and its index, the
#            lexeme table and its trigram index
#
# Each query is run by pgbench (simple protocol, one connection, one
# untimed transaction first, then BENCH_RUNS (30) timed ones, latencies from
# its per-transaction log) in each of BENCH_ROUNDS (3) rounds, the variants
# in order in odd rounds and in reverse order in even ones; the tables give
# the median and p10-p90 of all the runs of a variant.  A covara function
# the installed covara does not have (the API being written) is tried once
# and then printed as n/a.  The hand-written and covara results of the
# single-term classes are compared (same doc_ids in the same order).
#
# The cluster runs with autovacuum off, shared_buffers at a quarter of the
# machine's memory (which holds every table at a million documents) and
# otherwise the server's defaults (work_mem 4MB, parallel query, JIT).
# The GIN index of the index table is dropped for the bulk load and built
# again, from its own definition, afterwards (then VACUUM ANALYZE).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/../lib/common.sh"
cd "$COVARA_ROOT"

DOCS=${BENCH_DOCS:-100000}
RUNS=${BENCH_RUNS:-30}
ROUNDS=${BENCH_ROUNDS:-3}
INSERT_DOCS=${BENCH_INSERT_DOCS:-20000}

if [ "${1:-}" != --in-cluster ]; then
	COVARA_NEED_NODE=0 covara_install_deps
	if [ ! -f "/usr/share/postgresql/$COVARA_PGVERSION/extension/rum.control" ]; then
		covara_log "installing postgresql-$COVARA_PGVERSION-rum"
		if ! { covara_as_root apt-get update -qq &&
			covara_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				"postgresql-$COVARA_PGVERSION-rum" >/dev/null; }; then
			covara_log "could not install postgresql-$COVARA_PGVERSION-rum: no RUM column"
		fi
	fi
	covara_build_install
	# a quarter of the memory for shared_buffers, in MB
	sb=$(awk '/^MemTotal:/ { print int($2 / 4096) }' /proc/meminfo)
	export COVARA_CLUSTER_OPTS="${COVARA_CLUSTER_OPTS:-shared_buffers=${sb}MB max_wal_size=8GB min_wal_size=2GB checkpoint_timeout=30min autovacuum=off maintenance_work_mem=1GB wal_init_zero=off}"
	covara_log "starting a throwaway cluster ($DOCS documents, $ROUNDS rounds of $RUNS runs)"
	covara_with_cluster "$BENCH_DIR/search_scale.sh" --in-cluster
	exit
fi

DB=covara_bench_scale
DB010=covara_bench_scale_010
load_start="$(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
started=$(date +%s)
# scripts and latencies (kept with COVARA_KEEP_WORK)
tmp=$(mktemp -d "${COVARA_WORK:-/tmp}/bench-scale.XXXXXX")
[ -n "${COVARA_KEEP_WORK:-}" ] || trap 'rm -rf "$tmp"' EXIT
q() { covara_psql -d "$DB" "$@"; }
qa() { covara_psql -At -d "$DB" "$@"; }

# timed_ms DB STATEMENT: the milliseconds the statement takes (psql's
# \timing), after a checkpoint
timed_ms() {
	covara_psql -d "$1" -c 'CHECKPOINT' >/dev/null
	covara_psql -d "$1" -c '\timing on' -c "$2" | awk '/^Time: / { print $2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
# stats FILE: "median p10 p90" of the numbers in FILE (nearest rank)
stats() {
	sort -g "$1" | awk '{ a[NR] = $1 }
		function rank(p,  i) { i = int(p * NR); if (i < p * NR) i++; if (i < 1) i = 1; return a[i] }
		END { if (NR == 0) exit
			  m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			  print m, rank(0.1), rank(0.9) }'
}
# the variants in order in odd rounds and in reverse order in even ones
order() {
	if [ $((r % 2)) = 1 ]; then printf '%s\n' "$@"; else printf '%s\n' "$@" | tac; fi
}

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $DB010" \
	-c "CREATE DATABASE $DB" -c "CREATE DATABASE $DB010"
q -c 'CREATE EXTENSION covara' -c 'CREATE EXTENSION pg_trgm'
rum=1
if ! q -c 'CREATE EXTENSION rum' 2>"$tmp/err"; then
	covara_log "no RUM: $(head -1 "$tmp/err")"
	rum=0
fi

covara_log "loading $DOCS documents of test/bench/corpus.py"
q -c 'CREATE TABLE src (id int PRIMARY KEY, title text NOT NULL, body text NOT NULL)' \
  -c 'CREATE TABLE vocab (rank int PRIMARY KEY, word text NOT NULL)'
t0=$(date +%s.%N)
python3 "$BENCH_DIR/corpus.py" "$DOCS" | q -c 'COPY src FROM STDIN'
python3 "$BENCH_DIR/corpus.py" --words | q -c 'COPY vocab FROM STDIN'
gen_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

q -c "SELECT covara.create_search_index('docs', '{\"title\": \"A\", \"body\": \"D\"}')" >/dev/null
# the GIN indexes of the table: dropped for the load, built again from their
# own definitions after it
gin_sql="FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
	WHERE i.indrelid = 'covara_fts_docs'::regclass AND am.amname = 'gin'"
mapfile -t gin_defs < <(qa -c "SELECT pg_get_indexdef(i.indexrelid) $gin_sql ORDER BY c.relname")
mapfile -t gin_drops < <(qa -c "SELECT format('DROP INDEX %s', i.indexrelid::regclass) $gin_sql ORDER BY c.relname")
for s in "${gin_drops[@]}"; do q -c "$s"; done
load_ms=$(timed_ms "$DB" "INSERT INTO covara_fts_docs (doc_id, source) SELECT id::text, jsonb_build_object('title', title, 'body', body) FROM src")
t0=$(date +%s.%N)
for s in "${gin_defs[@]}"; do q -c "$s"; done
q -c 'VACUUM ANALYZE covara_fts_docs' -c 'VACUUM ANALYZE src' -c 'VACUUM ANALYZE vocab'
gin_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

covara_log "baselines: the RUM copy, the lexeme table with its trigram index"
if [ $rum = 1 ]; then
	t0=$(date +%s.%N)
	q -c 'CREATE TABLE rum_docs AS SELECT doc_id, search_vector FROM covara_fts_docs' \
	  -c 'CREATE INDEX rum_docs_idx ON rum_docs USING rum (search_vector rum_tsvector_ops)' \
	  -c 'VACUUM ANALYZE rum_docs'
	rum_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
fi
q <<'SQL'
CREATE TABLE lexemes AS SELECT word, ndoc, nentry FROM ts_stat('SELECT search_vector FROM covara_fts_docs');
CREATE INDEX lexemes_trgm_idx ON lexemes USING gin (word gin_trgm_ops);
-- the vocabulary's stems: the query words are words that are their own
-- lexeme, and no other word's
CREATE TABLE vstem AS SELECT rank, word, (ts_lexize('english_stem', word))[1] AS stem FROM vocab;
CREATE TABLE cand AS
SELECT v.rank, v.word, l.ndoc
  FROM vstem v JOIN lexemes l ON l.word = v.word
 WHERE v.stem = v.word AND v.word IN (SELECT stem FROM vstem GROUP BY stem HAVING count(*) = 1);
VACUUM ANALYZE lexemes;
ANALYZE cand;
SQL
vocab_info=$(qa -c "SELECT (SELECT count(*) FROM vocab) || ' words, ' ||
	(SELECT count(*) FROM vstem WHERE stem IS DISTINCT FROM word) || ' changed by the english stemmer; ' ||
	(SELECT count(*) FROM lexemes) || ' lexemes in the index; average document ' ||
	(SELECT round(avg(length(title) + length(body))) FROM src) || ' characters'")

covara_log "picking the query words"
# pick TARGET [EXCLUDED]: the candidate word whose document frequency is
# closest to TARGET (ties: the more frequent rank)
pick() {
	qa -F ' ' -c "SELECT word, ndoc FROM cand WHERE word <> '${2:-}'
		ORDER BY abs(ndoc - $1), rank LIMIT 1"
}
rare_target=$(awk -v n="$DOCS" 'BEGIN { t = int(10 * n / 1000000 + 0.5); print (t < 3 ? 3 : t) }')
read -r w_rare n_rare < <(pick "$rare_target")
read -r w_med n_med < <(pick $((DOCS / 100)))
read -r w_c1 n_c1 < <(pick $((DOCS / 5)))
read -r w_c2 n_c2 < <(pick $((DOCS / 5)) "$w_c1")
# the two common words as a phrase, in the order in which they are more
# often adjacent
phrase=$(qa -c "SELECT CASE WHEN a >= b THEN '$w_c1 $w_c2' ELSE '$w_c2 $w_c1' END
	FROM (SELECT count(*) FILTER (WHERE search_vector @@ phraseto_tsquery('english', '$w_c1 $w_c2')) AS a,
				 count(*) FILTER (WHERE search_vector @@ phraseto_tsquery('english', '$w_c2 $w_c1')) AS b
			FROM covara_fts_docs WHERE search_vector @@ to_tsquery('english', '$w_c1 & $w_c2')) s")
# the prefix: the medium word's first 4 letters, 3 if the stemmer would
# change those
prefix=$(qa -c "SELECT CASE WHEN to_tsquery('english', left('$w_med', 4) || ':*')::text = '''' || left('$w_med', 4) || ''':*'
	THEN left('$w_med', 4) ELSE left('$w_med', 3) END")
# the typo: a word of about the medium frequency (the medium word itself if
# it will do) with its last two letters swapped, which is no lexeme of the
# index and which pg_trgm's default threshold still finds similar
read -r typo w_typo n_typo < <(qa -F ' ' <<SQL
SELECT t, word, ndoc
  FROM (SELECT word, ndoc, rank, left(word, -2) || right(word, 1) || substr(word, length(word) - 1, 1) AS t
		  FROM cand ORDER BY word <> '$w_med', abs(ndoc - $((DOCS / 100))), rank LIMIT 100) c
 WHERE coalesce((ts_lexize('english_stem', t))[1], '') NOT IN (SELECT word FROM lexemes)
   AND similarity(t, word) >= show_limit()
 ORDER BY word <> '$w_med', abs(ndoc - $((DOCS / 100))), rank
 LIMIT 1
SQL
)

# the classes: label, query, hand-written tsquery
CLASSES="rare medium common and phrase prefix typo_suggest typo_search"
COUNTS="count_medium count_common count_and"
declare -A label query tsq matches
label[rare]="rare '$w_rare'"; query[rare]=$w_rare
label[medium]="medium '$w_med'"; query[medium]=$w_med
label[common]="common '$w_c1'"; query[common]=$w_c1
label[and]="AND '$w_c1 $w_c2'"; query[and]="$w_c1 $w_c2"
label[phrase]="phrase '\"$phrase\"'"; query[phrase]="\"$phrase\""
label[prefix]="prefix '$prefix'"; query[prefix]=$prefix
label[typo_suggest]="typo '$typo': suggest"; query[typo_suggest]=$typo
label[typo_search]="typo '$typo': fuzzy search"; query[typo_search]=$typo
for c in rare medium common and phrase; do tsq[$c]="websearch_to_tsquery('english', '${query[$c]}')"; done
tsq[prefix]="to_tsquery('english', '$prefix:*')"
for c in medium common and; do
	label[count_$c]=${label[$c]}; query[count_$c]=${query[$c]}; tsq[count_$c]=${tsq[$c]}
done
for c in rare medium common and phrase prefix; do
	matches[$c]=$(qa -c "SELECT count(*) FROM covara_fts_docs WHERE search_vector @@ ${tsq[$c]}")
done
for c in medium common and; do matches[count_$c]=${matches[$c]}; done
matches[typo_suggest]="-"
matches[typo_search]="$n_typo ('$w_typo')"
matches[phrase]="${matches[phrase]} of ${matches[and]}"

# the pgbench scripts, one per class and variant
hand_sql() {	# TSQUERY: the hand-written top 20
	echo "SELECT doc_id, ts_rank(search_vector, $1) AS r FROM covara_fts_docs WHERE search_vector @@ $1 ORDER BY r DESC, doc_id LIMIT 20;"
}
rum_sql() {
	echo "SELECT doc_id, search_vector <=> $1 AS d FROM rum_docs WHERE search_vector @@ $1 ORDER BY search_vector <=> $1 LIMIT 20;"
}
suggest_sql="FROM lexemes WHERE word % '$typo' ORDER BY word <-> '$typo', ndoc DESC, word"
for c in rare medium common and phrase; do
	echo "SELECT * FROM covara.search('docs', '${query[$c]}', 20, 0);" >"$tmp/$c.covara.sql"
	hand_sql "${tsq[$c]}" >"$tmp/$c.hand.sql"
	rum_sql "${tsq[$c]}" >"$tmp/$c.rum.sql"
done
echo "SELECT * FROM covara.search('docs', '$prefix', 20, 0, prefix => true);" >"$tmp/prefix.covara.sql"
hand_sql "${tsq[prefix]}" >"$tmp/prefix.hand.sql"
rum_sql "${tsq[prefix]}" >"$tmp/prefix.rum.sql"
echo "SELECT * FROM covara.search_suggest('docs', '$typo');" >"$tmp/typo_suggest.covara.sql"
echo "SELECT word, ndoc $suggest_sql LIMIT 5;" >"$tmp/typo_suggest.hand.sql"
echo "SELECT * FROM covara.search('docs', '$typo', 20, 0, fuzzy => true);" >"$tmp/typo_search.covara.sql"
# by hand: the search finds nothing, so search for the best suggestion
{
	hand_sql "websearch_to_tsquery('english', '$typo')"
	echo "SELECT doc_id, ts_rank(search_vector, s.q) AS r FROM covara_fts_docs, (SELECT websearch_to_tsquery('english', word) AS q $suggest_sql LIMIT 1) s WHERE search_vector @@ s.q ORDER BY r DESC, doc_id LIMIT 20;"
} >"$tmp/typo_search.hand.sql"
for c in medium common and; do
	echo "SELECT * FROM covara.search_count('docs', '${query[$c]}', 1000);" >"$tmp/count_$c.covara.sql"
	echo "SELECT count(*) FROM covara_fts_docs WHERE search_vector @@ ${tsq[$c]};" >"$tmp/count_$c.hand.sql"
	echo "SELECT covara.search_count('docs', '${query[$c]}');" >"$tmp/count_$c.old.sql"
	echo "SELECT count(*) FROM rum_docs WHERE search_vector @@ ${tsq[$c]};" >"$tmp/count_$c.rum.sql"
done

# which variants run: each script is tried once (a function today's covara
# does not have, or no RUM, is n/a)
declare -A avail
for f in "$tmp"/*.sql; do
	k=$(basename "$f" .sql)
	if [ $rum = 0 ] && [ "${k#*.}" = rum ]; then avail[$k]=0; continue; fi
	if q -f "$f" >/dev/null 2>"$tmp/err"; then
		avail[$k]=1
	else
		avail[$k]=0
		covara_log "n/a: $k: $(grep -m1 ERROR "$tmp/err" || head -1 "$tmp/err")"
	fi
done

# the covara and hand-written results of the single-term classes: the same
# doc_ids in the same order
agree=() disagree=()
for c in rare medium common prefix; do
	[ "${avail[$c.covara]}" = 1 ] || continue
	a=$(qa -f "$tmp/$c.covara.sql" | cut -d'|' -f1 | paste -sd,)
	b=$(qa -f "$tmp/$c.hand.sql" | cut -d'|' -f1 | paste -sd,)
	if [ "$a" = "$b" ]; then agree+=("$c"); else disagree+=("$c"); fi
done
# what covara and the hand-written SQL make of the typo
sugg_hand=$(qa -c "SELECT string_agg(word || ' (' || ndoc || ')', ', ') FROM (SELECT word, ndoc $suggest_sql LIMIT 5) s")
sugg_cov=n/a
if [ "${avail[typo_suggest.covara]}" = 1 ]; then
	sugg_cov=$(qa -c "SELECT string_agg(suggestion || ' (distance ' || distance || ', ' || documents || ')', ', ') FROM covara.search_suggest('docs', '$typo')")
fi
fuzzy_cov=n/a
if [ "${avail[typo_search.covara]}" = 1 ]; then
	fuzzy_cov="$(qa -c "SELECT count(*) FROM covara.search('docs', '$typo', 20, 0, fuzzy => true)") rows"
fi
# the plans of the hand-written and RUM queries (their scan nodes)
plans=""
for c in rare medium common and phrase prefix; do
	for v in hand rum; do
		[ "${avail[$c.$v]}" = 1 ] || continue
		p=$(qa -c "EXPLAIN $(cat "$tmp/$c.$v.sql")" | grep -oE '(Parallel )?(Seq|Index|Bitmap Index|Bitmap Heap) Scan( using [a-z_]+| on [a-z_]+)?' | sed 's/ using / on /' | paste -sd'/' || true)
		plans+="  $c $v: $p"$'\n'
	done
done

# bench CLASS VARIANT: BENCH_RUNS latencies (ms) appended to $tmp/lat.CLASS.VARIANT
bench() {
	local d=$tmp/pgb
	rm -rf "$d" && mkdir "$d"
	if ! (cd "$d" && pgbench -n -M simple -f "$tmp/$1.$2.sql" -t $((RUNS + 1)) -l --log-prefix="$d/log" "$DB" >"$d/out" 2>&1); then
		covara_log "pgbench failed for $1 $2:"
		cat "$d/out" >&2
		return 1
	fi
	# the first transaction (the connection's warm-up) is left out, and so
	# is any latency logged as 0 (pgbench 15 does that now and then for the
	# second transaction, although its time stamps show it took as long as
	# the others)
	awk 'NR > 1 && $3 > 0 { printf "%.3f\n", $3 / 1000 }' "$d"/log.* >"$d/lat"
	cat "$d/lat" >>"$tmp/lat.$1.$2"
	cat "$d"/log.* >>"$tmp/raw.$1.$2"
	stats "$d/lat" | cut -d' ' -f1 >>"$tmp/rmed.$1.$2"
}

# insert CURRENT|OLD: the seconds to insert the documents of ins_src into a
# fresh index
insert_db() { if [ "$1" = current ]; then echo "$DB"; else echo "$DB010"; fi; }
old_version=n/a
if covara_psql -d "$DB010" -c "CREATE EXTENSION covara VERSION '0.10.0'" 2>"$tmp/err"; then
	old_version=$(covara_psql -At -d "$DB010" -c "SELECT extversion FROM pg_extension WHERE extname = 'covara'")
else
	covara_log "no covara 0.10.0: $(head -1 "$tmp/err")"
fi
INSERTS=current
[ "$old_version" = n/a ] || INSERTS="current old"
for v in $INSERTS; do
	db=$(insert_db "$v")
	covara_psql -d "$db" -c 'CREATE TABLE ins_src (id int PRIMARY KEY, title text NOT NULL, body text NOT NULL)'
	python3 "$BENCH_DIR/corpus.py" "$INSERT_DOCS" | covara_psql -d "$db" -c 'COPY ins_src FROM STDIN'
	covara_psql -d "$db" -c 'VACUUM ANALYZE ins_src'
done
insert_run() {
	local db
	db=$(insert_db "$1")
	covara_psql -d "$db" -c "SELECT covara.drop_search_index('ins') WHERE to_regclass('covara_fts_ins') IS NOT NULL" \
		-c "SELECT covara.create_search_index('ins', '{\"title\": \"A\", \"body\": \"D\"}')" >/dev/null
	ms=$(timed_ms "$db" "INSERT INTO covara_fts_ins (doc_id, source) SELECT id::text, jsonb_build_object('title', title, 'body', body) FROM ins_src")
	awk -v ms="$ms" -v n="$INSERT_DOCS" 'BEGIN { printf "%.0f\n", n / ms * 1000 }' >>"$tmp/ins.$1"
}

VARIANTS=(covara hand rum)
CVARIANTS=(covara hand old rum)
q -c 'CHECKPOINT' >/dev/null
for r in $(seq 1 "$ROUNDS"); do
	covara_log "round $r of $ROUNDS: queries"
	for c in $CLASSES; do
		for v in $(order "${VARIANTS[@]}"); do
			if [ "${avail[$c.$v]:-0}" = 1 ]; then bench "$c" "$v"; fi
		done
	done
	covara_log "round $r of $ROUNDS: counts"
	for c in $COUNTS; do
		for v in $(order "${CVARIANTS[@]}"); do
			if [ "${avail[$c.$v]:-0}" = 1 ]; then bench "$c" "$v"; fi
		done
	done
	covara_log "round $r of $ROUNDS: inserting $INSERT_DOCS documents"
	# shellcheck disable=SC2086
	for v in $(order $INSERTS); do insert_run "$v"; done
	q -c 'CHECKPOINT' >/dev/null
done

# cell CLASS VARIANT: "median (p10-p90)", or n/a
cell() {
	local m p10 p90
	if [ ! -s "$tmp/lat.$1.$2" ]; then echo n/a; return; fi
	read -r m p10 p90 < <(stats "$tmp/lat.$1.$2")
	printf '%s (%s-%s)' "$(fmt "$m")" "$(fmt "$p10")" "$(fmt "$p90")"
}
# two significant figures past the point for small times, whole ms for large
fmt() { awk -v x="$1" 'BEGIN { if (x >= 100) printf "%.0f", x; else if (x >= 10) printf "%.1f", x; else printf "%.2f", x }'; }
med() { if [ -s "$tmp/lat.$1.$2" ]; then stats "$tmp/lat.$1.$2" | cut -d' ' -f1; fi; }

echo
echo "covara search at scale: $DOCS documents (corpus.py: title 5-10 words weight A, body 80-150 words weight D, Zipf vocabulary)"
echo "$(qa -c "SELECT split_part(version(), ' on ', 1)"), covara $(qa -c "SELECT extversion FROM pg_extension WHERE extname = 'covara'"); shared_buffers $(qa -c 'SHOW shared_buffers'), work_mem $(qa -c 'SHOW work_mem'), jit $(qa -c 'SHOW jit'), max_parallel_workers_per_gather $(qa -c 'SHOW max_parallel_workers_per_gather')"
echo "load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "vocabulary: $vocab_info"
printf 'load: corpus generated and copied in %s s; %s documents through the index trigger in %.0f ms (%.0f docs/s), GIN index built in %s s%s\n' \
	"$gen_s" "$DOCS" "$load_ms" "$(awk -v ms="$load_ms" -v n="$DOCS" 'BEGIN { print n / ms * 1000 }')" "$gin_s" \
	"$([ $rum = 1 ] && echo "; RUM copy and index in $rum_s s")"
echo
echo "query words (target document frequencies: rare $rare_target, medium $((DOCS / 100)), common $((DOCS / 5))):"
echo "  rare '$w_rare' $n_rare documents; medium '$w_med' $n_med; common '$w_c1' $n_c1 and '$w_c2' $n_c2"
echo "  AND '$w_c1 $w_c2' ${matches[and]}; phrase \"$phrase\" ${matches[phrase]}; prefix '$prefix:*' ${matches[prefix]}"
echo "  typo '$typo' for '$w_typo' ($n_typo documents); pg_trgm over the lexemes suggests: $sugg_hand"
echo "  covara.search_suggest: $sugg_cov; covara.search(fuzzy => true): $fuzzy_cov"
echo "plans (hand-written, RUM):"
printf '%s' "$plans"
if [ ${#agree[@]} -gt 0 ]; then echo "covara and hand-written results agree (same doc_ids, same order): ${agree[*]}"; fi
for c in "${disagree[@]}"; do
	echo "WARNING: covara.search and the hand-written query return different results for $c"
done
echo
echo "top 20, ms: median (p10-p90) of $((RUNS * ROUNDS)) runs ($ROUNDS rounds of $RUNS, pgbench simple protocol, one connection)"
fmt_row='%-34s %-18s %-22s %-22s %-22s %6s %6s\n'
# shellcheck disable=SC2059
printf "$fmt_row" class matches "covara" "hand-written" "RUM" "hand/c" "RUM/c"
for c in $CLASSES; do
	# shellcheck disable=SC2059
	printf "$fmt_row" "${label[$c]}" "${matches[$c]}" "$(cell "$c" covara)" "$(cell "$c" hand)" \
		"$(cell "$c" rum)" "$(ratio "$(med "$c" hand)" "$(med "$c" covara)")" "$(ratio "$(med "$c" rum)" "$(med "$c" covara)")"
done
echo "  covara: search(index, q, 20, 0) (prefix => true; fuzzy => true), search_suggest(index, q); each also returns source and a headline"
echo "  hand-written: ts_rank ORDER BY rank DESC, doc_id LIMIT 20 (doc_id and rank only); typo: pg_trgm % over ts_stat's lexemes"
echo "  RUM: ORDER BY search_vector <=> q LIMIT 20 on a copy of doc_id, search_vector"
echo
echo "count, ms: median (p10-p90)"
fmt_row='%-34s %-9s %-22s %-22s %-22s %-22s %6s %6s\n'
# shellcheck disable=SC2059
printf "$fmt_row" class matches "search_count(i,q,1000)" "count(*)" "search_count(i,q)" "RUM count(*)" "cnt/c" "old/c"
for c in $COUNTS; do
	# shellcheck disable=SC2059
	printf "$fmt_row" "${label[$c]}" "${matches[$c]}" "$(cell "$c" covara)" "$(cell "$c" hand)" "$(cell "$c" old)" \
		"$(cell "$c" rum)" "$(ratio "$(med "$c" hand)" "$(med "$c" covara)")" "$(ratio "$(med "$c" old)" "$(med "$c" covara)")"
done
echo "  ratios: count(*) and the two-argument search_count over search_count(index, q, 1000)"
echo
echo "insert $INSERT_DOCS documents into a fresh index (one statement), docs/s: median of $ROUNDS"
for v in $INSERTS; do
	name="covara $(qa -c "SELECT extversion FROM pg_extension WHERE extname = 'covara'") (this build)"
	[ "$v" = old ] && name="covara $old_version (same library)"
	printf '  %-34s %8s   runs: %s\n' "$name" "$(stats "$tmp/ins.$v" | cut -d' ' -f1)" "$(paste -sd' ' "$tmp/ins.$v")"
done
if [ "$old_version" != n/a ]; then
	echo "  this build / $old_version: $(ratio "$(stats "$tmp/ins.current" | cut -d' ' -f1)" "$(stats "$tmp/ins.old" | cut -d' ' -f1)")"
else
	echo "  covara 0.10.0: n/a"
fi
echo
echo "sizes"
qa -F $'\t' <<'SQL' | awk -F '\t' '{ printf "  %-62s %10s\n", $1, $2 }'
SELECT what, pg_size_pretty(b) FROM (
SELECT 1 AS o, 'table covara_fts_docs (heap)' AS what, pg_relation_size('covara_fts_docs') AS b
UNION ALL
SELECT 2, 'its TOAST table and TOAST index', pg_total_relation_size(reltoastrelid)
  FROM pg_class WHERE oid = 'covara_fts_docs'::regclass AND reltoastrelid <> 0
UNION ALL
SELECT 3, 'index ' || c.relname || ' (' || am.amname || ')', pg_relation_size(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
 WHERE i.indrelid = 'covara_fts_docs'::regclass
UNION ALL
SELECT 4, 'all indexes of covara_fts_docs (pg_indexes_size)', pg_indexes_size('covara_fts_docs')
UNION ALL
SELECT 5, 'table ' || n.nspname || '.' || c.relname || ' (with TOAST and indexes)', pg_total_relation_size(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'm', 'p') AND c.relname LIKE 'covara\_fts\_docs%' AND c.oid <> 'covara_fts_docs'::regclass
UNION ALL
SELECT 6, 'RUM copy rum_docs (heap and TOAST)', pg_table_size(to_regclass('rum_docs')) WHERE to_regclass('rum_docs') IS NOT NULL
UNION ALL
SELECT 7, 'RUM index rum_docs_idx', pg_relation_size(to_regclass('rum_docs_idx')) WHERE to_regclass('rum_docs_idx') IS NOT NULL
UNION ALL
SELECT 8, 'lexemes (' || (SELECT count(*) FROM lexemes) || ' rows, heap)', pg_table_size('lexemes')
UNION ALL
SELECT 9, 'trigram index lexemes_trgm_idx', pg_relation_size('lexemes_trgm_idx')
UNION ALL
SELECT 10, 'for scale: the corpus as a plain table src (heap and TOAST)', pg_table_size('src')
) s ORDER BY o, what
SQL
echo
echo "per-round medians, ms (covara / hand-written / RUM; counts: covara / count(*) / old / RUM):"
for c in $CLASSES $COUNTS; do
	line=""
	for v in covara hand old rum; do
		[ -s "$tmp/rmed.$c.$v" ] || continue
		line+=" $v $(paste -sd' ' "$tmp/rmed.$c.$v");"
	done
	echo "  $c:$line"
done
echo "total running time of the in-cluster part: $(( $(date +%s) - started )) s"
psql -X -q -d postgres -c "DROP DATABASE $DB" -c "DROP DATABASE $DB010"
