--
-- covara auth flows: the privilege model and search_path hijacking.
--
-- An application role granted what CALL covara.grant_auth_flows(role)
-- grants can run every flow, but cannot read or change the auth tables,
-- call the internal helpers or purge; a role granted nothing can do
-- nothing; and look-alike objects on the caller's search_path (or in
-- pg_temp) change nothing the flows do.
--
CREATE EXTENSION covara;
SET client_min_messages = warning;
DROP ROLE IF EXISTS covara_auth_app;
DROP ROLE IF EXISTS covara_auth_nobody;
RESET client_min_messages;
CREATE ROLE covara_auth_app NOLOGIN;
CREATE ROLE covara_auth_nobody NOLOGIN;

-- Nothing the auth flows add is executable by PUBLIC: what PUBLIC may run
-- is SECURITY INVOKER (the token, search and seed functions), so it can do
-- no more than the caller could do by hand.
SELECT p.oid::regprocedure AS executable_by_public
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace
   AND has_function_privilege('covara_auth_nobody', p.oid, 'EXECUTE')
   AND (p.prosecdef OR p.proname LIKE '\_auth\_%')
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- Every SECURITY DEFINER function pins search_path.
SELECT p.oid::regprocedure AS security_definer, p.proconfig
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace AND p.prosecdef
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- No function in schema covara is SECURITY DEFINER without pinning it.
SELECT count(*) AS unpinned_security_definer
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace AND p.prosecdef
   AND NOT coalesce(p.proconfig, '{}') @> '{"search_path=pg_catalog, pg_temp"}';

-- The auth tables grant nothing to anyone but their owner.
SELECT c.relname, c.relacl IS NULL AS owner_only
  FROM pg_class c
 WHERE c.relname IN ('auth_sessions', 'auth_accounts', 'auth_api_keys', 'auth_verification_tokens')
   AND c.relnamespace = 'public'::regnamespace
 ORDER BY 1;

