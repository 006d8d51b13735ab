--
-- covara auth flows: verify_api_key records "lastUsedAt" only where a write
-- is safe, and keeps working everywhere else: read-only sessions and
-- transactions, REPEATABLE READ and SERIALIZABLE.  (A real streaming standby
-- is tested by test/tap/auth_standby.sh.)
--
CREATE EXTENSION covara;
SELECT id AS kid, key AS k FROM covara.create_api_key('u-ro', 'ro key', '["read"]') \gset
SELECT covara.create_session('u-ro', '1 hour') AS sid \gset

-- a read-only session (as on a standby or a read-only replica user)
SET default_transaction_read_only = on;
SELECT "userId", name, scopes FROM covara.verify_api_key(:'k');
SELECT count(*) AS wrong_key FROM covara.verify_api_key(:'k' || 'x');
SELECT count(*) AS malformed FROM covara.verify_api_key('not a key');
SELECT count(*) AS get_session FROM covara.get_session(:'sid');
SELECT "lastUsedAt" IS NULL AS use_not_recorded FROM auth_api_keys WHERE id = :'kid';
-- every flow that must write refuses, naming itself, before it touches a
-- table [25006]
\set SHOW_CONTEXT never
SELECT covara.create_session('u-ro', '1 hour');
\set VERBOSITY terse
SELECT covara.touch_session(:'sid', '1 hour');
SELECT covara.revoke_session(:'sid');
SELECT covara.revoke_user_sessions('u-ro');
SELECT covara.create_api_key('u-ro', 'another');
SELECT covara.revoke_api_key(:'kid');
SELECT covara.rotate_api_key(:'kid');
SELECT covara.issue_verification_token('a@example.com', '1 hour');
SELECT covara.consume_verification_token('a@example.com', 'x');
SELECT covara.purge_expired();
\set VERBOSITY default
\set SHOW_CONTEXT errors
RESET default_transaction_read_only;

-- a read-only transaction
BEGIN READ ONLY;
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "lastUsedAt" IS NULL AS use_not_recorded FROM auth_api_keys WHERE id = :'kid';
COMMIT;

-- a transaction made read-only after it began
BEGIN;
SELECT 1 AS one;
SET TRANSACTION READ ONLY;
SELECT "userId" FROM covara.verify_api_key(:'k');
COMMIT;
SELECT "lastUsedAt" IS NULL AS use_not_recorded FROM auth_api_keys WHERE id = :'kid';

-- SERIALIZABLE: not recorded (the extra write could make the caller's own
-- transaction fail to commit)
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT "userId" FROM covara.verify_api_key(:'k');
COMMIT;
SELECT "lastUsedAt" IS NULL AS use_not_recorded FROM auth_api_keys WHERE id = :'kid';

-- REPEATABLE READ: recorded
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "lastUsedAt" = (now() AT TIME ZONE 'UTC') AS use_recorded FROM auth_api_keys WHERE id = :'kid';
COMMIT;

-- READ COMMITTED: recorded, then left alone for a minute
UPDATE auth_api_keys SET "lastUsedAt" = NULL WHERE id = :'kid';
BEGIN;
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "lastUsedAt" = (now() AT TIME ZONE 'UTC') AS use_recorded FROM auth_api_keys WHERE id = :'kid';
COMMIT;
SELECT "lastUsedAt" AS first_use FROM auth_api_keys WHERE id = :'kid' \gset
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "lastUsedAt" = :'first_use' AS unchanged_within_a_minute FROM auth_api_keys WHERE id = :'kid';
UPDATE auth_api_keys SET "lastUsedAt" = "lastUsedAt" - interval '1 minute' WHERE id = :'kid';
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "lastUsedAt" > :'first_use' AS rewritten_after_a_minute FROM auth_api_keys WHERE id = :'kid';

DROP EXTENSION covara CASCADE;
