-- Adopting a database made by covara's own start-up migrator: CREATE
-- EXTENSION covara checks each existing table and refuses any whose shape
-- differs (naming the difference, changing nothing); otherwise it keeps the
-- tables and every row, renames the migrator's index and key names to the
-- ones drizzle-kit expects, and makes the tables the extension's.
BEGIN;
CREATE EXTENSION pgtap;
SELECT plan(76);

SET LOCAL TimeZone = 'Pacific/Kiritimati';
CREATE ROLE covara_test_app;
GRANT CREATE ON SCHEMA public TO covara_test_app;
SET LOCAL ROLE covara_test_app;
\ir ../fixtures/covara-migrator.sql
-- rows in every table, with awkward values
INSERT INTO auth_sessions VALUES
  ('s1', 'u1', '2026-01-01 00:00:00', '2026-01-02 00:00:00', '{"cart":["é","日本"]}'),
  ('s2', 'u2', '4713-01-01 00:00:00 BC', '294276-12-31 23:59:59', NULL),
  ('s3', 'ü', '2000-02-29 12:34:56.789012', '2000-03-01 00:00:00', '');
INSERT INTO auth_accounts VALUES
  ('u1', 'oauth', 'github', '42', 'r', 'a', '2030-01-01 00:00:00', 'bearer', 'read', 'id', 'st'),
  ('u2', 'oidc', 'google', '日本', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO auth_api_keys VALUES
  ('0123456789abcdef', 'u1', 'ci', repeat('a', 64), 'cvk_0123456789abcdef', '["read","write"]',
   '2026-01-01 00:00:00', NULL, NULL, NULL),
  ('fedcba9876543210', 'u2', 'é', repeat('b', 64), 'cvk_fedcba9876543210', NULL,
   '1999-12-31 23:59:59', '294276-12-31 23:59:59', '2026-06-01 00:00:00', '2026-07-01 00:00:00');
INSERT INTO auth_verification_tokens VALUES
  ('a@example.com', repeat('c', 64), '2026-01-01 00:00:00'),
  ('ü@example.com', repeat('d', 64), '4713-01-01 00:00:00 BC');
RESET ROLE;
-- a role that owns objects of its own, which the application's role lets
-- depend on the tables
CREATE ROLE covara_test_other;
GRANT CREATE ON SCHEMA public TO covara_test_other;

CREATE TEMP TABLE before_rows AS
  SELECT 'auth_sessions' AS tbl, count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM auth_sessions t
  UNION ALL SELECT 'auth_accounts', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_accounts t
  UNION ALL SELECT 'auth_api_keys', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_api_keys t
  UNION ALL SELECT 'auth_verification_tokens', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_verification_tokens t;
CREATE TEMP TABLE before_oids AS
  SELECT relname, oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'auth\_%' AND relkind = 'r';

-- Run CREATE EXTENSION covara and report how it ended: 'created', or the
-- error's SQLSTATE, message and detail.
CREATE FUNCTION pg_temp.try_create() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text;
BEGIN
  CREATE EXTENSION covara;
  RETURN 'created';
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
  RETURN st || ': ' || msg || E'\n' || det;
END $$;
-- Nothing of covara exists and the migrator's names are untouched.
CREATE FUNCTION pg_temp.untouched() RETURNS boolean LANGUAGE sql AS $$
  SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'covara')
     AND NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'covara')
     AND (SELECT count(*) FROM pg_class WHERE relname IN
           ('auth_session_userid_idx', 'auth_session_expiresat_idx', 'auth_account_userid_idx',
            'auth_api_key_userid_idx', 'auth_accounts_pkey', 'auth_verification_tokens_pkey')) = 6
     AND (SELECT relowner FROM pg_class WHERE oid = 'public.auth_sessions'::regclass)
         = 'covara_test_app'::regrole
$$;

-- DDL that only PostgreSQL 18 and later know.
CREATE FUNCTION pg_temp.before_18() RETURNS boolean LANGUAGE sql AS
  $$SELECT current_setting('server_version_num')::int < 180000$$;
