-- covara auth flows: purge_expired, its retention rules and its batches.
-- (Skipping rows that other transactions hold locked is shown by the
-- isolation spec auth_purge.)
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(21);

SET LOCAL TimeZone = 'UTC';
SET LOCAL track_functions = 'all';

/*
 * The fixture, relative to now (UTC).  Names say what purge must do:
 * "gone-*" rows are deleted, "kept-*" rows stay.  It includes the smallest
 * possible keys ('' and -infinity), which a batch that starts "after" a
 * position would miss, and ties on "expiresAt".
 */
CREATE FUNCTION pg_temp.load_fixture() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	n timestamp := now() AT TIME ZONE 'UTC';
BEGIN
	DELETE FROM auth_sessions;
	DELETE FROM auth_verification_tokens;
	DELETE FROM auth_api_keys;
	INSERT INTO auth_sessions (id, "userId", "createdAt", "expiresAt") VALUES
		('', 'gone-minimal', n, '-infinity'),
		('gone-1', 'u', n, n - interval '1 microsecond'),
		('gone-2', 'u', n, n - interval '1 hour'),
		('gone-tie-a', 'u', n, n - interval '2 hours'),
		('gone-tie-b', 'u', n, n - interval '2 hours'),
		('gone-tie-c', 'u', n, n - interval '2 hours'),
		('kept-now', 'u', n, n),
		('kept-1', 'u', n, n + interval '1 minute'),
		('kept-2', 'u', n, 'infinity');
	INSERT INTO auth_verification_tokens (identifier, token, expires) VALUES
		('', '', n - interval '1 day'),
		('a@example.com', 'gone-1', n - interval '1 second'),
		('a@example.com', 'gone-2', n - interval '1 second'),
		('b@example.com', 'gone-3', '-infinity'),
		('b@example.com', 'kept-1', n + interval '1 second'),
		('c@example.com', 'kept-now', n),
		('d@example.com', 'kept-2', n + interval '1 day');
	INSERT INTO auth_api_keys (id, "userId", name, "keyHash", "keyPrefix", "createdAt", "expiresAt", "revokedAt") VALUES
		('', 'u', 'gone-minimal', 'h', 'p', n, NULL, n - interval '40 days'),
		('0000000000000001', 'u', 'gone-revoked-31-days', 'h', 'p', n, NULL, n - interval '31 days'),
		('0000000000000002', 'u', 'gone-expired-31-days', 'h', 'p', n, n - interval '31 days', NULL),
		('0000000000000003', 'u', 'gone-expired-long-revoked-lately', 'h', 'p', n, n - interval '31 days', n - interval '1 day'),
		('0000000000000004', 'u', 'kept-revoked-29-days', 'h', 'p', n, NULL, n - interval '29 days'),
		('0000000000000005', 'u', 'kept-revoked-exactly-30-days', 'h', 'p', n, NULL, n - interval '30 days'),
		('0000000000000006', 'u', 'kept-expired-1-day', 'h', 'p', n, n - interval '1 day', NULL),
		('0000000000000007', 'u', 'kept-live', 'h', 'p', n, NULL, NULL),
		('0000000000000008', 'u', 'kept-live-expiring', 'h', 'p', n, n + interval '1 day', NULL);
END
$$;

CREATE FUNCTION pg_temp.survivors() RETURNS TABLE(t text, label text) LANGUAGE sql AS $$
	SELECT 'sessions', id FROM auth_sessions
	UNION ALL SELECT 'tokens', token FROM auth_verification_tokens
	UNION ALL SELECT 'keys', name FROM auth_api_keys
$$;

CREATE TEMP TABLE expected_survivors (t text, label text);
INSERT INTO expected_survivors VALUES
	('sessions', 'kept-now'), ('sessions', 'kept-1'), ('sessions', 'kept-2'),
	('tokens', 'kept-1'), ('tokens', 'kept-now'), ('tokens', 'kept-2'),
	('keys', 'kept-revoked-29-days'), ('keys', 'kept-revoked-exactly-30-days'),
	('keys', 'kept-expired-1-day'), ('keys', 'kept-live'), ('keys', 'kept-live-expiring');

CREATE TEMP TABLE expected_counts (table_name text, deleted bigint);
INSERT INTO expected_counts VALUES
	('auth_sessions', 6), ('auth_verification_tokens', 4), ('auth_api_keys', 4);

-- Calls of each batch helper in this transaction so far.
CREATE FUNCTION pg_temp.batch_calls() RETURNS TABLE(helper name, calls bigint) LANGUAGE sql AS $$
	SELECT f.funcname, f.calls FROM pg_stat_xact_user_functions f
	 WHERE f.schemaname = 'covara' AND f.funcname LIKE '\_auth\_purge\_%\_batch'
	 ORDER BY f.funcname
$$;

-- one purge with the default batch size ---------------------------------------
SELECT pg_temp.load_fixture();
SELECT results_eq($$SELECT * FROM covara.purge_expired()$$, $$SELECT * FROM expected_counts$$,
	'purge_expired() reports what it deleted, per table');
SELECT set_eq($$SELECT * FROM pg_temp.survivors()$$, $$SELECT * FROM expected_survivors$$,
	'expired sessions and tokens are gone, API keys only 30 days after revocation or expiry');
SELECT results_eq($$SELECT * FROM pg_temp.batch_calls()$$,
	$$VALUES ('_auth_purge_api_keys_batch'::name, 1::bigint), ('_auth_purge_sessions_batch', 1), ('_auth_purge_tokens_batch', 1)$$,
	'with the default batch size each table takes one batch');
SELECT results_eq($$SELECT * FROM covara.purge_expired()$$,
	$$VALUES ('auth_sessions'::text, 0::bigint), ('auth_verification_tokens', 0), ('auth_api_keys', 0)$$,
	'a second purge finds nothing');

