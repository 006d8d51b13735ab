/* ---- 06-search-query.sql: search() and search_count() ---- */

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

