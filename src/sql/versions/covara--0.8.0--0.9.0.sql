/* covara--0.8.0--0.9.0.sql: security and correctness hardening */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.9.0'" to load this file. \quit

/*
 * What 0.9.0 changes in a database that has 0.8.0 (the install script is
 * built from src/sql/, which holds the same definitions).
 */

-- ---- quoting input in messages ----

CREATE FUNCTION covara._report_cut(val pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN pg_catalog.octet_length(val) OPERATOR(pg_catalog.<=) 200 THEN val
			ELSE (SELECT pg_catalog.left(c.head, k.n) OPERATOR(pg_catalog.||) '...'
					FROM (SELECT pg_catalog.left(val, 200) AS head) c,
						 pg_catalog.generate_series(200, 50, -1) AS k(n)
				   WHERE pg_catalog.octet_length(pg_catalog.left(c.head, k.n)) OPERATOR(pg_catalog.<=) 200
				   ORDER BY k.n DESC LIMIT 1) END;
COMMENT ON FUNCTION covara._report_cut(pg_catalog.text) IS
'val cut to at most 200 bytes (at a character boundary) and "..." for quoting in a message';

-- ---- search: index tables, sources, stored columns, concurrency ----

CREATE FUNCTION covara.search_source(document pg_catalog.jsonb,
									 fields pg_catalog.jsonb,
									 keep pg_catalog.text[] DEFAULT NULL)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'covara_search_source'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_source(pg_catalog.jsonb, pg_catalog.jsonb, pg_catalog.text[]) IS
'what a search index keeps of a document: the top-level keys in keep, whole, and what the fields reach (by key; arrays on the way whole), so search_text and search_vector give the same on it; NULL fields: the whole document; what attach_search stores';

CREATE OR REPLACE FUNCTION covara.search_check_name(index_name pg_catalog.text,
										 table_prefix pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
DECLARE
	derived pg_catalog.text;
BEGIN
	IF index_name IS NULL OR index_name OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]+$' THEN
		RAISE EXCEPTION 'invalid search index name %',
			COALESCE(pg_catalog.quote_literal(covara._report_cut(index_name)), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Search index names consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	IF table_prefix IS NOT NULL AND table_prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]*$' THEN
		RAISE EXCEPTION 'invalid table prefix %', pg_catalog.quote_literal(covara._report_cut(table_prefix))
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Table prefixes consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	FOREACH derived IN ARRAY ARRAY[
		'covara_index_' OPERATOR(pg_catalog.||) index_name,
		'covara_sync_' OPERATOR(pg_catalog.||) index_name,
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_search_idx']
	LOOP
		IF pg_catalog.octet_length(derived) OPERATOR(pg_catalog.>) 63 THEN
			RAISE EXCEPTION 'search index name % is too long', pg_catalog.quote_literal(covara._report_cut(index_name))
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = pg_catalog.format('The name %s made from it would have %s bytes; names have at most 63.',
												 covara._report_cut(derived), pg_catalog.octet_length(derived)),
					  HINT = 'Use a shorter index name or table prefix.';
		END IF;
	END LOOP;
END
$covara$;
COMMENT ON FUNCTION covara.search_check_name(pg_catalog.text, pg_catalog.text) IS
'internal: raises invalid_parameter_value unless the search index name (and table prefix) are [A-Za-z0-9_] and every name made from them fits in 63 bytes';

CREATE OR REPLACE FUNCTION covara.search_index_table(index_name pg_catalog.text)
RETURNS pg_catalog.regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $covara$
DECLARE
	rel pg_catalog.regclass;
BEGIN
	PERFORM covara.search_check_name(index_name);
	SELECT t.tgrelid::pg_catalog.regclass INTO rel
	  FROM pg_catalog.pg_trigger t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name)
	   AND t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
	   AND c.relkind OPERATOR(pg_catalog.=) 'r'
	   AND n.nspname OPERATOR(pg_catalog.=) ANY (pg_catalog.current_schemas(true))
	 ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)
	 LIMIT 1;
	IF rel IS NULL THEN
		RAISE EXCEPTION 'search index "%" does not exist', index_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with covara.create_search_index(); covara looks for it in the schemas of search_path.';
	END IF;
	RETURN rel;
END
$covara$;
COMMENT ON FUNCTION covara.search_index_table(pg_catalog.text) IS
'the table of the search index of that name, looked up along search_path; raises undefined_object when there is none';

CREATE FUNCTION covara._search_sources(index_table pg_catalog.regclass)
RETURNS TABLE (source pg_catalog.regclass, trigger_name pg_catalog.name, args pg_catalog.text[])
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT s.tgrelid::pg_catalog.regclass, s.tgname, a.args
	  FROM pg_catalog.pg_trigger s
	  JOIN pg_catalog.pg_class src ON src.oid OPERATOR(pg_catalog.=) s.tgrelid
	  CROSS JOIN LATERAL (SELECT covara.trigger_arguments(s.oid) AS args) a
	 WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
	   AND s.tgparentid OPERATOR(pg_catalog.=) 0
	   AND a.args[1:2] OPERATOR(pg_catalog.=)
		   (SELECT ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text]
			  FROM pg_catalog.pg_class c
			  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
			 WHERE c.oid OPERATOR(pg_catalog.=) index_table)
	   AND pg_catalog.has_table_privilege(src.relowner, index_table, 'INSERT')
	   AND pg_catalog.has_table_privilege(src.relowner, index_table, 'UPDATE')
	   AND pg_catalog.has_table_privilege(src.relowner, index_table, 'DELETE')
	 ORDER BY 1;
