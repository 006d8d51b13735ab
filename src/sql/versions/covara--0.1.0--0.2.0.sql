/* covara--0.1.0--0.2.0.sql: full-text search triggers, indexes and queries */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Search in covara 0.2.0.
 *
 * covara.search_trigger() fills a weighted tsvector column from text, text[]
 * and jsonb fields (C, src/search.c).  A search index is a table in the
 * shape covara's search adapter uses (doc_id, source, search_vector) whose
 * search_vector is filled by such a trigger; attach_search() adds an AFTER
 * trigger, covara.search_sync_trigger(), to a source table that writes its
 * rows to the index in the same transaction.
 *
 * covara keeps no catalog of its own: an index's settings are the arguments
 * of the trigger on its table (named covara_index_<name>), and its sources
 * are the tables with a trigger covara_sync_<name> pointing at that table.
 * Triggers are part of the tables they belong to, so pg_dump and restore
 * carry the settings along, and only those who may alter those tables can
 * change them.  The management functions are SECURITY INVOKER: callers need
 * the privileges they would need to run the same DDL and DML by hand.
 */

CREATE FUNCTION covara.search_trigger()
RETURNS pg_catalog.trigger
AS 'MODULE_PATHNAME', 'covara_search_trigger'
LANGUAGE C;
COMMENT ON FUNCTION covara.search_trigger() IS
'BEFORE INSERT OR UPDATE row trigger: covara.search_trigger(tsvector_column, configuration_or_regconfig_column, field, ...) with fields column[.key...][:weight] (text, varchar, char, arrays of those, jsonb); recomputes only when a source field changed';

CREATE FUNCTION covara.search_sync_trigger()
RETURNS pg_catalog.trigger
AS 'MODULE_PATHNAME', 'covara_search_sync_trigger'
LANGUAGE C;
COMMENT ON FUNCTION covara.search_sync_trigger() IS
'AFTER INSERT OR UPDATE OR DELETE row trigger made by covara.attach_search(): writes the row to a search index table in the same transaction';

