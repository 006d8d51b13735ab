/* covara--0.4.0--0.5.0.sql: search on partitioned tables */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.5.0'" to load this file. \quit

/*
 * covara 0.5.0 changes only search's SQL (its C changes need no SQL):
 *
 * - On a partitioned source table PostgreSQL clones attach_search's trigger
 *   to every partition.  The clones (pg_trigger.tgparentid <> 0) are no
 *   longer listed as sources of their own in covara.search_indexes, nor
 *   taken for the index's fields by covara.search(), nor dropped one by one
 *   by covara.drop_search_index() (dropping the trigger on the partitioned
 *   table drops them).
 * - attach_search() and detach_search() on one partition of an attached
 *   partitioned table are errors (42809) naming the table to use instead,
 *   found by the new covara.search_root_trigger_table().
 * - A NULL source, id_column or language is SQLSTATE 22004 (was 22023 for
 *   attach_search, and detach_search returned false), checked before the
 *   index is looked up.
 *
 * CREATE OR REPLACE keeps each function's OID, owner, grants and comment.
 */


CREATE OR REPLACE VIEW covara.search_indexes AS
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
				AND s.tgparentid OPERATOR(pg_catalog.=) 0	-- not the clones on partitions
				AND (covara.trigger_arguments(s.oid))[1:2]
					OPERATOR(pg_catalog.=) ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text]
			  ORDER BY 1) AS sources
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  CROSS JOIN LATERAL (SELECT covara.trigger_arguments(t.oid) AS args) a
 WHERE t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
   AND pg_catalog.starts_with(t.tgname::pg_catalog.text, 'covara_index_');

/*
 * The table whose trigger a trigger on a partition was cloned from, at the
 * top of the chain (the table attach_search was called on).
 */
CREATE FUNCTION covara.search_root_trigger_table(trigger_oid pg_catalog.oid)
RETURNS pg_catalog.regclass
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	WITH RECURSIVE chain(tgrelid, tgparentid) AS (
		SELECT t.tgrelid, t.tgparentid
		  FROM pg_catalog.pg_trigger t
		 WHERE t.oid OPERATOR(pg_catalog.=) trigger_oid
		UNION ALL
		SELECT p.tgrelid, p.tgparentid
		  FROM chain c
		  JOIN pg_catalog.pg_trigger p ON p.oid OPERATOR(pg_catalog.=) c.tgparentid
	)
	SELECT c.tgrelid::pg_catalog.regclass FROM chain c
	 WHERE c.tgparentid OPERATOR(pg_catalog.=) 0;
END;
COMMENT ON FUNCTION covara.search_root_trigger_table(pg_catalog.oid) IS
'internal: the table carrying the trigger that a trigger on a partition was cloned from (the top of its tgparentid chain); NULL when there is no such trigger';

CREATE OR REPLACE FUNCTION covara.attach_search(source pg_catalog.regclass,
									 index_name pg_catalog.text,
									 fields pg_catalog.jsonb,
									 id_column pg_catalog.name DEFAULT 'id',
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english')
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
	args pg_catalog.text[];
	prev pg_catalog.record;
	nrows pg_catalog.int8;
BEGIN
	IF source IS NULL OR id_column IS NULL OR language IS NULL THEN
		RAISE EXCEPTION 'source, id_column and language must not be null'
			USING ERRCODE = 'null_value_not_allowed';
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

CREATE OR REPLACE FUNCTION covara.detach_search(source pg_catalog.regclass, index_name pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	fn pg_catalog.oid;
	parent pg_catalog.oid;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'source must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM covara.search_check_name(index_name);
	SELECT t.tgfoid, t.tgparentid INTO fn, parent FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF fn OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
		RAISE EXCEPTION 'trigger "%" on table % is not covara''s', tg, source
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF parent OPERATOR(pg_catalog.<>) 0 THEN
		RAISE EXCEPTION 'table % is a partition of a table attached to search index "%"', source, index_name
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = pg_catalog.format('Its trigger %I is a clone of the trigger on partitioned table %s.',
											 tg, covara.search_root_trigger_table(parent)),
				  HINT = 'Detach the partitioned table instead; that detaches its partitions too.';
	END IF;
	EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', tg, source);
	RETURN true;
END
$covara$;

CREATE OR REPLACE FUNCTION covara.drop_search_index(name pg_catalog.text)
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
		   AND t.tgparentid OPERATOR(pg_catalog.=) 0	-- dropping it drops its clones
		   AND (covara.trigger_arguments(t.oid))[1:2]
			   OPERATOR(pg_catalog.=) ARRAY[idx_nsp, idx_tbl]
		 ORDER BY 2
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', s.tgname, s.rel);
	END LOOP;
	EXECUTE pg_catalog.format('DROP TABLE %s', idx);
END
$covara$;

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
			SELECT s.tgrelid, a.i, a.arg
			  FROM pg_catalog.pg_trigger s,
				   LATERAL pg_catalog.unnest((covara.trigger_arguments(s.oid))[5:]) WITH ORDINALITY AS a(arg, i)
			 WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
			   AND s.tgparentid OPERATOR(pg_catalog.=) 0
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
