/* ---- 11-auth-verification-tokens.sql: verification tokens ---- */

--------------------------------------------------------------------------
-- Verification tokens
--------------------------------------------------------------------------

/*
 * What issue_verification_token serialises on: 1024 rows, one per bucket
 * of identifiers (hashtext(identifier) & 1023), each locked FOR UPDATE by
 * an issue to the end of its transaction.  Only the extension's owner has
 * any privilege on the table, and every way of locking its rows or the
 * table itself (SELECT ... FOR UPDATE or FOR SHARE, UPDATE, DELETE, LOCK
 * TABLE, a foreign key) needs one, so no other role can hold a bucket and
 * make an issue wait or fail.  (0.8.0 took an advisory lock, which any role
 * can take with the same key.)  Two identifiers of one bucket only wait for
 * each other's issue.  The rows are the extension's own, written here and
 * not dumped: CREATE EXTENSION writes them again on restore.
 */
CREATE TABLE covara._auth_token_locks (
	bucket pg_catalog.int4 NOT NULL,
	CONSTRAINT _auth_token_locks_pkey PRIMARY KEY (bucket)
);
INSERT INTO covara._auth_token_locks (bucket)
SELECT b FROM pg_catalog.generate_series(0, 1023) AS b;
COMMENT ON TABLE covara._auth_token_locks IS
'internal: one row per bucket of identifiers, locked by issue_verification_token; no privileges for anyone but the owner';

-- owner-only, whatever default privileges the installing role has
DO $covara_token_locks$
DECLARE
	s			pg_catalog.record;
BEGIN
	FOR s IN
		SELECT DISTINCT a.grantee
		  FROM pg_catalog.pg_class c,
			   LATERAL pg_catalog.aclexplode(c.relacl) a
		 WHERE c.oid OPERATOR(pg_catalog.=) 'covara._auth_token_locks'::pg_catalog.regclass
		   AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON TABLE covara._auth_token_locks FROM %s CASCADE',
			CASE WHEN s.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
				 ELSE s.grantee::pg_catalog.regrole::pg_catalog.text END);
	END LOOP;
END
$covara_token_locks$;

-- Lock the identifier's bucket to the end of the transaction; NULL when its
-- row is missing.
CREATE FUNCTION covara._auth_token_lock(token_identifier pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT l.bucket
	  FROM covara._auth_token_locks l
	 WHERE l.bucket OPERATOR(pg_catalog.=)
		   (pg_catalog.hashtext(token_identifier) OPERATOR(pg_catalog.&) 1023)
	   FOR UPDATE;
END;
COMMENT ON FUNCTION covara._auth_token_lock(pg_catalog.text) IS
'internal: lock the identifier''s row of _auth_token_locks (FOR UPDATE, to the end of the transaction); returns its bucket, NULL when the row is missing';

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
	PERFORM covara._auth_check_writable('covara.issue_verification_token()');
	PERFORM covara._auth_check_text(identifier, 'identifier');
	PERFORM covara._auth_check_ttl(ttl);
	/*
	 * Serialize issues for one identifier (a row lock on its bucket of
	 * covara._auth_token_locks, which no other role can take, held to the
	 * end of the transaction), so that each issue removes every token issued
	 * before it and at most one token per identifier survives concurrent
	 * issues.
	 */
	IF covara._auth_token_lock(identifier) IS NULL THEN
		RAISE EXCEPTION 'a row of covara._auth_token_locks is missing'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'issue_verification_token locks one of its rows, 0 to 1023, for each identifier.',
				  HINT = 'As the extension''s owner: INSERT INTO covara._auth_token_locks SELECT pg_catalog.generate_series(0, 1023) ON CONFLICT DO NOTHING;';
	END IF;
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
	SELECT covara._auth_check_writable('covara.consume_verification_token()');
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

