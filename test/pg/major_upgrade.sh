#!/usr/bin/env bash
# Upgrading PostgreSQL under covara: a database on the oldest tested
# version, with every covara table filled, two search indexes (one written
# by the framework's adapter, one attached to an application table) and
# live sessions, API keys and a verification token, is dumped and restored
# into each newer tested version, once with the newer version's pg_dump (as
# PostgreSQL's documentation says to) and once with the old version's own.
# (pg_dump 18.6 does not know the reserved attribute option pg_attver that
# PostgreSQL 15.20 keeps on every column and writes it into the dump, which
# 18 refuses: where a pg_dump does that, its variant is skipped, saying so,
# and the old version's pg_dump is the way.)  In every restored database:
#   - every row of every covara table, index table and source table is kept;
#   - the extension equals a fresh install on that version (footprint);
#   - the sessions, keys and token still work;
#   - the search triggers keep both indexes in step, and search() finds
#     what it found before, and what is written after the restore;
#   - ALTER EXTENSION covara UPDATE is a no-op.
#
#   COVARA_ACROSS="15 17 18" prove test/pg/major_upgrade.sh
#
# test/run-all runs it after the per-version suites, with covara installed
# in every version (covara_use_pg, covara_install); the versions are those
# of COVARA_ACROSS, oldest first.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"
cd "$COVARA_ROOT"

read -r -a versions <<<"${COVARA_ACROSS:?set COVARA_ACROSS to the versions, oldest first}"
covara_work_init
work=$(mktemp -d "$COVARA_WORK/major.XXXXXX")
clusters=()
cleanup() {
	local c
	for c in "${clusters[@]}"; do
		[ -n "$c" ] && [ -d "$c" ] && covara_cluster_stop "$c" >/dev/null 2>&1
	done
	rm -rf "$work"
	covara_work_cleanup
}
trap cleanup EXIT

