/* covara--0.3.0--0.4.0.sql: the auth flows as SQL functions */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.4.0'" to load this file. \quit

/*
 * Sessions, API keys, verification tokens and purging, as single calls in
 * schema covara that read and write the canonical columns of the auth
 * tables (so rows are interchangeable with those covara's Drizzle code
 * writes).
 *
 * How the pieces fit:
 *
 * - Every table access is in a function with an SQL-standard body (BEGIN
 *   ATOMIC / RETURN), where @extschema@ is written unquoted and every name
 *   and operator is bound when the function is created, so nothing a caller
 *   puts on its search_path can redirect it.  Those that need procedural
 *   logic (argument checks, loops, branches) are PL/pgSQL wrappers that call
 *   internal helpers named covara._auth_*; the hot read paths
 *   (verify_api_key, get_session) are C functions (src/auth.c) that run one
 *   cached plan over such a helper.  The one exception: verify_api_key
 *   records a key's use with an UPDATE whose kept plan names the table the
 *   key's row was just read from (by its tableoid), see src/auth.c.
 * - The read helpers are STABLE, non-STRICT set-returning SQL functions, so
 *   the planner inlines them into the caller's cached plan.
 * - The flows are SECURITY DEFINER with search_path pinned to
 *   pg_catalog, pg_temp and every reference schema-qualified.  EXECUTE on
 *   them is revoked from PUBLIC: grant them to an application role with
 *   CALL covara.grant_auth_flows(role).  The internal helpers are not
 *   executable by PUBLIC at all.
 * - All timestamps are UTC wall-clock timestamp without time zone,
 *   compared with (now() AT TIME ZONE 'UTC'), so no result depends on the
 *   session's TimeZone.
 */

--------------------------------------------------------------------------
-- Internal helpers
--------------------------------------------------------------------------

-- Reject a missing or non-positive interval with a clear error.
CREATE FUNCTION covara._auth_check_ttl(ttl pg_catalog.interval)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF ttl IS NULL OR ttl OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval THEN
		RAISE EXCEPTION 'ttl must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The ttl given was %s.', COALESCE(ttl::pg_catalog.text, 'NULL')),
				  HINT = 'Pass an interval such as interval ''30 days''.';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) IS
'internal: raise invalid_parameter_value unless ttl is a positive interval';

-- Reject a NULL or empty text argument with a clear error.
CREATE FUNCTION covara._auth_check_text(val pg_catalog.text, arg pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF val IS NULL OR val OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION '% must not be null or empty', arg
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) IS
'internal: raise invalid_parameter_value when val is NULL or empty';

--------------------------------------------------------------------------
-- Sessions
--------------------------------------------------------------------------

