-- covara auth flows: sessions (create_session, get_session, touch_session,
-- revoke_session, revoke_user_sessions), their edge cases, and identical
-- results under three TimeZone settings.
--
-- The whole file is one transaction, so now() is the same instant
-- throughout and stored timestamps can be compared exactly.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(49);

SET LOCAL TimeZone = 'UTC';
CREATE TEMP VIEW now_utc AS SELECT (now() AT TIME ZONE 'UTC') AS t;

-- create_session ------------------------------------------------------------
SELECT covara.create_session('user-1', '1 hour', '{"theme": "dark", "n": 1}') AS sid \gset

SELECT matches(:'sid'::text, '^[A-Za-z0-9_-]{43}$', 'create_session returns a 43-character base64url id');
SELECT is((SELECT count(*)::int FROM auth_sessions), 1, 'create_session stores one row');
SELECT results_eq(
	$$SELECT "userId", "createdAt", "expiresAt", data::jsonb FROM auth_sessions$$,
	$$SELECT 'user-1'::text, t, t + interval '1 hour', '{"theme": "dark", "n": 1}'::jsonb FROM now_utc$$,
	'the row holds userId, createdAt = now (UTC), expiresAt = now + ttl, data as JSON text');
SELECT isnt(covara.create_session('user-1', '1 hour'), :'sid'::text, 'every session gets a fresh id');
SELECT is((SELECT data FROM auth_sessions WHERE id <> :'sid'), NULL::text, 'data defaults to NULL');

SELECT throws_ok($$SELECT covara.create_session(NULL, '1 hour')$$, '22023',
	'user_id must not be null or empty', 'create_session rejects a NULL user_id');
SELECT throws_ok($$SELECT covara.create_session('', '1 hour')$$, '22023',
	'user_id must not be null or empty', 'create_session rejects an empty user_id');
SELECT throws_ok($$SELECT covara.create_session('u', NULL)$$, '22023',
	'ttl must be a positive interval', 'create_session rejects a NULL ttl');
SELECT throws_ok($$SELECT covara.create_session('u', '0')$$, '22023',
	'ttl must be a positive interval', 'create_session rejects a zero ttl');
SELECT throws_ok($$SELECT covara.create_session('u', '-5 minutes')$$, '22023',
	'ttl must be a positive interval', 'create_session rejects a negative ttl');
SELECT throws_ok($$SELECT covara.create_session('u', '1 day -24 hours')$$, '22023',
	'ttl must be a positive interval', 'create_session rejects a ttl that ends exactly now');

-- get_session ---------------------------------------------------------------
SELECT results_eq(
	format('SELECT * FROM covara.get_session(%L)', :'sid'),
	format($$SELECT id, "userId", "createdAt", "expiresAt", data FROM auth_sessions WHERE id = %L$$, :'sid'),
	'get_session returns the live session''s row');
SELECT is((SELECT "userId" FROM covara.get_session(:'sid')), 'user-1', 'get_session columns are named as the table''s');