# on CLUSTER CMD...: run CMD with the PG* settings of that cluster.
on() {
	local c=$1
	shift
	# shellcheck disable=SC2046
	(export $(covara_cluster_env "$c") && "$@")
}
q() { local c=$1 db=$2; shift 2; on "$c" psql -X -At -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# What the comparisons read: search settings, documents, source rows.
state() {
	local c=$1 db=$2
	q "$c" "$db" <<'SQL'
SELECT 'index ' || format('%s|%s|%s|%s|%s|%s', schema_name, index_name, index_table, language,
       coalesce(fields::text, ''), sources::text) FROM covara.search_indexes ORDER BY 1;
SELECT 'doc ' || index_name || ' ' || d FROM (
  SELECT 'notes' AS index_name, doc_id || ' ' || search_vector::text || ' ' || source::text AS d FROM covara_fts_notes
  UNION ALL
  SELECT 'posts', doc_id || ' ' || search_vector::text || ' ' || source::text FROM covara_fts_posts) s ORDER BY 1;
SELECT 'post ' || p::text FROM posts p ORDER BY id;
SELECT 'hit ' || doc_id || ' ' || headline FROM covara.search('posts', 'restore or upgrade') ORDER BY score DESC, doc_id;
SQL
}

major() { q "$1" postgres -c "SELECT current_setting('server_version_num')::int / 10000"; }

# snapshot KIND CLUSTER DB FILE: the footprint or row checksums of DB into
# FILE; fails (and says so) when the query fails or prints nothing, so
# that two empty files never pass for two equal ones.
snapshot() {
	local kind=$1 c=$2 db=$3 file=$4
	if ! on "$c" "covara_$kind" "$db" >"$file" 2>"$file.err" || [ ! -s "$file" ]; then
		tap_diag "covara_$kind of $db failed or printed nothing:"
		sed 's/^/#   /' "$file.err"
		echo "(no $kind of $db)" >"$file"
		return 1
	fi
}

# --- the source: the oldest version
old=${versions[0]}
covara_use_pg "$old" || { tap_ok 1 "PostgreSQL $old's kit is ready"; tap_done; exit 1; }
src=$(covara_cluster_start) || { tap_ok 1 "a cluster of PostgreSQL $old starts"; tap_done; exit 1; }
clusters+=("$src")
tap_is "$(major "$src")" "$old" "the source cluster runs PostgreSQL $old"
q "$src" postgres -c 'CREATE DATABASE app'
q "$src" app <<'SQL' >/dev/null
CREATE EXTENSION covara;
SELECT covara.create_search_index('notes', '{"title": "A", "body": "B"}');
INSERT INTO covara_fts_notes (doc_id, source) VALUES
  ('n1', '{"title": "Upgrade notes", "body": "written by the adapter"}'),
  ('n2', '{"title": "Über Umlaute", "body": "日本語 text too"}');
CREATE TABLE posts (id bigint PRIMARY KEY, title text, body text, tags text[]);
INSERT INTO posts SELECT i, 'Post ' || i, CASE WHEN i % 3 = 0 THEN 'how to restore a dump' ELSE 'plain text ' || i END,
                         ARRAY['t' || (i % 5)] FROM generate_series(1, 200) i;
SELECT covara.create_search_index('posts', '{"title": "A", "body": "B", "tags": "C"}');
SELECT covara.attach_search('posts', 'posts', '{"title": "A", "body": "B", "tags": "C"}');
SQL
tap_ok $? "PostgreSQL $old: covara with two search indexes, one attached to a table"
on "$src" covara_fill_tables app 2>"$work/fill.err"
tap_ok $? "PostgreSQL $old: every covara table filled"
sed 's/^/# /' "$work/fill.err"
read -r sid < <(q "$src" app -c "SELECT covara.create_session('upgrade-user', '7 days')")
read -r kid key < <(q "$src" app -F ' ' -c "SELECT id, key FROM covara.create_api_key('upgrade-user', 'deploy', '[\"read\"]')")
tok=$(q "$src" app -c "SELECT covara.issue_verification_token('upgrade@example.com', '1 day')")
tap_ok "$([ -n "$sid" ] && [ -n "$key" ] && [ -n "$tok" ]; echo $?)" "PostgreSQL $old: a live session, an API key and a verification token"
snapshot rows "$src" app "$work/rows.src"
tap_ok $? "PostgreSQL $old: the row checksums of every covara table"
state "$src" app >"$work/state.src"
tap_ok "$(grep -c '^hit ' "$work/state.src" | grep -qv '^0$'; echo $?)" "PostgreSQL $old: search() finds documents ($(grep -c '^hit ' "$work/state.src") hits)"

# check_restore CLUSTER DUMP LABEL: restore DUMP into a new database of
# CLUSTER and check it against the source (needs fresh, the footprint of a
# fresh install on that cluster).
check_restore() {
	local dst=$1 dump=$2 what=$3 db out
	db=app_$((++restores))
	q "$dst" postgres -c "CREATE DATABASE $db"
	on "$dst" pg_restore --exit-on-error -d "$db" "$dump" 2>"$work/restore.err"
	tap_ok $? "$what: pg_restore without an error"
	sed 's/^/# /' "$work/restore.err"

	snapshot rows "$dst" "$db" "$work/rows.dst"
	tap_diff_ok "$work/rows.src" "$work/rows.dst" "$what: every row of every covara table"
	state "$dst" "$db" >"$work/state.dst"
	tap_diff_ok "$work/state.src" "$work/state.dst" \
		"$what: search settings, documents, source rows and search() hits are the same"
	snapshot footprint "$dst" "$db" "$work/fp.dst"
	tap_diff_ok "$work/fp.fresh" "$work/fp.dst" "$what: the restored extension equals a fresh install"

	tap_is "$(q "$dst" "$db" -c "SELECT \"userId\" FROM covara.get_session('$sid')")" upgrade-user \
		"$what: the session made before is valid"
	tap_is "$(q "$dst" "$db" -c "SELECT id FROM covara.verify_api_key('$key')")" "$kid" \
		"$what: the API key made before verifies"
	tap_is "$(q "$dst" "$db" -c "SELECT covara.consume_verification_token('upgrade@example.com', '$tok')")" t \
		"$what: the verification token issued before is consumed once"

	q "$dst" "$db" >/dev/null <<'SQL'
INSERT INTO posts VALUES (1000, 'After the upgrade', 'written on the new server', NULL);
UPDATE posts SET body = 'nothing to see' WHERE id = 3;
DELETE FROM posts WHERE id = 6;
INSERT INTO covara_fts_notes (doc_id, source) VALUES ('n3', '{"title": "Adapter after upgrade"}');
SQL
	tap_is "$(q "$dst" "$db" -c "SELECT string_agg(doc_id, ',' ORDER BY doc_id) FROM covara.search('posts', 'upgrade')")" 1000 \
		"$what: a row inserted after the restore is found"
	tap_is "$(q "$dst" "$db" -c "SELECT count(*) FROM covara_fts_posts WHERE doc_id IN ('3', '6') AND search_vector @@ 'restor'::tsquery")" 0 \
		"$what: an updated row and a deleted one no longer match"
	tap_is "$(q "$dst" "$db" -c "SELECT (SELECT count(*) FROM posts) || '/' || (SELECT count(*) FROM covara_fts_posts)")" 200/200 \
		"$what: the attached index follows its table row for row"
	tap_is "$(q "$dst" "$db" -c "SELECT search_vector::text FROM covara_fts_notes WHERE doc_id = 'n3'")" "'adapt':1A 'upgrad':3A" \
		"$what: the index trigger computes an adapter row's vector"

	out=$(q "$dst" "$db" -c 'ALTER EXTENSION covara UPDATE' 2>&1)
	tap_ok "$(grep -q 'already installed' <<<"$out"; echo $?)" "$what: ALTER EXTENSION covara UPDATE says it is up to date"
	snapshot footprint "$dst" "$db" "$work/fp.again"
	tap_diff_ok "$work/fp.dst" "$work/fp.again" "$what: ... and changes nothing"
}
restores=0
old_bindir=$COVARA_PG_BINDIR

