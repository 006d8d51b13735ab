-- No search path can make covara's install or update scripts run someone
-- else's code.  Trap functions and operators, each raising 'trap ...
-- called' when used, are planted in the schema CREATE EXTENSION covara
-- SCHEMA ... installs into, while the install script and every ALTER
-- EXTENSION UPDATE path run.  An extension script runs with that schema on
-- its path and pg_catalog searched first, so the traps take argument types
-- pg_catalog has no exact operator or function for: that is how a later
-- schema's object wins over a cast to pg_catalog's (contrib's seg tests the
-- same).  The caller's search_path meanwhile puts a schema of traps with
-- pg_catalog's own signatures ahead of pg_catalog: PostgreSQL replaces the
-- caller's path for an extension script, and this holds it to that.  A
-- control statement proves the traps on the path fire.
BEGIN;
CREATE EXTENSION pgtap;
SELECT plan(3);

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

SELECT * FROM finish();
ROLLBACK;