CREATE FUNCTION covara.search_vector(document pg_catalog.jsonb,
									 fields pg_catalog.jsonb DEFAULT NULL,
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english')
RETURNS pg_catalog.tsvector
AS 'MODULE_PATHNAME', 'covara_search_vector'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_vector(pg_catalog.jsonb, pg_catalog.jsonb, pg_catalog.regconfig) IS
'weighted tsvector of a document: fields {"key.path": "A".."D"} or ["key.path:A", ...] (NULL: every top-level key but id, weight D), as covara.search_trigger builds it; NULL when document or language is NULL';

CREATE FUNCTION covara.search_text(document pg_catalog.jsonb,
								   fields pg_catalog.jsonb DEFAULT NULL)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_search_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_text(pg_catalog.jsonb, pg_catalog.jsonb) IS
'the string values the fields reach in the document, in order, joined by spaces (what covara.search() headlines)';

CREATE FUNCTION covara.trigger_arguments(trigger pg_catalog.oid)
RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'covara_trigger_arguments'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.trigger_arguments(pg_catalog.oid) IS
'the arguments of the trigger with this pg_trigger oid, as text[] (NULL when there is no such trigger)';

CREATE FUNCTION covara.check_search_trigger(tbl pg_catalog.regclass, trigger_name pg_catalog.name)
RETURNS pg_catalog.void
AS 'MODULE_PATHNAME', 'covara_check_search_trigger'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.check_search_trigger(pg_catalog.regclass, pg_catalog.name) IS
'checks a trigger using covara.search_trigger() or covara.search_sync_trigger() as its first row would (columns, types, weights, configuration, timing) and raises the same error';

/*
 * Names of search indexes: [A-Za-z0-9_]+, and short enough that every name
 * derived from them fits in NAMEDATALEN - 1 bytes.
 */
CREATE FUNCTION covara.search_check_name(index_name pg_catalog.text,
										 table_prefix pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
DECLARE
	derived pg_catalog.text;
BEGIN
	IF index_name IS NULL OR index_name OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]+$' THEN
		RAISE EXCEPTION 'invalid search index name %', COALESCE(pg_catalog.quote_literal(index_name), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Search index names consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	IF table_prefix IS NOT NULL AND table_prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]*$' THEN
		RAISE EXCEPTION 'invalid table prefix %', pg_catalog.quote_literal(table_prefix)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Table prefixes consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	FOREACH derived IN ARRAY ARRAY[
		'covara_index_' OPERATOR(pg_catalog.||) index_name,
		'covara_sync_' OPERATOR(pg_catalog.||) index_name,
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_search_idx']
	LOOP
		IF pg_catalog.octet_length(derived) OPERATOR(pg_catalog.>) 63 THEN
			RAISE EXCEPTION 'search index name % is too long', pg_catalog.quote_literal(index_name)
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = pg_catalog.format('The name %s made from it would have %s bytes; names have at most 63.',
												 derived, pg_catalog.octet_length(derived)),
					  HINT = 'Use a shorter index name or table prefix.';
		END IF;
	END LOOP;
END
$covara$;
COMMENT ON FUNCTION covara.search_check_name(pg_catalog.text, pg_catalog.text) IS
'internal: raises invalid_parameter_value unless the search index name (and table prefix) are [A-Za-z0-9_] and every name made from them fits in 63 bytes';

/*
 * The table of a search index: the first schema of the search path (as
 * for an unqualified table name) with a table carrying the index trigger
 * covara_index_<name>.
 */
CREATE FUNCTION covara.search_index_table(index_name pg_catalog.text)
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

CREATE VIEW covara.search_indexes AS
SELECT n.nspname AS schema_name,
	   pg_catalog.substr(t.tgname::pg_catalog.text, 14) AS index_name,
	   c.oid::pg_catalog.regclass AS index_table,
	   a.args[2] AS language,
	   (SELECT pg_catalog.jsonb_agg(pg_catalog.substr(f.arg, 8) ORDER BY f.i)
		  FROM pg_catalog.unnest(a.args[3:]) WITH ORDINALITY AS f(arg, i)
		 WHERE pg_catalog.starts_with(f.arg, 'source.')) AS fields,
	   ARRAY(SELECT s.tgrelid::pg_catalog.regclass
			   FROM pg_catalog.pg_trigger s
			  WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
				AND (covara.trigger_arguments(s.oid))[1:2]
					OPERATOR(pg_catalog.=) ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text]
			  ORDER BY 1) AS sources
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  CROSS JOIN LATERAL (SELECT covara.trigger_arguments(t.oid) AS args) a
 WHERE t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
   AND pg_catalog.starts_with(t.tgname::pg_catalog.text, 'covara_index_');
COMMENT ON VIEW covara.search_indexes IS
'covara search indexes in this database: schema, name, table, language, fields (NULL: every top-level key but id) and attached source tables, read from their triggers';
GRANT SELECT ON covara.search_indexes TO PUBLIC;

/*
 * Trigger arguments ("column.path:W") for a fields value: a jsonb object
 * {"path": "W"} (by weight, A first, then in jsonb key order, as
 * covara.search_vector() takes them) or an array ["path:W", ...]; each path
 * gets prefix in front.  Checks the syntax with covara.search_vector().
 */
CREATE FUNCTION covara.search_field_args(fields pg_catalog.jsonb, prefix pg_catalog.text)
RETURNS pg_catalog.text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
DECLARE
	result pg_catalog.text[];
BEGIN
	PERFORM covara.search_vector('{}'::pg_catalog.jsonb, fields, 'pg_catalog.simple'::pg_catalog.regconfig);
	IF pg_catalog.jsonb_typeof(fields) OPERATOR(pg_catalog.=) 'object' THEN
		SELECT pg_catalog.array_agg(prefix OPERATOR(pg_catalog.||) e.key OPERATOR(pg_catalog.||) ':'
									OPERATOR(pg_catalog.||) pg_catalog.upper(e.value)
									ORDER BY pg_catalog.upper(e.value), e.i)
		  INTO result
		  FROM pg_catalog.jsonb_each_text(fields) WITH ORDINALITY AS e(key, value, i);
	ELSE
		SELECT pg_catalog.array_agg(prefix OPERATOR(pg_catalog.||) e.value ORDER BY e.i)
		  INTO result
		  FROM pg_catalog.jsonb_array_elements_text(fields) WITH ORDINALITY AS e(value, i);
	END IF;
	IF result IS NULL THEN
		RAISE EXCEPTION 'no fields given'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give at least one field, e.g. {"title": "A", "body": "B"}, or NULL for every top-level key but id.';
	END IF;
	RETURN result;
END
$covara$;
COMMENT ON FUNCTION covara.search_field_args(pg_catalog.jsonb, pg_catalog.text) IS
'internal: turns a fields value ({"path": "A".."D"} or ["path:W", ...]) into search trigger arguments with prefix in front of each path';

CREATE FUNCTION covara.create_search_index(name pg_catalog.text,
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
	old_rel pg_catalog.regclass;
	old_args pg_catalog.text[];
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
	SELECT t.tgrelid::pg_catalog.regclass, covara.trigger_arguments(t.oid)
	  INTO old_rel, old_args
	  FROM pg_catalog.pg_trigger t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE t.tgname OPERATOR(pg_catalog.=) tg
	   AND t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
	   AND n.nspname OPERATOR(pg_catalog.=) nsp;
	IF old_rel IS NOT NULL THEN
		IF old_args OPERATOR(pg_catalog.=) args
		   AND old_rel OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl)) THEN
			RETURN old_rel;
		END IF;
		RAISE EXCEPTION 'search index "%" already exists in schema "%" with other settings', name, nsp
			USING ERRCODE = 'duplicate_object',
				  DETAIL = pg_catalog.format('Its table is %s; its trigger %I has the arguments %s.', old_rel, tg, old_args),
				  HINT = 'Drop it with covara.drop_search_index() first, or use another name.';
	END IF;

	rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl));
	IF rel IS NULL THEN
		EXECUTE pg_catalog.format('CREATE TABLE %I.%I (doc_id pg_catalog.text PRIMARY KEY, '
								  'source pg_catalog.jsonb NOT NULL, search_vector pg_catalog.tsvector)',
								  nsp, tbl);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (search_vector)',
								  tbl OPERATOR(pg_catalog.||) '_search_idx', nsp, tbl);
		rel := pg_catalog.format('%I.%I', nsp, tbl)::pg_catalog.regclass;
	ELSE
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
		IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl OPERATOR(pg_catalog.||) '_search_idx')) IS NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (search_vector)',
									  tbl OPERATOR(pg_catalog.||) '_search_idx', nsp, tbl);
		END IF;
	END IF;

	EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I.%I '
							  'FOR EACH ROW EXECUTE FUNCTION covara.search_trigger(%s)',
							  tg, nsp, tbl,
							  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
								 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	PERFORM covara.check_search_trigger(rel, tg::pg_catalog.name);
	-- adopted rows without a vector get one (a NULL vector is recomputed)
	EXECUTE pg_catalog.format('UPDATE %I.%I SET search_vector = NULL WHERE search_vector IS NULL', nsp, tbl);
	RETURN rel;
