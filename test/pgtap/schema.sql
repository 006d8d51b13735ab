-- The auth schema after CREATE EXTENSION covara: exactly the contract's four
-- tables (doc/compatibility.md, section 1), nothing more on them, registered for
-- pg_dump, no privileges for anyone but the owner; and the token functions
-- with their flags.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(172);

-- The contract, as data: every column with its type and nullability.
CREATE TEMP TABLE contract_columns (tbl name, col name, typ text, not_null bool, pos int);
INSERT INTO contract_columns VALUES
  ('auth_sessions', 'id', 'text', true, 1),
  ('auth_sessions', 'userId', 'text', true, 2),
  ('auth_sessions', 'createdAt', 'timestamp without time zone', true, 3),
  ('auth_sessions', 'expiresAt', 'timestamp without time zone', true, 4),
  ('auth_sessions', 'data', 'text', false, 5),
  ('auth_accounts', 'userId', 'text', true, 1),
  ('auth_accounts', 'type', 'text', true, 2),
  ('auth_accounts', 'provider', 'text', true, 3),
  ('auth_accounts', 'providerAccountId', 'text', true, 4),
  ('auth_accounts', 'refresh_token', 'text', false, 5),
  ('auth_accounts', 'access_token', 'text', false, 6),
  ('auth_accounts', 'expires_at', 'timestamp without time zone', false, 7),
  ('auth_accounts', 'token_type', 'text', false, 8),
  ('auth_accounts', 'scope', 'text', false, 9),
  ('auth_accounts', 'id_token', 'text', false, 10),
  ('auth_accounts', 'session_state', 'text', false, 11),
  ('auth_api_keys', 'id', 'text', true, 1),
  ('auth_api_keys', 'userId', 'text', true, 2),
  ('auth_api_keys', 'name', 'text', true, 3),
  ('auth_api_keys', 'keyHash', 'text', true, 4),
  ('auth_api_keys', 'keyPrefix', 'text', true, 5),
  ('auth_api_keys', 'scopes', 'jsonb', false, 6),
  ('auth_api_keys', 'createdAt', 'timestamp without time zone', true, 7),
  ('auth_api_keys', 'expiresAt', 'timestamp without time zone', false, 8),
  ('auth_api_keys', 'lastUsedAt', 'timestamp without time zone', false, 9),
  ('auth_api_keys', 'revokedAt', 'timestamp without time zone', false, 10),
  ('auth_verification_tokens', 'identifier', 'text', true, 1),
  ('auth_verification_tokens', 'token', 'text', true, 2),
  ('auth_verification_tokens', 'expires', 'timestamp without time zone', true, 3);

-- The index and key names drizzle-kit expects, with their definitions.
CREATE TEMP TABLE contract_indexes (tbl name, idx name, def text, is_pk bool);
INSERT INTO contract_indexes VALUES
  ('auth_sessions', 'auth_sessions_pkey',
   'CREATE UNIQUE INDEX auth_sessions_pkey ON public.auth_sessions USING btree (id)', true),
  ('auth_sessions', 'auth_session_userId_idx',
   'CREATE INDEX "auth_session_userId_idx" ON public.auth_sessions USING btree ("userId")', false),
  ('auth_sessions', 'auth_session_expiresAt_idx',
   'CREATE INDEX "auth_session_expiresAt_idx" ON public.auth_sessions USING btree ("expiresAt")', false),
  ('auth_accounts', 'auth_accounts_provider_providerAccountId_pk',
   'CREATE UNIQUE INDEX "auth_accounts_provider_providerAccountId_pk" ON public.auth_accounts USING btree (provider, "providerAccountId")', true),
  ('auth_accounts', 'auth_account_userId_idx',
   'CREATE INDEX "auth_account_userId_idx" ON public.auth_accounts USING btree ("userId")', false),
  ('auth_api_keys', 'auth_api_keys_pkey',
   'CREATE UNIQUE INDEX auth_api_keys_pkey ON public.auth_api_keys USING btree (id)', true),
  ('auth_api_keys', 'auth_api_key_userId_idx',
   'CREATE INDEX "auth_api_key_userId_idx" ON public.auth_api_keys USING btree ("userId")', false),
  ('auth_api_keys', 'auth_api_key_prefix_idx',
   'CREATE INDEX auth_api_key_prefix_idx ON public.auth_api_keys USING btree ("keyPrefix")', false),
  ('auth_verification_tokens', 'auth_verification_tokens_identifier_token_pk',
   'CREATE UNIQUE INDEX auth_verification_tokens_identifier_token_pk ON public.auth_verification_tokens USING btree (identifier, token)', true);