END;
COMMENT ON FUNCTION covara._search_sources(pg_catalog.regclass) IS
'internal: the tables attached to the search index table (sync trigger not cloned from a partitioned table, owner allowed to write the index), with their trigger''s name and arguments';

CREATE OR REPLACE VIEW covara.search_indexes AS
SELECT n.nspname AS schema_name,
	   pg_catalog.substr(t.tgname::pg_catalog.text, 14) AS index_name,
	   c.oid::pg_catalog.regclass AS index_table,
	   a.args[2] AS language,
	   (SELECT pg_catalog.jsonb_agg(pg_catalog.substr(f.arg, 8) ORDER BY f.i)
		  FROM pg_catalog.unnest(a.args[3:]) WITH ORDINALITY AS f(arg, i)
		 WHERE pg_catalog.starts_with(f.arg, 'source.')) AS fields,
	   ARRAY(SELECT s.source FROM covara._search_sources(c.oid::pg_catalog.regclass) s) AS sources
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  CROSS JOIN LATERAL (SELECT covara.trigger_arguments(t.oid) AS args) a
 WHERE t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
   AND pg_catalog.starts_with(t.tgname::pg_catalog.text, 'covara_index_')
   AND c.relkind OPERATOR(pg_catalog.=) 'r';
COMMENT ON VIEW covara.search_indexes IS
'covara search indexes in this database: schema, name, table, language, fields (NULL: every top-level key but id) and attached source tables (those whose owner may write the index), read from their triggers';

CREATE FUNCTION covara._search_index_existing(nsp pg_catalog.text, name pg_catalog.text,
											  tbl pg_catalog.text, args pg_catalog.text[])
RETURNS pg_catalog.regclass
LANGUAGE plpgsql STABLE
AS $covara$
DECLARE
	tg pg_catalog.text := 'covara_index_' OPERATOR(pg_catalog.||) name;
	old_rel pg_catalog.regclass;
	old_args pg_catalog.text[];
BEGIN
	SELECT t.tgrelid::pg_catalog.regclass, covara.trigger_arguments(t.oid)
	  INTO old_rel, old_args
	  FROM pg_catalog.pg_trigger t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE t.tgname OPERATOR(pg_catalog.=) tg
	   AND t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
	   AND c.relkind OPERATOR(pg_catalog.=) 'r'
	   AND n.nspname OPERATOR(pg_catalog.=) nsp;
	IF old_rel IS NULL THEN
		old_rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl));
		IF old_rel IS NOT NULL AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
											   WHERE c.oid OPERATOR(pg_catalog.=) old_rel) THEN
			RAISE EXCEPTION 'could not create search index "%" in schema "%": a concurrent transaction made table %', name, nsp, old_rel
				USING ERRCODE = 'serialization_failure',
					  DETAIL = pg_catalog.format('This transaction''s snapshot (%s) cannot see it.',
												 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
					  HINT = 'Retry the transaction.';
		END IF;
		RETURN NULL;
	END IF;
	IF old_args OPERATOR(pg_catalog.=) args
	   AND old_rel OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl)) THEN
		RETURN old_rel;
	END IF;
	RAISE EXCEPTION 'search index "%" already exists in schema "%" with other settings', name, nsp
		USING ERRCODE = 'duplicate_object',
			  DETAIL = pg_catalog.format('Its table is %s; its trigger %I has the arguments %s.', old_rel, tg, old_args),
			  HINT = 'Drop it with covara.drop_search_index() first, or use another name.';
END
$covara$;
COMMENT ON FUNCTION covara._search_index_existing(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[]) IS
'internal: the table of search index name in schema nsp when it has exactly that table and trigger arguments, NULL when there is no such index; raises duplicate_object for one with other settings';

CREATE OR REPLACE FUNCTION covara.create_search_index(name pg_catalog.text,
										   fields pg_catalog.jsonb DEFAULT NULL,
										   language pg_catalog.regconfig DEFAULT 'pg_catalog.english',
										   table_prefix pg_catalog.text DEFAULT 'covara_fts_')
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	nsp pg_catalog.text := pg_catalog.current_schema();
	tbl pg_catalog.text;
	tg pg_catalog.text;
	lang pg_catalog.text;
	args pg_catalog.text[];
	rel pg_catalog.regclass;
	problems pg_catalog.text[];