CREATE FUNCTION pg_temp.on_18(ddl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_temp.before_18() THEN EXECUTE ddl; END IF;
END $$;

-- Each difference is refused with a message naming it; nothing changes.
SAVEPOINT shape;
ALTER TABLE auth_sessions DROP COLUMN data;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nColumn data is missing.',
          'a missing column is refused and named');
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO shape;
ALTER TABLE auth_api_keys ALTER COLUMN scopes TYPE text;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_api_keys: it differs from covara''s definition\nColumn scopes has type text, expected jsonb.',
          'a retyped column is refused and named');
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO shape;
ALTER TABLE auth_accounts ALTER COLUMN type DROP NOT NULL;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_accounts: it differs from covara''s definition\nColumn type is nullable, expected NOT NULL.',
          'a nullable column that should be NOT NULL is refused');
ROLLBACK TO shape;
ALTER TABLE auth_verification_tokens ADD COLUMN note text;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_verification_tokens: it differs from covara''s definition\nColumn note is not part of covara''s table.',
          'an extra column is refused');
ROLLBACK TO shape;
ALTER TABLE auth_sessions ALTER COLUMN "createdAt" SET DEFAULT now();
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nColumn "createdAt" has a default, identity or generation expression.',
          'a column default is refused');
ROLLBACK TO shape;
CREATE INDEX sessions_data_idx ON auth_sessions (data);
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nIndex sessions_data_idx is not part of covara''s table.',
          'an extra index is refused');
ROLLBACK TO shape;
CREATE INDEX dup_prefix_idx ON auth_api_keys ("keyPrefix");
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_api_keys: it differs from covara''s definition\nIt has more indexes than covara''s table.',
          'a duplicate of a contract index is refused');
ROLLBACK TO shape;
DROP INDEX auth_session_expiresat_idx;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nIndex "auth_session_expiresAt_idx" is missing (USING btree ("expiresAt")).',
          'a missing index is refused');
ROLLBACK TO shape;
ALTER TABLE auth_api_keys ADD CONSTRAINT name_not_empty CHECK (name <> '');
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_api_keys: it differs from covara''s definition\nConstraint name_not_empty is not part of covara''s table.',
          'an extra constraint is refused');
-- PostgreSQL 18 keeps NOT NULL as constraints: a column's own is its
-- nullability (adopted, whatever its name), one that is NOT VALID or NO
-- INHERIT is not covara's.  (Before 18 there are none: skipped.)
ROLLBACK TO shape;
SELECT pg_temp.on_18($$ALTER TABLE auth_sessions ALTER COLUMN "userId" DROP NOT NULL;
                      ALTER TABLE auth_sessions ADD CONSTRAINT sessions_user_required NOT NULL "userId"$$);
SELECT CASE WHEN pg_temp.before_18() THEN skip('NOT NULL constraints are new in PostgreSQL 18')
  ELSE is(pg_temp.try_create(), 'created',
          'a NOT NULL constraint with a name of its own is the column''s nullability: adopted') END;
ROLLBACK TO shape;
SELECT pg_temp.on_18($$ALTER TABLE auth_sessions ALTER COLUMN "userId" DROP NOT NULL;
                      ALTER TABLE auth_sessions ADD CONSTRAINT sessions_user_unchecked NOT NULL "userId" NOT VALID$$);
SELECT CASE WHEN pg_temp.before_18() THEN skip('NOT NULL constraints are new in PostgreSQL 18', 2)
  ELSE collect_tap(
    is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nConstraint sessions_user_unchecked is not part of covara''s table.',
       'a NOT NULL constraint that is NOT VALID is refused'),
    ok(pg_temp.untouched(), '... and nothing changed')) END;
ROLLBACK TO shape;
SELECT pg_temp.on_18($$ALTER TABLE auth_sessions ALTER COLUMN "userId" DROP NOT NULL;
                      ALTER TABLE auth_sessions ADD CONSTRAINT sessions_user_here NOT NULL "userId" NO INHERIT$$);
