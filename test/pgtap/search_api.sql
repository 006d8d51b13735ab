-- covara search API: SQLSTATEs of its errors, function markings, and the
-- privileges a caller needs (the same as by hand; nobody can change another
-- role's index settings).
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(70);
SET client_min_messages = warning;

-- functions and their markings
SELECT has_function('covara', 'search_trigger', '{}'::name[]);
SELECT has_function('covara', 'search_sync_trigger', '{}'::name[]);
SELECT has_function('covara', 'create_search_index', ARRAY['text', 'jsonb', 'regconfig', 'text']);
SELECT has_function('covara', 'attach_search', ARRAY['regclass', 'text', 'jsonb', 'name', 'regconfig', 'name[]', 'boolean']);
SELECT has_function('covara', 'detach_search', ARRAY['regclass', 'text']);
SELECT has_function('covara', 'drop_search_index', ARRAY['text']);
SELECT has_function('covara', 'search', ARRAY['text', 'text', 'integer', 'integer', 'boolean', 'boolean']);
SELECT has_function('covara', 'search_suggest', ARRAY['text', 'text', 'integer']);
SELECT hasnt_function('covara', 'search', ARRAY['text', 'text', 'integer', 'integer']);
SELECT has_function('covara', 'search_count', ARRAY['text', 'text', 'bigint']);
SELECT has_function('covara', 'search_impacts', ARRAY['tsvector', '"char"']);
SELECT has_function('covara', 'search_score', ARRAY['tsvector', 'tsquery']);
SELECT has_function('covara', '_search_tier_query', ARRAY['tsquery', 'integer']);
SELECT has_function('covara', '_search_tier_floor', ARRAY['"char"', 'integer']);
SELECT has_function('covara', 'search_prefix_query', ARRAY['tsquery']);
SELECT has_function('covara', 'search_count', ARRAY['text', 'text']);
SELECT has_view('covara', 'search_indexes', 'view covara.search_indexes');
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = 'covara' AND p.prosecdef
			  AND (p.proname LIKE '%search%' OR p.proname = 'trigger_arguments')),
		  0::bigint, 'no search function is SECURITY DEFINER');
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = 'covara' AND (p.proname LIKE '%search%' OR p.proname = 'trigger_arguments')
			  AND obj_description(p.oid, 'pg_proc') IS NULL),
		  0::bigint, 'every search function has a comment');
SELECT volatility_is('covara', 'search_vector', ARRAY['jsonb', 'jsonb', 'regconfig'], 'immutable');
SELECT volatility_is('covara', 'search', ARRAY['text', 'text', 'integer', 'integer', 'boolean', 'boolean'], 'stable');
SELECT volatility_is('covara', 'search_suggest', ARRAY['text', 'text', 'integer'], 'stable');
SELECT is((SELECT count(*) FROM pg_proc
			WHERE oid IN ('covara.search_impacts(tsvector,"char")'::regprocedure, 'covara.search_score(tsvector,tsquery)'::regprocedure,
						  'covara._search_tier_query(tsquery,int4)'::regprocedure, 'covara._search_tier_floor("char",int4)'::regprocedure,
						  'covara.search_prefix_query(tsquery)'::regprocedure)
			  AND provolatile = 'i' AND proisstrict AND proparallel = 's'),
		  5::bigint, 'the ranking functions are immutable, strict and parallel safe (an index expression needs the first)');
SELECT volatility_is('covara', 'create_search_index', ARRAY['text', 'jsonb', 'regconfig', 'text'], 'volatile');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'covara.search_vector(jsonb,jsonb,regconfig)'::regprocedure),
		  's', 'search_vector is parallel safe');

-- SQLSTATEs of bad trigger configurations
CREATE TABLE t (id int, title text, num int, meta jsonb, lang text, rc regconfig, tsv tsvector);
INSERT INTO t (id) VALUES (0);
CREATE FUNCTION pg_temp.try(args text, event text DEFAULT 'BEFORE INSERT OR UPDATE') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE 'DROP TRIGGER IF EXISTS x ON t';
	EXECUTE format('CREATE TRIGGER x %s ON t FOR EACH ROW EXECUTE FUNCTION covara.search_trigger(%s)', event, args);
	PERFORM covara.check_search_trigger('t', 'x');
END $$;
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english', 'titel'$a$)$$, '42703',
	'column "titel" named in trigger "x" does not exist in table "t"', 'unknown column: 42703');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english', 'num'$a$)$$, '42804',
	'column "num" of table "t" is of type integer, which trigger "x" cannot index', 'wrong type: 42804');
