#!/usr/bin/env bash
# pg_dump keeps every row of covara's tables: dump and restore (custom and
# plain formats, default schema and SCHEMA auth, fresh and adopted tables)
# give a database whose rows and extension footprint equal the original's.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=covara_dump_src

# round_trip NAME FORMAT: dump $db in FORMAT (c or p), restore into a new
# database and compare rows and footprint with the source.
round_trip() {
	local name=$1 fmt=$2 dst=covara_dump_dst
	dropdb --if-exists "$dst" && createdb "$dst"
	if [ "$fmt" = c ]; then
		pg_dump -Fc -d "$db" -f "$work/dump" && pg_restore -d "$dst" "$work/dump" 2>"$work/err"
	else
		pg_dump -Fp -d "$db" -f "$work/dump.sql" && covara_psql -d "$dst" -f "$work/dump.sql" >/dev/null 2>"$work/err"
	fi
	tap_ok $? "$name: dump and restore succeed"
	[ -s "$work/err" ] && sed 's/^/# /' "$work/err"
	covara_rows "$db" >"$work/rows.src"
	covara_rows "$dst" >"$work/rows.dst"
	tap_ok "$(grep -cE '^([a-z_]+\.)?auth_[a-z_]+ rows=[1-9]' "$work/rows.src" | grep -qx 4; echo $?)" \
		"$name: the source has rows in all four auth tables"
	tap_diff_ok "$work/rows.src" "$work/rows.dst" "$name: every row is restored"
	covara_footprint "$db" >"$work/fp.src"
	covara_footprint "$dst" >"$work/fp.dst"
	tap_diff_ok "$work/fp.src" "$work/fp.dst" "$name: the restored extension equals the original"
	dropdb "$dst"
}

# a fresh install
dropdb --if-exists "$db"; createdb "$db"
covara_psql -d "$db" -c 'CREATE EXTENSION covara' && covara_fill_tables "$db"
tap_ok $? "fresh install filled with rows"
round_trip "custom format" c
round_trip "plain format" p

# without pg_extension_config_dump the rows would be lost: prove the check
# above can fail by unregistering one table
covara_psql -d "$db" -c "UPDATE pg_extension SET extconfig = array_remove(extconfig, 'auth_sessions'::regclass::oid), extcondition = extcondition[2:] WHERE extname = 'covara'" >/dev/null
dropdb --if-exists covara_dump_dst && createdb covara_dump_dst
pg_dump -Fc -d "$db" -f "$work/dump" && pg_restore -d covara_dump_dst "$work/dump"
tap_is "$(psql -X -At -d covara_dump_dst -c 'SELECT count(*) FROM auth_sessions')" 0 \
	"(control) a table that is not registered loses its rows in a dump"
dropdb covara_dump_dst

# tables in another schema
dropdb "$db"; createdb "$db"
covara_psql -d "$db" -c 'CREATE SCHEMA auth' -c 'CREATE EXTENSION covara SCHEMA auth' && covara_fill_tables "$db"
tap_ok $? "install in schema auth filled with rows"
round_trip "schema auth" c

# tables adopted from covara's start-up migrator
dropdb "$db"; createdb "$db"
covara_psql -d "$db" -f "$COVARA_ROOT/test/fixtures/covara-migrator.sql" >/dev/null
for f in "$COVARA_ROOT"/test/fixtures/fill/auth_*.sql; do covara_psql -d "$db" -f "$f" >/dev/null; done
covara_psql -d "$db" -c 'CREATE EXTENSION covara' >/dev/null 2>&1
tap_ok $? "migrator-made database adopted"
round_trip "adopted tables" c

# ... and when the migrator ran as the application's role, which owned them
dropdb "$db"; createdb "$db"
psql -X -q -c 'DROP ROLE IF EXISTS covara_dump_app' -c 'CREATE ROLE covara_dump_app'
covara_psql -d "$db" -c 'GRANT CREATE ON SCHEMA public TO covara_dump_app' >/dev/null
PGOPTIONS='-c role=covara_dump_app' covara_psql -d "$db" -f "$COVARA_ROOT/test/fixtures/covara-migrator.sql" >/dev/null
for f in "$COVARA_ROOT"/test/fixtures/fill/auth_*.sql; do
	PGOPTIONS='-c role=covara_dump_app' covara_psql -d "$db" -f "$f" >/dev/null
done
covara_psql -d "$db" -c 'CREATE EXTENSION covara' >/dev/null 2>&1
tap_ok $? "database made by the application's role adopted"
covara_psql -d "$db" -c 'GRANT SELECT, INSERT, UPDATE, DELETE ON auth_sessions, auth_accounts, auth_api_keys, auth_verification_tokens TO covara_dump_app' >/dev/null
round_trip "adopted from another owner, privileges given back" c

dropdb "$db"
psql -X -q -c 'DROP ROLE covara_dump_app'
tap_done
