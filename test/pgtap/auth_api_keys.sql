-- covara auth flows: API keys (create_api_key, verify_api_key,
-- revoke_api_key, rotate_api_key), malformed and hostile input, "lastUsedAt"
-- bookkeeping, read-only transactions, and identical results under three
-- TimeZone settings.
--
-- One transaction: now() is the same instant throughout.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(77);

SET LOCAL TimeZone = 'UTC';
CREATE TEMP VIEW now_utc AS SELECT (now() AT TIME ZONE 'UTC') AS t;

-- create_api_key -------------------------------------------------------------
SELECT id AS kid, key AS k FROM covara.create_api_key('user-1', 'ci deploy', '["read", "write"]') \gset
SELECT split_part(:'k', '.', 2) AS secret \gset

SELECT matches(:'k'::text, '^cvk_[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$', 'the key is cvk_<16 hex>.<32 base64url>');
SELECT is(:'kid'::text, substr(:'k', 5, 16), 'the returned id is the id inside the key');
SELECT results_eq(
	format($$SELECT id, "userId", name, "keyHash", "keyPrefix", scopes, "createdAt", "expiresAt", "lastUsedAt", "revokedAt"
			   FROM auth_api_keys WHERE id = %L$$, :'kid'),
	format($$SELECT %L::text, 'user-1'::text, 'ci deploy'::text, encode(sha256(convert_to(%L, 'UTF8')), 'hex'),
				   'cvk_' || %L, '["read", "write"]'::jsonb, t, NULL::timestamp, NULL::timestamp, NULL::timestamp
			  FROM now_utc$$, :'kid', :'k', :'kid'),
	'the row: id, userId, name, keyHash = SHA-256 hex of the key, keyPrefix = cvk_<id>, scopes, createdAt = now (UTC)');
SELECT is_empty(format($$SELECT FROM auth_api_keys k WHERE row_to_json(k)::text LIKE '%%' || %L || '%%'$$, :'secret'),
	'the secret is stored nowhere');
SELECT isnt((SELECT id FROM covara.create_api_key('user-1', 'second')), :'kid'::text, 'each key gets a fresh id');

SELECT id AS live_kid, key AS live_k FROM covara.create_api_key('user-1', 'sk', NULL,
	(now() AT TIME ZONE 'UTC') + interval '90 days', 'sk_live') \gset
SELECT matches(:'live_k'::text, '^sk_live_[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$', 'a custom prefix may contain "_"');
SELECT is((SELECT "keyPrefix" FROM auth_api_keys WHERE id = :'live_kid'), 'sk_live_' || :'live_kid', 'keyPrefix is <prefix>_<id>');
SELECT is((SELECT "expiresAt" FROM auth_api_keys WHERE id = :'live_kid'), (SELECT t + interval '90 days' FROM now_utc),
	'expires_at is stored as given (UTC)');
SELECT is((SELECT scopes FROM auth_api_keys WHERE id = :'live_kid'), NULL::jsonb, 'scopes default to NULL');

SELECT id AS bare_kid, key AS bare_k FROM covara.create_api_key('user-1', 'bare', '[]', NULL, '') \gset
SELECT matches(:'bare_k'::text, '^[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$', 'prefix '''' gives a key without prefix');
SELECT is((SELECT "keyPrefix" FROM auth_api_keys WHERE id = :'bare_kid'), :'bare_kid'::text, 'its keyPrefix is the id');

SELECT throws_ok($$SELECT * FROM covara.create_api_key(NULL, 'n')$$, '22023', 'user_id must not be null or empty', 'NULL user_id is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('', 'n')$$, '22023', 'user_id must not be null or empty', 'empty user_id is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', NULL)$$, '22023', 'name must not be null', 'NULL name is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', '{"read": true}')$$, '22023',
	'scopes must be a JSON array of strings', 'scopes that are an object are rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', '["read", 1]')$$, '22023',
	'scopes must be a JSON array of strings', 'scopes with a non-string element are rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', '"read"')$$, '22023',
	'scopes must be a JSON array of strings', 'scopes that are a string are rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, (now() AT TIME ZONE 'UTC') - interval '1 second')$$, '22023',
	'expires_at must be in the future', 'an expiry in the past is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, (now() AT TIME ZONE 'UTC'))$$, '22023',
	'expires_at must be in the future', 'an expiry of exactly now is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, NULL)$$, '22023',
	'invalid API key prefix NULL', 'a NULL prefix is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, 'a.b')$$, '22023',
	'invalid API key prefix ''a.b''', 'a prefix with "." is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, 'has space')$$, '22023',
	'invalid API key prefix ''has space''', 'a prefix with a space is rejected');
