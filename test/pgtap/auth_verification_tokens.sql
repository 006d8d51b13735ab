-- covara auth flows: verification tokens (issue_verification_token,
-- consume_verification_token), edge cases, and identical results under
-- three TimeZone settings.  Concurrency is in the isolation specs and the
-- load test.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(36);

SET LOCAL TimeZone = 'UTC';
CREATE TEMP VIEW now_utc AS SELECT (now() AT TIME ZONE 'UTC') AS t;

-- issue_verification_token ---------------------------------------------------
SELECT covara.issue_verification_token('ann@example.com', '15 minutes') AS tok \gset

SELECT matches(:'tok'::text, '^[A-Za-z0-9_-]{43}$', 'the token is 43 characters of base64url');
SELECT results_eq($$SELECT identifier, token, expires FROM auth_verification_tokens$$,
	format($$SELECT 'ann@example.com'::text, encode(sha256(convert_to(%L, 'UTF8')), 'hex'), t + interval '15 minutes' FROM now_utc$$, :'tok'),
	'only the SHA-256 hex of the token is stored, expiring at now (UTC) + ttl');
SELECT is_empty(format('SELECT FROM auth_verification_tokens WHERE token = %L', :'tok'), 'the plain token is not stored');

SELECT covara.issue_verification_token('bob@example.com', '1 hour') AS bob_tok \gset
SELECT covara.issue_verification_token('ann@example.com', '15 minutes') AS tok2 \gset
SELECT isnt(:'tok2'::text, :'tok'::text, 'a new issue gives a new token');
SELECT is((SELECT count(*)::int FROM auth_verification_tokens WHERE identifier = 'ann@example.com'), 1,
	'issuing removes the identifier''s earlier tokens');
SELECT is((SELECT count(*)::int FROM auth_verification_tokens WHERE identifier = 'bob@example.com'), 1,
	'other identifiers'' tokens stay');
SELECT ok(NOT covara.consume_verification_token('ann@example.com', :'tok'), 'the replaced token no longer works');

SELECT throws_ok($$SELECT covara.issue_verification_token(NULL, '1 hour')$$, '22023',
	'identifier must not be null or empty', 'a NULL identifier is rejected');
SELECT throws_ok($$SELECT covara.issue_verification_token('', '1 hour')$$, '22023',
	'identifier must not be null or empty', 'an empty identifier is rejected');
SELECT throws_ok($$SELECT covara.issue_verification_token('x@example.com', NULL)$$, '22023',
	'ttl must be a positive interval', 'a NULL ttl is rejected');
SELECT throws_ok($$SELECT covara.issue_verification_token('x@example.com', '0 seconds')$$, '22023',
	'ttl must be a positive interval', 'a zero ttl is rejected');
SELECT throws_ok($$SELECT covara.issue_verification_token('x@example.com', '-1 day')$$, '22023',
	'ttl must be a positive interval', 'a negative ttl is rejected');
SELECT is_empty($$SELECT FROM auth_verification_tokens WHERE identifier = 'x@example.com'$$, 'rejected calls stored nothing');

-- consume_verification_token --------------------------------------------------
SELECT ok(NOT covara.consume_verification_token('ann@example.com', :'tok2' || 'x'), 'a wrong token gives false');
SELECT ok(NOT covara.consume_verification_token('bob@example.com', :'tok2'), 'another identifier''s token gives false');
SELECT ok(NOT covara.consume_verification_token('ANN@example.com', :'tok2'), 'identifiers are compared exactly');
SELECT ok(NOT covara.consume_verification_token('ann@example.com', upper(:'tok2')), 'tokens are compared exactly');
SELECT ok(NOT covara.consume_verification_token('ann@example.com',
	(SELECT token FROM auth_verification_tokens WHERE identifier = 'ann@example.com')),
	'the stored hash itself is not a token');
SELECT is((SELECT count(*)::int FROM auth_verification_tokens WHERE identifier = 'ann@example.com'), 1,
	'failed attempts leave the token in place');
SELECT ok(covara.consume_verification_token('ann@example.com', :'tok2'), 'the right token gives true');
SELECT is_empty($$SELECT FROM auth_verification_tokens WHERE identifier = 'ann@example.com'$$, 'and is removed');
SELECT ok(NOT covara.consume_verification_token('ann@example.com', :'tok2'), 'a second use gives false');