BEGIN
	PERFORM covara.search_check_name(name, COALESCE(table_prefix, ''));
	IF table_prefix IS NULL THEN
		RAISE EXCEPTION 'table_prefix must not be null'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use '''' for no prefix.';
	END IF;
	IF language IS NULL THEN
		RAISE EXCEPTION 'language must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF nsp IS NULL THEN
		RAISE EXCEPTION 'no schema has been selected to create in'
			USING ERRCODE = 'invalid_schema_name',
				  HINT = 'covara creates the index table in the current schema, the first existing schema of search_path.';
	END IF;
	tbl := table_prefix OPERATOR(pg_catalog.||) name;
	tg := 'covara_index_' OPERATOR(pg_catalog.||) name;
	SELECT pg_catalog.format('%I.%I', cn.nspname, cfg.cfgname) INTO lang
	  FROM pg_catalog.pg_ts_config cfg
	  JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) cfg.cfgnamespace
	 WHERE cfg.oid OPERATOR(pg_catalog.=) language;

	IF fields IS NULL THEN
		args := ARRAY['source:D', 'exclude=source.id'];
	ELSE
		args := covara.search_field_args(fields, 'source.');
	END IF;
	args := ARRAY['search_vector', lang] OPERATOR(pg_catalog.||) args
			OPERATOR(pg_catalog.||) 'given_vector=keep'::pg_catalog.text;

	-- the same index again: nothing to do; another one of that name: refuse
	rel := covara._search_index_existing(nsp, name, tbl, args);
	IF rel IS NOT NULL THEN
		RETURN rel;
	END IF;

	rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl));
	IF rel IS NOT NULL THEN
		-- a table that covara's search adapter made: adopt it when it has the shape
		SELECT pg_catalog.array_agg(p.problem ORDER BY p.problem) INTO problems
		  FROM (SELECT pg_catalog.format('column %s %s is missing', w.col, w.typ) AS problem
				  FROM (VALUES ('doc_id', 'text'), ('source', 'jsonb'), ('search_vector', 'tsvector')) AS w(col, typ)
				 WHERE NOT EXISTS (
						SELECT FROM pg_catalog.pg_attribute a
						 WHERE a.attrelid OPERATOR(pg_catalog.=) rel
						   AND a.attname OPERATOR(pg_catalog.=) w.col
						   AND NOT a.attisdropped
						   AND pg_catalog.format_type(a.atttypid, NULL) OPERATOR(pg_catalog.=) w.typ)
				UNION ALL
				SELECT 'it has no primary key on doc_id'
				 WHERE NOT EXISTS (
						SELECT FROM pg_catalog.pg_index i
						 WHERE i.indrelid OPERATOR(pg_catalog.=) rel AND i.indisprimary
						   AND i.indnatts OPERATOR(pg_catalog.=) 1
						   AND i.indkey[0] OPERATOR(pg_catalog.=)
							   (SELECT a.attnum FROM pg_catalog.pg_attribute a
								 WHERE a.attrelid OPERATOR(pg_catalog.=) rel
								   AND a.attname OPERATOR(pg_catalog.=) 'doc_id'))
				UNION ALL
				SELECT 'it is not a plain table'
				 WHERE (SELECT c.relkind FROM pg_catalog.pg_class c
						 WHERE c.oid OPERATOR(pg_catalog.=) rel) OPERATOR(pg_catalog.<>) 'r') p;
		IF problems IS NOT NULL THEN
			RAISE EXCEPTION 'table %.% already exists and is not a search index table', nsp, tbl
				USING ERRCODE = 'duplicate_table',
					  DETAIL = pg_catalog.array_to_string(problems, E';\n'),
					  HINT = 'covara adopts an existing table only when it has the shape covara''s search adapter uses: doc_id text primary key, source jsonb, search_vector tsvector.';
		END IF;
	END IF;

	-- A concurrent identical call makes the same objects: the second one
	-- to get there fails on them, and is then the no-op it would have been
	-- a moment later (a different one gets the error above).
	BEGIN
		IF rel IS NULL THEN
			EXECUTE pg_catalog.format('CREATE TABLE %I.%I (doc_id pg_catalog.text PRIMARY KEY, '
									  'source pg_catalog.jsonb NOT NULL, search_vector pg_catalog.tsvector)',
									  nsp, tbl);
			rel := pg_catalog.format('%I.%I', nsp, tbl)::pg_catalog.regclass;
		END IF;
		IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl OPERATOR(pg_catalog.||) '_search_idx')) IS NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (search_vector)',
									  tbl OPERATOR(pg_catalog.||) '_search_idx', nsp, tbl);
		END IF;
		EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I.%I '
								  'FOR EACH ROW EXECUTE FUNCTION covara.search_trigger(%s)',
								  tg, nsp, tbl,
								  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
									 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	EXCEPTION WHEN unique_violation OR duplicate_table OR duplicate_object THEN
		rel := covara._search_index_existing(nsp, name, tbl, args);
		IF rel IS NOT NULL THEN
			RETURN rel;
		END IF;
		-- a snapshot older than the statement cannot see what collided
		IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
			RAISE EXCEPTION 'could not create search index "%" in schema "%": a concurrent transaction made its objects', name, nsp
				USING ERRCODE = 'serialization_failure',
					  DETAIL = pg_catalog.format('This transaction''s snapshot (%s) cannot see them.',
												 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
					  HINT = 'Retry the transaction.';
		END IF;
		RAISE;
	END;
	PERFORM covara.check_search_trigger(rel, tg::pg_catalog.name);
	-- adopted rows without a vector get one (a NULL vector is recomputed)
	EXECUTE pg_catalog.format('UPDATE %I.%I SET search_vector = NULL WHERE search_vector IS NULL', nsp, tbl);
	RETURN rel;
END
$covara$;
COMMENT ON FUNCTION covara.create_search_index(pg_catalog.text, pg_catalog.jsonb, pg_catalog.regconfig, pg_catalog.text) IS
'creates (or adopts) the search index table <table_prefix><name> in the current schema: doc_id text primary key, source jsonb, search_vector tsvector filled from source by covara.search_trigger (fields {"key": "A".."D"}; NULL: every top-level key but id, weight D), GIN index <table>_search_idx; repeating an identical call changes nothing';

DROP FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig);
CREATE FUNCTION covara.attach_search(source pg_catalog.regclass,
									 index_name pg_catalog.text,
									 fields pg_catalog.jsonb,
									 id_column pg_catalog.name DEFAULT 'id',
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english',
									 display pg_catalog.name[] DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass;
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	lang pg_catalog.text;
	specs pg_catalog.text[];
	keep pg_catalog.text[];
	args pg_catalog.text[];
	missing pg_catalog.text;
	owner pg_catalog.oid;
	prev pg_catalog.record;
	nrows pg_catalog.int8;
BEGIN
	IF source IS NULL OR id_column IS NULL OR language IS NULL THEN
		RAISE EXCEPTION 'source, id_column and language must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- The backfill reads the rows committed when it starts, after the lock
	-- below; a snapshot from before the lock would miss those committed in
	-- between, which no trigger writes either.
	IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
		RAISE EXCEPTION 'covara.attach_search() must run in a READ COMMITTED transaction'
			USING ERRCODE = 'invalid_transaction_state',
				  DETAIL = pg_catalog.format('Under %s isolation the backfill would read a snapshot older than its lock on the table, and rows other sessions commit in between would be missing from the index.',
											 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
				  HINT = 'Call it in a transaction of its own or one begun with BEGIN ISOLATION LEVEL READ COMMITTED (the default).';
	END IF;
	idx := covara.search_index_table(index_name);
	IF source OPERATOR(pg_catalog.=) idx THEN
		RAISE EXCEPTION 'table % is the search index "%" itself', source, index_name
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT n.nspname, c.relname INTO idx_nsp, idx_tbl
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) idx;
	IF pg_catalog.array_position(display, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'display must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Name each display column, or pass NULL for none.';
	END IF;
	SELECT col.name INTO missing
	  FROM pg_catalog.unnest(ARRAY[id_column] OPERATOR(pg_catalog.||) COALESCE(display, '{}'))
		   WITH ORDINALITY AS col(name, i)
	 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
					   WHERE a.attrelid OPERATOR(pg_catalog.=) source
						 AND a.attname OPERATOR(pg_catalog.=) col.name
						 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
	 ORDER BY col.i
	 LIMIT 1;
	IF missing OPERATOR(pg_catalog.=) id_column::pg_catalog.text THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'Name the column that identifies a row with id_column; its text form becomes doc_id.';
	ELSIF missing IS NOT NULL THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', missing, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'display names columns of the table that the index keeps, whole, for showing results.';
	END IF;
	SELECT pg_catalog.format('%I.%I', cn.nspname, cfg.cfgname) INTO lang
	  FROM pg_catalog.pg_ts_config cfg
	  JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) cfg.cfgnamespace
	 WHERE cfg.oid OPERATOR(pg_catalog.=) language;

	IF fields IS NULL THEN
		-- every text, varchar, char, array-of-those or jsonb column but the id
		SELECT pg_catalog.array_agg(
				 CASE WHEN a.attname OPERATOR(pg_catalog.~) '^[^.:"=]+$' THEN a.attname::pg_catalog.text
					  ELSE '"' OPERATOR(pg_catalog.||) pg_catalog.replace(a.attname, '"', '""') OPERATOR(pg_catalog.||) '"'
				 END OPERATOR(pg_catalog.||) ':D' ORDER BY a.attnum)
		  INTO specs
		  FROM pg_catalog.pg_attribute a
		  JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
		 WHERE a.attrelid OPERATOR(pg_catalog.=) source
		   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
		   AND a.attname OPERATOR(pg_catalog.<>) id_column
		   AND pg_catalog.array_position(
				 ARRAY['pg_catalog.text', 'pg_catalog.varchar', 'pg_catalog.bpchar',
					   'pg_catalog._text', 'pg_catalog._varchar', 'pg_catalog._bpchar',
					   'pg_catalog.jsonb']::pg_catalog.regtype[],
				 (CASE WHEN ty.typbasetype OPERATOR(pg_catalog.<>) 0 THEN ty.typbasetype
					   ELSE ty.oid END)::pg_catalog.regtype) IS NOT NULL;
		IF specs IS NULL THEN
			RAISE EXCEPTION 'table % has no text, text[] or jsonb column to index', source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the fields to index, e.g. {"title": "A", "body": "B"}.';
		END IF;
	ELSE
		specs := covara.search_field_args(fields, '');
	END IF;
	-- the index keeps the id, the fields and the display columns (each once)
	SELECT pg_catalog.array_agg(k.name ORDER BY k.i) INTO keep
	  FROM (SELECT DISTINCT ON (c.name) c.name, c.i
			  FROM pg_catalog.unnest(ARRAY[id_column::pg_catalog.text]
									 OPERATOR(pg_catalog.||) COALESCE(display::pg_catalog.text[], '{}'))
				   WITH ORDINALITY AS c(name, i)
			 ORDER BY c.name, c.i) AS k;
	args := ARRAY[idx_nsp, idx_tbl, id_column::pg_catalog.text, lang] OPERATOR(pg_catalog.||) specs
			OPERATOR(pg_catalog.||) 'store=fields'::pg_catalog.text
			OPERATOR(pg_catalog.||) ARRAY(SELECT 'display=' OPERATOR(pg_catalog.||) k.name
											FROM pg_catalog.unnest(keep[2:]) WITH ORDINALITY AS k(name, i)
										   ORDER BY k.i);

	-- the sync trigger writes the index only for a table whose owner may
	SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source;
	SELECT pg_catalog.min(p.priv) INTO missing
	  FROM pg_catalog.unnest(ARRAY['DELETE', 'INSERT', 'UPDATE']) AS p(priv)
	 WHERE NOT pg_catalog.has_table_privilege(owner, idx, p.priv);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'the owner of table % may not write search index "%"', source, index_name
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role %s lacks the %s privilege on the index table %s.',
											 owner::pg_catalog.regrole, missing, idx),
				  HINT = 'The index''s owner lets a table feed the index by granting INSERT, UPDATE and DELETE on the index table to the table''s owner.';
	END IF;

	-- one attach_search per table at a time, and no writer between the
	-- trigger's creation and the backfill's snapshot
	EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);

	SELECT t.tgfoid, t.tgtype, t.tgparentid, covara.trigger_arguments(t.oid) AS args INTO prev
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF FOUND THEN
		IF prev.tgfoid OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
			RAISE EXCEPTION 'trigger "%" on table % already exists and is not covara''s', tg, source
				USING ERRCODE = 'duplicate_object';
		END IF;
		IF prev.args OPERATOR(pg_catalog.=) args AND prev.tgtype OPERATOR(pg_catalog.=) 29 THEN
			RETURN 0;			-- attached exactly so already
		END IF;
		IF prev.tgparentid OPERATOR(pg_catalog.<>) 0 THEN
			RAISE EXCEPTION 'table % is a partition of a table attached to search index "%"', source, index_name
				USING ERRCODE = 'wrong_object_type',
					  DETAIL = pg_catalog.format('Its trigger %I is a clone of the trigger on partitioned table %s.',
												 tg, covara.search_root_trigger_table(prev.tgparentid)),
					  HINT = 'Attach the partitioned table instead; its partitions follow.';
		END IF;
		IF prev.args[1:2] OPERATOR(pg_catalog.<>) args[1:2] THEN
			RAISE EXCEPTION 'table % is attached to another search index named "%" (table %.%)',
				source, index_name, pg_catalog.quote_ident(prev.args[1]), pg_catalog.quote_ident(prev.args[2])
				USING ERRCODE = 'duplicate_object',
					  HINT = 'Detach it first with covara.detach_search(), with that index first on search_path.';
		END IF;
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', tg, source);
	END IF;

	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger(%s)',
							  tg, source,
							  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
								 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	PERFORM covara.check_search_trigger(source, tg::pg_catalog.name);

	-- backfill: the rows as the trigger would write them
	EXECUTE pg_catalog.format(
		'INSERT INTO %I.%I AS i (doc_id, source, search_vector) '
		'SELECT pg_catalog.format(''%%s'', s.%I), covara.search_source(pg_catalog.to_jsonb(s), $1, $3), '
		'       covara.search_vector(pg_catalog.to_jsonb(s), $1, $2) '
		'  FROM %s AS s WHERE s.%I IS NOT NULL '
		'ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, search_vector = excluded.search_vector',
		idx_nsp, idx_tbl, id_column, source, id_column)
		USING pg_catalog.to_jsonb(specs), language, keep;
	GET DIAGNOSTICS nrows = ROW_COUNT;
	-- move the backfill out of the GIN pending list, so that searches use the
	-- index at once (PostgreSQL lets only the index's owner do this)
	IF nrows OPERATOR(pg_catalog.>) 0 AND EXISTS (
			SELECT FROM pg_catalog.pg_class c
			 WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) '_search_idx'))
			   AND c.relam OPERATOR(pg_catalog.=) (SELECT am.oid FROM pg_catalog.pg_am am WHERE am.amname OPERATOR(pg_catalog.=) 'gin')
			   AND pg_catalog.pg_has_role(c.relowner, 'USAGE')) THEN
		PERFORM pg_catalog.gin_clean_pending_list(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) '_search_idx')::pg_catalog.regclass);
	END IF;
	RETURN nrows;
END
$covara$;
COMMENT ON FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig, pg_catalog.name[]) IS
'keeps the search index in step with a table: an AFTER row trigger covara_sync_<index> writes inserts, updates (a changed id moves the document) and deletes to the index in the same transaction, storing as source the id, the fields and the display columns only; backfills the existing rows and returns how many; an identical second call changes nothing and returns 0; needs READ COMMITTED';

CREATE OR REPLACE FUNCTION covara.drop_search_index(name pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(name);
	s pg_catalog.record;
BEGIN
	-- dropping a partitioned table's trigger drops its clones; triggers
	-- whose tables' owners may not write the index are not its sources
	FOR s IN SELECT * FROM covara._search_sources(idx) LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', s.trigger_name, s.source);
	END LOOP;
	EXECUTE pg_catalog.format('DROP TABLE %s', idx);
END
$covara$;
COMMENT ON FUNCTION covara.drop_search_index(pg_catalog.text) IS
'detaches every source table from the search index (those covara.search_indexes lists) and drops its table';

CREATE OR REPLACE FUNCTION covara.search(index_name pg_catalog.text,
							  query pg_catalog.text,
							  "limit" pg_catalog.int4 DEFAULT 20,
							  "offset" pg_catalog.int4 DEFAULT 0)
RETURNS TABLE (doc_id pg_catalog.text, score pg_catalog.float4,
			   source pg_catalog.jsonb, headline pg_catalog.text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	args pg_catalog.text[];
	lang pg_catalog.regconfig;
	hl_fields pg_catalog.jsonb;
	q pg_catalog.tsquery;
BEGIN
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN;
	END IF;
	SELECT covara.trigger_arguments(t.oid) INTO args
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) idx
	   AND t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name);
	lang := args[2]::pg_catalog.regconfig;
	-- headline text: the index's fields, then those of its attached tables,
	-- each path once
	SELECT pg_catalog.jsonb_agg(d.spec ORDER BY d.src, d.i) INTO hl_fields
	  FROM (SELECT DISTINCT ON (pg_catalog.regexp_replace(f.spec, ':[A-Da-d]$', ''))
				   f.spec, f.src, f.i
	  FROM (SELECT 0::pg_catalog.oid AS src, a.i, pg_catalog.substr(a.arg, 8) AS spec
			  FROM pg_catalog.unnest(args[3:]) WITH ORDINALITY AS a(arg, i)
			 WHERE pg_catalog.starts_with(a.arg, 'source.')
			UNION ALL
			SELECT s.source::pg_catalog.oid, a.i, a.arg
			  FROM covara._search_sources(idx) s,
				   LATERAL pg_catalog.unnest(s.args[5:]) WITH ORDINALITY AS a(arg, i)
			 WHERE a.arg OPERATOR(pg_catalog.!~) '^[a-z_]+=') AS f
			 ORDER BY pg_catalog.regexp_replace(f.spec, ':[A-Da-d]$', ''), f.src, f.i) AS d;
	q := pg_catalog.websearch_to_tsquery(lang, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT r.doc_id, r.score, r.source, '
		'       pg_catalog.ts_headline($1, CASE WHEN covara.search_text(r.source, $2) OPERATOR(pg_catalog.<>) '''' '
		'                                       THEN covara.search_text(r.source, $2) '
		'                                       ELSE covara.search_text(r.source, NULL) END, $3) '
		'  FROM (SELECT t.doc_id, t.source, pg_catalog.ts_rank(t.search_vector, $3) AS score '
		'          FROM %s AS t '
		'         WHERE t.search_vector OPERATOR(pg_catalog.@@) $3 '
		'         ORDER BY 3 DESC, 1 '
		'         LIMIT $4 OFFSET $5) AS r '
		' ORDER BY r.score DESC, r.doc_id', idx)
		USING lang, hl_fields, q, "limit", COALESCE("offset", 0);