-- rows written by other code (covara's Drizzle session store) are read alike
INSERT INTO auth_sessions (id, "userId", "createdAt", "expiresAt", data)
SELECT 'drizzle-live', 'user-d', t - interval '1 day', t + interval '1 hour', '{"cart":[1,2]}' FROM now_utc
UNION ALL
SELECT 'drizzle-expired', 'user-d', t - interval '1 day', t - interval '1 second', NULL FROM now_utc
UNION ALL
SELECT 'expires-now', 'user-d', t - interval '1 day', t, NULL FROM now_utc
UNION ALL
SELECT 'expires-soon', 'user-d', t - interval '1 day', t + interval '1 microsecond', NULL FROM now_utc;

SELECT is((SELECT data FROM covara.get_session('drizzle-live')), '{"cart":[1,2]}',
	'get_session returns a row written by other code, data as stored');
SELECT is_empty($$SELECT * FROM covara.get_session('drizzle-expired')$$, 'an expired session is not returned');
SELECT is_empty($$SELECT * FROM covara.get_session('expires-now')$$, 'a session expiring exactly now is expired');
SELECT isnt_empty($$SELECT * FROM covara.get_session('expires-soon')$$, 'a session expiring a microsecond from now is live');
SELECT is_empty($$SELECT * FROM covara.get_session('no-such-session')$$, 'an unknown id gives no row');
SELECT is_empty($$SELECT * FROM covara.get_session(NULL)$$, 'NULL gives no row');
SELECT is_empty($$SELECT * FROM covara.get_session('')$$, 'an empty id gives no row');
SELECT is_empty($$SELECT * FROM covara.get_session(repeat('x', 1024 * 1024))$$, 'a 1 MB id gives no row');
SELECT is_empty(format('SELECT * FROM covara.get_session(%L)', upper(:'sid')),
	'ids are compared exactly (no case folding)');

-- touch_session -------------------------------------------------------------
SELECT ok(covara.touch_session(:'sid', '2 hours'), 'touch_session on a live session returns true');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE id = :'sid'), (SELECT t + interval '2 hours' FROM now_utc),
	'touch_session sets expiresAt = now (UTC) + ttl');
SELECT ok(covara.touch_session(:'sid', '5 minutes'), 'touch_session may also shorten');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE id = :'sid'), (SELECT t + interval '5 minutes' FROM now_utc),
	'touch_session set the shorter expiry');
SELECT ok(NOT covara.touch_session('drizzle-expired', '1 hour'), 'an expired session cannot be revived');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE id = 'drizzle-expired'), (SELECT t - interval '1 second' FROM now_utc),
	'the expired session is unchanged');
SELECT ok(NOT covara.touch_session('no-such-session', '1 hour'), 'touch_session of an unknown id returns false');
SELECT ok(NOT covara.touch_session(NULL, '1 hour'), 'touch_session(NULL) returns false');
SELECT throws_ok(format('SELECT covara.touch_session(%L, NULL)', :'sid'), '22023',
	'ttl must be a positive interval', 'touch_session rejects a NULL ttl');
SELECT throws_ok(format('SELECT covara.touch_session(%L, ''-1 hour'')', :'sid'), '22023',
	'ttl must be a positive interval', 'touch_session rejects a negative ttl');

-- revoke_session and revoke_user_sessions ------------------------------------
SELECT ok(covara.revoke_session(:'sid'), 'revoke_session returns true for an existing session');
SELECT is_empty(format('SELECT * FROM auth_sessions WHERE id = %L', :'sid'), 'revoke_session deletes the row');
SELECT ok(NOT covara.revoke_session(:'sid'), 'revoking it again returns false');
SELECT ok(NOT covara.revoke_session(NULL), 'revoke_session(NULL) returns false');
SELECT ok(covara.revoke_session('drizzle-expired'), 'revoke_session also deletes an expired session');

DO $$
BEGIN
	PERFORM covara.create_session('user-2', '1 hour');
	PERFORM covara.create_session('user-2', '1 day');
	PERFORM covara.create_session('user-3', '1 day');