-- tables: exactly these four, in the extension's schema (public here)
SELECT tables_are('public', ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys',
                                  'auth_verification_tokens'],
                  'public holds the four auth tables and nothing else');
SELECT has_schema('covara');
SELECT tables_are('covara', ARRAY['_auth_token_locks'], 'schema covara holds one table, the locks of issue_verification_token');

-- columns: names (exact and in order), types, nullability, no defaults
SELECT columns_are('public', tbl, array_agg(col ORDER BY pos), tbl || ' has exactly the contract''s columns')
  FROM contract_columns GROUP BY tbl ORDER BY tbl;
SELECT is(
  (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
    WHERE attrelid = format('public.%I', c.tbl)::regclass AND attnum > 0 AND NOT attisdropped),
  (SELECT array_agg(col::text ORDER BY pos) FROM contract_columns cc WHERE cc.tbl = c.tbl),
  c.tbl || ' columns are in the contract''s order')
  FROM (SELECT DISTINCT tbl FROM contract_columns) c ORDER BY c.tbl;
SELECT col_type_is('public', tbl, col, typ, format('%s.%s is %s', tbl, col, typ))
  FROM contract_columns ORDER BY tbl, pos;
SELECT CASE WHEN not_null
            THEN col_not_null('public', tbl, col, format('%s.%s is NOT NULL', tbl, col))
            ELSE col_is_null('public', tbl, col, format('%s.%s is nullable', tbl, col)) END
  FROM contract_columns ORDER BY tbl, pos;
SELECT is_empty(
  $$SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'auth\_%'
       AND a.attnum > 0 AND (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '')$$,
  'no column has a default, identity or generation expression');
SELECT is_empty(
  $$SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'auth\_%'
       AND a.attnum > 0 AND a.attcollation NOT IN (0, 100)$$,
  'no column has a non-default collation');

-- primary keys, indexes (exact set, names, definitions), other constraints
SELECT indexes_are('public', tbl, array_agg(idx), tbl || ' has exactly the contract''s indexes')
  FROM contract_indexes GROUP BY tbl ORDER BY tbl;
SELECT is(pg_get_indexdef(format('public.%I', idx)::regclass), def, idx || ' is ' || def)
  FROM contract_indexes ORDER BY tbl, idx;
-- (PostgreSQL 18 records NOT NULL as constraints too; nullability is
-- checked column by column above)
SELECT is(
  (SELECT array_agg(conname::text ORDER BY conname) FROM pg_constraint
    WHERE conrelid = format('public.%I', ci.tbl)::regclass AND contype <> 'n'),
  ARRAY[ci.idx::text],
  ci.tbl || ' has one constraint besides NOT NULL, its primary key ' || ci.idx)
  FROM contract_indexes ci WHERE is_pk ORDER BY tbl;
SELECT is(
  (SELECT contype::text FROM pg_constraint WHERE conname = ci.idx),
  'p', ci.idx || ' is a primary key')
  FROM contract_indexes ci WHERE is_pk ORDER BY tbl;

-- nothing else attached to the tables
SELECT triggers_are('public', t, ARRAY[]::name[], t || ' has no triggers')
  FROM unnest(ARRAY['auth_accounts', 'auth_api_keys', 'auth_sessions', 'auth_verification_tokens']::name[]) t;
SELECT rules_are('public', t, ARRAY[]::name[], t || ' has no rules')
  FROM unnest(ARRAY['auth_accounts', 'auth_api_keys', 'auth_sessions', 'auth_verification_tokens']::name[]) t;
