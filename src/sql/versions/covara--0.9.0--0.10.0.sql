/* covara--0.9.0--0.10.0.sql: operations */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.10.0'" to load this file. \quit

/*
 * What 0.10.0 changes in a database that has 0.9.0 (the install script is
 * built from src/sql/, which holds the same definitions).
 */

-- ---- auth write flows name themselves on a standby or in a read-only transaction ----

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

REVOKE ALL ON FUNCTION covara._auth_check_writable(pg_catalog.text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION covara.create_session(user_id pg_catalog.text, ttl pg_catalog.interval,
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

CREATE OR REPLACE FUNCTION covara.touch_session(id pg_catalog.text, ttl pg_catalog.interval)
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

CREATE OR REPLACE FUNCTION covara.revoke_session(id pg_catalog.text)
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

CREATE OR REPLACE FUNCTION covara.revoke_user_sessions(user_id pg_catalog.text)
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

CREATE OR REPLACE FUNCTION covara.create_api_key(user_id pg_catalog.text, name pg_catalog.text,
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

CREATE OR REPLACE FUNCTION covara.revoke_api_key(id pg_catalog.text)
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

CREATE OR REPLACE FUNCTION covara.rotate_api_key(id pg_catalog.text)
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

CREATE OR REPLACE FUNCTION covara.issue_verification_token(identifier pg_catalog.text, ttl pg_catalog.interval)
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

CREATE OR REPLACE FUNCTION covara.consume_verification_token(identifier pg_catalog.text, token pg_catalog.text)
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

CREATE OR REPLACE FUNCTION covara.purge_expired(batch_size pg_catalog.int4 DEFAULT 10000)
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

-- ---- search on logical replication subscribers ----

/*
 * attach_search(..., replicated): the sync trigger ENABLE ALWAYS for rows a
 * subscription applies, kept by a second call (which used to re-create it
 * as an ordinary trigger).  A new parameter: drop and create.
 */
DROP FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig, pg_catalog.name[]);
CREATE FUNCTION covara.attach_search(source pg_catalog.regclass,
									 index_name pg_catalog.text,
									 fields pg_catalog.jsonb,
									 id_column pg_catalog.name DEFAULT 'id',
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english',
									 display pg_catalog.name[] DEFAULT NULL,
									 replicated pg_catalog.bool DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass;
	-- the sync trigger's pg_trigger.tgenabled: 'O' fires for the session's
	-- own writes only, 'A' also for those a logical replication subscription
	-- applies (session_replication_role = replica); NULL replicated keeps
	-- what an existing attachment has
	enabled pg_catalog."char" := CASE WHEN replicated THEN 'A' ELSE 'O' END;
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	lang pg_catalog.text;
	specs pg_catalog.text[];
	keep pg_catalog.text[];
	args pg_catalog.text[];
	missing pg_catalog.text;
	owner pg_catalog.oid;
	prev pg_catalog.record;
	nrows pg_catalog.int8;
BEGIN
	IF source IS NULL OR id_column IS NULL OR language IS NULL THEN
		RAISE EXCEPTION 'source, id_column and language must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- The backfill reads the rows committed when it starts, after the lock
	-- below; a snapshot from before the lock would miss those committed in
	-- between, which no trigger writes either.
	IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
		RAISE EXCEPTION 'covara.attach_search() must run in a READ COMMITTED transaction'
			USING ERRCODE = 'invalid_transaction_state',
				  DETAIL = pg_catalog.format('Under %s isolation the backfill would read a snapshot older than its lock on the table, and rows other sessions commit in between would be missing from the index.',
											 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
				  HINT = 'Call it in a transaction of its own or one begun with BEGIN ISOLATION LEVEL READ COMMITTED (the default).';
	END IF;
	idx := covara.search_index_table(index_name);
	IF source OPERATOR(pg_catalog.=) idx THEN
		RAISE EXCEPTION 'table % is the search index "%" itself', source, index_name
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT n.nspname, c.relname INTO idx_nsp, idx_tbl
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) idx;
	IF pg_catalog.array_position(display, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'display must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Name each display column, or pass NULL for none.';
	END IF;
	SELECT col.name INTO missing
	  FROM pg_catalog.unnest(ARRAY[id_column] OPERATOR(pg_catalog.||) COALESCE(display, '{}'))
		   WITH ORDINALITY AS col(name, i)
	 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
					   WHERE a.attrelid OPERATOR(pg_catalog.=) source
						 AND a.attname OPERATOR(pg_catalog.=) col.name
						 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
	 ORDER BY col.i
	 LIMIT 1;
	IF missing OPERATOR(pg_catalog.=) id_column::pg_catalog.text THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'Name the column that identifies a row with id_column; its text form becomes doc_id.';
	ELSIF missing IS NOT NULL THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', missing, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'display names columns of the table that the index keeps, whole, for showing results.';
	END IF;
	SELECT pg_catalog.format('%I.%I', cn.nspname, cfg.cfgname) INTO lang
	  FROM pg_catalog.pg_ts_config cfg
	  JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) cfg.cfgnamespace
	 WHERE cfg.oid OPERATOR(pg_catalog.=) language;

	IF fields IS NULL THEN
		-- every text, varchar, char, array-of-those or jsonb column but the id
		SELECT pg_catalog.array_agg(
				 CASE WHEN a.attname OPERATOR(pg_catalog.~) '^[^.:"=]+$' THEN a.attname::pg_catalog.text
					  ELSE '"' OPERATOR(pg_catalog.||) pg_catalog.replace(a.attname, '"', '""') OPERATOR(pg_catalog.||) '"'
				 END OPERATOR(pg_catalog.||) ':D' ORDER BY a.attnum)
		  INTO specs
		  FROM pg_catalog.pg_attribute a
		  JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
		 WHERE a.attrelid OPERATOR(pg_catalog.=) source
		   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
		   AND a.attname OPERATOR(pg_catalog.<>) id_column
		   AND pg_catalog.array_position(
				 ARRAY['pg_catalog.text', 'pg_catalog.varchar', 'pg_catalog.bpchar',
					   'pg_catalog._text', 'pg_catalog._varchar', 'pg_catalog._bpchar',
					   'pg_catalog.jsonb']::pg_catalog.regtype[],
				 (CASE WHEN ty.typbasetype OPERATOR(pg_catalog.<>) 0 THEN ty.typbasetype
					   ELSE ty.oid END)::pg_catalog.regtype) IS NOT NULL;
		IF specs IS NULL THEN
			RAISE EXCEPTION 'table % has no text, text[] or jsonb column to index', source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the fields to index, e.g. {"title": "A", "body": "B"}.';
		END IF;
	ELSE
		specs := covara.search_field_args(fields, '');
	END IF;
	-- the index keeps the id, the fields and the display columns (each once)
	SELECT pg_catalog.array_agg(k.name ORDER BY k.i) INTO keep
	  FROM (SELECT DISTINCT ON (c.name) c.name, c.i
			  FROM pg_catalog.unnest(ARRAY[id_column::pg_catalog.text]
									 OPERATOR(pg_catalog.||) COALESCE(display::pg_catalog.text[], '{}'))
				   WITH ORDINALITY AS c(name, i)
			 ORDER BY c.name, c.i) AS k;
	args := ARRAY[idx_nsp, idx_tbl, id_column::pg_catalog.text, lang] OPERATOR(pg_catalog.||) specs
			OPERATOR(pg_catalog.||) 'store=fields'::pg_catalog.text
			OPERATOR(pg_catalog.||) ARRAY(SELECT 'display=' OPERATOR(pg_catalog.||) k.name
											FROM pg_catalog.unnest(keep[2:]) WITH ORDINALITY AS k(name, i)
										   ORDER BY k.i);

	-- the sync trigger writes the index only for a table whose owner may
	SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source;
	SELECT pg_catalog.min(p.priv) INTO missing
	  FROM pg_catalog.unnest(ARRAY['DELETE', 'INSERT', 'UPDATE']) AS p(priv)
	 WHERE NOT pg_catalog.has_table_privilege(owner, idx, p.priv);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'the owner of table % may not write search index "%"', source, index_name
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role %s lacks the %s privilege on the index table %s.',
											 owner::pg_catalog.regrole, missing, idx),
				  HINT = 'The index''s owner lets a table feed the index by granting INSERT, UPDATE and DELETE on the index table to the table''s owner.';
	END IF;

	-- one attach_search per table at a time, and no writer between the
	-- trigger's creation and the backfill's snapshot
	EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);

	SELECT t.tgfoid, t.tgtype, t.tgparentid, t.tgenabled, covara.trigger_arguments(t.oid) AS args INTO prev
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF FOUND THEN
		IF prev.tgfoid OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
			RAISE EXCEPTION 'trigger "%" on table % already exists and is not covara''s', tg, source
				USING ERRCODE = 'duplicate_object';
		END IF;
		IF replicated IS NULL THEN
			enabled := prev.tgenabled;	-- ENABLE ALWAYS, REPLICA or DISABLE stays
		END IF;
		IF prev.args OPERATOR(pg_catalog.=) args AND prev.tgtype OPERATOR(pg_catalog.=) 29
		   AND prev.tgenabled OPERATOR(pg_catalog.=) enabled THEN
			RETURN 0;			-- attached exactly so already
		END IF;
		IF prev.tgparentid OPERATOR(pg_catalog.<>) 0 THEN
			RAISE EXCEPTION 'table % is a partition of a table attached to search index "%"', source, index_name
				USING ERRCODE = 'wrong_object_type',
					  DETAIL = pg_catalog.format('Its trigger %I is a clone of the trigger on partitioned table %s.',
												 tg, covara.search_root_trigger_table(prev.tgparentid)),
					  HINT = 'Attach the partitioned table instead; its partitions follow.';
		END IF;
		IF prev.args[1:2] OPERATOR(pg_catalog.<>) args[1:2] THEN
			RAISE EXCEPTION 'table % is attached to another search index named "%" (table %.%)',
				source, index_name, pg_catalog.quote_ident(prev.args[1]), pg_catalog.quote_ident(prev.args[2])
				USING ERRCODE = 'duplicate_object',
					  HINT = 'Detach it first with covara.detach_search(), with that index first on search_path.';
		END IF;
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', tg, source);
	END IF;

	-- ENABLE ALWAYS (REPLICA, DISABLE) TRIGGER is for the table's owner only
	IF enabled OPERATOR(pg_catalog.<>) 'O' AND NOT pg_catalog.pg_has_role(owner, 'USAGE') THEN
		RAISE EXCEPTION 'only the owner of table % can attach it for replicated rows', source
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Its sync trigger is to be %s, which takes ALTER TABLE; the table belongs to %s.',
											 CASE WHEN enabled OPERATOR(pg_catalog.=) 'A' THEN 'ENABLE ALWAYS'
												  WHEN enabled OPERATOR(pg_catalog.=) 'R' THEN 'ENABLE REPLICA'
												  ELSE 'DISABLE' END,
											 owner::pg_catalog.regrole),
				  HINT = 'Call it as the table''s owner, or with replicated => false for an ordinary trigger.';
	END IF;
	-- a subscription that also applies the index table's rows collides with
	-- the documents the trigger writes from the replicated source rows
	IF enabled OPERATOR(pg_catalog.=) ANY ('{A,R}'::pg_catalog."char"[]) THEN
		SELECT s.subname INTO missing
		  FROM pg_catalog.pg_subscription_rel r
		  JOIN pg_catalog.pg_subscription s ON s.oid OPERATOR(pg_catalog.=) r.srsubid
		 WHERE r.srrelid OPERATOR(pg_catalog.=) idx
		 ORDER BY s.subname
		 LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'search index table % is replicated by subscription "%"', idx, missing
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'The documents the sync trigger writes for replicated source rows would collide with the replicated documents.',
					  HINT = 'Publish the source tables only: drop the index table from the publication and run ALTER SUBSCRIPTION ... REFRESH PUBLICATION on this server.';
		END IF;
	END IF;

	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger(%s)',
							  tg, source,
							  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
								 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	IF enabled OPERATOR(pg_catalog.<>) 'O' THEN
		-- (a partitioned table's partitions follow, now and when added)
		EXECUTE pg_catalog.format('ALTER TABLE %s %s TRIGGER %I', source,
								  CASE WHEN enabled OPERATOR(pg_catalog.=) 'A' THEN 'ENABLE ALWAYS'
									   WHEN enabled OPERATOR(pg_catalog.=) 'R' THEN 'ENABLE REPLICA'
									   ELSE 'DISABLE' END,
								  tg);
	END IF;
	PERFORM covara.check_search_trigger(source, tg::pg_catalog.name);

	-- backfill: the rows as the trigger would write them
	EXECUTE pg_catalog.format(
		'INSERT INTO %I.%I AS i (doc_id, source, search_vector) '
		'SELECT pg_catalog.format(''%%s'', s.%I), covara.search_source(pg_catalog.to_jsonb(s), $1, $3), '
		'       covara.search_vector(pg_catalog.to_jsonb(s), $1, $2) '
		'  FROM %s AS s WHERE s.%I IS NOT NULL '
		'ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, search_vector = excluded.search_vector',
		idx_nsp, idx_tbl, id_column, source, id_column)
		USING pg_catalog.to_jsonb(specs), language, keep;
	GET DIAGNOSTICS nrows = ROW_COUNT;
	-- move the backfill out of the GIN pending list, so that searches use the
	-- index at once (PostgreSQL lets only the index's owner do this)
	IF nrows OPERATOR(pg_catalog.>) 0 AND EXISTS (
			SELECT FROM pg_catalog.pg_class c
			 WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) '_search_idx'))
			   AND c.relam OPERATOR(pg_catalog.=) (SELECT am.oid FROM pg_catalog.pg_am am WHERE am.amname OPERATOR(pg_catalog.=) 'gin')
			   AND pg_catalog.pg_has_role(c.relowner, 'USAGE')) THEN
		PERFORM pg_catalog.gin_clean_pending_list(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) '_search_idx')::pg_catalog.regclass);
	END IF;
	RETURN nrows;
END
$covara$;
COMMENT ON FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig, pg_catalog.name[], pg_catalog.bool) IS
'keeps the search index in step with a table: an AFTER row trigger covara_sync_<index> writes inserts, updates (a changed id moves the document) and deletes to the index in the same transaction, storing as source the id, the fields and the display columns only; replicated true makes it fire also for rows a logical replication subscription applies (ENABLE ALWAYS), false for the session''s own writes only, NULL keeps what the attachment has; backfills the existing rows and returns how many; an identical second call changes nothing and returns 0; needs READ COMMITTED';
