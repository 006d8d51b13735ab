/* covara's install script: the modules of src/sql, concatenated in name order by make */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION covara" to load this file. \quit

/*
 * make builds covara--VERSION.sql (VERSION: covara.control's default_version)
 * from these module sources; nobody edits the built file.  A fresh CREATE
 * EXTENSION covara runs it alone; test/tap/upgrade_paths.sh proves that
 * every older version, updated, ends with the same objects.  Everything is
 * schema-qualified (pg_catalog., OPERATOR(pg_catalog.=), @extschema@.), so
 * nothing here depends on the search path of whoever runs it.
 */

/* ---- 01-tables.sql: schema covara and the four auth tables ---- */

/*
 * covara keeps its functions in schema covara and its four auth tables in
 * the extension's schema (public for a plain CREATE EXTENSION covara).
 */
DO $covara_preflight$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace n
			   WHERE n.nspname OPERATOR(pg_catalog.=) 'covara') THEN
		RAISE EXCEPTION 'schema "covara" already exists'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'covara creates schema covara for its functions and owns it.',
				  HINT = 'Drop or rename the existing schema covara; to put covara''s tables in a schema of your own, use CREATE EXTENSION covara SCHEMA <name> with another name.';
	END IF;
END
$covara_preflight$;

CREATE SCHEMA covara;
COMMENT ON SCHEMA covara IS 'covara: token, search, seed and auth functions (the auth tables live in the extension''s schema)';
GRANT USAGE ON SCHEMA covara TO PUBLIC;

/*
 * What an error message, DETAIL or HINT quotes of a caller's input: at most
 * 200 bytes (cut at a character boundary), then "...", so that a huge
 * argument never makes a huge message or log line (C code does the same
 * with covara_report_cut).
 */
CREATE FUNCTION covara._report_cut(val pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN pg_catalog.octet_length(val) OPERATOR(pg_catalog.<=) 200 THEN val
			ELSE (SELECT pg_catalog.left(c.head, k.n) OPERATOR(pg_catalog.||) '...'
					FROM (SELECT pg_catalog.left(val, 200) AS head) c,
						 pg_catalog.generate_series(200, 50, -1) AS k(n)
				   WHERE pg_catalog.octet_length(pg_catalog.left(c.head, k.n)) OPERATOR(pg_catalog.<=) 200
				   ORDER BY k.n DESC LIMIT 1) END;
COMMENT ON FUNCTION covara._report_cut(pg_catalog.text) IS
'val cut to at most 200 bytes (at a character boundary) and "..." for quoting in a message';

/*
 * The four auth tables, exactly as covara's Drizzle definitions describe
 * them (names, types, nullability, key and index names), and nothing more:
 * drizzle-kit turns any other difference into statements that fail on an
 * extension's objects.
 *
 * They are created in schema covara first and then either moved into the
 * extension's schema or, when covara's start-up migrator already made that
 * table there, used as the reference the existing table is checked against
 * before it is adopted (see the next block).
 */
CREATE TABLE covara.auth_sessions (
	id pg_catalog.text NOT NULL,
	"userId" pg_catalog.text NOT NULL,
	"createdAt" pg_catalog.timestamp NOT NULL,
	"expiresAt" pg_catalog.timestamp NOT NULL,
	data pg_catalog.text,
	CONSTRAINT auth_sessions_pkey PRIMARY KEY (id)
);
CREATE INDEX "auth_session_userId_idx" ON covara.auth_sessions USING btree ("userId");
CREATE INDEX "auth_session_expiresAt_idx" ON covara.auth_sessions USING btree ("expiresAt");

CREATE TABLE covara.auth_accounts (
	"userId" pg_catalog.text NOT NULL,
	type pg_catalog.text NOT NULL,
	provider pg_catalog.text NOT NULL,
	"providerAccountId" pg_catalog.text NOT NULL,
	refresh_token pg_catalog.text,
	access_token pg_catalog.text,
	expires_at pg_catalog.timestamp,
	token_type pg_catalog.text,
	scope pg_catalog.text,
	id_token pg_catalog.text,
	session_state pg_catalog.text,
	CONSTRAINT "auth_accounts_provider_providerAccountId_pk" PRIMARY KEY (provider, "providerAccountId")
);
CREATE INDEX "auth_account_userId_idx" ON covara.auth_accounts USING btree ("userId");

CREATE TABLE covara.auth_api_keys (
	id pg_catalog.text NOT NULL,
	"userId" pg_catalog.text NOT NULL,
	name pg_catalog.text NOT NULL,
	"keyHash" pg_catalog.text NOT NULL,
	"keyPrefix" pg_catalog.text NOT NULL,
	scopes pg_catalog.jsonb,
	"createdAt" pg_catalog.timestamp NOT NULL,
	"expiresAt" pg_catalog.timestamp,
	"lastUsedAt" pg_catalog.timestamp,
	"revokedAt" pg_catalog.timestamp,
	CONSTRAINT auth_api_keys_pkey PRIMARY KEY (id)
);
CREATE INDEX "auth_api_key_userId_idx" ON covara.auth_api_keys USING btree ("userId");
CREATE INDEX auth_api_key_prefix_idx ON covara.auth_api_keys USING btree ("keyPrefix");

CREATE TABLE covara.auth_verification_tokens (
	identifier pg_catalog.text NOT NULL,
	token pg_catalog.text NOT NULL,
	expires pg_catalog.timestamp NOT NULL,
	CONSTRAINT auth_verification_tokens_identifier_token_pk PRIMARY KEY (identifier, token)
);