END
$$;
SELECT is(covara.revoke_user_sessions('user-2'), 2, 'revoke_user_sessions returns the number deleted');
SELECT is((SELECT count(*)::int FROM auth_sessions WHERE "userId" = 'user-2'), 0, 'user-2 has no sessions left');
SELECT is((SELECT count(*)::int FROM auth_sessions WHERE "userId" = 'user-3'), 1, 'other users'' sessions stay');
SELECT is(covara.revoke_user_sessions('user-d'), 3, 'revoke_user_sessions counts expired sessions too');
SELECT is(covara.revoke_user_sessions('user-2'), 0, 'a user without sessions gives 0');
SELECT is(covara.revoke_user_sessions(NULL), 0, 'revoke_user_sessions(NULL) gives 0');
SELECT is(covara.revoke_user_sessions(''), 0, 'revoke_user_sessions('''') gives 0');

-- identical results under three TimeZone settings ---------------------------
/*
 * For each setting: create a session, read back what was stored, look up
 * sessions that expired an hour ago / expire in an hour (which a comparison
 * with local time instead of UTC gets wrong under UTC-8 or UTC+14), touch,
 * and revoke.  Returns one row per observation.
 */
CREATE FUNCTION pg_temp.session_probe(tz text)
RETURNS TABLE(observation text, value text)
LANGUAGE plpgsql AS $$
DECLARE
	n timestamp := now() AT TIME ZONE 'UTC';
	s text;
BEGIN
	PERFORM set_config('TimeZone', tz, true);
	DELETE FROM auth_sessions;
	INSERT INTO auth_sessions VALUES
		('past', 'u', n - interval '2 hours', n - interval '1 hour', NULL),
		('future', 'u', n - interval '2 hours', n + interval '1 hour', NULL);
	s := covara.create_session('tz-user', '90 minutes', '{"k": "v"}');
	RETURN QUERY
		SELECT 'createdAt - now_utc', ("createdAt" - n)::text FROM auth_sessions WHERE id = s
		UNION ALL SELECT 'expiresAt - now_utc', ("expiresAt" - n)::text FROM auth_sessions WHERE id = s
		UNION ALL SELECT 'get new', count(*)::text FROM covara.get_session(s)
		UNION ALL SELECT 'get past', count(*)::text FROM covara.get_session('past')
		UNION ALL SELECT 'get future', count(*)::text FROM covara.get_session('future')
		UNION ALL SELECT 'touch past', covara.touch_session('past', '1 hour')::text
		UNION ALL SELECT 'touch future', covara.touch_session('future', '3 hours')::text;
	RETURN QUERY
		SELECT 'future expiresAt - now_utc', ("expiresAt" - n)::text FROM auth_sessions WHERE id = 'future'
		UNION ALL SELECT 'revoke user', covara.revoke_user_sessions('u')::text;
	PERFORM set_config('TimeZone', 'UTC', true);
END
$$;

CREATE TEMP TABLE session_probe_expected (observation text, value text);
INSERT INTO session_probe_expected VALUES
	('createdAt - now_utc', '00:00:00'), ('expiresAt - now_utc', '01:30:00'),
	('get new', '1'), ('get past', '0'), ('get future', '1'),
	('touch past', 'false'), ('touch future', 'true'),
	('future expiresAt - now_utc', '03:00:00'), ('revoke user', '2');

SELECT results_eq($$SELECT * FROM pg_temp.session_probe('UTC')$$,
	$$SELECT * FROM session_probe_expected$$, 'sessions under TimeZone UTC');
SELECT results_eq($$SELECT * FROM pg_temp.session_probe('America/Los_Angeles')$$,
	$$SELECT * FROM session_probe_expected$$, 'identical under TimeZone America/Los_Angeles');
SELECT results_eq($$SELECT * FROM pg_temp.session_probe('Pacific/Kiritimati')$$,
	$$SELECT * FROM session_probe_expected$$, 'identical under TimeZone Pacific/Kiritimati');
SELECT is(current_setting('TimeZone'), 'UTC', 'the probes restored TimeZone');

-- markings -------------------------------------------------------------------
SELECT is(
	(SELECT array_agg(p.proname || ':' || p.provolatile::text || ':' || p.proisstrict || ':' || p.prosecdef ORDER BY p.proname)
	   FROM pg_proc p
	  WHERE p.pronamespace = 'covara'::regnamespace
		AND p.proname IN ('create_session', 'get_session', 'touch_session', 'revoke_session', 'revoke_user_sessions')),
	ARRAY['create_session:v:false:true', 'get_session:s:true:true', 'revoke_session:v:false:true',
		  'revoke_user_sessions:v:false:true', 'touch_session:v:false:true'],
	'session functions: volatility, strictness, SECURITY DEFINER');

SELECT * FROM finish();
ROLLBACK;
