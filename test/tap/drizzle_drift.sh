#!/usr/bin/env bash
# The real client: drizzle-kit (pinned in test/drizzle/package-lock.json)
# compares databases with covara's Drizzle definitions (test/drizzle/
# schema.ts, written from the contract) and lists what `drizzle-kit push`
# would run (test/drizzle/drift.mjs; it never changes the database).
#
#  0. Tables made from drizzle-kit's own DDL (drizzle-kit export): zero
#     statements, the checker's baseline.
#  1. CREATE EXTENSION covara in a fresh database: zero statements of drift,
#     also with rows in the tables.
#  2. A database made by covara's start-up migrator (test/fixtures/
#     covara-migrator.sql): the twelve statements of the contract (its
#     lower-cased index names and default composite-key names), and the
#     check leaves the database as it was.
#  3. The same database after CREATE EXTENSION covara (which adopts the
#     tables): zero statements, every row kept.
#  4. The extension's tables changed by hand (an extra index; an index
#     renamed to the migrator's lower-case name): drift is reported, so the
#     check can fail.
#
# Needs Node.js and `npm ci` in test/drizzle (test/run-all does both); it
# fails, not skips, without them.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"
cd "$COVARA_ROOT"

drift_js=test/drizzle/drift.mjs
prefix="covara_drizzle_$$"
dbs=()
tmp=$(mktemp -d)