SELECT CASE WHEN pg_temp.before_18() THEN skip('NOT NULL constraints are new in PostgreSQL 18', 2)
  ELSE collect_tap(
    is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nConstraint sessions_user_here is not part of covara''s table.',
       'a NOT NULL constraint that is NO INHERIT is refused'),
    ok(pg_temp.untouched(), '... and nothing changed')) END;
ROLLBACK TO shape;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER sneaky BEFORE INSERT ON auth_api_keys FOR EACH ROW EXECUTE FUNCTION public.touch();
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_api_keys: it differs from covara''s definition\nTrigger sneaky is not part of covara''s table.',
          'a trigger is refused');
ROLLBACK TO shape;
CREATE RULE no_delete AS ON DELETE TO auth_sessions DO INSTEAD NOTHING;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nRule no_delete is not part of covara''s table.',
          'a rule is refused');
ROLLBACK TO shape;
ALTER TABLE auth_accounts ENABLE ROW LEVEL SECURITY;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_accounts: it differs from covara''s definition\nIt has row-level security enabled or policies defined.',
          'row-level security is refused');
ROLLBACK TO shape;
ALTER TABLE auth_sessions ALTER COLUMN "userId" TYPE varchar(64), ADD COLUMN extra int;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nColumn extra is not part of covara''s table.\nColumn "userId" has type character varying(64), expected text.',
          'every difference of a table is listed');
ROLLBACK TO shape;
-- a bounded list: the first 20 differences, then how many more
DO $$BEGIN FOR i IN 1..60 LOOP EXECUTE format('ALTER TABLE auth_accounts ADD COLUMN extra_%s int', lpad(i::text, 2, '0')); END LOOP; END$$;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_accounts: it differs from covara''s definition\n'
          || (SELECT string_agg(format('Column extra_%s is not part of covara''s table.', lpad(i::text, 2, '0')), E'\n' ORDER BY i)
                FROM generate_series(1, 20) i)
          || E'\nAnd 40 more.',
          'of many differences the first 20 are listed, then how many more');
ROLLBACK TO shape;
CREATE STATISTICS sessions_stats ON "userId", "expiresAt" FROM auth_sessions;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_sessions: it differs from covara''s definition\nStatistics object sessions_stats is not part of covara''s table.',
          'an extended statistics object is refused (ANALYZE would run its expressions as the new owner)');
ROLLBACK TO shape;
ALTER TABLE auth_api_keys SET UNLOGGED;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_api_keys: it differs from covara''s definition\nIt is not a permanent (logged) table.',
          'an unlogged table is refused');
ROLLBACK TO shape;
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO shape;
ALTER TABLE auth_verification_tokens RENAME TO old_tokens;
CREATE VIEW auth_verification_tokens AS SELECT * FROM old_tokens;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt existing table public.auth_verification_tokens: it differs from covara''s definition\nIt is not a plain table (relkind v).',
          'a view in a table''s place is refused');
ROLLBACK TO shape;
SELECT ok(pg_temp.untouched(), 'after all refusals nothing of covara exists');
RELEASE SAVEPOINT shape;

-- Objects of other roles that depend on the tables are refused, all of
-- them listed, and nothing changes: they would keep a hold on the adopted
-- tables (a foreign key to auth_sessions tells whether a session id exists,
-- and blocks revoke_session and DROP EXTENSION; a view, rule, policy or
-- function keeps reading them; a publication keeps sending their rows).  The
-- role running CREATE EXTENSION, which becomes the tables' owner, keeps its
-- own objects, as it could make them on a fresh install; publications that
-- name no table (FOR ALL TABLES, FOR TABLES IN SCHEMA) are kept too.
SET LOCAL client_min_messages = error;  -- CREATE PUBLICATION's wal_level warning
SELECT format('GRANT CREATE ON DATABASE %I TO covara_test_app', current_database()) \gexec
SAVEPOINT hooks_all;
SET LOCAL ROLE covara_test_app;
GRANT SELECT, REFERENCES, TRIGGER ON auth_sessions, auth_accounts, auth_api_keys, auth_verification_tokens
   TO covara_test_other;
