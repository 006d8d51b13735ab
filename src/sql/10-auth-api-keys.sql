/* ---- 10-auth-api-keys.sql: API keys ---- */

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
	PERFORM covara._auth_check_writable('covara.create_api_key()');
	PERFORM covara._auth_check_text(user_id, 'user_id');
	IF name IS NULL THEN
		RAISE EXCEPTION 'name must not be null'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the key''s name, e.g. ''deploy bot'' (it may be empty).';
	END IF;
	IF scopes IS NOT NULL AND (
		pg_catalog.jsonb_typeof(scopes) OPERATOR(pg_catalog.<>) 'array'
		OR EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(scopes) e(v)
				   WHERE pg_catalog.jsonb_typeof(e.v) OPERATOR(pg_catalog.<>) 'string')) THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The scopes given were %s.', covara._report_cut(scopes::pg_catalog.text)),
				  HINT = 'Pass NULL for no scopes, or an array such as ''["read", "write"]''::jsonb.';
	END IF;
	IF expires_at OPERATOR(pg_catalog.<=) now_utc THEN
		RAISE EXCEPTION 'expires_at must be in the future'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('expires_at is %s and now is %s (UTC).',
								covara._report_cut(expires_at::pg_catalog.text), now_utc),
				  HINT = 'expires_at is a UTC wall-clock timestamp, e.g. (now() AT TIME ZONE ''UTC'') + interval ''90 days''; NULL means the key does not expire.';
	END IF;
	IF prefix IS NULL OR (prefix OPERATOR(pg_catalog.<>) ''
						  AND prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_-]{1,32}$') THEN
		RAISE EXCEPTION 'invalid API key prefix %',
			COALESCE(pg_catalog.quote_literal(covara._report_cut(prefix)), 'NULL')
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
	SELECT covara._auth_check_writable('covara.revoke_api_key()');
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
	SELECT covara._auth_check_writable('covara.rotate_api_key()');
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

