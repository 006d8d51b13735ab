-- covara auth flows: every ttl is judged by the instant it produces.  A
-- flow that takes a ttl stores now (UTC) + ttl, added with calendar
-- arithmetic (a month is a calendar month, a year a calendar year), so a ttl
-- is accepted exactly when that instant is after now: comparing intervals
-- (which counts a month as 30 days) would accept '-1 year 361 days', which
-- ends four or five days ago, and refuse '1 year -364 days', which ends a day
-- or two from now.  Every interval here gives the same answer on any date.
-- A refused call changes nothing.
--
-- One transaction, so now() is one instant throughout.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(33);

SET LOCAL TimeZone = 'UTC';
CREATE TEMP VIEW now_utc AS SELECT (now() AT TIME ZONE 'UTC') AS t;

-- How a call ended: 'ok', or its SQLSTATE and message, and whether it had a
-- HINT.
CREATE FUNCTION pg_temp.outcome(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; hint text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || CASE WHEN hint <> '' THEN ' (HINT)' ELSE ' (no HINT)' END;
END $$;

-- create_session --------------------------------------------------------------
SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-refused', '-1 year 361 days')$$),
	'22023: ttl must be a positive interval (HINT)',
	'create_session refuses a ttl that ends in the past although it compares as positive (-1 year 361 days)');
SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-refused', '1 day -24 hours')$$),
	'22023: ttl must be a positive interval (HINT)',
	'create_session refuses a ttl that ends exactly now (1 day -24 hours)');
SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-refused', '300000 years')$$),
	'22023: ttl is out of range (HINT)',
	'create_session refuses a ttl beyond the range of timestamp with 22023, not a raw 22008');
SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-refused', '-300000 years')$$),
	'22023: ttl is out of range (HINT)',
	'... and one before the range of timestamp');
SELECT is_empty($$SELECT FROM auth_sessions WHERE "userId" = 'u-refused'$$,
	'the refused calls stored no session');

SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-year', '1 year -364 days')$$), 'ok',
	'create_session accepts a ttl that ends in the future although it compares as negative (1 year -364 days)');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE "userId" = 'u-year'),
	(SELECT t + interval '1 year -364 days' FROM now_utc),
	'... and stores expiresAt = now (UTC) + ttl');
SELECT isnt_empty($$SELECT * FROM auth_sessions s, covara.get_session(s.id) g WHERE s."userId" = 'u-year'$$,
	'... a live session');
SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-month', '1 month -27 days')$$), 'ok',
	'a month is a calendar month: 1 month -27 days is accepted in every month');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE "userId" = 'u-month'),
	(SELECT t + interval '1 month -27 days' FROM now_utc),
	'... and ends a calendar month less 27 days from now');

-- touch_session -----------------------------------------------------------------
SELECT covara.create_session('u-touch', '1 hour') AS sid \gset
SELECT is(pg_temp.outcome(format('SELECT covara.touch_session(%L, ''-1 year 361 days'')', :'sid')),
	'22023: ttl must be a positive interval (HINT)',
	'touch_session refuses a ttl that ends in the past (it would expire a live session)');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE id = :'sid'), (SELECT t + interval '1 hour' FROM now_utc),
	'... and the session keeps its expiry');
SELECT isnt_empty(format('SELECT * FROM covara.get_session(%L)', :'sid'), '... and stays live');
SELECT is(pg_temp.outcome(format('SELECT covara.touch_session(%L, ''1 day -24 hours'')', :'sid')),
	'22023: ttl must be a positive interval (HINT)',
	'touch_session refuses a ttl that ends exactly now');
SELECT is(pg_temp.outcome(format('SELECT covara.touch_session(%L, ''300000 years'')', :'sid')),
	'22023: ttl is out of range (HINT)',
	'touch_session refuses a ttl beyond the range of timestamp');
SELECT is(pg_temp.outcome($$SELECT covara.touch_session('no-such-session', '-1 year 361 days')$$),
	'22023: ttl must be a positive interval (HINT)',
	'the ttl is checked whether or not the session exists');
SELECT is(pg_temp.outcome(format('SELECT covara.touch_session(%L, ''1 year -364 days'')', :'sid')), 'ok',
	'touch_session accepts a ttl that ends in the future although it compares as negative');