SET LOCAL ROLE covara_test_other;
CREATE TABLE other_t (x int);
CREATE FUNCTION other_fire() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
RESET ROLE;
SAVEPOINT hooks;
SET LOCAL ROLE covara_test_app;
CREATE TABLE app_audit (session_id text REFERENCES auth_sessions (id));
INSERT INTO app_audit VALUES ('s1');
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nForeign key app_audit_session_id_fkey on public.app_audit, owned by role covara_test_app, references public.auth_sessions.',
          'a foreign key from another role''s table (the application''s own) is refused');
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
CREATE VIEW other_keys AS SELECT id, "userId" FROM auth_api_keys;
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nView public.other_keys, owned by role covara_test_other, depends on public.auth_api_keys.',
          'a view of another role is refused');
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
CREATE RULE other_rule AS ON INSERT TO other_t DO ALSO SELECT identifier FROM auth_verification_tokens;
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nRule other_rule on public.other_t, owned by role covara_test_other, depends on public.auth_verification_tokens.',
          'a rule of another role''s table that reads a table is refused');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
CREATE POLICY other_policy ON other_t USING (EXISTS (SELECT FROM auth_accounts));
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nPolicy other_policy on public.other_t, owned by role covara_test_other, depends on public.auth_accounts.',
          'a policy of another role''s table that reads a table is refused');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
CREATE CONSTRAINT TRIGGER other_trigger AFTER INSERT ON other_t FROM auth_sessions
   FOR EACH ROW EXECUTE FUNCTION other_fire();
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nTrigger other_trigger on public.other_t, owned by role covara_test_other, depends on public.auth_sessions.',
          'a constraint trigger of another role naming a table is refused');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
CREATE FUNCTION other_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM auth_sessions; END;
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nFunction public.other_count(), owned by role covara_test_other, depends on public.auth_sessions.',
          'a function of another role whose SQL-standard body reads a table is refused');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
CREATE TABLE other_copies (s auth_sessions);
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nTable column public.other_copies.s, owned by role covara_test_other, depends on public.auth_sessions.',
          'a column of a table''s row type in another role''s table is refused');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_app;
CREATE PUBLICATION covara_test_leak FOR TABLE auth_sessions, auth_api_keys;
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\nPublication covara_test_leak, owned by role covara_test_app, publishes public.auth_sessions.\nPublication covara_test_leak, owned by role covara_test_app, publishes public.auth_api_keys.',
          'a publication of another role that names the tables is refused');
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_app;
CREATE TABLE app_audit (session_id text REFERENCES auth_sessions (id));
CREATE PUBLICATION covara_test_leak FOR TABLE auth_sessions, auth_api_keys;
SET LOCAL ROLE covara_test_other;
CREATE VIEW other_accounts AS SELECT provider FROM auth_accounts;
CREATE MATERIALIZED VIEW other_tokens AS SELECT identifier FROM auth_verification_tokens;
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\n'
          'Foreign key app_audit_session_id_fkey on public.app_audit, owned by role covara_test_app, references public.auth_sessions.\n'
          'Publication covara_test_leak, owned by role covara_test_app, publishes public.auth_sessions.\n'
          'View public.other_accounts, owned by role covara_test_other, depends on public.auth_accounts.\n'
          'Publication covara_test_leak, owned by role covara_test_app, publishes public.auth_api_keys.\n'
          'Materialized view public.other_tokens, owned by role covara_test_other, depends on public.auth_verification_tokens.',
          'every such object of every table is listed in one error');
SELECT ok(pg_temp.untouched(), '... and nothing changed');
ROLLBACK TO hooks;
SET LOCAL ROLE covara_test_other;
DO $$BEGIN FOR i IN 1..30 LOOP EXECUTE format('CREATE VIEW other_view_%s AS SELECT id FROM auth_sessions', lpad(i::text, 2, '0')); END LOOP; END$$;
RESET ROLE;
SELECT is(pg_temp.try_create(), E'55000: cannot adopt the existing tables: objects of other roles depend on them\n'
          || (SELECT string_agg(format('View public.other_view_%s, owned by role covara_test_other, depends on public.auth_sessions.',
                                       lpad(i::text, 2, '0')), E'\n' ORDER BY i)
                FROM generate_series(1, 20) i)
          || E'\nAnd 10 more.',
          'of many such objects the first 20 are listed, then how many more');