SELECT throws_ok($$SELECT pg_temp.try($a$'title', 'english', 'title'$a$)$$, '42804',
	'column "title" of table "t" is of type text, not tsvector', 'tsvector column of another type: 42804');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english', 'title.key'$a$)$$, '42804', NULL, 'key path on text: 42804');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english', 'title:X'$a$)$$, '22023',
	'invalid field "title:X" in trigger "x" on table "t"', 'bad weight: 22023');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english'$a$)$$, '22023', NULL, 'no field: 22023');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english', 'title', 'foo=bar'$a$)$$, '22023', NULL, 'unknown option: 22023');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'no_such_config', 'title'$a$)$$, '42704',
	'text search configuration "no_such_config" named in trigger "x" on table "t" does not exist', 'unknown configuration: 42704');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'lang', 'title'$a$)$$, '42804', NULL, 'configuration column not regconfig: 42804');
SELECT throws_ok($$SELECT pg_temp.try($a$'tsv', 'english', 'title'$a$, 'AFTER INSERT')$$, '39P01', NULL,
	'an AFTER trigger is refused: 39P01');
SELECT lives_ok($$SELECT pg_temp.try($a$'tsv', 'rc', 'title:A', 'meta.a.b:B'$a$)$$, 'a valid trigger passes the check');
SELECT throws_ok($$INSERT INTO t (id, title) VALUES (1, 'x')$$, '22004', NULL, 'a NULL configuration column: 22004');
DROP TRIGGER x ON t;
SELECT lives_ok($$CREATE TRIGGER x BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title')$$,
	'a DELETE trigger can be created ...');
SELECT throws_ok($$DELETE FROM t$$, '39P01', NULL, '... but refuses to run: 39P01');
SELECT throws_ok($$SELECT covara.check_search_trigger('t', 'x')$$, '39P01', NULL, '... and fails the check: 39P01');
DROP TRIGGER x ON t;

-- SQLSTATEs of the management functions
SELECT throws_ok($$SELECT covara.create_search_index('bad-name')$$, '22023', NULL, 'bad index name: 22023');
SELECT throws_ok($$SELECT covara.create_search_index(repeat('n', 50))$$, '22023', NULL, 'too long a name: 22023');
SELECT throws_ok($$SELECT covara.create_search_index('x', '{"a": "Q"}')$$, '22023', NULL, 'bad weight: 22023');
SELECT throws_ok($$SELECT covara.search('nope', 'x')$$, '42704', 'search index "nope" does not exist', 'unknown index: 42704');
SELECT lives_ok($$SELECT covara.create_search_index('docs', '{"title": "A"}')$$, 'create_search_index');
SELECT throws_ok($$SELECT covara.create_search_index('docs', '{"title": "B"}')$$, '42710', NULL, 'same name, other settings: 42710');
CREATE TABLE covara_fts_taken (x int);
SELECT throws_ok($$SELECT covara.create_search_index('taken')$$, '42P07', NULL, 'a table of another shape in the way: 42P07');
SELECT throws_ok($$SELECT covara.attach_search('t', 'docs', '{"title": "A"}', 'no_id')$$, '42703', NULL, 'unknown id column: 42703');
SELECT throws_ok($$SELECT covara.attach_search(NULL, 'no_such_index', '{"title": "A"}')$$, '22004',
	'source, id_column and language must not be null', 'a NULL source: 22004, before the index is looked up');
SELECT throws_ok($$SELECT covara.attach_search('t', 'docs', '{"title": "A"}', 'id', NULL)$$, '22004', NULL, 'a NULL language: 22004');
SELECT throws_ok($$SELECT covara.detach_search(NULL, 'docs')$$, '22004', 'source must not be null', 'detach_search with a NULL source: 22004');

