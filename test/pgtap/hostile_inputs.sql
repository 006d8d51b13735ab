-- Every public covara function, called by an ordinary role with hostile
-- arguments: NULL in each argument, empty and blank strings, a 4 MB
-- value, deeply nested and odd JSON, identifiers shaped like SQL
-- injection, out-of-range numbers and intervals, objects of the wrong kind
-- or of another role.  Each call gives a result or an error with a proper
-- SQLSTATE: never internal_error (XX000) or another XX or 58 code, never
-- the unspecific P0001 of a bare RAISE, never a crash (which would end
-- this suite), and never a message, DETAIL or HINT that repeats the 4 MB
-- input.  Every call is rolled back, and together they leave nothing
-- behind that a rollback does not undo (advisory locks, objects).
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(6);

CREATE ROLE covara_hostile;
CALL covara.grant_auth_flows('covara_hostile');
CREATE SCHEMA hostile AUTHORIZATION covara_hostile;
CREATE TABLE public.others (id int PRIMARY KEY, secret text);	-- another role's table
CREATE FUNCTION pg_temp.bigtext() RETURNS text LANGUAGE sql AS $$ SELECT repeat('x', 4 * 1024 * 1024) $$;

SET ROLE covara_hostile;
SET search_path = hostile;
CREATE TABLE hostile.docs (id int PRIMARY KEY, title text, body jsonb);
INSERT INTO hostile.docs VALUES (1, 'the quick fox', '{"tags": ["a"]}');
CREATE VIEW hostile.docs_view AS SELECT * FROM hostile.docs;
CREATE SEQUENCE hostile.seq;
CREATE TABLE hostile.seeded (id int PRIMARY KEY, title text);
DO $$ BEGIN
	PERFORM covara.create_search_index('docs', '["title:A"]');
	PERFORM covara.attach_search('hostile.docs', 'docs', '["title:A"]');
END $$;
RESET ROLE;
RESET search_path;

-- the value each argument has when another one is probed, by parameter
-- name (then by type): what a well-behaved caller passes
CREATE TEMP TABLE ordinary (param text, type regtype, expr text);
INSERT INTO ordinary VALUES
	('source', NULL, $$'hostile.docs'$$), ('tbl', NULL, $$'hostile.docs'$$),
	('target', NULL, $$'hostile.seeded'$$), ('index_name', NULL, $$'docs'$$),
	('name', 'text', $$'docs'$$), ('fields', NULL, $$'["title:A"]'$$),
	('document', NULL, $$'{"id": 1, "title": "the quick fox"}'$$), ('query', NULL, $$'fox'$$),
	('id_column', NULL, $$'id'$$), ('language', NULL, $$'english'$$), ('display', NULL, $${title}$$), ('replicated', NULL, 'true'),
	('keep', NULL, $${id}$$), ('trigger_name', NULL, $$'covara_sync_docs'$$),
	('table_prefix', NULL, $$'covara_fts_'$$), ('prefix', NULL, $$'cvk'$$), ('encoding', NULL, $$'hex'$$),
	('identifier', NULL, $$'a@example.com'$$), ('ttl', NULL, $$'1 hour'$$), ('user_id', NULL, $$'u1'$$),
	('driver', NULL, $$'postgres-js'$$), ('instances', NULL, '2'), ('nbytes', NULL, '32'),
	('batch_size', NULL, '100'), ('limit', NULL, '20'), ('offset', NULL, '0'),
	('plan', NULL, $$'{"hostile.seeded": [{"id": 1, "title": "x"}]}'$$),
	('rows', NULL, $$'[{"id": 1, "title": "x"}]'$$), ('expires_at', NULL, $$'2099-01-01'$$),
	('trigger', NULL, $$(SELECT oid FROM pg_trigger WHERE tgname = 'covara_sync_docs')$$),
	('trigger_oid', NULL, $$(SELECT oid FROM pg_trigger WHERE tgname = 'covara_sync_docs')$$),
	('grantee', NULL, $$'covara_hostile'$$),
	('prefix', 'boolean', 'false'), ('fuzzy', NULL, 'true'), ('word', NULL, $$'fxo'$$),
	('exact_up_to', NULL, '1000'), ('tier', NULL, '1'),
	(NULL, '"char"', $$'D'$$), (NULL, 'tsvector', $$'fox:1A quick:2'$$), (NULL, 'tsquery', $$'fox'$$),
	(NULL, 'text', $$'abc'$$), (NULL, 'bytea', $$'\x00ff'$$), (NULL, 'jsonb', $$'{}'$$),
	(NULL, 'integer', '1'), (NULL, 'interval', $$'1 hour'$$), (NULL, 'name', $$'id'$$),
	(NULL, 'text[]', $${a}$$), (NULL, 'name[]', $${title}$$), (NULL, 'oid', '0'),
	(NULL, 'timestamp', $$'2099-01-01'$$), (NULL, 'regclass', $$'hostile.docs'$$),
	(NULL, 'regconfig', $$'english'$$), (NULL, 'regrole', $$'covara_hostile'$$);

