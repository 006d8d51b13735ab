#!/usr/bin/env bash
# covara.recommended_pool_config(driver, instances) under a small
# max_connections: starts a cluster of its own with max_connections = 20
# (superuser_reserved_connections = 3) and checks the caps exactly, with
# roles whose connection limits do and do not count; on PostgreSQL 16 and
# later, a second one with reserved_connections = 2 as well.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

if [ "${1:-}" = --inside-reserved ]; then
	covara_psql -d postgres -At -F '|' <<'SQL'
CREATE EXTENSION covara;
SELECT 'settings', current_setting('max_connections'), current_setting('superuser_reserved_connections'), current_setting('reserved_connections');
CREATE ROLE other_app LOGIN CONNECTION LIMIT 5;
SELECT 'pgjs-2', max, notes FROM covara.recommended_pool_config('postgres-js', 2);
SQL
	exit
fi
if [ "${1:-}" = --inside ]; then
	# inside the small cluster: print one "name|max|notes" line per check
	covara_psql -d postgres -At -F '|' <<'SQL'
CREATE EXTENSION covara;
SELECT 'settings', current_setting('max_connections'), current_setting('superuser_reserved_connections');
CREATE ROLE other_app LOGIN CONNECTION LIMIT 5;
CREATE ROLE no_login NOLOGIN CONNECTION LIMIT 4;
CREATE ROLE other_super LOGIN SUPERUSER CONNECTION LIMIT 2;
CREATE ROLE app LOGIN;
SELECT 'pgjs-1', max, notes FROM covara.recommended_pool_config('postgres-js', 1);
SELECT 'pgjs-2', max, notes FROM covara.recommended_pool_config('postgres-js', 2);
SELECT 'hyperdrive-3', max, notes FROM covara.recommended_pool_config('hyperdrive', 3);
SELECT 'neon-12', max, notes FROM covara.recommended_pool_config('neon', 12);
SELECT 'neon-13', max, notes FROM covara.recommended_pool_config('neon', 13);
SELECT 'pglite-50', max, notes FROM covara.recommended_pool_config('pglite', 50);
ALTER ROLE app CONNECTION LIMIT 8;
SET SESSION AUTHORIZATION app;
SELECT 'app-pgjs-2', max, notes FROM covara.recommended_pool_config('postgres-js', 2);
SELECT 'app-pgjs-1', max, notes FROM covara.recommended_pool_config('postgres-js', 1);
RESET SESSION AUTHORIZATION;
SELECT 'super-pgjs-1', max, notes FROM covara.recommended_pool_config('postgres-js', 1);
SQL
	exit
fi

out=$(mktemp)
trap 'rm -f "$out" "$out.log"' EXIT
COVARA_MAX_CONNECTIONS=20 COVARA_CLUSTER_OPTS="superuser_reserved_connections=3" \
	covara_with_cluster "$0" --inside >"$out" 2>"$out.log"
rc=$?
tap_ok $rc "a cluster with max_connections = 20 ran the checks"
[ $rc -eq 0 ] || sed 's/^/# /' "$out.log"

field() { awk -F'|' -v k="$1" -v f="$2" '$1 == k { print $f }' "$out"; }

tap_is "$(field settings 2)/$(field settings 3)" "20/3" "max_connections 20, superuser_reserved_connections 3"

# budget for the superuser: 20 - 3 - 5 (other_app; no_login and other_super
# do not count) = 12
tap_is "$(field pgjs-1 2)" 10 "postgres-js, 1 instance: 12 available, max 10 stands"
tap_is "$(field pgjs-1 3)" \
	"long-lived Node process: keep max below (server limit / instances); use a pooler URL for serverless; max 10 is within this server's limit: 12 connections for this role (max_connections 20 - superuser_reserved_connections 3 - 5 for other roles' connection limits), 12 per instance for 1 instance" \
	"postgres-js, 1 instance: notes"
tap_is "$(field pgjs-2 2)" 6 "postgres-js, 2 instances: capped to 12 / 2 = 6"
tap_is "$(field pgjs-2 3)" \
	"long-lived Node process: keep max below (server limit / instances); use a pooler URL for serverless; max capped from 10 to 6: this server has 12 connections for this role (max_connections 20 - superuser_reserved_connections 3 - 5 for other roles' connection limits), shared by 2 instances" \
	"postgres-js, 2 instances: notes say why"
tap_is "$(field hyperdrive-3 2)" 4 "hyperdrive, 3 instances: capped to 4"
tap_is "$(field neon-12 2)" 1 "neon, 12 instances: 1 each fits"
tap_is "$(field neon-13 2)" 1 "neon, 13 instances: still 1 ..."
case "$(field neon-13 3)" in
*"WARNING: this server has 12 connections for this role"*"fewer than 13 instances"*) r=0 ;;
*) r=1 ;;
esac
tap_ok $r "... with a warning that 13 instances can exhaust 12 connections"
tap_is "$(field pglite-50 2)" 1 "pglite, 50 instances: not capped"

# app's own limit (8) caps its budget; from other roles' side, it is reserved
tap_is "$(field app-pgjs-2 2)" 4 "as a role with CONNECTION LIMIT 8, 2 instances: 8 / 2 = 4"
case "$(field app-pgjs-2 3)" in
*"(max_connections 20 - superuser_reserved_connections 3 - 5 for other roles' connection limits, and this role's connection limit is 8), shared by 2 instances") r=0 ;;
*) r=1 ;;
esac
tap_ok $r "its notes name its own limit"
tap_is "$(field app-pgjs-1 2)" 8 "as that role, 1 instance: 8"
tap_is "$(field super-pgjs-1 2)" 4 "the superuser now has 20 - 3 - 5 - 8 = 4"

# reserved_connections (PostgreSQL 16 and later) is taken off as well
server=$(psql -X -At -c 'SHOW server_version_num')
tap_ok "$([[ $server =~ ^[0-9]+$ ]]; echo $?)" "the server's version is known ($server)"
if [[ $server =~ ^[0-9]+$ ]] && [ "$server" -ge 160000 ]; then
	COVARA_MAX_CONNECTIONS=20 COVARA_CLUSTER_OPTS="superuser_reserved_connections=3 reserved_connections=2" \
		covara_with_cluster "$0" --inside-reserved >"$out" 2>"$out.log"
	rc=$?
	tap_ok $rc "a cluster with max_connections = 20 and reserved_connections = 2 ran the checks"
	[ $rc -eq 0 ] || sed 's/^/# /' "$out.log"
	tap_is "$(field settings 2)/$(field settings 3)/$(field settings 4)" "20/3/2" \
		"max_connections 20, superuser_reserved_connections 3, reserved_connections 2"
	tap_is "$(field pgjs-2 2)" 5 "postgres-js, 2 instances: (20 - 3 - 2 - 5) / 2 = 5"
	tap_is "$(field pgjs-2 3)" \
		"long-lived Node process: keep max below (server limit / instances); use a pooler URL for serverless; max capped from 10 to 5: this server has 10 connections for this role (max_connections 20 - superuser_reserved_connections 3 - reserved_connections 2 - 5 for other roles' connection limits), shared by 2 instances" \
		"postgres-js, 2 instances: notes name reserved_connections"
else
	for t in "a cluster with reserved_connections = 2 ran the checks" "its settings" \
		"postgres-js, 2 instances: reserved_connections taken off" "notes name reserved_connections"; do
		tap_skip "$t" "reserved_connections is new in PostgreSQL 16"
	done
fi

tap_done