ROLLBACK TO hooks;
-- kept: publications naming no table, and the adopting role's own objects
CREATE PUBLICATION covara_test_all FOR ALL TABLES;
CREATE PUBLICATION covara_test_schema FOR TABLES IN SCHEMA public;
CREATE TABLE adopter_audit (session_id text REFERENCES auth_sessions (id));
CREATE VIEW adopter_keys AS SELECT id FROM auth_api_keys;
SELECT is(pg_temp.try_create(), 'created',
          'publications FOR ALL TABLES or FOR TABLES IN SCHEMA, and the adopting role''s own objects, do not stop adoption');
SELECT is((SELECT count(*)::int FROM pg_publication_tables WHERE pubname = 'covara_test_all' AND tablename = 'auth_sessions'), 1,
          '... and the publications cover the adopted tables, as they would cover a fresh install''s');
ROLLBACK TO hooks_all;
RELEASE SAVEPOINT hooks_all;
SELECT format('REVOKE CREATE ON DATABASE %I FROM covara_test_app', current_database()) \gexec

-- The real thing, with the session's TimeZone far from UTC, and a table of
-- the adopting role's own that references the sessions.
CREATE TABLE adopter_audit (session_id text REFERENCES auth_sessions (id));
INSERT INTO adopter_audit VALUES ('s1');
SET LOCAL client_min_messages = error;  -- the adoption warning is checked by its effects below
SELECT is(pg_temp.try_create(), 'created', 'CREATE EXTENSION covara adopts the migrator''s tables');
SELECT results_eq(
  $$SELECT * FROM before_rows ORDER BY tbl$$,
  $$SELECT 'auth_sessions' AS tbl, count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_sessions t
    UNION ALL SELECT 'auth_accounts', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_accounts t
    UNION ALL SELECT 'auth_api_keys', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_api_keys t
    UNION ALL SELECT 'auth_verification_tokens', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM auth_verification_tokens t
    ORDER BY tbl$$,
  'every row of every table is kept, byte for byte');
SELECT is((SELECT "expiresAt"::text FROM auth_sessions WHERE id = 's2'), '294276-12-31 23:59:59',
          'timestamps are untouched wall-clock values');
SELECT set_eq($$SELECT relname::text, oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'auth\_%' AND relkind = 'r'$$,
              $$SELECT relname::text, oid FROM before_oids$$,
              'the tables are the same tables (same OIDs), not copies');
SELECT is(pg_get_indexdef(format('public.%I', idx)::regclass), def, 'adopted: ' || def)
  FROM (VALUES
    ('auth_sessions_pkey', 'CREATE UNIQUE INDEX auth_sessions_pkey ON public.auth_sessions USING btree (id)'),
    ('auth_session_userId_idx', 'CREATE INDEX "auth_session_userId_idx" ON public.auth_sessions USING btree ("userId")'),
    ('auth_session_expiresAt_idx', 'CREATE INDEX "auth_session_expiresAt_idx" ON public.auth_sessions USING btree ("expiresAt")'),
    ('auth_accounts_provider_providerAccountId_pk', 'CREATE UNIQUE INDEX "auth_accounts_provider_providerAccountId_pk" ON public.auth_accounts USING btree (provider, "providerAccountId")'),
    ('auth_account_userId_idx', 'CREATE INDEX "auth_account_userId_idx" ON public.auth_accounts USING btree ("userId")'),
    ('auth_api_keys_pkey', 'CREATE UNIQUE INDEX auth_api_keys_pkey ON public.auth_api_keys USING btree (id)'),
    ('auth_api_key_userId_idx', 'CREATE INDEX "auth_api_key_userId_idx" ON public.auth_api_keys USING btree ("userId")'),
    ('auth_api_key_prefix_idx', 'CREATE INDEX auth_api_key_prefix_idx ON public.auth_api_keys USING btree ("keyPrefix")'),
    ('auth_verification_tokens_identifier_token_pk', 'CREATE UNIQUE INDEX auth_verification_tokens_identifier_token_pk ON public.auth_verification_tokens USING btree (identifier, token)')
  ) AS v(idx, def);