-- The application role's grant set.
CALL covara.grant_auth_flows('covara_auth_app');
SELECT p.oid::regprocedure AS granted_to_app
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace
   AND has_function_privilege('covara_auth_app', p.oid, 'EXECUTE')
   AND NOT has_function_privilege('covara_auth_nobody', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
CALL covara.grant_auth_flows('covara_auth_app');  -- again: no change, no error
\set VERBOSITY terse
CALL covara.grant_auth_flows(NULL);
\set VERBOSITY default

-- Some rows the application will not be allowed to read directly.
INSERT INTO auth_accounts ("userId", type, provider, "providerAccountId", access_token, refresh_token, id_token)
VALUES ('u-app', 'oauth', 'github', '42', 'gho_secret', 'ghr_secret', 'eyJ.secret');

------------------------------------------------------------------------------
-- As the application role: every flow works.
------------------------------------------------------------------------------
SET ROLE covara_auth_app;

SELECT covara.create_session('u-app', '1 hour', '{"via": "app"}') AS sid \gset
SELECT count(*) AS get_session FROM covara.get_session(:'sid');
SELECT covara.touch_session(:'sid', '2 hours') AS touch_session;

SELECT id AS kid, key AS k FROM covara.create_api_key('u-app', 'app key', '["read"]') \gset
SELECT "userId", name, scopes FROM covara.verify_api_key(:'k');
SELECT id AS kid2, key AS k2 FROM covara.rotate_api_key(:'kid') \gset
SELECT count(*) AS old_key_verifies FROM covara.verify_api_key(:'k');
SELECT count(*) AS new_key_verifies FROM covara.verify_api_key(:'k2');
SELECT covara.revoke_api_key(:'kid2') AS revoke_api_key;

SELECT covara.issue_verification_token('app@example.com', '10 minutes') AS tok \gset
SELECT covara.consume_verification_token('app@example.com', :'tok') AS consumed,
	   covara.consume_verification_token('app@example.com', :'tok') AS consumed_again;

SELECT covara.revoke_session(:'sid') AS revoke_session;
SELECT covara.revoke_user_sessions('u-app') AS revoke_user_sessions;

------------------------------------------------------------------------------
-- ... but the tables, the helpers and maintenance are out of reach.
------------------------------------------------------------------------------
SELECT "keyHash" FROM auth_api_keys;
SELECT token FROM auth_verification_tokens;
SELECT access_token, refresh_token, id_token FROM auth_accounts;
SELECT id FROM auth_sessions;
SELECT count(*) FROM auth_api_keys;
UPDATE auth_api_keys SET "revokedAt" = NULL;
INSERT INTO auth_verification_tokens VALUES ('app@example.com', 'forged', 'infinity');
DELETE FROM auth_sessions;
SELECT * FROM covara._auth_api_key_row(:'kid');
SELECT * FROM covara._auth_session_row(:'sid');
SELECT covara._auth_token_replace('app@example.com', 'forged', 'infinity');
SELECT covara._auth_api_key_touch(:'kid', 'infinity');
SELECT * FROM covara.purge_expired();
CALL covara.grant_auth_flows('covara_auth_nobody');
RESET ROLE;

------------------------------------------------------------------------------
-- A role granted nothing can run no flow.
------------------------------------------------------------------------------
SET ROLE covara_auth_nobody;
SELECT covara.create_session('u', '1 hour');
SELECT * FROM covara.get_session('x');
SELECT * FROM covara.verify_api_key('cvk_0123456789abcdef.x');
SELECT covara.consume_verification_token('a', 'b');
SELECT covara.hash_token('the 0.1.0 token functions stay public');
RESET ROLE;

------------------------------------------------------------------------------
-- search_path hijacking: the application role fills a schema of its own
-- (first on its search_path, even before pg_catalog) and pg_temp with
-- look-alikes of everything the flows use.  Each look-alike records that
-- it ran and lies.  The flows must behave exactly as before and none of
-- the look-alikes may run.
------------------------------------------------------------------------------
CREATE SCHEMA covara_auth_evil AUTHORIZATION covara_auth_app;
SET ROLE covara_auth_app;
SET search_path = covara_auth_evil, pg_catalog, public;

CREATE TABLE covara_auth_evil.calls (what text);
CREATE FUNCTION covara_auth_evil.log(what text) RETURNS void LANGUAGE sql
	AS $$ INSERT INTO covara_auth_evil.calls VALUES (what) $$;

-- tables with the auth tables' names, holding forged rows
CREATE TABLE covara_auth_evil.auth_sessions (id text, "userId" text, "createdAt" timestamp, "expiresAt" timestamp, data text);
INSERT INTO covara_auth_evil.auth_sessions VALUES ('evil-session', 'victim', 'epoch', 'infinity', NULL);
CREATE TABLE covara_auth_evil.auth_api_keys (id text, "userId" text, name text, "keyHash" text, "keyPrefix" text,
	scopes jsonb, "createdAt" timestamp, "expiresAt" timestamp, "lastUsedAt" timestamp, "revokedAt" timestamp);
INSERT INTO covara_auth_evil.auth_api_keys VALUES ('eeeeeeeeeeeeeeee', 'victim', 'forged', 'forged', 'cvk_eeeeeeeeeeeeeeee',
	'["admin"]', 'epoch', NULL, NULL, NULL);
CREATE TABLE covara_auth_evil.auth_verification_tokens (identifier text, token text, expires timestamp);
INSERT INTO covara_auth_evil.auth_verification_tokens VALUES ('victim@example.com', 'forged', 'infinity');
CREATE TEMP TABLE auth_sessions AS SELECT * FROM covara_auth_evil.auth_sessions;
CREATE TEMP TABLE auth_api_keys AS SELECT * FROM covara_auth_evil.auth_api_keys;
CREATE TEMP TABLE auth_verification_tokens AS SELECT * FROM covara_auth_evil.auth_verification_tokens;

-- functions with the names of covara's and pg_catalog's that the flows call
CREATE FUNCTION covara_auth_evil.hash_token(text) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('hash_token'); SELECT 'forged'::text $$;
CREATE FUNCTION covara_auth_evil.token_equals(text, text) RETURNS boolean LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('token_equals'); SELECT true $$;
CREATE FUNCTION covara_auth_evil.generate_token(integer DEFAULT 32) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('generate_token'); SELECT 'predictable'::text $$;
CREATE FUNCTION covara_auth_evil.now() RETURNS timestamptz LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('now'); SELECT 'epoch'::timestamptz $$;
CREATE FUNCTION covara_auth_evil.timezone(text, timestamptz) RETURNS timestamp LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('timezone'); SELECT 'epoch'::timestamp $$;
CREATE FUNCTION covara_auth_evil.current_setting(text) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('current_setting'); SELECT 'on'::text $$;
CREATE FUNCTION covara_auth_evil.pg_is_in_recovery() RETURNS boolean LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('pg_is_in_recovery'); SELECT true $$;
CREATE FUNCTION covara_auth_evil.strpos(text, text) RETURNS integer LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('strpos'); SELECT 1 $$;
CREATE FUNCTION covara_auth_evil.substr(text, integer, integer) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('substr'); SELECT 'eeeeeeeeeeeeeeee'::text $$;
CREATE FUNCTION covara_auth_evil.encode(bytea, text) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('encode'); SELECT 'eeeeeeeeeeeeeeee'::text $$;
CREATE FUNCTION covara_auth_evil.hashtext(text) RETURNS integer LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('hashtext'); SELECT 0 $$;
CREATE FUNCTION covara_auth_evil.pg_advisory_xact_lock(integer, integer) RETURNS void LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('pg_advisory_xact_lock') $$;
CREATE FUNCTION covara_auth_evil.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('jsonb_typeof'); SELECT 'array'::text $$;

-- operators for text and timestamp that say "yes" to everything
CREATE FUNCTION covara_auth_evil.text_yes(text, text) RETURNS boolean LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('text operator'); SELECT true $$;
CREATE FUNCTION covara_auth_evil.ts_yes(timestamp, timestamp) RETURNS boolean LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('timestamp operator'); SELECT true $$;
CREATE FUNCTION covara_auth_evil.text_cat(text, text) RETURNS text LANGUAGE sql
	AS $$ SELECT covara_auth_evil.log('||'); SELECT 'eeeeeeeeeeeeeeee'::text $$;
CREATE OPERATOR covara_auth_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = covara_auth_evil.text_yes);
CREATE OPERATOR covara_auth_evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = covara_auth_evil.text_yes);
CREATE OPERATOR covara_auth_evil.> (LEFTARG = timestamp, RIGHTARG = timestamp, FUNCTION = covara_auth_evil.ts_yes);
CREATE OPERATOR covara_auth_evil.<= (LEFTARG = timestamp, RIGHTARG = timestamp, FUNCTION = covara_auth_evil.ts_yes);
CREATE OPERATOR covara_auth_evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = covara_auth_evil.text_cat);