SELECT throws_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, repeat('p', 33))$$, '22023',
	NULL, 'a prefix longer than 32 characters is rejected');
SELECT lives_ok($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, repeat('p', 32))$$,
	'a prefix of 32 characters is accepted');
SELECT is((SELECT count(*)::int FROM auth_api_keys WHERE "userId" = 'u'), 1, 'rejected calls stored nothing');

-- verify_api_key: the happy path and "lastUsedAt" ------------------------------
SELECT results_eq(format('SELECT * FROM covara.verify_api_key(%L)', :'k'),
	format($$VALUES (%L::text, 'user-1'::text, 'ci deploy'::text, '["read", "write"]'::jsonb, NULL::timestamp)$$, :'kid'),
	'verify_api_key returns id, userId, name, scopes, expiresAt of a valid key');
SELECT is((SELECT "lastUsedAt" FROM auth_api_keys WHERE id = :'kid'), (SELECT t FROM now_utc),
	'verify_api_key records lastUsedAt = now (UTC)');
SELECT is((SELECT "userId" FROM covara.verify_api_key(:'live_k')), 'user-1', 'a key with a custom prefix verifies');
SELECT is((SELECT "userId" FROM covara.verify_api_key(:'bare_k')), 'user-1', 'a key without prefix verifies');

UPDATE auth_api_keys SET "lastUsedAt" = (SELECT t - interval '59 seconds' FROM now_utc) WHERE id = :'kid';
SELECT isnt_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'k'), 'verifies again');
SELECT is((SELECT "lastUsedAt" FROM auth_api_keys WHERE id = :'kid'), (SELECT t - interval '59 seconds' FROM now_utc),
	'lastUsedAt less than a minute old is not rewritten');
UPDATE auth_api_keys SET "lastUsedAt" = (SELECT t - interval '60 seconds' FROM now_utc) WHERE id = :'kid';
SELECT isnt_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'k'), 'verifies again');
SELECT is((SELECT "lastUsedAt" FROM auth_api_keys WHERE id = :'kid'), (SELECT t FROM now_utc),
	'lastUsedAt a minute old is rewritten');
UPDATE auth_api_keys SET "lastUsedAt" = (SELECT t + interval '1 hour' FROM now_utc) WHERE id = :'kid';
SELECT isnt_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'k'), 'verifies with lastUsedAt in the future');
SELECT is((SELECT "lastUsedAt" FROM auth_api_keys WHERE id = :'kid'), (SELECT t + interval '1 hour' FROM now_utc),
	'a lastUsedAt in the future (another clock) is left alone');

