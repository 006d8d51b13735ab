/* ---- 04-search.sql: search triggers (C) and the helpers index management shares ---- */

/*
 * How search works.
 *
 * covara.search_trigger() fills a weighted tsvector column from text, text[]
 * and jsonb fields (C, src/search_trigger.c).  A search index is a table in
 * the shape covara's search adapter uses (doc_id, source, search_vector;
 * doc/compatibility.md) whose search_vector is filled by such a trigger;
 * attach_search() adds an AFTER trigger, covara.search_sync_trigger() (C,
 * src/search_sync_trigger.c), to a source table that writes its rows to the
 * index in the same transaction.  search_vector() and search_text() are in
 * src/search_document.c, trigger_arguments() and check_search_trigger() in
 * src/search_inspect.c.
 *
 * covara keeps no catalog of its own: an index's settings are the arguments
 * of the trigger on its (plain) table, named covara_index_<name>, and its
 * sources are the tables with a sync trigger pointing at that table whose
 * owner may write it (covara._search_sources()).  Triggers are part of the
 * tables they belong to, so pg_dump and restore carry the settings along,
 * and only those who may alter those tables can change them.  The
 * management functions are SECURITY INVOKER: callers need the privileges
 * they would need to run the same DDL and DML by hand.
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

CREATE FUNCTION covara.search_source(document pg_catalog.jsonb,
									 fields pg_catalog.jsonb,
									 keep pg_catalog.text[] DEFAULT NULL)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'covara_search_source'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_source(pg_catalog.jsonb, pg_catalog.jsonb, pg_catalog.text[]) IS
'what a search index keeps of a document: the top-level keys in keep, whole, and what the fields reach (by key; arrays on the way whole), so search_text and search_vector give the same on it; NULL fields: the whole document; what attach_search stores';

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
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_search_idx',
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_impact_idx']
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

/*
 * The table of a search index: the first schema of the search path (as
 * for an unqualified table name) with a table carrying the index trigger
 * covara_index_<name>.  Only plain tables are index tables (a view or a
 * foreign table with a trigger of that name is none).
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

/*
 * The sources of a search index: the tables with a sync trigger writing to
 * it (those attach_search ran on, not the partitions their trigger was
 * cloned to) whose owner may write the index, as attach_search requires
 * and the sync trigger checks.  A trigger that its table's owner could not
 * have attached, whatever its name, is no source.
 */
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

CREATE VIEW covara.search_indexes AS
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