-- the look-alikes are live on this search_path (they would fool a naive query)
SELECT 'a'::text = 'b'::text AS evil_equals, hash_token('x') AS evil_hash;
DELETE FROM covara_auth_evil.calls;

-- the flows, under the hijacked search_path (in one transaction, so that
-- now() is one instant)
BEGIN;
SELECT (pg_catalog.now() AT TIME ZONE 'UTC') AS h_now \gset
SELECT count(*) AS forged_key_verifies FROM covara.verify_api_key('cvk_eeeeeeeeeeeeeeee.anything');
SELECT count(*) AS forged_session_found FROM covara.get_session('evil-session');
SELECT covara.consume_verification_token('victim@example.com', 'forged') AS forged_token_consumed;
SELECT covara.touch_session('evil-session', '1 hour') AS forged_session_touched;
SELECT covara.revoke_api_key('eeeeeeeeeeeeeeee') AS forged_key_revoked;
SELECT count(*) AS forged_key_rotated FROM covara.rotate_api_key('eeeeeeeeeeeeeeee');

SELECT covara.create_session('u-hijack', '1 hour') AS h_sid \gset
SELECT id AS h_kid, key AS h_k FROM covara.create_api_key('u-hijack', 'hijack', '["read"]', NULL, 'hj') \gset
SELECT covara.issue_verification_token('hijack@example.com', '1 hour') AS h_tok \gset
SELECT count(*) AS own_session_found FROM covara.get_session(:'h_sid');
SELECT count(*) AS own_key_verifies FROM covara.verify_api_key(:'h_k');
SELECT count(*) AS wrong_secret_verifies FROM covara.verify_api_key(:'h_k' OPERATOR(pg_catalog.||) 'x');
SELECT covara.touch_session(:'h_sid', '3 hours') AS own_session_touched;
SELECT id AS h_kid2, key AS h_k2 FROM covara.rotate_api_key(:'h_kid') \gset
SELECT covara.consume_verification_token('hijack@example.com', 'wrong') AS wrong_token_consumed;
SELECT covara.consume_verification_token('hijack@example.com', :'h_tok') AS own_token_consumed;
COMMIT;

