-- No search path can make covara run someone else's code.  Trap functions,
-- operators and views, each raising 'trap ... called' when used, are
-- planted where an unqualified name in covara would find them:
--   1. in the schema CREATE EXTENSION covara SCHEMA ... installs into,
--      while the install script and every ALTER EXTENSION UPDATE path run.
--      An extension script runs with that schema on its path and
--      pg_catalog searched first, so these traps take argument types
--      pg_catalog has no exact operator or function for: that is how a
--      later schema's object wins over a cast to pg_catalog's (contrib's
--      seg tests the same).  The caller's search_path meanwhile puts a
--      schema of traps with pg_catalog's own signatures ahead of
--      pg_catalog: PostgreSQL replaces the caller's path for an extension
--      script, and this holds it to that.
--   2. in that schema ahead of pg_catalog while every covara function is
--      called (first on the path wins), with views named like the catalogs
--      and covara's tables.  (A search index's table goes to the first
--      schema of the path, as documented: here the trap schema.)
-- A control statement proves the traps on the path fire.
BEGIN;
CREATE EXTENSION pgtap;
SELECT plan(5);

-- trap.boom(what) raises; every trap calls it
CREATE SCHEMA trap;
CREATE FUNCTION trap.boom(what text) RETURNS boolean LANGUAGE plpgsql AS
$$BEGIN RAISE EXCEPTION 'trap % called', what; END$$;