END
$covara$;
COMMENT ON FUNCTION covara.search(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
'searches an index with websearch_to_tsquery in its language: (doc_id, score, source, headline), best first (ts_rank, which honours the weights; ties by doc_id), at most limit rows (NULL: all) after offset; a blank query returns no rows; the headline (ts_headline) is over the fields of the index and of its attached tables';

-- ---- auth flows: a ttl is judged by the instant it produces ----

/*
 * create_session, touch_session and issue_verification_token store now
 * (UTC) + ttl; _auth_check_ttl now refuses a ttl unless that instant, with
 * calendar arithmetic, is after now (it compared the interval with zero,
 * counting a month as 30 days), and refuses one whose instant is outside
 * timestamp's range with 22023.
 */
CREATE OR REPLACE FUNCTION covara._auth_check_ttl(ttl pg_catalog.interval)
RETURNS pg_catalog.void
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	expires_at	pg_catalog.timestamp;
BEGIN
	IF ttl IS NOT NULL THEN
		BEGIN
			expires_at := now_utc OPERATOR(pg_catalog.+) ttl;
		EXCEPTION WHEN datetime_field_overflow THEN
			RAISE EXCEPTION 'ttl is out of range'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = pg_catalog.format('now (UTC) + %s is outside the range of timestamp.',
									covara._report_cut(ttl::pg_catalog.text)),
					  HINT = 'Pass an interval such as interval ''30 days''.';
		END;
	END IF;
	IF ttl IS NULL OR NOT (expires_at OPERATOR(pg_catalog.>) now_utc) THEN
		RAISE EXCEPTION 'ttl must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN ttl IS NULL THEN 'The ttl given was NULL.'
							   ELSE pg_catalog.format('The ttl given was %s: now (UTC) + ttl is %s, not after now (%s).',
										covara._report_cut(ttl::pg_catalog.text), expires_at, now_utc) END,
				  HINT = 'Pass an interval such as interval ''30 days''. It is added to now with calendar arithmetic (a month is a calendar month, not 30 days), and the result must be in the future.';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) IS