END
$covara$;
COMMENT ON FUNCTION covara.create_search_index(pg_catalog.text, pg_catalog.jsonb, pg_catalog.regconfig, pg_catalog.text) IS
'creates (or adopts) the search index table <table_prefix><name> in the current schema: doc_id text primary key, source jsonb, search_vector tsvector filled from source by covara.search_trigger (fields {"key": "A".."D"}; NULL: every top-level key but id, weight D), GIN index <table>_search_idx; repeating an identical call changes nothing';

CREATE FUNCTION covara.attach_search(source pg_catalog.regclass,
									 index_name pg_catalog.text,
									 fields pg_catalog.jsonb,
									 id_column pg_catalog.name DEFAULT 'id',
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english')
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	lang pg_catalog.text;
	specs pg_catalog.text[];
	args pg_catalog.text[];
	prev pg_catalog.record;
	nrows pg_catalog.int8;
BEGIN
	IF source IS NULL OR id_column IS NULL OR language IS NULL THEN
		RAISE EXCEPTION 'source, id_column and language must not be null'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF source OPERATOR(pg_catalog.=) idx THEN
		RAISE EXCEPTION 'table % is the search index "%" itself', source, index_name
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT n.nspname, c.relname INTO idx_nsp, idx_tbl
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) idx;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
				   WHERE a.attrelid OPERATOR(pg_catalog.=) source
					 AND a.attname OPERATOR(pg_catalog.=) id_column
					 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'Name the column that identifies a row with id_column; its text form becomes doc_id.';
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
	args := ARRAY[idx_nsp, idx_tbl, id_column::pg_catalog.text, lang] OPERATOR(pg_catalog.||) specs;

	SELECT t.tgfoid, t.tgtype, covara.trigger_arguments(t.oid) AS args INTO prev
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
		'SELECT pg_catalog.format(''%%s'', s.%I), pg_catalog.to_jsonb(s), '
		'       covara.search_vector(pg_catalog.to_jsonb(s), $1, $2) '
		'  FROM %s AS s WHERE s.%I IS NOT NULL '
		'ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, search_vector = excluded.search_vector',
		idx_nsp, idx_tbl, id_column, source, id_column)
		USING pg_catalog.to_jsonb(specs), language;
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
COMMENT ON FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig) IS
'keeps the search index in step with a table: an AFTER row trigger covara_sync_<index> writes inserts, updates (a changed id moves the document) and deletes to the index in the same transaction; backfills the existing rows and returns how many; an identical second call changes nothing and returns 0';