SELECT is_empty(
  $$SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
     AND relname LIKE 'auth\_%' AND (relrowsecurity OR relforcerowsecurity)$$,
  'no table has row-level security');
SELECT is_empty(
  $$SELECT polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
     WHERE c.relnamespace = 'public'::regnamespace$$,
  'no policies');
SELECT is_empty(
  $$SELECT relname, reloptions FROM pg_class WHERE relnamespace = 'public'::regnamespace
     AND relname LIKE 'auth\_%' AND reloptions IS NOT NULL$$,
  'no storage parameters');

-- the tables belong to the extension and pg_dump keeps their rows
SELECT set_eq(
  $$SELECT c.relname::text FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')
       AND d.deptype = 'e' AND c.relkind = 'r'$$,
  ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys', 'auth_verification_tokens', '_auth_token_locks'],
  'the four tables and covara._auth_token_locks are members of the extension (and no other table is)');
SELECT set_eq(
  $$SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'covara'$$,
  ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys', 'auth_verification_tokens'],
  'the four tables are registered with pg_extension_config_dump');
SELECT is(
  (SELECT array_agg(DISTINCT c) FROM pg_extension, unnest(extcondition) c WHERE extname = 'covara'),
  ARRAY[''], 'every row of them is dumped (no filter condition)');

-- privileges: the owner only, nothing for PUBLIC or any other role
SELECT table_privs_are('public', t, 'public', ARRAY[]::text[], t || ': no privileges for PUBLIC')
  FROM unnest(ARRAY['auth_accounts', 'auth_api_keys', 'auth_sessions', 'auth_verification_tokens']::name[]) t;
CREATE ROLE covara_test_nobody;
SELECT table_privs_are('public', t, 'covara_test_nobody', ARRAY[]::text[], t || ': no privileges for an ordinary role')
  FROM unnest(ARRAY['auth_accounts', 'auth_api_keys', 'auth_sessions', 'auth_verification_tokens']::name[]) t;
SELECT is_empty(
  $$SELECT c.relname, a.grantee FROM pg_class c, aclexplode(c.relacl) a
     WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'auth\_%'
       AND a.grantee <> c.relowner$$,
  'no grants on the tables to anyone but their owner');
SELECT is_empty(
  $$SELECT a.attrelid::regclass, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND a.attacl IS NOT NULL$$,
  'no column privileges');
SET LOCAL ROLE covara_test_nobody;
SELECT throws_ok('SELECT "keyHash" FROM public.auth_api_keys', '42501', NULL,
                 'an ordinary role cannot read API key hashes');
SELECT throws_ok('SELECT token FROM public.auth_verification_tokens', '42501', NULL,
                 'an ordinary role cannot read verification tokens');
SELECT throws_ok('SELECT access_token FROM public.auth_accounts', '42501', NULL,
                 'an ordinary role cannot read account tokens');
SELECT is(covara.hash_token('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
          'an ordinary role can use the token functions');
RESET ROLE;

-- the token functions: signatures, return types and flags
CREATE TEMP TABLE token_functions (fn name, args name[], ret text, vol text, strict bool);
INSERT INTO token_functions VALUES
  ('hash_token', '{text}', 'text', 'IMMUTABLE', true),
  ('hash_token', '{bytea}', 'text', 'IMMUTABLE', true),
  ('hash_token', '{text,text}', 'text', 'IMMUTABLE', true),
  ('hmac_token', '{text,bytea}', 'text', 'IMMUTABLE', true),
  ('hmac_token', '{bytea,bytea}', 'text', 'IMMUTABLE', true),
  ('generate_token', '{integer}', 'text', 'VOLATILE', true),
  ('token_equals', '{text,text}', 'boolean', 'IMMUTABLE', true);
SELECT function_returns('covara', fn, args, ret) FROM token_functions ORDER BY fn, args;
SELECT volatility_is('covara', fn, args, vol) FROM token_functions ORDER BY fn, args;
SELECT is_strict('covara', fn, args) FROM token_functions ORDER BY fn, args;
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = format('covara.%I(%s)', fn, array_to_string(args, ','))::regprocedure),
          's', fn || '(' || array_to_string(args, ',') || ') is PARALLEL SAFE')
  FROM token_functions ORDER BY fn, args;
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'covara'::regnamespace
       AND p.oid NOT IN (SELECT objid FROM pg_depend WHERE deptype = 'e')$$,
  'every function in schema covara belongs to the extension');
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'covara'::regnamespace
       AND obj_description(p.oid, 'pg_proc') IS NULL$$,
  'every function in schema covara has a comment');