SELECT is_empty($$SELECT relname FROM pg_class WHERE relname IN
                  ('auth_session_userid_idx', 'auth_session_expiresat_idx', 'auth_account_userid_idx',
                   'auth_api_key_userid_idx', 'auth_accounts_pkey', 'auth_verification_tokens_pkey')$$,
                'the migrator''s lower-cased and default names are gone');
SELECT set_eq($$SELECT conname::text FROM pg_constraint WHERE conrelid::regclass::text LIKE 'auth\_%' AND contype <> 'n'$$,
              ARRAY['auth_sessions_pkey', 'auth_accounts_provider_providerAccountId_pk', 'auth_api_keys_pkey',
                    'auth_verification_tokens_identifier_token_pk'],
              'the primary keys have the names drizzle-kit expects');
SELECT set_eq(
  $$SELECT c.relname::text FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind = 'r'
       AND c.relnamespace = 'public'::regnamespace
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')$$,
  ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys', 'auth_verification_tokens'],
  'the adopted tables belong to the extension');
SELECT set_eq($$SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'covara'$$,
              ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys', 'auth_verification_tokens'],
              'the adopted tables are registered for pg_dump');
SELECT is_empty($$SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
                    AND relname LIKE 'auth\_%' AND relkind = 'r' AND relowner <> current_user::regrole$$,
                'the adopted tables are owned by the extension''s owner');
SELECT table_privs_are('public', t, 'covara_test_app', ARRAY[]::text[],
                       t || ': the previous owner''s privileges are removed (the warning says how to give them back)')
  FROM unnest(ARRAY['auth_accounts', 'auth_api_keys', 'auth_sessions', 'auth_verification_tokens']::name[]) t;
SELECT table_privs_are('public', t, 'public', ARRAY[]::text[], t || ': nothing for PUBLIC')
  FROM unnest(ARRAY['auth_accounts', 'auth_api_keys', 'auth_sessions', 'auth_verification_tokens']::name[]) t;
SELECT is((SELECT count(*) FROM pg_constraint WHERE conrelid = 'adopter_audit'::regclass AND contype = 'f')::int, 1,
          'the adopting role''s own foreign key to auth_sessions survives');
SELECT is_empty($$SELECT relname FROM pg_class WHERE relnamespace = 'covara'::regnamespace AND relkind = 'r'
                    AND relname <> '_auth_token_locks'$$,
                'no staging tables are left in schema covara (only its own _auth_token_locks)');
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_sessions TO covara_test_app;
SET LOCAL ROLE covara_test_app;
SELECT is((SELECT count(*) FROM auth_sessions)::int, 3, 'the suggested GRANT gives the application its access back');
RESET ROLE;
SELECT is(covara.hash_token('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
          'the token functions work after adoption');

-- Only some tables present: those are adopted, the others created.
DROP TABLE adopter_audit;
DROP EXTENSION covara;
SET LOCAL ROLE covara_test_app;
CREATE TABLE auth_sessions (id text PRIMARY KEY, "userId" text NOT NULL, "createdAt" timestamp NOT NULL,
                            "expiresAt" timestamp NOT NULL, data text);
CREATE INDEX auth_session_userId_idx ON auth_sessions ("userId");
CREATE INDEX auth_session_expiresAt_idx ON auth_sessions ("expiresAt");
INSERT INTO auth_sessions VALUES ('only', 'u', '2026-01-01', '2026-01-02', NULL);
RESET ROLE;
SET LOCAL client_min_messages = error;
SELECT is(pg_temp.try_create(), 'created', 'a database with only auth_sessions is adopted');
SELECT tables_are('public', ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys', 'auth_verification_tokens'],
                  'the missing tables are created');
SELECT is((SELECT id FROM auth_sessions), 'only', 'the adopted table keeps its row');
SELECT is((SELECT count(*) FROM auth_api_keys)::int, 0, 'the created tables are empty');

SELECT * FROM finish();
ROLLBACK;