CREATE FUNCTION covara.detach_search(source pg_catalog.regclass, index_name pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	fn pg_catalog.oid;
BEGIN
	PERFORM covara.search_check_name(index_name);
	SELECT t.tgfoid INTO fn FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF fn OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
		RAISE EXCEPTION 'trigger "%" on table % is not covara''s', tg, source
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', tg, source);
	RETURN true;
END
$covara$;
COMMENT ON FUNCTION covara.detach_search(pg_catalog.regclass, pg_catalog.text) IS
'removes the sync trigger covara_sync_<index> from the table; the documents already in the index stay; false when the table was not attached';

CREATE FUNCTION covara.drop_search_index(name pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(name);
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	s pg_catalog.record;
BEGIN
	SELECT n.nspname, c.relname INTO idx_nsp, idx_tbl
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) idx;
	FOR s IN
		SELECT t.tgname, t.tgrelid::pg_catalog.regclass AS rel
		  FROM pg_catalog.pg_trigger t
		 WHERE t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
		   AND (covara.trigger_arguments(t.oid))[1:2]
			   OPERATOR(pg_catalog.=) ARRAY[idx_nsp, idx_tbl]
		 ORDER BY 2
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', s.tgname, s.rel);
	END LOOP;
	EXECUTE pg_catalog.format('DROP TABLE %s', idx);
END
$covara$;
COMMENT ON FUNCTION covara.drop_search_index(pg_catalog.text) IS
'detaches every source table from the search index and drops its table';

CREATE FUNCTION covara.search(index_name pg_catalog.text,
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
			SELECT s.tgrelid, a.i, a.arg
			  FROM pg_catalog.pg_trigger s,
				   LATERAL pg_catalog.unnest((covara.trigger_arguments(s.oid))[5:]) WITH ORDINALITY AS a(arg, i)
			 WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
			   AND s.tgname OPERATOR(pg_catalog.=) ('covara_sync_' OPERATOR(pg_catalog.||) index_name)
			   AND (covara.trigger_arguments(s.oid))[1:2] OPERATOR(pg_catalog.=)
				   (SELECT ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text]
					  FROM pg_catalog.pg_class c
					  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
					 WHERE c.oid OPERATOR(pg_catalog.=) idx)
			   AND NOT pg_catalog.starts_with(a.arg, 'exclude=')) AS f
			 ORDER BY pg_catalog.regexp_replace(f.spec, ':[A-Da-d]$', ''), f.src, f.i) AS d;
	q := pg_catalog.websearch_to_tsquery(lang, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT r.doc_id, r.score, r.source, '
		'       pg_catalog.ts_headline($1, COALESCE(NULLIF(covara.search_text(r.source, $2), ''''), '
		'                                           covara.search_text(r.source, NULL)), $3) '
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

CREATE FUNCTION covara.search_count(index_name pg_catalog.text, query pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	lang pg_catalog.regconfig;
	q pg_catalog.tsquery;
	n pg_catalog.int8;
BEGIN
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN 0;
	END IF;
	SELECT (covara.trigger_arguments(t.oid))[2]::pg_catalog.regconfig INTO lang
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) idx
	   AND t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name);
	q := pg_catalog.websearch_to_tsquery(lang, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN 0;
	END IF;
	EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s AS t '
							  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1', idx)
		INTO n USING q;
	RETURN n;
END
$covara$;
COMMENT ON FUNCTION covara.search_count(pg_catalog.text, pg_catalog.text) IS
'how many documents of the index match the query (websearch_to_tsquery in the index''s language); 0 for a blank query';