RESET search_path;
-- none of the look-alikes ran
SELECT what AS lookalike_called, count(*) FROM covara_auth_evil.calls GROUP BY what ORDER BY what;
RESET ROLE;

-- and what the flows stored is right (the role's temp tables still shadow
-- unqualified names in this session, so qualify)
SELECT :'h_sid' ~ '^[A-Za-z0-9_-]{43}$' AS session_id_is_random,
	   (SELECT "expiresAt" - "createdAt" FROM public.auth_sessions WHERE id = :'h_sid') AS session_lifetime,
	   (SELECT "createdAt" = :'h_now' FROM public.auth_sessions WHERE id = :'h_sid') AS created_now_utc;
SELECT :'h_k2' ~ '^hj_[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$' AS key_is_random,
	   (SELECT "keyHash" = encode(sha256(convert_to(:'h_k2', 'UTF8')), 'hex') FROM public.auth_api_keys WHERE id = :'h_kid2') AS key_hash_is_sha256,
	   (SELECT "lastUsedAt" = :'h_now' FROM public.auth_api_keys WHERE id = :'h_kid') AS last_used_recorded,
	   (SELECT "revokedAt" IS NOT NULL FROM public.auth_api_keys WHERE id = :'h_kid') AS old_key_revoked;
SELECT :'h_tok' ~ '^[A-Za-z0-9_-]{43}$' AS token_is_random,
	   (SELECT count(*) FROM public.auth_verification_tokens WHERE identifier = 'hijack@example.com') AS tokens_left;
SELECT count(*) AS forged_rows_in_real_tables
  FROM (SELECT id FROM public.auth_sessions WHERE id = 'evil-session'
		UNION ALL SELECT id FROM public.auth_api_keys WHERE id = 'eeeeeeeeeeeeeeee'
		UNION ALL SELECT identifier FROM public.auth_verification_tokens WHERE identifier = 'victim@example.com') f;

------------------------------------------------------------------------------
-- revoke_auth_flows takes the grant set back.
------------------------------------------------------------------------------
CALL covara.revoke_auth_flows('covara_auth_app');
SELECT count(*) AS still_granted_to_app
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace
   AND has_function_privilege('covara_auth_app', p.oid, 'EXECUTE')
   AND NOT has_function_privilege('covara_auth_nobody', p.oid, 'EXECUTE');
SET ROLE covara_auth_app;
SELECT * FROM covara.verify_api_key(:'h_k2');
RESET ROLE;

DROP TABLE pg_temp.auth_sessions, pg_temp.auth_api_keys, pg_temp.auth_verification_tokens;
DROP SCHEMA covara_auth_evil CASCADE;
DROP EXTENSION covara CASCADE;
DROP ROLE covara_auth_app;
DROP ROLE covara_auth_nobody;