-- the hostile values, by type
CREATE TEMP TABLE probe (type regtype, label text, expr text, huge boolean DEFAULT false);
INSERT INTO probe (type, label, expr) SELECT t, 'NULL', 'NULL'
  FROM unnest('{text,bytea,jsonb,integer,bigint,interval,name,text[],name[],oid,timestamp,regclass,regconfig,regrole,boolean,"\"char\"",tsvector,tsquery}'::regtype[]) t;
INSERT INTO probe (type, label, expr) VALUES
	('text', 'empty', $$''$$), ('text', 'blank', $$' 	 '$$),
	('text', 'quote injection', $$'x''); DROP TABLE hostile.docs; --'$$),
	('text', 'identifier injection', $$'"; DROP TABLE hostile.docs; --'$$),
	('text', 'tsquery syntax', $$'!(& | <-> :* ''"'$$), ('text', 'unicode', $$'ünï©ødé 🎉 ‮'$$),
	('bytea', 'empty', $$''$$),
	('jsonb', 'null', $$'null'$$), ('jsonb', 'string', $$'"A"'$$), ('jsonb', 'number', '''1e308'''),
	('jsonb', 'empty array', $$'[]'$$), ('jsonb', 'array of nulls', $$'[null, null]'$$),
	('jsonb', 'deep array', $$repeat('[', 10000) || repeat(']', 10000)$$),
	('jsonb', 'deep object', $$repeat('{"title": ', 10000) || '"x"' || repeat('}', 10000)$$),
	('jsonb', 'injection keys', $${"title\"; DROP TABLE hostile.docs; --": "A", "x') --": "B"}$$),
	('jsonb', 'odd weights', $${"title": "Z", "body": ["A"]}$$),
	('integer', 'zero', '0'), ('integer', 'negative', '-1'), ('integer', 'max', '2147483647'),
	('integer', 'min', '-2147483648'),
	('bigint', 'negative', '-1'), ('bigint', 'max', '9223372036854775807'),
	('"char"', 'not a weight', $$'E'$$), ('"char"', 'empty', $$''$$), ('"char"', 'lowercase', $$'a'$$),
	('tsvector', 'empty', $$''$$), ('tsvector', 'stripped', $$'fox quick'$$),
	('tsvector', 'every weight and 256 positions', $$(SELECT string_agg('fox:' || i || substr('ABCD', i % 4 + 1, 1), ' ') FROM generate_series(1, 300) i)$$),
	('tsquery', 'empty', $$''$$), ('tsquery', 'negation only', $$'!fox'$$),
	('tsquery', 'prefix, phrase, weights', $$'fo:*A <-> !(quick | ''a''''b'')'$$),
	('tsquery', 'deep', $$(SELECT string_agg('w' || i, ' & ') FROM generate_series(1, 5000) i)$$),
	('interval', 'zero', $$'0'$$), ('interval', 'negative', $$'-1 second'$$),
	('interval', 'negative by months', $$'-1 year 361 days'$$), ('interval', 'huge', $$'100000000 years'$$),
	('name', 'empty', $$''$$), ('name', 'injection', $$'"; DROP TABLE hostile.docs; --'$$),
	('name', 'long', $$repeat('n', 63)$$),
	('text[]', 'empty', $${}$$), ('text[]', 'null element', $${NULL}$$),
	('name[]', 'empty', $${}$$), ('name[]', 'null element', $${NULL}$$),
	('name[]', 'injection', $${"\"; DROP TABLE hostile.docs; --"}$$),
	('oid', 'zero', '0'), ('oid', 'max', '4294967295'),
	('timestamp', 'infinity', $$'infinity'$$), ('timestamp', '-infinity', $$'-infinity'$$),
	('timestamp', 'ancient', $$'4713-01-01 BC'$$),
	('regclass', 'oid 0', '0'), ('regclass', 'system catalog', $$'pg_catalog.pg_class'$$),
	('regclass', 'view', $$'hostile.docs_view'$$), ('regclass', 'sequence', $$'hostile.seq'$$),
	('regclass', 'index table', $$'hostile.covara_fts_docs'$$),
	('regclass', 'another role''s table', $$'public.others'$$),
	('regconfig', 'oid 0', '0'), ('regconfig', 'simple', $$'simple'$$),
	('regrole', 'oid 0', '0'), ('regrole', 'a superuser', $$'postgres'$$);
INSERT INTO probe (type, label, expr, huge) VALUES
	('text', '4 MB', 'pg_temp.bigtext()', true),
	('bytea', '4 MB', 'convert_to(pg_temp.bigtext(), ''UTF8'')', true),
	('jsonb', '4 MB string', 'to_jsonb(pg_temp.bigtext())', true),
	('jsonb', '4 MB key', 'jsonb_build_object(pg_temp.bigtext(), ''A'')', true),
	('jsonb', '4 MB field', 'jsonb_build_array(pg_temp.bigtext() || '':Z'')', true),
	('jsonb', '4 MB key in each row', 'jsonb_build_array(jsonb_build_object(pg_temp.bigtext(), 1))', true),
	('jsonb', '4 MB value in each row', 'jsonb_build_array(jsonb_build_object(''id'', pg_temp.bigtext()))', true),
	('jsonb', 'a table twice, once padded by 4 MB',
	 'jsonb_build_object(''hostile.seeded'', ''[]''::jsonb, repeat('' '', 4 * 1024 * 1024) || ''hostile.seeded'', ''[]''::jsonb)', true),
	('text[]', '4 MB element', 'ARRAY[pg_temp.bigtext()]', true);
-- PostgreSQL 17 and later have infinite intervals
INSERT INTO probe (type, label, expr)
SELECT 'interval', 'infinity', $$'infinity'$$ WHERE current_setting('server_version_num')::int >= 170000;

-- the calls: every public function (not the internal _ ones), each argument
-- in turn given each probe of its type, the others ordinary
CREATE TEMP TABLE calls AS
WITH fn AS (
	SELECT p.oid, p.proname, p.prokind, p.proargtypes::oid[] AS types,
		   coalesce(p.proargnames, '{}') AS names, p.pronargs
	  FROM pg_proc p
	 WHERE p.pronamespace = 'covara'::regnamespace AND p.proname !~ '^_'
), arg AS (
	SELECT fn.*, i, fn.types[i] AS argtype, fn.names[i + 1] AS argname
	  FROM fn, generate_series(0, fn.pronargs - 1) i
), ord AS (
	SELECT a.oid, a.i, (SELECT o.expr FROM ordinary o
						 WHERE (o.param = a.argname AND (o.type IS NULL OR o.type = a.argtype))
							OR (o.param IS NULL AND o.type = a.argtype)
						 ORDER BY o.param IS NULL LIMIT 1) AS expr
	  FROM arg a
)
SELECT row_number() OVER () AS n, f.proname || '(' || pg_get_function_identity_arguments(f.oid) || ')' AS fn,
	   a.argname, pr.label, pr.huge,
	   format(CASE f.prokind WHEN 'p' THEN 'CALL covara.%I(%s)' ELSE 'SELECT * FROM covara.%I(%s)' END,
			  f.proname,
			  (SELECT string_agg(format('(%s)::%s', CASE WHEN o.i = a.i THEN pr.expr ELSE o.expr END,
										format_type(f.types[o.i], NULL)), ', ' ORDER BY o.i)
				 FROM ord o WHERE o.oid = f.oid)) AS stmt
  FROM fn f JOIN arg a ON a.oid = f.oid
  JOIN probe pr ON pr.type = a.argtype
UNION ALL
-- and the functions without arguments (trigger functions called directly)
SELECT 100000 + row_number() OVER (), f.proname || '()', NULL, 'no arguments', false,
	   format('SELECT * FROM covara.%I()', f.proname)
  FROM fn f WHERE f.pronargs = 0;

SELECT is((SELECT count(*) FROM calls WHERE stmt IS NULL), 0::bigint,
		  'every argument of every function has an ordinary value');

-- what a rollback does not undo: advisory locks, and the objects there are
CREATE FUNCTION pg_temp.footprint() RETURNS text LANGUAGE sql AS $$
	SELECT md5(concat_ws('|',
		(SELECT string_agg(c.oid || c.relname, ',' ORDER BY c.oid) FROM pg_class c),
		(SELECT string_agg(t.oid || t.tgname, ',' ORDER BY t.oid) FROM pg_trigger t),
		(SELECT count(*) FROM pg_proc),
		(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
		(SELECT string_agg(r.rolname, ',' ORDER BY r.oid) FROM pg_roles r)))
$$;
CREATE TEMP TABLE outcome (n bigint, sqlstate text, message text, detail text, hint text);
GRANT ALL ON outcome TO covara_hostile;

-- run(n): call n as the hostile role, rolled back whatever it did
CREATE FUNCTION pg_temp.run(call_n bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	st text;
	state text;
	msg text;
	det text;
	hnt text;
BEGIN
	SELECT stmt INTO st FROM calls WHERE n = call_n;
	BEGIN
		SET LOCAL ROLE covara_hostile;
		PERFORM pg_catalog.set_config('search_path', 'hostile', true);
		EXECUTE st;
		RAISE EXCEPTION USING ERRCODE = 'ZZ999';	-- roll back a success too
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
								det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	END;
	RESET ROLE;
	INSERT INTO outcome VALUES (call_n, NULLIF(state, 'ZZ999'), msg, det, hnt);
END
$$;
SELECT pg_temp.footprint() AS before \gset
SET client_min_messages = warning;
SELECT pg_temp.run(n) FROM calls ORDER BY n;
RESET client_min_messages;

SELECT is((SELECT count(*) FROM outcome), (SELECT count(*) FROM calls),
		  format('all %s calls ran', (SELECT count(*) FROM calls)));
SELECT is_empty($$
	SELECT c.fn, c.argname, c.label, o.sqlstate, o.message
	  FROM outcome o JOIN calls c USING (n)
	 WHERE o.sqlstate ~ '^(XX|58)' OR o.sqlstate IN ('P0001', '42883', '42725', '42P18')
	 ORDER BY c.n$$,
	'no call fails with an internal, system or unspecific error');
SELECT is_empty($$
	SELECT c.fn, c.argname, c.label, o.sqlstate,
		   octet_length(o.message) AS message, octet_length(o.detail) AS detail, octet_length(o.hint) AS hint
	  FROM outcome o JOIN calls c USING (n)
	 WHERE coalesce(octet_length(o.message), 0) + coalesce(octet_length(o.detail), 0)
		   + coalesce(octet_length(o.hint), 0) > 2000
	 ORDER BY c.n$$,
	'no message, DETAIL or HINT quotes more than a bounded part of its input');
SELECT is(pg_temp.footprint(), :'before',
		  'the calls leave no lock, object or role behind');
SELECT ok((SELECT count(*) FROM outcome WHERE sqlstate IS NULL) > 0
		  AND (SELECT count(*) FROM outcome WHERE sqlstate IS NOT NULL) > 0,
		  '(control: some calls succeed and some fail)');

SELECT * FROM finish();
ROLLBACK;
