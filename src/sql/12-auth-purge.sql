/* ---- 12-auth-purge.sql: purging what has expired ---- */

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
	PERFORM covara._auth_check_writable('covara.purge_expired()');
	IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<) 1 THEN
		RAISE EXCEPTION 'batch_size must be a positive integer'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The batch_size given was %s.',
								COALESCE(covara._report_cut(batch_size::pg_catalog.text), 'NULL')),
				  HINT = 'Pass the most rows one statement may delete, e.g. 10000 (the default).';
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

