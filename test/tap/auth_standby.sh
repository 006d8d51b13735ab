#!/usr/bin/env bash
# verify_api_key on a real streaming standby: a copy of the test cluster
# made with pg_basebackup -R and started on another port.  There every
# transaction is read-only; verification must still give the right answer,
# record nothing and raise no error, and it must follow the primary
# (a key revoked on the primary stops verifying once that is replayed).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

db=covara_auth_standby_$$
bindir=$(covara_pg_bindir)
work=$(mktemp -d /tmp/covara-auth-standby.XXXXXX)
standby=$work/data
sock=$work/sock
mkdir -p "$sock"
export PGDATABASE=$db

# The standby runs as the owner of the primary's data directory (postgres
# when we are root; ourselves otherwise).
if [ "$(id -u)" = 0 ]; then
	chown -R postgres:postgres "$work"
	as_owner() { runuser -u postgres -- env PGPASSWORD="${PGPASSWORD:-}" "$@"; }
else
	as_owner() { "$@"; }
fi

cleanup() {
	if [ -f "$standby/postmaster.pid" ]; then
		as_owner "$bindir/pg_ctl" -D "$standby" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

q() { covara_psql -At "$@"; }
sq() { covara_psql -At -h "$sock" -p "$sport" -U "$PGUSER" "$@"; }

createdb "$db"
q -c 'CREATE EXTENSION covara'
read -r kid key < <(q -F ' ' -c "SELECT id, key FROM covara.create_api_key('standby-user', 'ro', '[\"read\"]')")
read -r kid2 key2 < <(q -F ' ' -c "SELECT id, key FROM covara.create_api_key('standby-user', 'to revoke')")
sid=$(q -c "SELECT covara.create_session('standby-user', '1 hour')")
tok=$(q -c "SELECT covara.issue_verification_token('standby@example.com', '1 hour')")
destdir=$(q -c "SHOW extension_destdir" 2>/dev/null || true)

# copy the primary and start it as a hot standby
as_owner "$bindir/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -D "$standby" -R -X stream -c fast
sport=$(covara_free_port $((PGPORT + 1)))	# the first free port after the primary's
as_owner sh -c "cat >> '$standby/postgresql.conf'" <<CONF
port = $sport
listen_addresses = ''
unix_socket_directories = '$sock'
hot_standby = on
fsync = off
${destdir:+extension_destdir = '$destdir'}
CONF
as_owner sh -c "echo 'local all all trust' > '$standby/pg_hba.conf'; : > '$standby/pg_ident.conf'"
rc=0
as_owner "$bindir/pg_ctl" -D "$standby" -l "$work/standby.log" -w -t 120 start >/dev/null || rc=$?
tap_ok $rc "a streaming standby made with pg_basebackup -R starts"
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$work/standby.log"
	tap_done
	exit 1
fi

tap_is "$(sq -c 'SELECT pg_is_in_recovery()')" t "the standby is in recovery"
tap_is "$(sq -c "SELECT id || ' ' || \"userId\" || ' ' || scopes::text FROM covara.verify_api_key('$key')")" \
	"$kid standby-user [\"read\"]" "verify_api_key returns the key's row on the standby"
tap_is "$(sq -c "SELECT count(*) FROM covara.verify_api_key('$key')")" 1 "and again (no error on the second, either)"
tap_is "$(sq -c "SELECT count(*) FROM covara.verify_api_key('${key}x')")" 0 "a wrong key gives no row on the standby"
tap_is "$(sq -c "SELECT count(*) FROM covara.verify_api_key('not a key')")" 0 "a malformed key gives no row on the standby"
tap_is "$(sq -c "SELECT \"lastUsedAt\" IS NULL FROM auth_api_keys WHERE id = '$kid'")" t \
	"nothing was recorded on the standby"
tap_is "$(sq -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "SELECT count(*) FROM covara.verify_api_key('$key')" -c "COMMIT")" \
	1 "verify_api_key works in a REPEATABLE READ transaction on the standby"
tap_is "$(sq -c "SELECT \"userId\" FROM covara.get_session('$sid')")" standby-user "get_session works on the standby"
# every write flow refuses on the standby [25006], naming itself, with the
# primary as the hint
for call in "create_session('u', '1 hour')" "touch_session('$sid', '1 hour')" "revoke_session('$sid')" \
	"revoke_user_sessions('standby-user')" "create_api_key('u', 'n')" "revoke_api_key('$kid')" \
	"rotate_api_key('$kid')" "issue_verification_token('standby@example.com', '1 hour')" \
	"consume_verification_token('standby@example.com', '$tok')" "purge_expired()"; do
	fn=${call%%(*}
	out=$(sq -v VERBOSITY=verbose -c "SELECT * FROM covara.$call" 2>&1 || true)
	case $out in
	*"ERROR:  25006: covara.$fn() cannot run on a read-only server"*"HINT:  Call it on the primary server"*)
		tap_ok 0 "$fn refuses on the standby, naming itself, with the primary as the hint" ;;
	*)
		tap_ok 1 "$fn refuses on the standby, naming itself, with the primary as the hint"
		tap_diag "$out" ;;
	esac
done

# the standby follows the primary
q -c "SELECT covara.revoke_api_key('$kid2')" >/dev/null
q -c "SELECT count(*) FROM covara.verify_api_key('$key')" >/dev/null
lsn=$(q -c 'SELECT pg_current_wal_lsn()')
replayed=f
for _ in $(seq 1 600); do
	replayed=$(sq -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")
	[ "$replayed" = t ] && break
	sleep 0.1
done
tap_is "$replayed" t "the standby replays the primary's changes"
tap_is "$(sq -c "SELECT count(*) FROM covara.verify_api_key('$key2')")" 0 \
	"a key revoked on the primary no longer verifies on the standby"
tap_is "$(sq -c "SELECT \"lastUsedAt\" IS NOT NULL FROM auth_api_keys WHERE id = '$kid'")" t \
	"the use recorded on the primary shows on the standby"

tap_done