'internal: raise invalid_parameter_value unless now (UTC) + ttl, with calendar arithmetic, is a timestamp after now';

-- ---- issue_verification_token: a lock no other role can take ----

/*
 * 0.8.0 serialised the issues of an identifier on an advisory lock whose
 * key any role could compute and take, making every issue for that
 * identifier wait.  They lock a row of covara._auth_token_locks now, on
 * which no role but the owner has any privilege.
 */
CREATE TABLE covara._auth_token_locks (
	bucket pg_catalog.int4 NOT NULL,
	CONSTRAINT _auth_token_locks_pkey PRIMARY KEY (bucket)
);
INSERT INTO covara._auth_token_locks (bucket)
SELECT b FROM pg_catalog.generate_series(0, 1023) AS b;
COMMENT ON TABLE covara._auth_token_locks IS
'internal: one row per bucket of identifiers, locked by issue_verification_token; no privileges for anyone but the owner';

-- owner-only, whatever default privileges the installing role has
DO $covara_token_locks$
DECLARE
	s			pg_catalog.record;
BEGIN
	FOR s IN
		SELECT DISTINCT a.grantee
		  FROM pg_catalog.pg_class c,
			   LATERAL pg_catalog.aclexplode(c.relacl) a
		 WHERE c.oid OPERATOR(pg_catalog.=) 'covara._auth_token_locks'::pg_catalog.regclass
		   AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON TABLE covara._auth_token_locks FROM %s CASCADE',
			CASE WHEN s.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
				 ELSE s.grantee::pg_catalog.regrole::pg_catalog.text END);
	END LOOP;
