/* ---- 09-auth-sessions.sql: the auth flows' shared helpers, and sessions ---- */

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

/*
 * Reject a ttl unless it ends in the future: the flows store now (UTC) +
 * ttl, added with calendar arithmetic (a month is a calendar month, a year
 * a calendar year), so that instant is what is judged.  (Comparing the
 * interval with zero would count a month as 30 days and accept
 * '-1 year 361 days', which ends days ago.)  A ttl whose instant is beyond
 * the range of timestamp is refused as invalid too, not left to fail later
 * with 22008.  The subtransaction that catches that makes this PARALLEL
 * UNSAFE.
 */
CREATE FUNCTION covara._auth_check_ttl(ttl pg_catalog.interval)
RETURNS pg_catalog.void
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	expires_at	pg_catalog.timestamp;
BEGIN
	IF ttl IS NOT NULL THEN
		BEGIN
			expires_at := now_utc OPERATOR(pg_catalog.+) ttl;
		EXCEPTION WHEN datetime_field_overflow THEN
			RAISE EXCEPTION 'ttl is out of range'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = pg_catalog.format('now (UTC) + %s is outside the range of timestamp.',
									covara._report_cut(ttl::pg_catalog.text)),
					  HINT = 'Pass an interval such as interval ''30 days''.';
		END;
	END IF;
	IF ttl IS NULL OR NOT (expires_at OPERATOR(pg_catalog.>) now_utc) THEN
		RAISE EXCEPTION 'ttl must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN ttl IS NULL THEN 'The ttl given was NULL.'
							   ELSE pg_catalog.format('The ttl given was %s: now (UTC) + ttl is %s, not after now (%s).',
										covara._report_cut(ttl::pg_catalog.text), expires_at, now_utc) END,
				  HINT = 'Pass an interval such as interval ''30 days''. It is added to now with calendar arithmetic (a month is a calendar month, not 30 days), and the result must be in the future.';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) IS
'internal: raise invalid_parameter_value unless now (UTC) + ttl, with calendar arithmetic, is a timestamp after now';

-- Reject a NULL or empty text argument with a clear error.
CREATE FUNCTION covara._auth_check_text(val pg_catalog.text, arg pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF val IS NULL OR val OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION '% must not be null or empty', arg
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = pg_catalog.format('Pass %s as a non-empty string.', arg);
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) IS
'internal: raise invalid_parameter_value when val is NULL or empty';

-- Refuse a write flow where nothing can be written (a standby, a read-only
-- transaction), naming the flow, before it touches a table.
CREATE FUNCTION covara._auth_check_writable(flow pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF pg_catalog.current_setting('transaction_read_only') OPERATOR(pg_catalog.=) 'on' THEN
		IF pg_catalog.pg_is_in_recovery() THEN
			RAISE EXCEPTION '% cannot run on a read-only server', flow
				USING ERRCODE = 'read_only_sql_transaction',
					  DETAIL = pg_catalog.format('This server is a standby (in recovery) and accepts no writes; %s writes the auth tables.', flow),
					  HINT = 'Call it on the primary server: send auth writes to the primary''s connection, reads such as get_session() and verify_api_key() may go to a standby.';
		END IF;
		RAISE EXCEPTION '% cannot run in a read-only transaction', flow
			USING ERRCODE = 'read_only_sql_transaction',
				  DETAIL = pg_catalog.format('%s writes the auth tables.', flow),
				  HINT = 'Call it in a read-write transaction (the transaction was started READ ONLY, or default_transaction_read_only is on).';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_writable(pg_catalog.text) IS
'internal: raise read_only_sql_transaction, naming flow, in a read-only transaction (with the standby''s reason and a hint to use the primary during recovery)';

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
	PERFORM covara._auth_check_writable('covara.create_session()');
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
	PERFORM covara._auth_check_writable('covara.touch_session()');
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
	SELECT covara._auth_check_writable('covara.revoke_session()');
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
	SELECT covara._auth_check_writable('covara.revoke_user_sessions()');
	WITH gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s."userId" OPERATOR(pg_catalog.=) revoke_user_sessions.user_id
		RETURNING 1)
	SELECT pg_catalog.count(*)::pg_catalog.int4 FROM gone;
END;
COMMENT ON FUNCTION covara.revoke_user_sessions(pg_catalog.text) IS
'delete every session of user_id; returns how many there were';