SELECT is(
  (SELECT pg_get_function_arguments('covara.generate_token(integer)'::regprocedure)),
  'nbytes integer DEFAULT 32', 'generate_token takes nbytes, 32 by default');
SELECT ok(
  (SELECT extrelocatable = false FROM pg_extension WHERE extname = 'covara'),
  'the extension is not relocatable');
SELECT throws_ok('SELECT covara.hash_token(''abc'', ''base32'')', '22023',
                 'unrecognized token encoding "base32"', 'an unknown encoding is 22023');
SELECT throws_ok('SELECT covara.generate_token(0)', '22023',
                 'number of random bytes 0 is out of range', 'nbytes below 1 is 22023');
SELECT throws_ok('SELECT covara.generate_token(1025)', '22023',
                 'number of random bytes 1025 is out of range', 'nbytes above 1024 is 22023');

-- covara._auth_token_locks, which issue_verification_token locks: the
-- extension's own rows (not dumped), no privilege for anyone but the owner,
-- so no other role can lock its rows or the table
SELECT results_eq($$SELECT count(*)::int, min(bucket), max(bucket) FROM covara._auth_token_locks$$,
                  $$VALUES (1024, 0, 1023)$$, 'covara._auth_token_locks holds the buckets 0 to 1023');
SELECT table_privs_are('covara', '_auth_token_locks', 'public', ARRAY[]::text[],
                       'covara._auth_token_locks: no privileges for PUBLIC');
SELECT table_privs_are('covara', '_auth_token_locks', 'covara_test_nobody', ARRAY[]::text[],
                       'covara._auth_token_locks: no privileges for an ordinary role');
SET LOCAL ROLE covara_test_nobody;
SELECT throws_ok('SELECT bucket FROM covara._auth_token_locks WHERE bucket = 0 FOR KEY SHARE', '42501', NULL,
                 'an ordinary role cannot lock a row of covara._auth_token_locks');
SELECT throws_ok('LOCK TABLE covara._auth_token_locks IN SHARE MODE', '42501', NULL,
                 'an ordinary role cannot lock the table');
RESET ROLE;
-- ... whatever default privileges the installing role has (also for a
-- role whose name needs quotes)
DROP EXTENSION covara;
CREATE ROLE "Covara Test Quoted";
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO covara_test_nobody, "Covara Test Quoted";
SELECT lives_ok('CREATE EXTENSION covara', 'CREATE EXTENSION covara under default privileges for other roles');
SELECT table_privs_are(n, t, r, ARRAY[]::text[],
                       n || '.' || t || ': the installing role''s default privileges for ' || r || ' are not applied')
  FROM (VALUES ('covara'::name, '_auth_token_locks'::name), ('public', 'auth_accounts'), ('public', 'auth_api_keys'),
               ('public', 'auth_sessions'), ('public', 'auth_verification_tokens')) v(n, t),
       (VALUES ('covara_test_nobody'::name), ('Covara Test Quoted')) w(r)
 ORDER BY r, n, t;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM covara_test_nobody, "Covara Test Quoted";

-- not trusted: a role that may create in the database still may not
-- install it (last, since it drops the extension; all rolled back)
DROP EXTENSION covara;
CREATE ROLE covara_untrusted_probe;
DO $$BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO covara_untrusted_probe', current_database()); END$$;
GRANT CREATE ON SCHEMA public TO covara_untrusted_probe;
SET LOCAL ROLE covara_untrusted_probe;
SELECT throws_ok('CREATE EXTENSION covara', '42501', 'permission denied to create extension "covara"',
                 'the extension is not trusted: a role with CREATE on the database may not install it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
