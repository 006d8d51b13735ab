#!/usr/bin/env bash
# Search on a logical replication subscriber, set up exactly as README.md
# says ("On logical replication subscribers": the blocks right below the
# lines <!-- test/tap/logical_replication.sh -->): a publisher of its own
# (wal_level = logical) publishes the source table, the cluster of the PG*
# variables subscribes, and its index, attached with replicated => true,
# must equal what its rows make (covara.search_vector, covara.search)
# after inserts, updates, deletes and changed ids on the publisher, also
# after a second identical and a changed attach_search on the subscriber.
# Also what README.md says about the index and auth tables: a subscribed
# index table is refused, pg_dump leaves the auth tables out of a
# publication, and a writable subscriber records "lastUsedAt" locally.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

sub=covara_repl_sub_$$
pubdb=covara_repl_pub
readme=${COVARA_README:-$COVARA_ROOT/README.md}
work=$(mktemp -d /tmp/covara-repl.XXXXXX)
chmod 755 "$work"

# the publisher: a cluster of the same version, loading covara from where
# the subscriber's does
: "${COVARA_PG_BINDIR:=$(covara_pg_bindir)}" "${COVARA_PG_SERVER:=}"
if [ -z "${COVARA_DESTDIR:-}" ] && [ -z "$COVARA_PG_SERVER" ]; then
	COVARA_DESTDIR=$(psql -X -At -c 'SHOW extension_destdir' 2>/dev/null || true)
fi
export COVARA_PG_BINDIR COVARA_PG_SERVER COVARA_DESTDIR
[ -n "${COVARA_WORK:-}" ] || { COVARA_WORK=$work; export COVARA_WORK; }
pubdir=
cleanup() {
	psql -X -q -d "$sub" -c 'ALTER SUBSCRIPTION app_search DISABLE' \
		-c 'ALTER SUBSCRIPTION app_search SET (slot_name = NONE)' \
		-c 'DROP SUBSCRIPTION app_search' >/dev/null 2>&1 || true
	psql -X -q -d "$sub" -c 'DROP OWNED BY covara_repl_app' >/dev/null 2>&1 || true
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $sub" -c 'DROP ROLE IF EXISTS covara_repl_app' >/dev/null 2>&1 || true
	[ -n "$pubdir" ] && covara_cluster_stop "$pubdir" "${1:-0}" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

pubdir=$(COVARA_CLUSTER_OPTS="wal_level=logical" covara_cluster_start) || {
	tap_ok 1 "a publisher with wal_level = logical starts"; tap_done; exit 1; }
# shellcheck disable=SC1090,SC2046
pub_env=$(covara_cluster_env "$pubdir")
pq() { env $pub_env psql -X -q -v ON_ERROR_STOP=1 -At -d "${PQDB:-$pubdb}" "$@"; }
sq() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$sub" "$@"; }
pubhost=$(sed -n 's/.*PGHOST=\([^ ]*\).*/\1/p' "$pubdir/env")
pubport=$(sed -n 's/.*PGPORT=\([^ ]*\).*/\1/p' "$pubdir/env")
conninfo="host=$pubhost port=$pubport dbname=$pubdb user=postgres"

# README.md's blocks, in order: the publisher's, then the subscriber's
python3 - "$readme" "$work" <<'PY' || { tap_ok 1 "README.md has the two blocks"; tap_done; exit 1; }
import sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
found, i = [], 0
while i < len(lines):
    if lines[i].strip() == '<!-- test/tap/logical_replication.sh -->' and i + 1 < len(lines) \
            and lines[i + 1].strip() == '```sql':
        j = i + 2
        while lines[j].rstrip() != '```':
            j += 1
        found.append('\n'.join(lines[i + 2:j]) + '\n')
        i = j
    i += 1
if len(found) != 2:
    sys.exit('expected 2 blocks, found %d' % len(found))
for name, text in zip(('publisher', 'subscriber'), found):
    open('%s/%s.sql' % (sys.argv[2], name), 'w').write(text)
PY
tap_ok 0 "README.md has the publisher's and the subscriber's block"
grep -q "CONNECTION '[^']*'" "$work/subscriber.sql"
tap_ok $? "the subscriber's block has a CONNECTION string to replace"
sed -i "s|CONNECTION '[^']*'|CONNECTION '$conninfo'|" "$work/subscriber.sql"

tables="CREATE TABLE posts (id bigint PRIMARY KEY, title text, body text, tags text[],
                    views int NOT NULL DEFAULT 0);"
fields='{"title": "A", "body": "B", "tags": "C"}'
PQDB=postgres pq -c "CREATE DATABASE $pubdb"
pq <<SQL
CREATE EXTENSION covara;
$tables
-- the publisher searches too (an index of its own, never published)
SELECT covara.create_search_index('posts', '$fields') \g /dev/null
SELECT covara.attach_search('posts', 'posts', '$fields') \g /dev/null
INSERT INTO posts (id, title, body, tags) VALUES
	(1, 'Quick foxes', 'The quick brown fox jumps', '{animals}'),
	(2, 'Lazy dogs', 'Dogs sleeping all day', NULL),
	(3, 'Replication', 'Logical replication copies rows', '{postgres,ops}');