SELECT is((SELECT "expiresAt" FROM auth_sessions WHERE id = :'sid'), (SELECT t + interval '1 year -364 days' FROM now_utc),
	'... and sets expiresAt = now (UTC) + ttl');

-- issue_verification_token -------------------------------------------------------
SELECT covara.issue_verification_token('ann@example.com', '1 hour') AS tok \gset
SELECT is(pg_temp.outcome($$SELECT covara.issue_verification_token('ann@example.com', '-1 year 361 days')$$),
	'22023: ttl must be a positive interval (HINT)',
	'issue_verification_token refuses a ttl that ends in the past (it would replace a live token with a dead one)');
SELECT is(pg_temp.outcome($$SELECT covara.issue_verification_token('ann@example.com', '1 day -24 hours')$$),
	'22023: ttl must be a positive interval (HINT)',
	'issue_verification_token refuses a ttl that ends exactly now');
SELECT is(pg_temp.outcome($$SELECT covara.issue_verification_token('ann@example.com', '300000 years')$$),
	'22023: ttl is out of range (HINT)',
	'issue_verification_token refuses a ttl beyond the range of timestamp');
SELECT is((SELECT array_agg(expires) FROM auth_verification_tokens WHERE identifier = 'ann@example.com'),
	(SELECT ARRAY[t + interval '1 hour'] FROM now_utc),
	'the refused issues left the earlier token as it was');
SELECT is(pg_temp.outcome($$SELECT covara.issue_verification_token('bob@example.com', '1 year -364 days')$$), 'ok',
	'issue_verification_token accepts a ttl that ends in the future although it compares as negative');
SELECT is((SELECT expires FROM auth_verification_tokens WHERE identifier = 'bob@example.com'),
	(SELECT t + interval '1 year -364 days' FROM now_utc),
	'... and stores expires = now (UTC) + ttl');
SELECT ok(covara.consume_verification_token('ann@example.com', :'tok'), 'the earlier token survived the refused issues');

-- create_api_key takes an instant (expires_at), judged as such ------------------
SELECT is(pg_temp.outcome($$SELECT covara.create_api_key('u-key', 'k', NULL,
			(now() AT TIME ZONE 'UTC') + interval '-1 year 361 days')$$),
	'22023: expires_at must be in the future (HINT)',
	'create_api_key refuses an expiry computed with an interval that ends in the past');
SELECT lives_ok($$SELECT covara.create_api_key('u-key', 'k', NULL,
			(now() AT TIME ZONE 'UTC') + interval '1 year -364 days')$$,
	'create_api_key accepts an expiry computed with an interval that ends in the future');
SELECT is((SELECT count(*)::int FROM auth_api_keys WHERE "userId" = 'u-key'), 1, 'one key was stored');

-- infinite intervals (PostgreSQL 17 and later) -----------------------------------
SELECT CASE WHEN current_setting('server_version_num')::int < 170000
	THEN skip('infinite intervals are new in PostgreSQL 17')
	ELSE is(pg_temp.outcome($$SELECT covara.create_session('u-refused', '-infinity')$$),
		'22023: ttl must be a positive interval (HINT)', 'create_session refuses -infinity') END;

-- NULL, zero and plain negative ttls, in every flow ------------------------------
SELECT is(pg_temp.outcome($$SELECT covara.create_session('u-refused', NULL)$$),
	'22023: ttl must be a positive interval (HINT)', 'a NULL ttl is refused with a HINT');
SELECT is(pg_temp.outcome(format('SELECT covara.touch_session(%L, ''0'')', :'sid')),
	'22023: ttl must be a positive interval (HINT)', 'a zero ttl is refused with a HINT');
SELECT is(pg_temp.outcome($$SELECT covara.issue_verification_token('x@example.com', '-1 second')$$),
	'22023: ttl must be a positive interval (HINT)', 'a negative ttl is refused with a HINT');
SELECT is_empty($$SELECT FROM auth_verification_tokens WHERE identifier = 'x@example.com'$$,
	'refused issues stored no token');

SELECT * FROM finish();
ROLLBACK;