# --- each newer version
for new in "${versions[@]:1}"; do
	covara_use_pg "$new" || { tap_ok 1 "PostgreSQL $new's kit is ready"; continue; }
	dst=$(covara_cluster_start) || { tap_ok 1 "a cluster of PostgreSQL $new starts"; continue; }
	clusters+=("$dst")
	tap_is "$(major "$dst")" "$new" "the target cluster runs PostgreSQL $new"
	q "$dst" postgres -c 'CREATE DATABASE fresh'
	q "$dst" fresh -c 'CREATE EXTENSION covara' && snapshot footprint "$dst" fresh "$work/fp.fresh"
	tap_ok $? "PostgreSQL $new: a fresh install to compare with"

	for dumper in "$COVARA_PG_BINDIR" "$old_bindir"; do
		v=$("$dumper/pg_dump" --version | sed 's/^pg_dump (PostgreSQL) \([0-9.]*\).*/\1/')
		what="$old -> $new with pg_dump $v"
		on "$src" "$dumper/pg_dump" -Fc -d app -f "$work/app.dump" 2>"$work/dump.err"
		tap_ok $? "$what: pg_dump of the source database"
		sed 's/^/# /' "$work/dump.err"
		"$dumper/pg_restore" -f "$work/app.sql" "$work/app.dump"
		if grep -q 'SET (pg_attver=' "$work/app.sql"; then
			tap_skip "$what: restore and check" \
				"pg_dump $v writes PostgreSQL $old's reserved attribute option pg_attver into the dump, which $new refuses; use pg_dump $old"
			continue
		fi
		check_restore "$dst" "$work/app.dump" "$what"
	done
	covara_cluster_stop "$dst" >/dev/null
	clusters=("${clusters[@]/$dst/}")
done


tap_done