cleanup() {
	local db
	for db in "${dbs[@]}"; do
		covara_psql -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# What the test needs before it can say anything: fail loudly without it.
if ! command -v node >/dev/null; then
	tap_ok 1 "node is installed"
	tap_diag "Node.js is missing; test/run-all installs it (apt-get install nodejs npm)"
	tap_done
	exit 1
fi
if [ ! -f test/drizzle/node_modules/drizzle-kit/bin.cjs ] ||
	[ ! -d test/drizzle/node_modules/drizzle-orm ] ||
	[ ! -d test/drizzle/node_modules/pg ]; then
	tap_ok 1 "drizzle-kit, drizzle-orm and pg are installed in test/drizzle"
	tap_diag "run (cd test/drizzle && npm ci); test/run-all does"
	tap_done
	exit 1
fi
tap_diag "node $(node --version), drizzle-kit $(node -p 'require("./test/drizzle/node_modules/drizzle-kit/package.json").version'), drizzle-orm $(node -p 'require("./test/drizzle/node_modules/drizzle-orm/package.json").version')"

# newdb DB: create database DB (dropped again on exit).
newdb() {
	dbs+=("$1")
	covara_psql -d postgres -c "CREATE DATABASE $1"
}

# drift DB: run the check; sets drift_count (or "error") and drift_sql
# (the statements, one a line).  A primary key drizzle-kit would drop and
# add back unchanged is shown, not counted (drift.mjs says why).
drift() {
	local out rc
	out=$(node "$drift_js" "$1" 2>"$tmp/drift.err")
	rc=$?
	drift_sql=$(printf '%s\n' "$out" | sed '$d')
	drift_count=$(printf '%s\n' "$out" | sed -n '$s/^drift: \([0-9][0-9]*\) statements$/\1/p')
	if [ $rc -ne 0 ] || [ -z "$drift_count" ]; then
		drift_count=error
		tap_diag "drift.mjs failed (exit status $rc):"
		sed 's/^/#   /' "$tmp/drift.err"
	else
		sed -n 's/^unchanged: /#   (a key it would add back as it is: not drift) /p' "$tmp/drift.err"
	fi
}

# show_drift: the statements as TAP diagnostics.
show_drift() {
	[ -n "$drift_sql" ] && printf '%s\n' "$drift_sql" | sed 's/^/#   /'
	return 0
}

# Rows in every table, with NULLs, multibyte text, jsonb and far-away times.
fill_tables() {
	covara_psql -d "$1" <<'SQL'
INSERT INTO auth_sessions (id, "userId", "createdAt", "expiresAt", data) VALUES
  ('sess-1', 'user-1', '2024-05-01 10:00:00', '2024-05-08 10:00:00', '{"theme":"dark"}'),
  ('sess-2', 'ユーザー-2', '1970-01-01 00:00:00', '9999-12-31 23:59:59.999999', NULL);
INSERT INTO auth_accounts ("userId", type, provider, "providerAccountId",
    refresh_token, access_token, expires_at, token_type, scope, id_token, session_state) VALUES
  ('user-1', 'oauth', 'github', '4242', 'r-tok', 'a-tok', '2030-01-01 00:00:00',
   'bearer', 'read:user', 'eyJ0eXAi.x.y', 'st-1'),
  ('user-1', 'oidc', 'google', 'g-ü-1', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO auth_api_keys (id, "userId", name, "keyHash", "keyPrefix", scopes,
    "createdAt", "expiresAt", "lastUsedAt", "revokedAt") VALUES
  ('0123456789abcdef', 'user-1', 'ci key', repeat('a', 64), 'ck', '["read", "write"]',
   '2024-01-01 00:00:00', '2025-01-01 00:00:00', '2024-06-01 12:00:00', NULL),
  ('fedcba9876543210', 'user-1', 'old', repeat('b', 64), 'ck', NULL,
   '2001-01-01 00:00:00', NULL, NULL, '2002-01-01 00:00:00');
INSERT INTO auth_verification_tokens (identifier, token, expires) VALUES
  ('a@example.com', repeat('c', 64), '2030-01-01 00:00:00'),
  ('ü@example.com', repeat('d', 64), '1999-12-31 23:59:59');
SQL
}

# A checksum of every row of the four tables.
rows_checksum() {
	covara_psql -d "$1" -At <<'SQL'
SELECT string_agg(format('%s:%s:%s', t, n, h), ' ' ORDER BY t) FROM (
  SELECT 'auth_sessions' AS t, count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM auth_sessions x
  UNION ALL SELECT 'auth_accounts', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM auth_accounts x
  UNION ALL SELECT 'auth_api_keys', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM auth_api_keys x
  UNION ALL SELECT 'auth_verification_tokens', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM auth_verification_tokens x
) s;
SQL
}

# The catalog shape of schema public: relations, columns, constraints and
# indexes, to show that the check changed nothing.
shape() {
	covara_psql -d "$1" -At <<'SQL'
SELECT string_agg(d, E'\n' ORDER BY d) FROM (
  SELECT format('rel %s %s', c.relname, c.relkind) AS d
    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('col %s.%s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
     AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('con %s %s', conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('idx %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
) s;
SQL
}

# 0. drizzle-kit's own DDL: the checker finds nothing, so what it finds
# below is covara's.
bdb=${prefix}_export
newdb "$bdb"
COVARA_DRIZZLE_URL=unused node test/drizzle/node_modules/drizzle-kit/bin.cjs export \
	--config test/drizzle/drizzle.config.mjs >"$tmp/export.sql" 2>"$tmp/export.err" &&
	covara_psql -d "$bdb" -f "$tmp/export.sql" >/dev/null
tap_ok $? "drizzle-kit export's DDL for covara's Drizzle definitions runs"
[ -s "$tmp/export.err" ] && sed 's/^/#   /' "$tmp/export.err"
drift "$bdb"
tap_is "$drift_count" 0 "tables made from drizzle-kit's own DDL: zero statements of drift"
show_drift

# 1. A fresh database with the extension: no drift, with and without rows.
db=${prefix}_fresh
newdb "$db"
covara_psql -d "$db" -c 'CREATE EXTENSION covara'
tap_is "$(covara_psql -d "$db" -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'auth\_%'")" 4 \
	"CREATE EXTENSION covara made the four auth tables in public"
drift "$db"
tap_is "$drift_count" 0 "fresh database with the extension: drizzle-kit reports zero statements of drift"
show_drift
fill_tables "$db"
drift "$db"
tap_is "$drift_count" 0 "fresh database with the extension and rows in every table: zero statements of drift"
show_drift

# 2. A database made by covara's start-up migrator: the contract's twelve.
mdb=${prefix}_migrator
newdb "$mdb"
covara_psql -d "$mdb" -f test/fixtures/covara-migrator.sql
fill_tables "$mdb"
shape "$mdb" >"$tmp/shape.before"
rows_before=$(rows_checksum "$mdb")
drift "$mdb"
tap_is "$drift_count" 12 "database made by covara's start-up migrator: drizzle-kit reports twelve statements of drift"
tap_diag "drizzle-kit push would run against the migrator's database:"
show_drift
sort >"$tmp/expected.sql" <<'SQL'
DROP INDEX "auth_session_expiresat_idx";
DROP INDEX "auth_session_userid_idx";
DROP INDEX "auth_api_key_userid_idx";
DROP INDEX "auth_account_userid_idx";
ALTER TABLE "auth_verification_tokens" DROP CONSTRAINT "auth_verification_tokens_pkey";
ALTER TABLE "auth_accounts" DROP CONSTRAINT "auth_accounts_pkey";
ALTER TABLE "auth_verification_tokens" ADD CONSTRAINT "auth_verification_tokens_identifier_token_pk" PRIMARY KEY("identifier","token");
ALTER TABLE "auth_accounts" ADD CONSTRAINT "auth_accounts_provider_providerAccountId_pk" PRIMARY KEY("provider","providerAccountId");
CREATE INDEX "auth_session_userId_idx" ON "auth_sessions" USING btree ("userId");
CREATE INDEX "auth_session_expiresAt_idx" ON "auth_sessions" USING btree ("expiresAt");
CREATE INDEX "auth_api_key_userId_idx" ON "auth_api_keys" USING btree ("userId");
CREATE INDEX "auth_account_userId_idx" ON "auth_accounts" USING btree ("userId");
SQL
printf '%s\n' "$drift_sql" | sort >"$tmp/got.sql"
tap_diff_ok "$tmp/expected.sql" "$tmp/got.sql" \
	"the twelve are the migrator's lower-cased index names and default composite-key names"
shape "$mdb" >"$tmp/shape.after"
tap_diff_ok "$tmp/shape.before" "$tmp/shape.after" "the drift check left the migrator's database unchanged"
tap_is "$(rows_checksum "$mdb")" "$rows_before" "the drift check left every row in place"

# 3. The same database after CREATE EXTENSION covara adopted its tables.
# (A session TimeZone other than UTC, as users have.)
if PGTZ=America/New_York covara_psql -d "$mdb" -c 'CREATE EXTENSION covara'; then
	tap_ok 0 "CREATE EXTENSION covara on the migrator's database succeeds"
else
	tap_ok 1 "CREATE EXTENSION covara on the migrator's database succeeds"
fi
drift "$mdb"
tap_is "$drift_count" 0 "after CREATE EXTENSION covara adopted the migrator's tables: zero statements of drift"
show_drift
tap_is "$(rows_checksum "$mdb")" "$rows_before" "adoption kept every row of every table"
tap_is "$(covara_psql -d "$mdb" -At -c "SELECT count(*) FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara') AND d.deptype = 'e' AND c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'auth\_%'")" 4 \
	"the four adopted tables belong to the extension"

# 4. The checker can fail: the extension's tables changed by hand.
hdb=${prefix}_byhand
newdb "$hdb"
covara_psql -d "$hdb" -c 'CREATE EXTENSION covara'
fill_tables "$hdb"
covara_psql -d "$hdb" -c 'CREATE INDEX auth_session_data_idx ON auth_sessions (data)'
drift "$hdb"
tap_is "$drift_count" 1 "an extra index on auth_sessions: drizzle-kit reports one statement of drift"
show_drift
tap_is "$drift_sql" 'DROP INDEX "auth_session_data_idx";' "... dropping that index"
covara_psql -d "$hdb" -c 'DROP INDEX auth_session_data_idx' \
	-c 'ALTER INDEX "auth_session_userId_idx" RENAME TO auth_session_userid_idx'
drift "$hdb"
tap_is "$drift_count" 2 "an index renamed to the migrator's lower-case name: drizzle-kit reports two statements of drift"
show_drift
tap_is "$(printf '%s\n' "$drift_sql" | sort)" "$(printf '%s\n' \
	'CREATE INDEX "auth_session_userId_idx" ON "auth_sessions" USING btree ("userId");' \
	'DROP INDEX "auth_session_userid_idx";' | sort)" "... dropping it and creating it under the expected name"

tap_done