-- a key made by other code (covara's Node side), hash computed independently
INSERT INTO auth_api_keys (id, "userId", name, "keyHash", "keyPrefix", scopes, "createdAt")
SELECT '0123456789abcdef', 'node-user', 'from node',
	   encode(sha256(convert_to('cvk_0123456789abcdef.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2Vj', 'UTF8')), 'hex'),
	   'cvk_0123456789abcdef', '["admin"]', t - interval '1 day'
  FROM now_utc;
SELECT is((SELECT "userId" FROM covara.verify_api_key('cvk_0123456789abcdef.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2Vj')),
	'node-user', 'a key written by other code verifies');

-- verify_api_key: everything that is not a valid key gives no row, no error --
CREATE TEMP TABLE bad_keys (label text, k text);
INSERT INTO bad_keys VALUES
	('NULL', NULL),
	('empty string', ''),
	('a dot', '.'),
	('no dot', replace(:'k', '.', '')),
	('empty secret', split_part(:'k', '.', 1) || '.'),
	('only the head', split_part(:'k', '.', 1)),
	('only the secret', '.' || :'secret'),
	('wrong prefix', 'xyz_' || :'kid' || '.' || :'secret'),
	('prefix of another key', 'sk_live_' || :'kid' || '.' || :'secret'),
	('prefix left out', :'kid' || '.' || :'secret'),
	('underscore left out', 'cvk' || :'kid' || '.' || :'secret'),
	('empty prefix with underscore', '_' || :'kid' || '.' || :'secret'),
	('prefix added to a bare key', 'cvk_' || :'bare_k'),
	('upper-case id', 'cvk_' || upper(:'kid') || '.' || :'secret'),
	('non-hex id', 'cvk_' || overlay(:'kid' placing 'g' from 1) || '.' || :'secret'),
	('id one digit short', 'cvk_' || substr(:'kid', 2) || '.' || :'secret'),
	('id one digit long', 'cvk_0' || :'kid' || '.' || :'secret'),
	('another id, this secret', 'cvk_0123456789abcdef.' || :'secret'),
	('secret changed', split_part(:'k', '.', 1) || '.' || overlay(:'secret' placing (CASE WHEN left(:'secret', 1) = 'A' THEN 'B' ELSE 'A' END) from 1)),
	('secret one character longer', :'k' || 'A'),
	('secret one character shorter', left(:'k', -1)),
	('trailing space', :'k' || ' '),
	('leading space', ' ' || :'k'),
	('trailing newline', :'k' || E'\n'),
	('upper-cased key', upper(:'k')),
	('two dots', :'k' || '.x'),
	('the stored hash', (SELECT "keyHash" FROM auth_api_keys WHERE id = :'kid')),
	('the keyPrefix', 'cvk_' || :'kid'),
	('unicode', 'ключ_' || :'kid' || '.' || :'secret'),
	('1 MB after a valid key', :'k' || repeat('A', 1024 * 1024)),
	('1 MB without a dot', repeat('a', 1024 * 1024)),
	('1 MB of dots', repeat('.', 1024 * 1024)),
	('1 MB prefix', repeat('p', 1024 * 1024) || '_' || :'kid' || '.' || :'secret'),
	('SQL in the key', 'cvk_' || :'kid' || ''' OR ''1''=''1.x'),
	('a LIKE pattern', 'cvk_%.%');

SELECT is((SELECT count(*)::int FROM bad_keys), 35, 'all hostile keys are in the table');
SELECT is_empty($$SELECT b.label FROM bad_keys b, covara.verify_api_key(b.k) v$$,
	'no malformed, mistyped or forged key verifies (and none raises an error)');
SELECT ok((SELECT bool_and(v IS NULL) FROM bad_keys b LEFT JOIN LATERAL covara.verify_api_key(b.k) v ON true),
	'each of them gives no row');

-- expired and revoked keys ---------------------------------------------------
UPDATE auth_api_keys SET "expiresAt" = (SELECT t FROM now_utc) WHERE id = :'live_kid';
SELECT is_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'live_k'), 'a key expiring exactly now does not verify');
UPDATE auth_api_keys SET "expiresAt" = (SELECT t - interval '1 day' FROM now_utc) WHERE id = :'live_kid';
SELECT is_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'live_k'), 'an expired key does not verify');
UPDATE auth_api_keys SET "expiresAt" = (SELECT t + interval '1 microsecond' FROM now_utc) WHERE id = :'live_kid';
SELECT isnt_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'live_k'), 'a key expiring a microsecond from now verifies');
SELECT is((SELECT "expiresAt" FROM covara.verify_api_key(:'live_k')), (SELECT t + interval '1 microsecond' FROM now_utc),
	'verify_api_key returns expiresAt');

SELECT ok(covara.revoke_api_key(:'bare_kid'), 'revoke_api_key returns true');
SELECT is((SELECT "revokedAt" FROM auth_api_keys WHERE id = :'bare_kid'), (SELECT t FROM now_utc), 'revokedAt = now (UTC)');
SELECT is_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'bare_k'), 'a revoked key does not verify');
SELECT ok(NOT covara.revoke_api_key(:'bare_kid'), 'revoking again returns false');
SELECT is((SELECT "revokedAt" FROM auth_api_keys WHERE id = :'bare_kid'), (SELECT t FROM now_utc), 'and leaves revokedAt alone');
SELECT ok(NOT covara.revoke_api_key('ffffffffffffffff'), 'revoking an unknown id returns false');
SELECT ok(NOT covara.revoke_api_key(NULL), 'revoke_api_key(NULL) returns false');
SELECT ok(NOT covara.revoke_api_key(''), 'revoke_api_key('''') returns false');
UPDATE auth_api_keys SET "revokedAt" = (SELECT t + interval '1 day' FROM now_utc) WHERE id = '0123456789abcdef';
SELECT is_empty($$SELECT * FROM covara.verify_api_key('cvk_0123456789abcdef.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2Vj')$$,
	'any revokedAt counts as revoked, even one in the future');

-- rotate_api_key -------------------------------------------------------------
SELECT id AS new_kid, key AS new_k FROM covara.rotate_api_key(:'kid') \gset
SELECT matches(:'new_k'::text, '^cvk_[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$', 'the replacement has the same format and prefix');
SELECT isnt(:'new_kid'::text, :'kid'::text, 'the replacement has a new id');
SELECT is(:'new_kid'::text, substr(:'new_k', 5, 16), 'rotate returns the id inside the new key');
SELECT is((SELECT "revokedAt" FROM auth_api_keys WHERE id = :'kid'), (SELECT t FROM now_utc), 'the old key is revoked');
SELECT is_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'k'), 'the old key no longer verifies');
SELECT results_eq(format('SELECT * FROM covara.verify_api_key(%L)', :'new_k'),
	format($$VALUES (%L::text, 'user-1'::text, 'ci deploy'::text, '["read", "write"]'::jsonb, NULL::timestamp)$$, :'new_kid'),
	'the new key verifies with the same user, name, scopes and expiry');