-- small batches ------------------------------------------------------------------
SELECT pg_temp.load_fixture();
SELECT results_eq($$SELECT * FROM covara.purge_expired(2)$$, $$SELECT * FROM expected_counts$$,
	'purge_expired(2) deletes the same rows');
SELECT set_eq($$SELECT * FROM pg_temp.survivors()$$, $$SELECT * FROM expected_survivors$$,
	'and leaves the same rows');
/*
 * Sessions: 6 expired rows in the "expiresAt" index -> batches of 2, 2, 2
 * and an empty one.  Tokens: 7 rows in primary-key order -> 2, 2, 2, 1.
 * API keys: 9 rows -> 2, 2, 2, 2, 1.  Added to the two calls each of the
 * two purges above.
 */
SELECT results_eq($$SELECT * FROM pg_temp.batch_calls()$$,
	$$VALUES ('_auth_purge_api_keys_batch'::name, 7::bigint), ('_auth_purge_sessions_batch', 6), ('_auth_purge_tokens_batch', 6)$$,
	'purge_expired(2) works in batches of at most 2 rows');

SELECT pg_temp.load_fixture();
SELECT results_eq($$SELECT * FROM covara.purge_expired(1)$$, $$SELECT * FROM expected_counts$$,
	'purge_expired(1) deletes the same rows');
SELECT set_eq($$SELECT * FROM pg_temp.survivors()$$, $$SELECT * FROM expected_survivors$$,
	'one row at a time, including ties and the smallest keys');

-- many rows, many ties ---------------------------------------------------------
DELETE FROM auth_sessions;
DELETE FROM auth_verification_tokens;
INSERT INTO auth_sessions (id, "userId", "createdAt", "expiresAt")
SELECT 's' || g, 'u', now() AT TIME ZONE 'UTC',
	   (now() AT TIME ZONE 'UTC') + CASE WHEN g % 3 = 0 THEN interval '1 hour' ELSE - interval '1 hour' * (g % 7) - interval '1 second' END
  FROM generate_series(1, 3000) g;
INSERT INTO auth_verification_tokens (identifier, token, expires)
SELECT 'i' || (g % 50), 't' || g, (now() AT TIME ZONE 'UTC') + CASE WHEN g % 4 = 0 THEN interval '1 hour' ELSE interval '-1 hour' END
  FROM generate_series(1, 3000) g;
SELECT results_eq($$SELECT * FROM covara.purge_expired(128)$$,
	$$VALUES ('auth_sessions'::text, 2000::bigint), ('auth_verification_tokens', 2250), ('auth_api_keys', 0)$$,
	'3000 sessions with 7 distinct expiry times and 3000 tokens, in batches of 128');
SELECT is((SELECT count(*)::int FROM auth_sessions WHERE "expiresAt" < (now() AT TIME ZONE 'UTC')), 0, 'no expired session is left');
SELECT is((SELECT count(*)::int FROM auth_sessions), 1000, 'every live session is left');
SELECT is((SELECT count(*)::int FROM auth_verification_tokens), 750, 'every live token is left');

-- arguments --------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM covara.purge_expired(0)$$, '22023', 'batch_size must be a positive integer', 'batch_size 0 is rejected');
SELECT throws_ok($$SELECT * FROM covara.purge_expired(-1)$$, '22023', 'batch_size must be a positive integer', 'a negative batch_size is rejected');
SELECT throws_ok($$SELECT * FROM covara.purge_expired(NULL)$$, '22023', 'batch_size must be a positive integer', 'a NULL batch_size is rejected');

-- identical results under three TimeZone settings ---------------------------
CREATE FUNCTION pg_temp.purge_probe(tz text)
RETURNS TABLE(t text, label text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_temp.load_fixture();
	PERFORM set_config('TimeZone', tz, true);
	RETURN QUERY SELECT p.table_name, p.deleted::text FROM covara.purge_expired(3) p;
	PERFORM set_config('TimeZone', 'UTC', true);
	RETURN QUERY SELECT * FROM pg_temp.survivors() s ORDER BY s.t, s.label;
END
$$;
SELECT results_eq($$SELECT * FROM pg_temp.purge_probe('UTC')$$,
	$$SELECT table_name, deleted::text FROM expected_counts UNION ALL (SELECT * FROM expected_survivors ORDER BY 1, 2)$$,
	'purge under TimeZone UTC');
SELECT results_eq($$SELECT * FROM pg_temp.purge_probe('America/Los_Angeles')$$,
	$$SELECT table_name, deleted::text FROM expected_counts UNION ALL (SELECT * FROM expected_survivors ORDER BY 1, 2)$$,
	'identical under TimeZone America/Los_Angeles');
SELECT results_eq($$SELECT * FROM pg_temp.purge_probe('Pacific/Kiritimati')$$,
	$$SELECT table_name, deleted::text FROM expected_counts UNION ALL (SELECT * FROM expected_survivors ORDER BY 1, 2)$$,
	'identical under TimeZone Pacific/Kiritimati');

-- markings ---------------------------------------------------------------------------
SELECT ok((SELECT p.prosecdef AND p.provolatile = 'v' AND p.proconfig = '{"search_path=pg_catalog, pg_temp"}'
			 FROM pg_proc p WHERE p.oid = 'covara.purge_expired(integer)'::regprocedure),
	'purge_expired is VOLATILE SECURITY DEFINER with search_path pinned');
SELECT is((SELECT pg_get_function_arguments('covara.purge_expired(integer)'::regprocedure)),
	'batch_size integer DEFAULT 10000', 'batch_size defaults to 10000');

SELECT * FROM finish();
ROLLBACK;
