-- CREATE EXTENSION covara SCHEMA auth: the tables go to auth, the functions
-- stay in covara, and an app whose search_path starts with auth finds the
-- tables unqualified, as covara's Drizzle queries write them.
BEGIN;
CREATE EXTENSION pgtap;
CREATE SCHEMA auth;
CREATE EXTENSION covara SCHEMA auth;
SELECT plan(9);

SELECT tables_are('auth', ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys',
                                'auth_verification_tokens'],
                  'the four tables are in schema auth');
SELECT is_empty($$SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
                    AND relname LIKE 'auth\_%'$$, 'nothing in public');
SELECT tables_are('covara', ARRAY['_auth_token_locks'], 'in covara only its own table, the locks of issue_verification_token');
SELECT has_function('covara', 'hash_token', ARRAY['text'], 'functions are in covara');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'covara'),
          'auth', 'the extension''s schema is auth');
SELECT set_eq($$SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'covara'$$,
              ARRAY['auth.auth_sessions', 'auth.auth_accounts', 'auth.auth_api_keys',
                    'auth.auth_verification_tokens'],
              'the tables in auth are registered for pg_dump');
SELECT is(pg_get_indexdef('auth."auth_session_userId_idx"'::regclass),
          'CREATE INDEX "auth_session_userId_idx" ON auth.auth_sessions USING btree ("userId")',
          'indexes keep the names drizzle-kit expects');

SET LOCAL search_path = auth, public;
INSERT INTO "auth_sessions" ("id", "userId", "createdAt", "expiresAt", "data")
VALUES ('s1', 'u1', '2026-01-01 00:00:00', '2026-01-02 00:00:00', '{}');
SELECT is((SELECT "userId" FROM "auth_sessions" WHERE "id" = 's1'), 'u1',
          'unqualified Drizzle-style queries find the tables');

SELECT throws_ok('ALTER EXTENSION covara SET SCHEMA public', '0A000', NULL,
                 'the extension cannot be moved to another schema');

SELECT * FROM finish();
ROLLBACK;