-- a domain over tsvector: its constraints hold for the vectors the trigger writes
CREATE DOMAIN short_tsv AS tsvector CHECK (length(VALUE) <= 2);
CREATE TABLE dt (id int, title text, tsv short_tsv);
CREATE TRIGGER dt_tsv BEFORE INSERT OR UPDATE ON dt FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.english', 'title');
INSERT INTO dt VALUES (1, 'two words');
SELECT is((SELECT tsv::text FROM dt), '''two'':1 ''word'':2', 'a vector the domain accepts is written');
SELECT throws_ok($$INSERT INTO dt VALUES (2, 'three long words')$$, '23514', NULL, 'a vector the domain''s CHECK refuses: 23514');
SELECT throws_ok($$UPDATE dt SET title = 'several longer words'$$, '23514', NULL, '... also when an update recomputes it');

-- Privileges: the functions are SECURITY INVOKER, so callers need what
-- they would need by hand, and the settings (trigger arguments) can only be
-- changed by whoever may alter the tables.
CREATE ROLE covara_search_alice;
CREATE ROLE covara_search_bob;
CREATE SCHEMA search_alice AUTHORIZATION covara_search_alice;
GRANT USAGE ON SCHEMA search_alice TO covara_search_bob;
GRANT CREATE ON SCHEMA public TO covara_search_bob;
SET ROLE covara_search_alice;
SET search_path = search_alice, public;
SELECT lives_ok($$SELECT covara.create_search_index('kb', '{"title": "A"}')$$, 'alice creates an index in her schema');
INSERT INTO covara_fts_kb (doc_id, source) VALUES ('1', '{"title": "alice secret"}');
SET ROLE covara_search_bob;
SET search_path = search_alice, public;
SELECT is(covara.search_index_table('kb')::text, 'covara_fts_kb', 'bob can see that the index exists');
SELECT throws_ok($$SELECT * FROM covara.search('kb', 'secret')$$, '42501', NULL, 'bob cannot search it without SELECT');
SELECT throws_ok($$SELECT covara.drop_search_index('kb')$$, '42501', NULL, 'bob cannot drop it');
SELECT throws_ok($$DROP TRIGGER covara_index_kb ON search_alice.covara_fts_kb$$, '42501', NULL, 'bob cannot remove its trigger');
SELECT throws_ok($$CREATE TRIGGER covara_sync_kb AFTER INSERT ON search_alice.covara_fts_kb FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger()$$,
	'42501', NULL, 'bob cannot add triggers to it');
SELECT throws_ok($$INSERT INTO search_alice.covara_fts_kb (doc_id, source) VALUES ('2', '{}')$$, '42501', NULL, 'bob cannot write to it');
CREATE TABLE public.bob_notes (id int PRIMARY KEY, title text);
INSERT INTO public.bob_notes VALUES (10, 'bob note');
SELECT throws_ok($$SELECT covara.attach_search('public.bob_notes', 'kb', '{"title": "A"}')$$, '42501', NULL,
	'bob cannot attach his table to it without INSERT on it');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.bob_notes'::regclass AND NOT tgisinternal),
		  0::bigint, '... and nothing is left of the attempt');
SET ROLE covara_search_alice;
GRANT SELECT, INSERT, UPDATE, DELETE ON search_alice.covara_fts_kb TO covara_search_bob;
SET ROLE covara_search_bob;
SELECT is((SELECT count(*) FROM covara.search('kb', 'secret')), 1::bigint, 'with SELECT bob can search');
SELECT is(covara.attach_search('public.bob_notes', 'kb', '{"title": "A"}'), 1::bigint,
		  'with INSERT bob can attach his own table');
INSERT INTO public.bob_notes VALUES (11, 'another note');
SELECT is((SELECT count(*) FROM search_alice.covara_fts_kb), 3::bigint, 'and his writes reach it');
SET ROLE covara_search_alice;
SELECT throws_ok($$SELECT covara.detach_search('public.bob_notes', 'kb')$$, '42501', NULL,
	'alice cannot detach bob''s table (she does not own it)');
REVOKE INSERT ON search_alice.covara_fts_kb FROM covara_search_bob;
SET ROLE covara_search_bob;
SELECT throws_ok($$INSERT INTO public.bob_notes VALUES (12, 'third')$$, '42501', NULL,
	'the sync trigger runs with the writer''s privileges');
SET ROLE covara_search_alice;
REVOKE ALL ON search_alice.covara_fts_kb FROM covara_search_bob;
SET ROLE covara_search_bob;
SELECT throws_ok($$SELECT covara.check_search_trigger('search_alice.covara_fts_kb', 'covara_index_kb')$$, '42501', NULL,
	'check_search_trigger needs SELECT or TRIGGER on the table');
SET ROLE covara_search_alice;
GRANT SELECT ON search_alice.covara_fts_kb TO covara_search_bob;
SET ROLE covara_search_bob;
SELECT lives_ok($$SELECT covara.check_search_trigger('search_alice.covara_fts_kb', 'covara_index_kb')$$,
	'... and with SELECT it checks the trigger');
RESET ROLE;
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
