#!/usr/bin/env bash
# Search indexes survive pg_dump and restore: their settings are the
# arguments of triggers on the index and source tables, which the dump
# carries; the restored database searches the same and keeps syncing.
# Also shows, with auto_explain, the plan of the statement covara.search()
# runs: a Bitmap Index Scan on <table>_search_idx.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

src=covara_search_dump_src_$$
dst=covara_search_dump_dst_$$
q() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
psql -X -q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"

q "$src" <<'SQL'
CREATE EXTENSION covara;
SELECT covara.create_search_index('kb', '{"title": "A", "body": "B"}') \g /dev/null
INSERT INTO covara_fts_kb (doc_id, source) VALUES ('k1', '{"title": "Dump and restore", "body": "pg_dump keeps triggers"}');
CREATE TABLE articles (id int PRIMARY KEY, title text, body text, tags text[]);
INSERT INTO articles VALUES (1, 'Foxes', 'The quick brown fox', '{animals}'), (2, 'Dogs', 'Lazy dogs', NULL);
SELECT covara.attach_search('articles', 'kb', '{"title": "A", "body": "B", "tags": "C"}') \g /dev/null
CREATE TABLE notes (id int PRIMARY KEY, lang regconfig NOT NULL DEFAULT 'english', body text, tsv tsvector);
CREATE TRIGGER notes_search BEFORE INSERT OR UPDATE ON notes FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'lang', 'body:A');
INSERT INTO notes VALUES (1, 'english', 'running dogs'), (2, 'simple', 'running dogs');
SQL
tap_ok $? "set up indexes, a source table and a per-row-language table"

pg_dump -d "$src" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >/dev/null 2>"${TMPDIR:-/tmp}/search_dump_$$.err"
rc=$?
tap_ok $rc "the dump restores without errors"
[ $rc -eq 0 ] || sed 's/^/# /' "${TMPDIR:-/tmp}/search_dump_$$.err" | head -20
rm -f "${TMPDIR:-/tmp}/search_dump_$$.err"

state="SELECT string_agg(format('%s|%s|%s|%s', schema_name, index_name, index_table, language) || '|' || coalesce(fields::text, '') || '|' || sources::text, E'\n' ORDER BY 1) FROM covara.search_indexes"
tap_is "$(q "$dst" -At -c "$state")" "$(q "$src" -At -c "$state")" "covara.search_indexes is the same after restore"
tap_is "$(q "$dst" -At -c "SELECT string_agg(doc_id || ' ' || search_vector::text, ', ' ORDER BY doc_id) FROM covara_fts_kb")" \
	"$(q "$src" -At -c "SELECT string_agg(doc_id || ' ' || search_vector::text, ', ' ORDER BY doc_id) FROM covara_fts_kb")" \
	"the documents and their vectors are the same"
hits="SELECT string_agg(doc_id || ' ' || headline, '; ' ORDER BY score DESC, doc_id) FROM covara.search('kb', 'fox or dump')"
tap_is "$(q "$dst" -At -c "$hits")" "$(q "$src" -At -c "$hits")" "search() gives the same hits"

q "$dst" -c "INSERT INTO articles VALUES (3, 'Restored', 'written after the restore', NULL)" \
	-c "UPDATE articles SET id = 20 WHERE id = 2" -c "INSERT INTO covara_fts_kb (doc_id, source) VALUES ('k2', '{\"title\": \"Adapter row after restore\"}')"
tap_is "$(q "$dst" -At -c "SELECT string_agg(doc_id, ',' ORDER BY doc_id) FROM covara_fts_kb")" "1,20,3,k1,k2" \
	"the restored sync trigger keeps the index in step"
tap_is "$(q "$dst" -At -c "SELECT search_vector::text FROM covara_fts_kb WHERE doc_id = 'k2'")" "'adapt':1A 'restor':4A 'row':2A" \
	"the restored index trigger computes vectors"
tap_is "$(q "$dst" -At -c "INSERT INTO notes VALUES (3, 'simple', 'running cats') RETURNING tsv")" "'cats':2A 'running':1A" \
	"the restored per-row-language trigger works"

# auto_explain: the plan of the query inside covara.search()
q "$src" <<'SQL'
SELECT covara.create_search_index('big', '{"title": "A", "body": "B"}') \g /dev/null
INSERT INTO covara_fts_big (doc_id, source)
SELECT i::text, jsonb_build_object('title', 'document ' || i, 'body', 'word' || (i % 1000) || ' filler text number ' || i)
  FROM generate_series(1, 20000) i;
VACUUM ANALYZE covara_fts_big;
SQL
plan=$(psql -X -q -d "$src" 2>&1 >/dev/null <<'SQL'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
SELECT count(*) FROM covara.search('big', 'word42 document');
SQL
)
echo "$plan" | grep -q 'Bitmap Index Scan on covara_fts_big_search_idx'
tap_ok $? "auto_explain shows covara.search() running a Bitmap Index Scan on covara_fts_big_search_idx"
echo "$plan" | grep -B2 -A3 'Bitmap Index Scan on covara_fts_big' | head -8 | sed 's/^/# /'

tap_done