CREATE FUNCTION covara._auth_session_row(session_id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, "createdAt" pg_catalog.timestamp,
			  "expiresAt" pg_catalog.timestamp, data pg_catalog.text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
	SELECT s.id, s."userId", s."createdAt", s."expiresAt", s.data
	  FROM @extschema@.auth_sessions s
	 WHERE s.id OPERATOR(pg_catalog.=) session_id
	   AND s."expiresAt" OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC');
END;
COMMENT ON FUNCTION covara._auth_session_row(pg_catalog.text) IS
'internal: the session with this id while it has not expired (inlined into get_session''s plan)';

CREATE FUNCTION covara._auth_session_insert(session_id pg_catalog.text, user_id pg_catalog.text,
											created_at pg_catalog.timestamp,
											expires_at pg_catalog.timestamp,
											session_data pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	INSERT INTO @extschema@.auth_sessions (id, "userId", "createdAt", "expiresAt", data)
	VALUES (session_id, user_id, created_at, expires_at, session_data);
END;
COMMENT ON FUNCTION covara._auth_session_insert(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.text) IS
'internal: insert one session row';

CREATE FUNCTION covara._auth_session_touch(session_id pg_catalog.text,
										   expires_at pg_catalog.timestamp)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH touched AS (
		UPDATE @extschema@.auth_sessions s
		   SET "expiresAt" = expires_at
		 WHERE s.id OPERATOR(pg_catalog.=) session_id
		   AND s."expiresAt" OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC')
		RETURNING 1)
	SELECT EXISTS (SELECT FROM touched);
END;
COMMENT ON FUNCTION covara._auth_session_touch(pg_catalog.text, pg_catalog.timestamp) IS
'internal: move an unexpired session''s expiry; true when it was found';

CREATE FUNCTION covara.create_session(user_id pg_catalog.text, ttl pg_catalog.interval,
									  data pg_catalog.jsonb DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	session_id	pg_catalog.text;
BEGIN
	PERFORM covara._auth_check_text(user_id, 'user_id');
	PERFORM covara._auth_check_ttl(ttl);
	session_id := covara.generate_token();
	PERFORM covara._auth_session_insert(session_id, user_id, now_utc,
										now_utc OPERATOR(pg_catalog.+) ttl,
										data::pg_catalog.text);
	RETURN session_id;
END
$covara$;
COMMENT ON FUNCTION covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb) IS
'create a session for user_id lasting ttl (data is stored as JSON text); returns its id, a fresh generate_token()';

CREATE FUNCTION covara.get_session(id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, "createdAt" pg_catalog.timestamp,
			  "expiresAt" pg_catalog.timestamp, data pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_get_session'
LANGUAGE C STABLE STRICT SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION covara.get_session(pg_catalog.text) IS
'the session row with this id, only while "expiresAt" (UTC) is in the future; no row otherwise';

CREATE FUNCTION covara.touch_session(id pg_catalog.text, ttl pg_catalog.interval)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
BEGIN
	PERFORM covara._auth_check_ttl(ttl);
	RETURN COALESCE(covara._auth_session_touch(id,
		(pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(pg_catalog.+) ttl), false);
END
$covara$;
COMMENT ON FUNCTION covara.touch_session(pg_catalog.text, pg_catalog.interval) IS
'sliding expiry: set an unexpired session''s "expiresAt" to now (UTC) + ttl; false when there is no such unexpired session';

CREATE FUNCTION covara.revoke_session(id pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s.id OPERATOR(pg_catalog.=) revoke_session.id
		RETURNING 1)
	SELECT EXISTS (SELECT FROM gone);
END;
COMMENT ON FUNCTION covara.revoke_session(pg_catalog.text) IS
'delete the session with this id; true when there was one';

CREATE FUNCTION covara.revoke_user_sessions(user_id pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s."userId" OPERATOR(pg_catalog.=) revoke_user_sessions.user_id
		RETURNING 1)
	SELECT pg_catalog.count(*)::pg_catalog.int4 FROM gone;
END;
COMMENT ON FUNCTION covara.revoke_user_sessions(pg_catalog.text) IS
'delete every session of user_id; returns how many there were';

--------------------------------------------------------------------------
-- API keys
--------------------------------------------------------------------------

CREATE FUNCTION covara._auth_api_key_row(key_id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, name pg_catalog.text,
			  scopes pg_catalog.jsonb, "expiresAt" pg_catalog.timestamp,
			  "keyHash" pg_catalog.text, "keyPrefix" pg_catalog.text,
			  "revokedAt" pg_catalog.timestamp, "lastUsedAt" pg_catalog.timestamp,
			  table_oid pg_catalog.oid)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
	SELECT k.id, k."userId", k.name, k.scopes, k."expiresAt", k."keyHash",
		   k."keyPrefix", k."revokedAt", k."lastUsedAt", k.tableoid
	  FROM @extschema@.auth_api_keys k
	 WHERE k.id OPERATOR(pg_catalog.=) key_id;
END;
COMMENT ON FUNCTION covara._auth_api_key_row(pg_catalog.text) IS
'internal: the API key row with this id and the OID of the table it is in (inlined into verify_api_key''s plan)';

CREATE FUNCTION covara._auth_api_key_touch(key_id pg_catalog.text, used_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	UPDATE @extschema@.auth_api_keys k
	   SET "lastUsedAt" = used_at
	 WHERE k.id IN (
		SELECT l.id FROM @extschema@.auth_api_keys l
		 WHERE l.id OPERATOR(pg_catalog.=) key_id
		   AND (l."lastUsedAt" IS NULL
				OR l."lastUsedAt" OPERATOR(pg_catalog.<=)
				   (used_at OPERATOR(pg_catalog.-) '1 minute'::pg_catalog.interval))
		   FOR NO KEY UPDATE SKIP LOCKED);
END;
COMMENT ON FUNCTION covara._auth_api_key_touch(pg_catalog.text, pg_catalog.timestamp) IS
'internal: set "lastUsedAt" unless it was set within the last minute or another transaction holds the row';

/*
 * Called by verify_api_key in REPEATABLE READ transactions (in READ
 * COMMITTED it runs the same UPDATE from a kept plan): record a use without
 * ever failing the caller.
 */
CREATE FUNCTION covara._auth_api_key_record_use(key_id pg_catalog.text, used_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $covara$
BEGIN
	PERFORM covara._auth_api_key_touch(key_id, used_at);
EXCEPTION
	-- REPEATABLE READ: the row changed after our snapshot; skip this time
	WHEN serialization_failure OR lock_not_available THEN
		NULL;
END
$covara$;
COMMENT ON FUNCTION covara._auth_api_key_record_use(pg_catalog.text, pg_catalog.timestamp) IS
'internal: _auth_api_key_touch in a subtransaction, skipping the update on serialization failures';

-- The prefix a key's replacement gets: what precedes "_<id>" in "keyPrefix".
CREATE FUNCTION covara._auth_api_key_prefix(key_prefix pg_catalog.text, key_id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN key_prefix OPERATOR(pg_catalog.=) key_id THEN ''
	WHEN pg_catalog."right"(key_prefix, 17) OPERATOR(pg_catalog.=) ('_' OPERATOR(pg_catalog.||) key_id)
		 AND pg_catalog."left"(key_prefix, -17) OPERATOR(pg_catalog.~) '^[A-Za-z0-9_-]{1,32}$'
		THEN pg_catalog."left"(key_prefix, -17)
	ELSE 'cvk'
END;
COMMENT ON FUNCTION covara._auth_api_key_prefix(pg_catalog.text, pg_catalog.text) IS
'internal: the prefix of a stored key (the part of "keyPrefix" before "_<id>"), for its replacement';

-- Fresh key material: <prefix>_<16 hex>.<base64url of 24 random bytes>.
CREATE FUNCTION covara._auth_api_key_new(prefix pg_catalog.text,
										 OUT key_id pg_catalog.text, OUT key_prefix pg_catalog.text,
										 OUT key pg_catalog.text, OUT key_hash pg_catalog.text)
LANGUAGE plpgsql VOLATILE PARALLEL SAFE
AS $covara$
BEGIN
	-- 8 random bytes as 16 lowercase hex digits (generate_token gives them
	-- as 11 base64url characters; turn those into padded base64 and decode)
	key_id := pg_catalog.encode(pg_catalog.decode(
		pg_catalog.translate(covara.generate_token(8), '-_', '+/') OPERATOR(pg_catalog.||) '=',
		'base64'), 'hex');
	key_prefix := CASE WHEN prefix OPERATOR(pg_catalog.=) '' THEN key_id
					   ELSE prefix OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) key_id END;
	key := key_prefix OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) covara.generate_token(24);
	key_hash := covara.hash_token(key);
END
$covara$;
COMMENT ON FUNCTION covara._auth_api_key_new(pg_catalog.text) IS
'internal: a new API key (id, "keyPrefix", the key itself and its hash) with the given prefix';

CREATE FUNCTION covara._auth_api_key_insert(key_id pg_catalog.text, user_id pg_catalog.text,
											key_name pg_catalog.text, key_hash pg_catalog.text,
											key_prefix pg_catalog.text, key_scopes pg_catalog.jsonb,
											created_at pg_catalog.timestamp,
											expires_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	INSERT INTO @extschema@.auth_api_keys (id, "userId", name, "keyHash", "keyPrefix",
										   scopes, "createdAt", "expiresAt")
	VALUES (key_id, user_id, key_name, key_hash, key_prefix, key_scopes, created_at, expires_at);
END;
COMMENT ON FUNCTION covara._auth_api_key_insert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.timestamp) IS
'internal: insert one API key row';

CREATE FUNCTION covara.create_api_key(user_id pg_catalog.text, name pg_catalog.text,
									  scopes pg_catalog.jsonb DEFAULT NULL,
									  expires_at pg_catalog.timestamp DEFAULT NULL,
									  prefix pg_catalog.text DEFAULT 'cvk')
RETURNS TABLE(id pg_catalog.text, key pg_catalog.text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	k			pg_catalog.record;
BEGIN
	PERFORM covara._auth_check_text(user_id, 'user_id');
	IF name IS NULL THEN
		RAISE EXCEPTION 'name must not be null'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF scopes IS NOT NULL AND (
		pg_catalog.jsonb_typeof(scopes) OPERATOR(pg_catalog.<>) 'array'
		OR EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(scopes) e(v)
				   WHERE pg_catalog.jsonb_typeof(e.v) OPERATOR(pg_catalog.<>) 'string')) THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The scopes given were %s.', scopes),
				  HINT = 'Pass NULL for no scopes, or an array such as ''["read", "write"]''::jsonb.';
	END IF;
	IF expires_at OPERATOR(pg_catalog.<=) now_utc THEN
		RAISE EXCEPTION 'expires_at must be in the future'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('expires_at is %s and now is %s (UTC).', expires_at, now_utc),
				  HINT = 'expires_at is a UTC wall-clock timestamp, e.g. (now() AT TIME ZONE ''UTC'') + interval ''90 days''; NULL means the key does not expire.';
	END IF;
	IF prefix IS NULL OR (prefix OPERATOR(pg_catalog.<>) ''
						  AND prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_-]{1,32}$') THEN
		RAISE EXCEPTION 'invalid API key prefix %', COALESCE(pg_catalog.quote_literal(prefix), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A prefix is 1 to 32 letters, digits, "_" or "-", or '''' for keys without a prefix.';
	END IF;

	SELECT * INTO k FROM covara._auth_api_key_new(prefix);
	PERFORM covara._auth_api_key_insert(k.key_id, user_id, name, k.key_hash, k.key_prefix,
										scopes, now_utc, expires_at);
	id := k.key_id;
	key := k.key;
	RETURN NEXT;
END
$covara$;
COMMENT ON FUNCTION covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text) IS
'create an API key <prefix>_<id>.<secret> for user_id; returns its id and the key, which is shown only this once (only its hash is stored)';

CREATE FUNCTION covara.verify_api_key(key pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, name pg_catalog.text,
			  scopes pg_catalog.jsonb, "expiresAt" pg_catalog.timestamp)
AS 'MODULE_PATHNAME', 'covara_verify_api_key'
LANGUAGE C VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION covara.verify_api_key(pg_catalog.text) IS
'the key''s row when it is known, unexpired and unrevoked (constant-time hash comparison), no row otherwise, never an error; records "lastUsedAt" at most once a minute, and not at all in read-only transactions';

CREATE FUNCTION covara.revoke_api_key(id pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH revoked AS (
		UPDATE @extschema@.auth_api_keys k
		   SET "revokedAt" = (pg_catalog.now() AT TIME ZONE 'UTC')
		 WHERE k.id OPERATOR(pg_catalog.=) revoke_api_key.id
		   AND k."revokedAt" IS NULL
		RETURNING 1)
	SELECT EXISTS (SELECT FROM revoked);
END;
COMMENT ON FUNCTION covara.revoke_api_key(pg_catalog.text) IS
'set "revokedAt" on the API key with this id; true when it was found and not revoked yet';

/*
 * One statement: the UPDATE locks the old row and revokes it only while it
 * is live, so of many concurrent rotations of one key exactly one finds it
 * live (the others wait for its lock, then see it revoked) and issues the
 * replacement; the others return no row.
 */
CREATE FUNCTION covara.rotate_api_key(id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, key pg_catalog.text)
LANGUAGE sql VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH old AS (
		UPDATE @extschema@.auth_api_keys k
		   SET "revokedAt" = (pg_catalog.now() AT TIME ZONE 'UTC')
		 WHERE k.id OPERATOR(pg_catalog.=) rotate_api_key.id
		   AND k."revokedAt" IS NULL
		   AND (k."expiresAt" IS NULL
				OR k."expiresAt" OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC'))
		RETURNING k.id, k."userId", k.name, k.scopes, k."expiresAt", k."keyPrefix"),
	fresh AS MATERIALIZED (
		SELECT o."userId", o.name, o.scopes, o."expiresAt",
			   n.key_id, n.key_prefix, n.key, n.key_hash
		  FROM old o,
			   covara._auth_api_key_new(covara._auth_api_key_prefix(o."keyPrefix", o.id)) n),
	inserted AS (
		INSERT INTO @extschema@.auth_api_keys (id, "userId", name, "keyHash", "keyPrefix",
											   scopes, "createdAt", "expiresAt")
		SELECT f.key_id, f."userId", f.name, f.key_hash, f.key_prefix, f.scopes,
			   (pg_catalog.now() AT TIME ZONE 'UTC'), f."expiresAt"
		  FROM fresh f
		RETURNING 1)
	SELECT f.key_id, f.key FROM fresh f;
END;
COMMENT ON FUNCTION covara.rotate_api_key(pg_catalog.text) IS
'revoke a live API key and issue its replacement (same user, name, scopes, expiry and prefix) atomically; returns the new id and key, or no row when the key is unknown, revoked or expired';

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

--------------------------------------------------------------------------
-- Purging
--------------------------------------------------------------------------

/*
 * Each batch helper takes the next batch_size rows in an index's order
 * after a position (inclusive for the first batch), locks those that are
 * due with FOR UPDATE SKIP LOCKED, deletes them by ctid, and returns how
 * many rows it examined and deleted and the position of the last one
 * examined.  Sessions walk the "expiresAt" index (only expired rows);
 * verification tokens and API keys, which have no index on their expiry,
 * walk their primary key.  So every statement touches at most batch_size
 * rows, never waits for a lock, and one purge reads each index once.
 */
CREATE FUNCTION covara._auth_purge_sessions_batch(
	after_expires pg_catalog.timestamp, after_id pg_catalog.text, inclusive pg_catalog.bool,
	batch_size pg_catalog.int4, cutoff pg_catalog.timestamp,
	OUT n_examined pg_catalog.int8, OUT n_deleted pg_catalog.int8,
	OUT last_expires pg_catalog.timestamp, OUT last_id pg_catalog.text)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH chunk AS MATERIALIZED (
		SELECT s.ctid AS tid, s."expiresAt" AS expires, s.id
		  FROM @extschema@.auth_sessions s
		 WHERE s."expiresAt" OPERATOR(pg_catalog.<) cutoff
		   AND ROW(s."expiresAt", s.id) OPERATOR(pg_catalog.>=) ROW(after_expires, after_id)
		   AND (inclusive OR ROW(s."expiresAt", s.id) OPERATOR(pg_catalog.<>) ROW(after_expires, after_id))
		 ORDER BY s."expiresAt", s.id
		 LIMIT batch_size),
	locked AS (
		SELECT s.ctid AS tid
		  FROM @extschema@.auth_sessions s
		 WHERE s.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.tid FROM chunk c))
		   AND s."expiresAt" OPERATOR(pg_catalog.<) cutoff
		   FOR UPDATE SKIP LOCKED),
	gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.tid FROM locked l))
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM chunk),
		   (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT c.expires FROM chunk c ORDER BY c.expires DESC, c.id DESC LIMIT 1),
		   (SELECT c.id FROM chunk c ORDER BY c.expires DESC, c.id DESC LIMIT 1);
END;
COMMENT ON FUNCTION covara._auth_purge_sessions_batch(pg_catalog.timestamp, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) IS
'internal: delete one batch of expired sessions, walking the "expiresAt" index';

CREATE FUNCTION covara._auth_purge_tokens_batch(
	after_identifier pg_catalog.text, after_token pg_catalog.text, inclusive pg_catalog.bool,
	batch_size pg_catalog.int4, cutoff pg_catalog.timestamp,
	OUT n_examined pg_catalog.int8, OUT n_deleted pg_catalog.int8,
	OUT last_identifier pg_catalog.text, OUT last_token pg_catalog.text)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH chunk AS MATERIALIZED (
		SELECT t.ctid AS tid, t.identifier, t.token, t.expires
		  FROM @extschema@.auth_verification_tokens t
		 WHERE ROW(t.identifier, t.token) OPERATOR(pg_catalog.>=) ROW(after_identifier, after_token)
		   AND (inclusive OR ROW(t.identifier, t.token) OPERATOR(pg_catalog.<>) ROW(after_identifier, after_token))
		 ORDER BY t.identifier, t.token
		 LIMIT batch_size),
	locked AS (
		SELECT t.ctid AS tid
		  FROM @extschema@.auth_verification_tokens t
		 WHERE t.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(
				SELECT c.tid FROM chunk c WHERE c.expires OPERATOR(pg_catalog.<) cutoff))
		   AND t.expires OPERATOR(pg_catalog.<) cutoff
		   FOR UPDATE SKIP LOCKED),
	gone AS (
		DELETE FROM @extschema@.auth_verification_tokens t
		 WHERE t.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.tid FROM locked l))
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM chunk),
		   (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT c.identifier FROM chunk c ORDER BY c.identifier DESC, c.token DESC LIMIT 1),
		   (SELECT c.token FROM chunk c ORDER BY c.identifier DESC, c.token DESC LIMIT 1);
END;
COMMENT ON FUNCTION covara._auth_purge_tokens_batch(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) IS
'internal: delete the expired verification tokens among the next batch in primary-key order';

CREATE FUNCTION covara._auth_purge_api_keys_batch(
	after_id pg_catalog.text, inclusive pg_catalog.bool,
	batch_size pg_catalog.int4, cutoff pg_catalog.timestamp,
	OUT n_examined pg_catalog.int8, OUT n_deleted pg_catalog.int8,
	OUT last_id pg_catalog.text)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH chunk AS MATERIALIZED (
		SELECT k.ctid AS tid, k.id,
			   (k."revokedAt" OPERATOR(pg_catalog.<) cutoff
				OR k."expiresAt" OPERATOR(pg_catalog.<) cutoff) AS due
		  FROM @extschema@.auth_api_keys k
		 WHERE k.id OPERATOR(pg_catalog.>=) after_id
		   AND (inclusive OR k.id OPERATOR(pg_catalog.<>) after_id)
		 ORDER BY k.id
		 LIMIT batch_size),
	locked AS (
		SELECT k.ctid AS tid
		  FROM @extschema@.auth_api_keys k
		 WHERE k.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.tid FROM chunk c WHERE c.due))
		   AND (k."revokedAt" OPERATOR(pg_catalog.<) cutoff
				OR k."expiresAt" OPERATOR(pg_catalog.<) cutoff)
		   FOR UPDATE SKIP LOCKED),
	gone AS (
		DELETE FROM @extschema@.auth_api_keys k
		 WHERE k.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.tid FROM locked l))
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM chunk),
		   (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT c.id FROM chunk c ORDER BY c.id DESC LIMIT 1);
END;
COMMENT ON FUNCTION covara._auth_purge_api_keys_batch(pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) IS
'internal: delete the API keys revoked or expired before cutoff among the next batch in primary-key order';

CREATE FUNCTION covara.purge_expired(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS TABLE(table_name pg_catalog.text, deleted pg_catalog.int8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE ROWS 3
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	-- API keys stay visible (as revoked or expired) for 30 days
	key_cutoff	pg_catalog.timestamp := now_utc OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval;
	sb			pg_catalog.record;
	tb			pg_catalog.record;
	kb			pg_catalog.record;
	total		pg_catalog.int8;
	first		pg_catalog.bool;
	pos_ts		pg_catalog.timestamp;
	pos_a		pg_catalog.text;
	pos_b		pg_catalog.text;
BEGIN
	IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<) 1 THEN
		RAISE EXCEPTION 'batch_size must be a positive integer'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The batch_size given was %s.', COALESCE(batch_size::pg_catalog.text, 'NULL'));
	END IF;

	total := 0; first := true; pos_ts := '-infinity'; pos_a := '';
	LOOP
		SELECT * INTO sb FROM covara._auth_purge_sessions_batch(pos_ts, pos_a, first, batch_size, now_utc);
		total := total OPERATOR(pg_catalog.+) sb.n_deleted;
		EXIT WHEN sb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_ts := sb.last_expires; pos_a := sb.last_id; first := false;
	END LOOP;
	table_name := 'auth_sessions'; deleted := total;
	RETURN NEXT;

	total := 0; first := true; pos_a := ''; pos_b := '';
	LOOP
		SELECT * INTO tb FROM covara._auth_purge_tokens_batch(pos_a, pos_b, first, batch_size, now_utc);
		total := total OPERATOR(pg_catalog.+) tb.n_deleted;
		EXIT WHEN tb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_a := tb.last_identifier; pos_b := tb.last_token; first := false;
	END LOOP;
	table_name := 'auth_verification_tokens'; deleted := total;
	RETURN NEXT;

	total := 0; first := true; pos_a := '';
	LOOP
		SELECT * INTO kb FROM covara._auth_purge_api_keys_batch(pos_a, first, batch_size, key_cutoff);
		total := total OPERATOR(pg_catalog.+) kb.n_deleted;
		EXIT WHEN kb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_a := kb.last_id; first := false;
	END LOOP;
	table_name := 'auth_api_keys'; deleted := total;
	RETURN NEXT;
END
$covara$;
COMMENT ON FUNCTION covara.purge_expired(pg_catalog.int4) IS
'delete expired sessions and verification tokens, and API keys revoked or expired more than 30 days ago, in batches of at most batch_size rows that skip rows other transactions hold locked; returns the count per table';

--------------------------------------------------------------------------
-- Privileges
--------------------------------------------------------------------------

-- The functions an application role needs to run every flow.
CREATE FUNCTION covara._auth_flow_functions()
RETURNS pg_catalog.regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN ARRAY[
	'covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb)',
	'covara.get_session(pg_catalog.text)',
	'covara.touch_session(pg_catalog.text, pg_catalog.interval)',
	'covara.revoke_session(pg_catalog.text)',
	'covara.revoke_user_sessions(pg_catalog.text)',
	'covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text)',
	'covara.verify_api_key(pg_catalog.text)',
	'covara.revoke_api_key(pg_catalog.text)',
	'covara.rotate_api_key(pg_catalog.text)',
	'covara.issue_verification_token(pg_catalog.text, pg_catalog.interval)',
	'covara.consume_verification_token(pg_catalog.text, pg_catalog.text)'
]::pg_catalog.regprocedure[];
COMMENT ON FUNCTION covara._auth_flow_functions() IS
'internal: the auth flow functions that grant_auth_flows grants';

CREATE PROCEDURE covara.grant_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA covara TO %I', role_name);
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION covara.%I(%s) TO %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) IS
'grant a role what it needs to run every auth flow: USAGE on schema covara and EXECUTE on the flow functions (not purge_expired, and no access to the tables)';

CREATE PROCEDURE covara.revoke_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION covara.%I(%s) FROM %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) IS
'revoke what grant_auth_flows granted (EXECUTE on the flow functions; USAGE on schema covara stays, PUBLIC has it)';

/*
 * Nothing here is executable by PUBLIC: the flows are granted per role
 * (grant_auth_flows), purge_expired is for the owner or a maintenance
 * role, and the helpers are internal.
 */
REVOKE ALL ON FUNCTION covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.get_session(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.touch_session(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_session(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_user_sessions(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.verify_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.rotate_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.issue_verification_token(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.consume_verification_token(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.purge_expired(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) FROM PUBLIC;
REVOKE ALL ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) FROM PUBLIC;

REVOKE ALL ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_row(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_insert(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_touch(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_row(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_touch(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_record_use(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_prefix(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_new(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_insert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_token_replace(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_sessions_batch(pg_catalog.timestamp, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_tokens_batch(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_api_keys_batch(pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_flow_functions() FROM PUBLIC;