SELECT results_eq(
	format($$SELECT "keyHash", "keyPrefix", "createdAt", "revokedAt" FROM auth_api_keys WHERE id = %L$$, :'new_kid'),
	format($$SELECT encode(sha256(convert_to(%L, 'UTF8')), 'hex'), 'cvk_' || %L, t, NULL::timestamp FROM now_utc$$, :'new_k', :'new_kid'),
	'the new row stores the hash, keyPrefix and createdAt = now (UTC)');
SELECT is_empty(format('SELECT * FROM covara.rotate_api_key(%L)', :'kid'), 'rotating the revoked old key gives no row');
SELECT is((SELECT count(*)::int FROM auth_api_keys WHERE "userId" = 'user-1' AND name = 'ci deploy' AND "revokedAt" IS NULL), 1,
	'exactly one live key of that name');

SELECT id AS rot_live_kid, key AS rot_live_k FROM covara.rotate_api_key(:'live_kid') \gset
SELECT matches(:'rot_live_k'::text, '^sk_live_[0-9a-f]{16}\.', 'a custom prefix is kept');
SELECT is((SELECT "expiresAt" FROM auth_api_keys WHERE id = :'rot_live_kid'), (SELECT t + interval '1 microsecond' FROM now_utc),
	'the expiry is kept');