-- plant(schema, prefix): traps in schema for the argument types of prefix
-- 'exact' (pg_catalog's own signatures) or 'near' (types pg_catalog has no
-- exact match for, which beat a cast to pg_catalog's)
CREATE FUNCTION pg_temp.plant(nsp text, kind text) RETURNS void LANGUAGE plpgsql AS $plant$
DECLARE
	op text;
	pair text[];
	fn text[];
	pairs text[][] := CASE kind
		WHEN 'exact' THEN ARRAY[['text', 'text'], ['integer', 'integer'], ['bigint', 'bigint'],
								['oid', 'oid'], ['name', 'name'], ['boolean', 'boolean'],
								['timestamp', 'timestamp'], ['jsonb', 'jsonb'], ['"char"', '"char"']]
		ELSE ARRAY[['oid', 'regclass'], ['regclass', 'oid'],
				   ['oid', 'regnamespace'], ['regnamespace', 'oid'], ['oid', 'regproc'],
				   ['integer', 'smallint'], ['smallint', 'integer']] END;
	fns text[][] := CASE kind
		WHEN 'exact' THEN ARRAY[['lower', 'text'], ['upper', 'text'], ['length', 'text'],
								['quote_ident', 'text'], ['quote_literal', 'text'], ['btrim', 'text'],
								['md5', 'text'], ['to_tsquery', 'regconfig, text'],
								['websearch_to_tsquery', 'regconfig, text'],
								['to_tsvector', 'regconfig, text'], ['ts_rank', 'tsvector, tsquery'],
								['jsonb_typeof', 'jsonb'], ['now', ''], ['format', 'text'],
								['format', 'text, VARIADIC text[]'], ['concat_ws', 'text, VARIADIC text[]'],
								['array_length', 'anyarray, integer'], ['current_setting', 'text'],
								['has_table_privilege', 'oid, text'], ['pg_has_role', 'oid, text']]
		ELSE ARRAY[['lower', 'name'], ['upper', 'name'], ['length', 'name'],
				   ['quote_ident', 'name'], ['format', 'name'], ['btrim', 'name'],
				   ['replace', 'name, text, text'], ['substr', 'name, integer'],
				   ['has_table_privilege', 'regclass, name'], ['to_regclass', 'name']] END;
BEGIN
	FOREACH pair SLICE 1 IN ARRAY pairs LOOP
		EXECUTE format('CREATE FUNCTION %I.trap_op(a %s, b %s) RETURNS boolean LANGUAGE sql AS %L',
					   nsp, pair[1], pair[2], 'SELECT trap.boom(''an operator on ' || pair[1] || ', ' || pair[2] || ''')');
		FOREACH op IN ARRAY ARRAY['=', '<>', '<', '>', '<=', '>=', '||', '~', '~~'] LOOP
			EXECUTE format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.trap_op)',
						   nsp, op, pair[1], pair[2], nsp);
		END LOOP;
	END LOOP;
	FOREACH fn SLICE 1 IN ARRAY fns LOOP
		EXECUTE format('CREATE FUNCTION %I.%I(%s) RETURNS boolean LANGUAGE sql AS %L',
					   nsp, fn[1], fn[2], 'SELECT trap.boom(''' || fn[1] || '(' || fn[2] || ')'')');
	END LOOP;
END
$plant$;

-- 1. install and update with traps in the extension's schema
CREATE SCHEMA trapped;
SELECT pg_temp.plant('trapped', 'near');
-- the default version (what a plain CREATE EXTENSION installs) and every
-- version with an update path to it
CREATE EXTENSION covara;
CREATE TEMP TABLE default_version AS SELECT extversion FROM pg_extension WHERE extname = 'covara';
DROP EXTENSION covara;
CREATE FUNCTION pg_temp.versions() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT DISTINCT source FROM pg_extension_update_paths('covara')
	 WHERE path IS NOT NULL AND target = (SELECT extversion FROM default_version)
	 ORDER BY 1
$$;
-- the errors of a fresh install and of every update path ('' when none);
-- written qualified throughout, since it runs under the traps too
CREATE FUNCTION pg_temp.install_errors(versions text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v text;
	out text := '';
BEGIN
	BEGIN
		CREATE EXTENSION covara SCHEMA trapped;
		DROP EXTENSION covara;
	EXCEPTION WHEN OTHERS THEN
		out := pg_catalog.concat(out, 'fresh install: ', SQLERRM, E'\n');
	END;
	FOREACH v IN ARRAY versions LOOP
		BEGIN
			EXECUTE pg_catalog.format('CREATE EXTENSION covara SCHEMA trapped VERSION %L', v);
			ALTER EXTENSION covara UPDATE;
			DROP EXTENSION covara;
		EXCEPTION WHEN OTHERS THEN
			out := pg_catalog.concat(out, v, ' updated: ', SQLERRM, E'\n');
		END;
	END LOOP;
	RETURN out;
END
$$;
SELECT cmp_ok((SELECT count(*) FROM pg_temp.versions())::int, '>=', 7,
              'there are update paths from every older version to try');
SELECT pg_temp.plant('trap', 'exact');
-- install_errors(), with the trap schema ahead of pg_catalog on the path
CREATE FUNCTION pg_temp.install_errors_trapped(versions text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	out text;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'trap, pg_catalog, public', true);
	out := pg_temp.install_errors(versions);
	PERFORM pg_catalog.set_config('search_path', 'public, pg_catalog', true);
	RETURN out;
END
$$;
-- control: the traps on the path fire
CREATE FUNCTION pg_temp.control() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	err text;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'trap, pg_catalog, public', true);
	BEGIN
		EXECUTE $q$SELECT 'a'::text = 'a'::text$q$;
	EXCEPTION WHEN OTHERS THEN
		err := SQLERRM;
	END;
	PERFORM pg_catalog.set_config('search_path', 'public, pg_catalog', true);
	RETURN err;
END
$$;
SELECT is(pg_temp.control(), 'trap an operator on text, text called',
          '(control: an unqualified operator finds the trap ahead of pg_catalog)');
SELECT is(pg_temp.install_errors_trapped(ARRAY(SELECT pg_temp.versions())), '',
          'CREATE EXTENSION covara and ALTER EXTENSION covara UPDATE from every older version call no trap in the extension''s schema');

-- 2. every covara function called with the traps ahead of pg_catalog
CREATE EXTENSION covara;
CREATE TABLE public.docs (id integer PRIMARY KEY, title text, body text);
INSERT INTO public.docs VALUES (1, 'Traps everywhere', 'nothing fires'), (2, 'Second', 'row');
CREATE TABLE public.seeded (id integer PRIMARY KEY, name text);
DO $$
DECLARE
	rel text;
BEGIN
	FOREACH rel IN ARRAY ARRAY['pg_class', 'pg_namespace', 'pg_attribute', 'pg_attrdef', 'pg_trigger',
							   'pg_proc', 'pg_index', 'pg_constraint', 'pg_depend', 'pg_extension',
							   'pg_roles', 'pg_authid', 'pg_type', 'pg_inherits', 'pg_settings',
							   'pg_ts_config', 'pg_am', 'auth_sessions', 'auth_accounts', 'auth_api_keys',
							   'auth_verification_tokens']
	LOOP
		EXECUTE format('CREATE VIEW trap.%I AS SELECT trap.boom(%L) AS oid', rel, 'view ' || rel);
	END LOOP;
END
$$;
CREATE TEMP TABLE trapped_calls (n serial, what text, error text);
-- run(stmt): stmt with the traps first on the search path; notes its error
CREATE FUNCTION pg_temp.run(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	err text;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'trap, pg_catalog, public', true);
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN OTHERS THEN
		err := SQLERRM;
	END;
	PERFORM pg_catalog.set_config('search_path', 'public, pg_catalog', true);
	INSERT INTO pg_temp.trapped_calls (what, error) VALUES (stmt, err);
END
$$;
SELECT pg_temp.run(stmt) FROM unnest(ARRAY[
	$$SELECT covara.hash_token('abc'), covara.hash_token('abc', 'base64url'), covara.hmac_token('x', 'k'::bytea),
			 covara.generate_token(), covara.token_equals('a', 'a')$$,
	$$SELECT covara.search_vector('{"title": "a b"}', '{"title": "A"}', 'english'),
			 covara.search_text('{"title": "a b"}', '{"title": "A"}'),
			 covara.search_source('{"id": 1, "title": "a b"}', '["title"]', '{id}')$$,
	$$SELECT covara.create_search_index('docs', '{"title": "A", "body": "B"}')$$,
	$$SELECT covara.create_search_index('docs', '{"title": "A", "body": "B"}')$$,
	$$SELECT covara.attach_search('public.docs', 'docs', '{"title": "A", "body": "B"}', display => '{id}')$$,
	$$INSERT INTO public.docs VALUES (3, 'Third', 'traps again')$$,
	$$UPDATE public.docs SET body = 'changed' WHERE id OPERATOR(pg_catalog.=) 2$$,
	$$UPDATE public.docs SET id = 4 WHERE id OPERATOR(pg_catalog.=) 3$$,
	$$DELETE FROM public.docs WHERE id OPERATOR(pg_catalog.=) 1$$,
	$$SELECT * FROM covara.search('docs', 'traps')$$,
	$$SELECT covara.search_count('docs', 'traps')$$,
	$$SELECT * FROM covara.search_indexes$$,
	$$SELECT covara.check_search_trigger('public.docs', 'covara_sync_docs')$$,
	$$SELECT covara.detach_search('public.docs', 'docs')$$,
	$$SELECT covara.drop_search_index('docs')$$,
	$$SELECT covara.seed('public.seeded', '[{"id": 1, "name": "one"}]')$$,
	$$SELECT * FROM covara.seed('{"public.seeded": [{"id": 2, "name": "two"}]}')$$,
	$$SELECT * FROM covara.recommended_pool_config('postgres-js')$$,
	$$SELECT * FROM covara.recommended_pool_config('postgres-js', 4)$$,
	$$SELECT covara.get_session(covara.create_session('u1', '1 hour'))$$,
	$$SELECT covara.touch_session(covara.create_session('u1', '1 hour'), '2 hours')$$,
	$$SELECT covara.revoke_user_sessions('u1')$$,
	$$SELECT covara.verify_api_key(k.key) FROM covara.create_api_key('u1', 'key') k$$,
	$$SELECT covara.consume_verification_token('a@example.com', covara.issue_verification_token('a@example.com', '1 hour'))$$,
	$$SELECT covara.purge_expired()$$
]) AS stmt;
SELECT is((SELECT count(*) FROM trapped_calls)::int, 25, 'every call ran');
SELECT is_empty($$SELECT what, error FROM trapped_calls WHERE error IS NOT NULL$$,
				'no covara function called a trap from a schema ahead of pg_catalog');

SELECT * FROM finish();
ROLLBACK;