SQL
pq -f "$work/publisher.sql"
tap_ok $? "the publisher runs README.md's block"

createdb "$sub"
sq -c 'CREATE EXTENSION covara' -c "$tables"
sq -f "$work/subscriber.sql" >/dev/null
tap_ok $? "the subscriber runs README.md's block"
tap_is "$(sq -c "SELECT tgenabled FROM pg_trigger WHERE tgname = 'covara_sync_posts'")" A \
	"the subscriber's sync trigger is ENABLE ALWAYS"

# wait until the subscriber has applied everything the publisher wrote
sync() {
	local lsn ok=f
	lsn=$(pq -c 'SELECT pg_current_wal_lsn()')
	for _ in $(seq 1 300); do
		ok=$(pq -c "SELECT coalesce(bool_and(state = 'streaming' AND replay_lsn >= '$lsn'), false)
		              FROM pg_stat_replication WHERE application_name = 'app_search'")
		[ "$ok" = t ] && [ "$(sq -c "SELECT count(*) FILTER (WHERE srsubstate <> 'r') FROM pg_subscription_rel")" = 0 ] &&
			return 0
		sleep 0.1
	done
	return 1
}
# every row of the subscriber's posts, and the index, as text; and what
# each row should make
rows="SELECT string_agg(format('%s|%s|%s|%s', id, title, body, tags), E'\n' ORDER BY id) FROM posts"
want="SELECT string_agg(format('%s|%s|%s', id, covara.search_source(to_jsonb(p), '[\"title:A\", \"body:B\", \"tags:C\"]', '{id}'),
                                covara.search_vector(to_jsonb(p), '$fields', 'english')), E'\n' ORDER BY id::text)
        FROM posts p"
got="SELECT string_agg(format('%s|%s|%s', doc_id, source, search_vector), E'\n' ORDER BY doc_id) FROM covara_fts_posts"
hits="SELECT string_agg(doc_id || ':' || round(score::numeric, 4), ',' ORDER BY doc_id) FROM covara.search('posts', 'quick OR dogs OR replication OR fox OR postgres')"
check() {
	local what=$1
	sync
	tap_ok $? "$what: the subscriber catches up"
	tap_is "$(sq -c "$rows")" "$(pq -c "$rows")" "$what: the subscriber has the publisher's rows"
	tap_is "$(sq -c "$got")" "$(sq -c "$want")" "$what: the subscriber's index is what its rows make"
	tap_is "$(sq -c "$hits")" "$(pq -c "$hits")" "$what: search finds the same on both, with the same scores"
}
check "initial copy"

pq <<'SQL'
INSERT INTO posts (id, title, body) VALUES (4, 'Fox news', 'A fox again'), (5, 'Gone soon', 'dogs');
UPDATE posts SET body = 'The slow brown fox sleeps' WHERE id = 1;
UPDATE posts SET views = views + 1 WHERE id = 2;			-- no stored column
UPDATE posts SET tags = '{postgres}' WHERE id = 3;
UPDATE posts SET id = 30 WHERE id = 3;					-- a changed id
BEGIN;													-- ids swap
UPDATE posts SET id = -1 WHERE id = 1;
UPDATE posts SET id = 1 WHERE id = 2;
UPDATE posts SET id = 2 WHERE id = -1;
COMMIT;
DELETE FROM posts WHERE id = 5;
SQL
tap_ok $? "the publisher inserts, updates, deletes and changes ids"
check "inserts, updates, deletes and changed ids"

# a second identical call keeps the setting; a changed one too
tap_is "$(sq -c "SELECT covara.attach_search('posts', 'posts', '$fields')")" 0 \
	"a second identical attach_search on the subscriber changes nothing"
tap_is "$(sq -c "SELECT tgenabled FROM pg_trigger WHERE tgname = 'covara_sync_posts'")" A \
	"and the trigger stays ENABLE ALWAYS"
pq -c "INSERT INTO posts (id, title, body) VALUES (6, 'After the second call', 'quick replication')" \
	-c "UPDATE posts SET title = 'Dogs, renamed' WHERE id = 1"
check "after a second identical attach_search"

tap_is "$(sq -c "SELECT covara.attach_search('posts', 'posts', '$fields', display => '{views}')")" \
	"$(sq -c 'SELECT count(*) FROM posts')" \
	"attach_search with display columns on the subscriber re-indexes"
tap_is "$(sq -c "SELECT tgenabled FROM pg_trigger WHERE tgname = 'covara_sync_posts'")" A \
	"and the trigger stays ENABLE ALWAYS"
want="SELECT string_agg(format('%s|%s|%s', id, covara.search_source(to_jsonb(p), '[\"title:A\", \"body:B\", \"tags:C\"]', '{id,views}'),
                                covara.search_vector(to_jsonb(p), '$fields', 'english')), E'\n' ORDER BY id::text)
        FROM posts p"
pq -c "INSERT INTO posts (id, title, body) VALUES (7, 'After the changed call', 'fox')" \
	-c "UPDATE posts SET views = 42 WHERE id = 4" -c "DELETE FROM posts WHERE id = 30"