UPDATE auth_api_keys SET "revokedAt" = NULL WHERE id = :'bare_kid';
SELECT key AS rot_bare_k FROM covara.rotate_api_key(:'bare_kid') \gset
SELECT matches(:'rot_bare_k'::text, '^[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$', 'a key without prefix is replaced by one without prefix');

INSERT INTO auth_api_keys (id, "userId", name, "keyHash", "keyPrefix", "createdAt", "expiresAt")
SELECT 'aaaaaaaaaaaaaaaa', 'user-9', 'expired', 'x', 'cvk_aaaaaaaaaaaaaaaa', t - interval '2 days', t - interval '1 day' FROM now_utc
UNION ALL
SELECT 'bbbbbbbbbbbbbbbb', 'user-9', 'odd display prefix', 'x', 'cvk_bbbb…', t - interval '2 days', NULL FROM now_utc;
SELECT is_empty($$SELECT * FROM covara.rotate_api_key('aaaaaaaaaaaaaaaa')$$, 'an expired key cannot be rotated');
SELECT is((SELECT "revokedAt" FROM auth_api_keys WHERE id = 'aaaaaaaaaaaaaaaa'), NULL::timestamp, 'and is not revoked by the attempt');
SELECT matches((SELECT key FROM covara.rotate_api_key('bbbbbbbbbbbbbbbb')), '^cvk_[0-9a-f]{16}\.',
	'a key whose keyPrefix is not <prefix>_<id> is replaced with prefix cvk');
