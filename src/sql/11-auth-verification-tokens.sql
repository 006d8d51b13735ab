/* ---- 11-auth-verification-tokens.sql: verification tokens ---- */

--------------------------------------------------------------------------
-- Verification tokens
--------------------------------------------------------------------------

CREATE FUNCTION covara._auth_token_replace(token_identifier pg_catalog.text,
										   token_hash pg_catalog.text,
										   expires_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	DELETE FROM @extschema@.auth_verification_tokens t
	 WHERE t.identifier OPERATOR(pg_catalog.=) token_identifier;
	INSERT INTO @extschema@.auth_verification_tokens (identifier, token, expires)
	VALUES (token_identifier, token_hash, expires_at);
END;
COMMENT ON FUNCTION covara._auth_token_replace(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp) IS
'internal: delete the identifier''s tokens and store one new (hashed) token';

CREATE FUNCTION covara._auth_token_clear(identifier pg_catalog.text)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'covara_auth_token_clear'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION covara._auth_token_clear(pg_catalog.text) IS
'internal: delete the identifier''s tokens, including ones committed after the transaction''s snapshot (a serialization failure in REPEATABLE READ or SERIALIZABLE when there are any)';

CREATE FUNCTION covara.issue_verification_token(identifier pg_catalog.text, ttl pg_catalog.interval)
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
COMMENT ON FUNCTION covara.issue_verification_token(pg_catalog.text, pg_catalog.interval) IS
'remove the identifier''s earlier tokens and issue a new one valid for ttl; returns the plain token (only its SHA-256 is stored)';

CREATE FUNCTION covara.consume_verification_token(identifier pg_catalog.text, token pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (
		DELETE FROM @extschema@.auth_verification_tokens t
		 WHERE t.identifier OPERATOR(pg_catalog.=) consume_verification_token.identifier
		   AND t.token OPERATOR(pg_catalog.=) covara.hash_token(consume_verification_token.token)
		RETURNING t.expires)
	SELECT COALESCE((SELECT g.expires OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC')
					   FROM gone g), false);
END;
COMMENT ON FUNCTION covara.consume_verification_token(pg_catalog.text, pg_catalog.text) IS
'delete the identifier''s token; true only when it existed and had not expired (of concurrent callers exactly one gets true)';

