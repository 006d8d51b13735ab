#!/usr/bin/env bash
# Every restore mode pg_dump and pg_restore offer ends with every row of
# every table as dumped and every search index equal to its sources, without
# an error: a full restore, in one transaction, in parallel, as plain SQL
# through psql, and schema first then data (also in one transaction, and
# with --disable-triggers).  When data comes after the schema, the source
# tables' sync triggers write documents before the index table's own rows
# are loaded; those rows then replace the documents (an INSERT into an
# index table of a doc_id it holds replaces that document).  One source
# table sorts before the index table and one after it; the index also holds
# documents written straight into it.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

src=covara_restore_src_$$
dst=covara_restore_dst_$$
work=$(mktemp -d /tmp/covara-restore.XXXXXX)
q() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
cleanup() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"
psql -X -q -d postgres -c "CREATE DATABASE $src"

q "$src" <<'SQL'
CREATE EXTENSION covara;
SELECT covara.create_search_index('kb', '{"title": "A", "body": "B"}') \g /dev/null
-- documents written straight into the index
INSERT INTO covara_fts_kb (doc_id, source) VALUES
	('k1', '{"title": "Hand written", "body": "straight into the index"}'),
	('k2', '{"title": "Another one", "body": "kept across restores"}');
-- a source that sorts before the index table, and one after it
CREATE TABLE a_articles (id int PRIMARY KEY, title text, body text);
INSERT INTO a_articles SELECT i, 'article ' || i, 'body of article ' || i FROM generate_series(1, 100) i;
SELECT covara.attach_search('a_articles', 'kb', '{"title": "A", "body": "B"}') \g /dev/null
CREATE TABLE z_notes (id int PRIMARY KEY, title text, body text);
INSERT INTO z_notes SELECT i, 'note ' || i, 'body of note ' || i FROM generate_series(1001, 1050) i;
SELECT covara.attach_search('z_notes', 'kb', '{"title": "A", "body": "B"}') \g /dev/null
-- auth rows
SELECT covara.create_session('restore-user', '1 day') \g /dev/null
SELECT covara.create_api_key('restore-user', 'restore key') \g /dev/null
SELECT covara.issue_verification_token('restore@example.com', '1 hour') \g /dev/null
SQL
tap_ok $? "set up an index with two sources and documents of its own, and auth rows"

# state DB: every row of the tables that matter, and whether the index
# equals what its sources produce (plus its own documents)
state() {
	q "$1" -At <<'SQL'
SELECT (SELECT count(*) FROM covara_fts_kb) AS documents,
	   md5(string_agg(t, E'\n' ORDER BY t)) AS rows
  FROM (SELECT 'a ' || a::text AS t FROM a_articles a
		UNION ALL SELECT 'z ' || z::text FROM z_notes z
		UNION ALL SELECT 'k ' || k::text FROM covara_fts_kb k
		UNION ALL SELECT 's ' || s::text FROM auth_sessions s
		UNION ALL SELECT 'p ' || p::text FROM auth_api_keys p
		UNION ALL SELECT 'v ' || v::text FROM auth_verification_tokens v
		UNION ALL SELECT 'c ' || c::text FROM auth_accounts c) x;
SELECT count(*) AS out_of_step FROM (
	SELECT id::text AS doc_id, covara.search_vector(to_jsonb(a), '{"title": "A", "body": "B"}') AS v FROM a_articles a
	UNION ALL
	SELECT id::text, covara.search_vector(to_jsonb(z), '{"title": "A", "body": "B"}') FROM z_notes z) s
  FULL JOIN (SELECT doc_id, search_vector FROM covara_fts_kb WHERE doc_id NOT LIKE 'k%') k USING (doc_id)
 WHERE s.v IS DISTINCT FROM k.search_vector;
SQL
}
want=$(state "$src")
tap_is "$(echo "$want" | tail -n 1)" 0 "the dumped index is in step with its sources"

pg_dump -Fc -d "$src" -f "$work/db.dump" && pg_dump -d "$src" -f "$work/db.sql" &&
	pg_dump --schema-only -d "$src" -f "$work/schema.sql" && pg_dump --data-only -d "$src" -f "$work/data.sql"
tap_ok $? "pg_dump in custom and plain format, whole, schema only and data only"

# restore NAME COMMAND...: restore into a fresh database with each command
# in turn (each a string run by sh, $dst set), then compare with the source.
restore() {
	local name=$1 cmd rc=0
	shift
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst"
	for cmd in "$@"; do
		dst=$dst work=$work sh -c "$cmd" >"$work/restore.log" 2>&1 || { rc=$?; break; }
	done
	tap_ok $rc "$name: exits 0"
	[ $rc -eq 0 ] || sed 's/^/# /' "$work/restore.log" | grep -v NOTICE | head -10
	tap_is "$(state "$dst" 2>&1)" "$want" "$name: every row as dumped, every index in step with its sources"
	# and the restored triggers keep it in step
	q "$dst" -c "UPDATE a_articles SET title = 'changed' WHERE id = 1" -c "DELETE FROM z_notes WHERE id = 1001" 2>/dev/null
	tap_is "$(state "$dst" 2>/dev/null | tail -n 1)" 0 "$name: writes after the restore keep the index in step"
}

restore "full restore (pg_restore)" 'pg_restore -d "$dst" "$work/db.dump"'
restore "full restore in one transaction" 'pg_restore --single-transaction --exit-on-error -d "$dst" "$work/db.dump"'
restore "parallel restore (-j 2)" 'pg_restore -j 2 -d "$dst" "$work/db.dump"'
restore "plain SQL through psql" 'psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$work/db.sql"'
restore "schema, then data (pg_restore)" 'pg_restore --schema-only -d "$dst" "$work/db.dump"' \
	'pg_restore --data-only --exit-on-error -d "$dst" "$work/db.dump"'
restore "schema, then data in one transaction" 'pg_restore --schema-only -d "$dst" "$work/db.dump"' \
	'pg_restore --data-only --single-transaction --exit-on-error -d "$dst" "$work/db.dump"'
restore "schema, then data with --disable-triggers" 'pg_restore --schema-only -d "$dst" "$work/db.dump"' \
	'pg_restore --data-only --disable-triggers --exit-on-error -d "$dst" "$work/db.dump"'
restore "schema, then data, as plain SQL through psql" \
	'psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$work/schema.sql"' \
	'psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$work/data.sql"'

tap_done