SELECT is_empty($$SELECT * FROM covara.rotate_api_key('ffffffffffffffff')$$, 'rotating an unknown id gives no row');
SELECT is_empty($$SELECT * FROM covara.rotate_api_key(NULL)$$, 'rotate_api_key(NULL) gives no row');
SELECT is_empty($$SELECT * FROM covara.rotate_api_key('')$$, 'rotate_api_key('''') gives no row');

-- identical results under three TimeZone settings ---------------------------
CREATE FUNCTION pg_temp.key_probe(tz text)
RETURNS TABLE(observation text, value text)
LANGUAGE plpgsql AS $$
DECLARE
	n timestamp := now() AT TIME ZONE 'UTC';
	c record;
	r record;
BEGIN
	PERFORM set_config('TimeZone', tz, true);
	DELETE FROM auth_api_keys;
	SELECT * INTO c FROM covara.create_api_key('tz-user', 'tz', NULL, n + interval '1 hour');
	INSERT INTO auth_api_keys (id, "userId", name, "keyHash", "keyPrefix", "createdAt", "expiresAt")
	VALUES ('1111111111111111', 'u', 'past', covara.hash_token('cvk_1111111111111111.s'), 'cvk_1111111111111111',
			n - interval '1 day', n - interval '1 hour'),
		   ('2222222222222222', 'u', 'future', covara.hash_token('cvk_2222222222222222.s'), 'cvk_2222222222222222',
			n - interval '1 day', n + interval '1 hour');
	RETURN QUERY
		SELECT 'createdAt - now_utc', ("createdAt" - n)::text FROM auth_api_keys WHERE id = c.id
		UNION ALL SELECT 'expiresAt - now_utc', ("expiresAt" - n)::text FROM auth_api_keys WHERE id = c.id
		UNION ALL SELECT 'verify new', count(*)::text FROM covara.verify_api_key(c.key)
		UNION ALL SELECT 'verify past', count(*)::text FROM covara.verify_api_key('cvk_1111111111111111.s')
		UNION ALL SELECT 'verify future', count(*)::text FROM covara.verify_api_key('cvk_2222222222222222.s');
	RETURN QUERY
		SELECT 'lastUsedAt - now_utc', ("lastUsedAt" - n)::text FROM auth_api_keys WHERE id = c.id
		UNION ALL SELECT 'rotate past', count(*)::text FROM covara.rotate_api_key('1111111111111111')
		UNION ALL SELECT 'revoke new', covara.revoke_api_key(c.id)::text;
	RETURN QUERY
		SELECT 'revokedAt - now_utc', ("revokedAt" - n)::text FROM auth_api_keys WHERE id = c.id;
	SELECT * INTO r FROM covara.rotate_api_key('2222222222222222');
	RETURN QUERY
		SELECT 'rotated createdAt - now_utc', ("createdAt" - n)::text FROM auth_api_keys WHERE id = r.id
		UNION ALL SELECT 'rotated expiresAt - now_utc', ("expiresAt" - n)::text FROM auth_api_keys WHERE id = r.id
		UNION ALL SELECT 'old revokedAt - now_utc', ("revokedAt" - n)::text FROM auth_api_keys WHERE id = '2222222222222222';
	PERFORM set_config('TimeZone', 'UTC', true);
END
$$;

CREATE TEMP TABLE key_probe_expected (observation text, value text);
INSERT INTO key_probe_expected VALUES
	('createdAt - now_utc', '00:00:00'), ('expiresAt - now_utc', '01:00:00'),
	('verify new', '1'), ('verify past', '0'), ('verify future', '1'),
	('lastUsedAt - now_utc', '00:00:00'), ('rotate past', '0'), ('revoke new', 'true'),
	('revokedAt - now_utc', '00:00:00'),
	('rotated createdAt - now_utc', '00:00:00'), ('rotated expiresAt - now_utc', '01:00:00'),
	('old revokedAt - now_utc', '00:00:00');

SELECT results_eq($$SELECT * FROM pg_temp.key_probe('UTC')$$,
	$$SELECT * FROM key_probe_expected$$, 'API keys under TimeZone UTC');
SELECT results_eq($$SELECT * FROM pg_temp.key_probe('America/Los_Angeles')$$,
	$$SELECT * FROM key_probe_expected$$, 'identical under TimeZone America/Los_Angeles');
SELECT results_eq($$SELECT * FROM pg_temp.key_probe('Pacific/Kiritimati')$$,
	$$SELECT * FROM key_probe_expected$$, 'identical under TimeZone Pacific/Kiritimati');

-- markings -------------------------------------------------------------------
SELECT is(
	(SELECT array_agg(p.proname || ':' || p.provolatile::text || ':' || p.proisstrict || ':' || p.prosecdef ORDER BY p.proname)
	   FROM pg_proc p
	  WHERE p.pronamespace = 'covara'::regnamespace
		AND p.proname IN ('create_api_key', 'verify_api_key', 'revoke_api_key', 'rotate_api_key')),
	ARRAY['create_api_key:v:false:true', 'revoke_api_key:v:false:true', 'rotate_api_key:v:true:true',
		  'verify_api_key:v:true:true'],
	'API key functions: volatility, strictness, SECURITY DEFINER');

-- read-only transaction (last: the transaction stays read-only) --------------
DELETE FROM auth_api_keys;
SELECT id AS ro_kid, key AS ro_k FROM covara.create_api_key('user-ro', 'ro') \gset
SET LOCAL transaction_read_only = on;
SELECT results_eq(format('SELECT id, "userId" FROM covara.verify_api_key(%L)', :'ro_k'),
	format($$VALUES (%L::text, 'user-ro'::text)$$, :'ro_kid'),
	'verify_api_key works in a read-only transaction');
SELECT is((SELECT "lastUsedAt" FROM auth_api_keys WHERE id = :'ro_kid'), NULL::timestamp,
	'and does not record lastUsedAt there');
SELECT is_empty(format('SELECT * FROM covara.verify_api_key(%L)', :'ro_k' || 'x'),
	'a wrong key still gives no row there');

SELECT * FROM finish();
ROLLBACK;