END
$covara_token_locks$;

-- Lock the identifier's bucket to the end of the transaction; NULL when its
-- row is missing.
CREATE FUNCTION covara._auth_token_lock(token_identifier pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT l.bucket
	  FROM covara._auth_token_locks l
	 WHERE l.bucket OPERATOR(pg_catalog.=)
		   (pg_catalog.hashtext(token_identifier) OPERATOR(pg_catalog.&) 1023)
	   FOR UPDATE;
END;
COMMENT ON FUNCTION covara._auth_token_lock(pg_catalog.text) IS
'internal: lock the identifier''s row of _auth_token_locks (FOR UPDATE, to the end of the transaction); returns its bucket, NULL when the row is missing';

CREATE OR REPLACE FUNCTION covara.issue_verification_token(identifier pg_catalog.text, ttl pg_catalog.interval)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	token		pg_catalog.text;
BEGIN
	PERFORM covara._auth_check_text(identifier, 'identifier');
	PERFORM covara._auth_check_ttl(ttl);
	/*
	 * Serialize issues for one identifier (a row lock on its bucket of
	 * covara._auth_token_locks, which no other role can take, held to the
	 * end of the transaction), so that each issue removes every token issued
	 * before it and at most one token per identifier survives concurrent
	 * issues.
	 */
	IF covara._auth_token_lock(identifier) IS NULL THEN
		RAISE EXCEPTION 'a row of covara._auth_token_locks is missing'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'issue_verification_token locks one of its rows, 0 to 1023, for each identifier.',
				  HINT = 'As the extension''s owner: INSERT INTO covara._auth_token_locks SELECT pg_catalog.generate_series(0, 1023) ON CONFLICT DO NOTHING;';
	END IF;
	/*
	 * In REPEATABLE READ or SERIALIZABLE the snapshot may predate a token the
	 * previous holder of the lock committed: this delete sees it and raises a
	 * serialization failure rather than leave two live tokens.
	 */
	PERFORM covara._auth_token_clear(identifier);
	token := covara.generate_token();
	PERFORM covara._auth_token_replace(identifier, covara.hash_token(token),
		(pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(pg_catalog.+) ttl);
	RETURN token;
END
$covara$;
COMMENT ON FUNCTION covara.issue_verification_token(pg_catalog.text, pg_catalog.interval) IS
'remove the identifier''s earlier tokens and issue a new one valid for ttl; returns the plain token (only its SHA-256 is stored)';
REVOKE ALL ON FUNCTION covara._auth_token_lock(pg_catalog.text) FROM PUBLIC;

-- ---- auth flows: input quoted in messages is cut short, every error has a HINT ----

/*
 * create_api_key quoted its scopes and prefix whole (a 1 MB argument made a
 * 1 MB message), purge_expired its batch_size: through covara._report_cut
 * now, like every message of the flows that quotes a caller's input.  And
 * the errors that had no HINT have one (_auth_check_text's, create_api_key's
 * NULL name, purge_expired's batch_size, grant_auth_flows' and
 * revoke_auth_flows' NULL grantee).
 */
CREATE OR REPLACE FUNCTION covara._auth_check_text(val pg_catalog.text, arg pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF val IS NULL OR val OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION '% must not be null or empty', arg
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = pg_catalog.format('Pass %s as a non-empty string.', arg);
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) IS
'internal: raise invalid_parameter_value when val is NULL or empty';

CREATE OR REPLACE FUNCTION covara.create_api_key(user_id pg_catalog.text, name pg_catalog.text,
									  scopes pg_catalog.jsonb DEFAULT NULL,
									  expires_at pg_catalog.timestamp DEFAULT NULL,
									  prefix pg_catalog.text DEFAULT 'cvk')
RETURNS TABLE(id pg_catalog.text, key pg_catalog.text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	k			pg_catalog.record;
BEGIN
	PERFORM covara._auth_check_text(user_id, 'user_id');
	IF name IS NULL THEN
		RAISE EXCEPTION 'name must not be null'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the key''s name, e.g. ''deploy bot'' (it may be empty).';
	END IF;
	IF scopes IS NOT NULL AND (
		pg_catalog.jsonb_typeof(scopes) OPERATOR(pg_catalog.<>) 'array'
		OR EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(scopes) e(v)
				   WHERE pg_catalog.jsonb_typeof(e.v) OPERATOR(pg_catalog.<>) 'string')) THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The scopes given were %s.', covara._report_cut(scopes::pg_catalog.text)),
				  HINT = 'Pass NULL for no scopes, or an array such as ''["read", "write"]''::jsonb.';
	END IF;
	IF expires_at OPERATOR(pg_catalog.<=) now_utc THEN
		RAISE EXCEPTION 'expires_at must be in the future'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('expires_at is %s and now is %s (UTC).',
								covara._report_cut(expires_at::pg_catalog.text), now_utc),
				  HINT = 'expires_at is a UTC wall-clock timestamp, e.g. (now() AT TIME ZONE ''UTC'') + interval ''90 days''; NULL means the key does not expire.';
	END IF;
	IF prefix IS NULL OR (prefix OPERATOR(pg_catalog.<>) ''
						  AND prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_-]{1,32}$') THEN
		RAISE EXCEPTION 'invalid API key prefix %',
			COALESCE(pg_catalog.quote_literal(covara._report_cut(prefix)), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A prefix is 1 to 32 letters, digits, "_" or "-", or '''' for keys without a prefix.';
	END IF;

	SELECT * INTO k FROM covara._auth_api_key_new(prefix);
	PERFORM covara._auth_api_key_insert(k.key_id, user_id, name, k.key_hash, k.key_prefix,
										scopes, now_utc, expires_at);
	id := k.key_id;
	key := k.key;
	RETURN NEXT;
END
$covara$;
COMMENT ON FUNCTION covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text) IS
'create an API key <prefix>_<id>.<secret> for user_id; returns its id and the key, which is shown only this once (only its hash is stored)';

CREATE OR REPLACE FUNCTION covara.purge_expired(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS TABLE(table_name pg_catalog.text, deleted pg_catalog.int8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE ROWS 3
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	-- API keys stay visible (as revoked or expired) for 30 days
	key_cutoff	pg_catalog.timestamp := now_utc OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval;
	sb			pg_catalog.record;
	tb			pg_catalog.record;
	kb			pg_catalog.record;
	total		pg_catalog.int8;
	first		pg_catalog.bool;
	pos_ts		pg_catalog.timestamp;
	pos_a		pg_catalog.text;
	pos_b		pg_catalog.text;
BEGIN
	IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<) 1 THEN
		RAISE EXCEPTION 'batch_size must be a positive integer'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The batch_size given was %s.',
								COALESCE(covara._report_cut(batch_size::pg_catalog.text), 'NULL')),
				  HINT = 'Pass the most rows one statement may delete, e.g. 10000 (the default).';
	END IF;

	total := 0; first := true; pos_ts := '-infinity'; pos_a := '';
	LOOP
		SELECT * INTO sb FROM covara._auth_purge_sessions_batch(pos_ts, pos_a, first, batch_size, now_utc);
		total := total OPERATOR(pg_catalog.+) sb.n_deleted;
		EXIT WHEN sb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_ts := sb.last_expires; pos_a := sb.last_id; first := false;
	END LOOP;
	table_name := 'auth_sessions'; deleted := total;
	RETURN NEXT;

	total := 0; first := true; pos_a := ''; pos_b := '';
	LOOP
		SELECT * INTO tb FROM covara._auth_purge_tokens_batch(pos_a, pos_b, first, batch_size, now_utc);
		total := total OPERATOR(pg_catalog.+) tb.n_deleted;
		EXIT WHEN tb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_a := tb.last_identifier; pos_b := tb.last_token; first := false;
	END LOOP;
	table_name := 'auth_verification_tokens'; deleted := total;
	RETURN NEXT;

	total := 0; first := true; pos_a := '';
	LOOP
		SELECT * INTO kb FROM covara._auth_purge_api_keys_batch(pos_a, first, batch_size, key_cutoff);
		total := total OPERATOR(pg_catalog.+) kb.n_deleted;
		EXIT WHEN kb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_a := kb.last_id; first := false;
	END LOOP;
	table_name := 'auth_api_keys'; deleted := total;
	RETURN NEXT;
END
$covara$;
COMMENT ON FUNCTION covara.purge_expired(pg_catalog.int4) IS
'delete expired sessions and verification tokens, and API keys revoked or expired more than 30 days ago, in batches of at most batch_size rows that skip rows other transactions hold locked; returns the count per table';

CREATE OR REPLACE PROCEDURE covara.grant_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the application''s role, e.g. CALL covara.grant_auth_flows(''app'').';
	END IF;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA covara TO %I', role_name);
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION covara.%I(%s) TO %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) IS
'grant a role what it needs to run every auth flow: USAGE on schema covara and EXECUTE on the flow functions (not purge_expired, and no access to the tables)';

CREATE OR REPLACE PROCEDURE covara.revoke_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the role to take the flows from, e.g. CALL covara.revoke_auth_flows(''app'').';
	END IF;
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION covara.%I(%s) FROM %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) IS
'revoke what grant_auth_flows granted (EXECUTE on the flow functions; USAGE on schema covara stays, PUBLIC has it)';

/*
 * What changes for the attachments this database has: say so (as
 * warnings: an extension script's notices are not shown).  Those made
 * before 0.9.0 still store every column (until attach_search is called
 * again); a table whose owner may not write its index is refused by the
 * sync trigger from now on.
 */
DO $covara$
DECLARE
	r pg_catalog.record;
BEGIN
	FOR r IN
		SELECT s.tgrelid::pg_catalog.regclass AS source, i.oid::pg_catalog.regclass AS index_table,
			   src.relowner::pg_catalog.regrole AS owner, a.args,
			   pg_catalog.has_table_privilege(src.relowner, i.oid, 'INSERT')
			   AND pg_catalog.has_table_privilege(src.relowner, i.oid, 'UPDATE')
			   AND pg_catalog.has_table_privilege(src.relowner, i.oid, 'DELETE') AS may_write
		  FROM pg_catalog.pg_trigger s
		  JOIN pg_catalog.pg_class src ON src.oid OPERATOR(pg_catalog.=) s.tgrelid
		  CROSS JOIN LATERAL (SELECT covara.trigger_arguments(s.oid) AS args) a
		  JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) a.args[1]
		  JOIN pg_catalog.pg_class i ON i.relnamespace OPERATOR(pg_catalog.=) n.oid
								   AND i.relname OPERATOR(pg_catalog.=) a.args[2]
		 WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
		   AND s.tgparentid OPERATOR(pg_catalog.=) 0
		 ORDER BY 1
	LOOP
		IF NOT r.may_write THEN
			RAISE WARNING 'writes to table % now fail: its owner % may not write search index table %',
				r.source, r.owner, r.index_table
				USING DETAIL = 'From 0.9.0 on the sync trigger writes an index only for a table whose owner has INSERT, UPDATE and DELETE on it.',
					  HINT = pg_catalog.format('GRANT INSERT, UPDATE, DELETE ON %s TO %s; or detach the table with covara.detach_search().',
											   r.index_table, r.owner);
		END IF;
		IF NOT 'store=fields' OPERATOR(pg_catalog.=) ANY (r.args) THEN
			RAISE WARNING 'table % still copies every column into search index table %', r.source, r.index_table
				USING HINT = 'Call covara.attach_search() for it again (with display for the columns results show) to store only the id, the fields and those columns.';
		END IF;
	END LOOP;
END
$covara$;