SELECT ok(NOT covara.consume_verification_token(NULL, :'bob_tok'), 'a NULL identifier gives false');
SELECT ok(NOT covara.consume_verification_token('bob@example.com', NULL), 'a NULL token gives false');
SELECT ok(NOT covara.consume_verification_token('', ''), 'empty strings give false');
SELECT ok(NOT covara.consume_verification_token('bob@example.com', repeat('t', 1024 * 1024)), 'a 1 MB token gives false');
SELECT ok(covara.consume_verification_token('bob@example.com', :'bob_tok'), 'bob''s token still works after all that');

-- expiry, and rows written by other code (covara's Node side, hashing on)
INSERT INTO auth_verification_tokens (identifier, token, expires)
SELECT 'expired@example.com', encode(sha256(convert_to('expired-token', 'UTF8')), 'hex'), t - interval '1 second' FROM now_utc
UNION ALL
SELECT 'now@example.com', encode(sha256(convert_to('now-token', 'UTF8')), 'hex'), t FROM now_utc
UNION ALL
SELECT 'soon@example.com', encode(sha256(convert_to('soon-token', 'UTF8')), 'hex'), t + interval '1 microsecond' FROM now_utc
UNION ALL
SELECT 'plain@example.com', 'plain-token', t + interval '1 hour' FROM now_utc;

SELECT ok(NOT covara.consume_verification_token('expired@example.com', 'expired-token'), 'an expired token gives false');
SELECT is_empty($$SELECT FROM auth_verification_tokens WHERE identifier = 'expired@example.com'$$, 'and is removed');
SELECT ok(NOT covara.consume_verification_token('now@example.com', 'now-token'), 'a token expiring exactly now gives false');
SELECT ok(covara.consume_verification_token('soon@example.com', 'soon-token'),
	'a token written by other code, expiring a microsecond from now, gives true');
SELECT ok(NOT covara.consume_verification_token('plain@example.com', 'plain-token'),
	'a token stored unhashed (Node with hashing off) is not accepted');

-- identical results under three TimeZone settings ---------------------------
CREATE FUNCTION pg_temp.token_probe(tz text)
RETURNS TABLE(observation text, value text)
LANGUAGE plpgsql AS $$
DECLARE
	n timestamp := now() AT TIME ZONE 'UTC';
	tok text;
BEGIN
	PERFORM set_config('TimeZone', tz, true);
	DELETE FROM auth_verification_tokens;
	INSERT INTO auth_verification_tokens VALUES
		('past', covara.hash_token('p'), n - interval '1 hour'),
		('future', covara.hash_token('f'), n + interval '1 hour');
	tok := covara.issue_verification_token('tz@example.com', '2 hours');
	RETURN QUERY
		SELECT 'expires - now_utc', (expires - n)::text FROM auth_verification_tokens WHERE identifier = 'tz@example.com'
		UNION ALL SELECT 'consume new', covara.consume_verification_token('tz@example.com', tok)::text
		UNION ALL SELECT 'consume past', covara.consume_verification_token('past', 'p')::text
		UNION ALL SELECT 'consume future', covara.consume_verification_token('future', 'f')::text;
	RETURN QUERY
		SELECT 'left', count(*)::text FROM auth_verification_tokens;
	PERFORM set_config('TimeZone', 'UTC', true);
END
$$;

CREATE TEMP TABLE token_probe_expected (observation text, value text);
INSERT INTO token_probe_expected VALUES
	('expires - now_utc', '02:00:00'), ('consume new', 'true'), ('consume past', 'false'),
	('consume future', 'true'), ('left', '0');

SELECT results_eq($$SELECT * FROM pg_temp.token_probe('UTC')$$,
	$$SELECT * FROM token_probe_expected$$, 'verification tokens under TimeZone UTC');
SELECT results_eq($$SELECT * FROM pg_temp.token_probe('America/Los_Angeles')$$,
	$$SELECT * FROM token_probe_expected$$, 'identical under TimeZone America/Los_Angeles');
SELECT results_eq($$SELECT * FROM pg_temp.token_probe('Pacific/Kiritimati')$$,
	$$SELECT * FROM token_probe_expected$$, 'identical under TimeZone Pacific/Kiritimati');

-- markings -------------------------------------------------------------------
SELECT is(
	(SELECT array_agg(p.proname || ':' || p.provolatile::text || ':' || p.proisstrict || ':' || p.prosecdef ORDER BY p.proname)
	   FROM pg_proc p
	  WHERE p.pronamespace = 'covara'::regnamespace
		AND p.proname IN ('issue_verification_token', 'consume_verification_token')),
	ARRAY['consume_verification_token:v:false:true', 'issue_verification_token:v:false:true'],
	'token functions: volatility, strictness, SECURITY DEFINER');

SELECT * FROM finish();
ROLLBACK;