check "after a changed attach_search"

env PGDATABASE="$sub" pg_dump --schema-only -t posts | grep -q '^ALTER TABLE public.posts ENABLE ALWAYS TRIGGER covara_sync_posts;$'
tap_ok $? "pg_dump of the subscriber keeps the sync trigger ENABLE ALWAYS"

# the index table in the publication: refused on the subscriber
pq -c 'CREATE PUBLICATION app_index FOR TABLE covara_fts_posts'
out=$(sq -c "ALTER SUBSCRIPTION app_search ADD PUBLICATION app_index WITH (copy_data = false)" \
	-c "SELECT covara.attach_search('posts', 'posts', '$fields', replicated => true)" 2>&1)
case $out in
	*"search index table covara_fts_posts is replicated by subscription \"app_search\""*)
		tap_ok 0 "attach_search(replicated => true) refuses an index table the subscription applies" ;;
	*) tap_ok 1 "attach_search(replicated => true) refuses an index table the subscription applies"; tap_diag "$out" ;;
esac
sq -c "ALTER SUBSCRIPTION app_search DROP PUBLICATION app_index WITH (refresh = true)" >/dev/null
pq -c 'DROP PUBLICATION app_index'

# the auth tables: pg_dump leaves them out of a publication
pq -c 'CREATE PUBLICATION app_auth FOR TABLE auth_sessions, auth_accounts, auth_api_keys, auth_verification_tokens'
tap_ok $? "the publisher publishes the auth tables"
pubtables="SELECT string_agg(pubname || ':' || schemaname || '.' || tablename, ',' ORDER BY pubname, tablename)
             FROM pg_publication_tables WHERE pubname IN ('app_search', 'app_auth')"
PQDB=postgres pq -c 'CREATE DATABASE covara_repl_restored'
env $pub_env pg_dump -d "$pubdb" | PQDB=covara_repl_restored pq >/dev/null 2>"$work/restore.err"
tap_ok $? "the publisher's dump restores"
if [ "$(pq -c 'SHOW server_version_num')" -lt 180000 ]; then
	tap_is "$(PQDB=covara_repl_restored pq -c "$pubtables")" "app_search:public.posts" \
		"pg_dump before 18 leaves the auth tables out of the restored publication, keeps the sources"
	PQDB=covara_repl_restored pq -c 'ALTER PUBLICATION app_auth ADD TABLE auth_sessions, auth_accounts, auth_api_keys, auth_verification_tokens'
	tap_is "$(PQDB=covara_repl_restored pq -c "$pubtables")" "$(pq -c "$pubtables")" \
		"ALTER PUBLICATION ... ADD TABLE gives the restored publisher the publication again"
else
	tap_is "$(PQDB=covara_repl_restored pq -c "$pubtables")" "$(pq -c "$pubtables")" \
		"pg_dump 18 keeps the auth tables in the restored publication"
fi

# a writable subscriber records "lastUsedAt" locally; a read-only role does not
sq -c "ALTER SUBSCRIPTION app_search ADD PUBLICATION app_auth"
read -r kid key < <(pq -F ' ' -c "SELECT id, key FROM covara.create_api_key('repl-user', 'ci')")
check "an API key created on the publisher"
tap_is "$(sq -c "SELECT count(*) FROM auth_api_keys WHERE id = '$kid' AND \"lastUsedAt\" IS NULL")" 1 \
	"the key reached the subscriber, never used"
sq -c "CREATE ROLE covara_repl_app LOGIN" -c "CALL covara.grant_auth_flows('covara_repl_app')" \
	-c "ALTER ROLE covara_repl_app IN DATABASE $sub SET default_transaction_read_only = on"
tap_is "$(psql -X -At -U covara_repl_app -d "$sub" -c "SELECT \"userId\" FROM covara.verify_api_key('$key')")" repl-user \
	"the read-only role verifies the key on the subscriber"
tap_is "$(sq -c "SELECT \"lastUsedAt\" IS NULL FROM auth_api_keys WHERE id = '$kid'")" t \
	"and records nothing there"
tap_is "$(sq -c "SELECT \"userId\" FROM covara.verify_api_key('$key')")" repl-user \
	"a writable session verifies the key on the subscriber"
tap_is "$(sq -c "SELECT \"lastUsedAt\" IS NOT NULL FROM auth_api_keys WHERE id = '$kid'")" t \
	"and records \"lastUsedAt\" in the subscriber's copy"
tap_is "$(pq -c "SELECT \"lastUsedAt\" IS NULL FROM auth_api_keys WHERE id = '$kid'")" t \
	"which the publisher never sees"
pq -c "UPDATE auth_api_keys SET name = 'ci renamed' WHERE id = '$kid'"
check "the key changed on the publisher"
tap_is "$(sq -c "SELECT name || ' ' || (\"lastUsedAt\" IS NULL) FROM auth_api_keys WHERE id = '$kid'")" "ci renamed true" \
	"the publisher's next change to the key overwrites the subscriber's \"lastUsedAt\""
PQDB=postgres pq -c 'DROP DATABASE covara_repl_restored'

tap_done
