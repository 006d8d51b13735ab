/* covara--0.5.0--0.6.0.sql: what the released 0.1.0 and 0.4.0 scripts lacked */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.6.0'" to load this file. \quit

/*
 * covara--0.1.0.sql and covara--0.3.0--0.4.0.sql are kept exactly as they
 * first landed.  What was added to them afterwards ships here:
 *
 * - covara.hmac_token(bytea, bytea) (0.1.0 had only the text overload);
 * - covara._auth_check_ttl is STABLE, not IMMUTABLE (its error message
 *   formats the interval, whose text depends on IntervalStyle);
 * - covara.issue_verification_token clears the identifier's tokens with
 *   covara._auth_token_clear first: in REPEATABLE READ or SERIALIZABLE a
 *   token committed after the transaction's snapshot is a serialization
 *   failure instead of a second live token.
 *
 * The stricter adoption checks of CREATE EXTENSION (unlogged tables, other
 * access methods, extended statistics; DETAIL lines as sentences) live in
 * the new install script covara--0.6.0.sql, since adoption only happens at
 * CREATE EXTENSION.
 *
 * Databases made from the intermediate texts of those two scripts already
 * have the two functions, so they are created only where missing.
 */

DO $do$
BEGIN
	IF pg_catalog.to_regprocedure('covara.hmac_token(pg_catalog.bytea, pg_catalog.bytea)') IS NULL THEN
		CREATE FUNCTION covara.hmac_token(token pg_catalog.bytea, key pg_catalog.bytea)
		RETURNS pg_catalog.text
		AS 'MODULE_PATHNAME', 'covara_hmac_token_bytea'
		LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
	END IF;
	IF pg_catalog.to_regprocedure('covara._auth_token_clear(pg_catalog.text)') IS NULL THEN
		CREATE FUNCTION covara._auth_token_clear(identifier pg_catalog.text)
		RETURNS pg_catalog.int8
		AS 'MODULE_PATHNAME', 'covara_auth_token_clear'
		LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
	END IF;
END
$do$;
COMMENT ON FUNCTION covara.hmac_token(pg_catalog.bytea, pg_catalog.bytea) IS
'HMAC-SHA-256 of the bytes under key, lowercase hex';
COMMENT ON FUNCTION covara._auth_token_clear(pg_catalog.text) IS
'internal: delete the identifier''s tokens, including ones committed after the transaction''s snapshot (a serialization failure in REPEATABLE READ or SERIALIZABLE when there are any)';
REVOKE ALL ON FUNCTION covara._auth_token_clear(pg_catalog.text) FROM PUBLIC;

ALTER FUNCTION covara._auth_check_ttl(pg_catalog.interval) STABLE;

CREATE OR REPLACE FUNCTION covara.issue_verification_token(identifier pg_catalog.text, ttl pg_catalog.interval)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	token		pg_catalog.text;
BEGIN
	PERFORM covara._auth_check_text(identifier, 'identifier');
	PERFORM covara._auth_check_ttl(ttl);
	/*
	 * Serialize issues for one identifier (advisory lock class 1668702578,
	 * "cvar", keyed by hashtext(identifier), held to the end of the
	 * transaction), so that each issue removes every token issued before it
	 * and at most one token per identifier survives concurrent issues.
	 */
	PERFORM pg_catalog.pg_advisory_xact_lock(1668702578, pg_catalog.hashtext(identifier));
	/*
	 * In REPEATABLE READ or SERIALIZABLE the snapshot may predate a token the
	 * previous holder of the lock committed: this delete sees it and raises a
	 * serialization failure rather than leave two live tokens.
	 */
	PERFORM covara._auth_token_clear(identifier);
	token := covara.generate_token();
	PERFORM covara._auth_token_replace(identifier, covara.hash_token(token),
		(pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(pg_catalog.+) ttl);
	RETURN token;
END
$covara$;
