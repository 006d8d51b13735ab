/* ---- 06-search-query.sql: search() and search_count() ---- */

-- The text search configuration of an index: its trigger's second argument.
CREATE FUNCTION covara._search_language(index_table pg_catalog.regclass, index_name pg_catalog.text)
RETURNS pg_catalog.regconfig
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT (covara.trigger_arguments(t.oid))[2]::pg_catalog.regconfig
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) index_table
	   AND t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name);
END;
COMMENT ON FUNCTION covara._search_language(pg_catalog.regclass, pg_catalog.text) IS
'internal: the text search configuration of the search index (the second argument of its trigger covara_index_<name>)';

-- The tsquery of what a user typed, in the index's language: NULL for a
-- blank query or one without lexemes (stop words only); with prefix, its
-- last term matches as a prefix.  Refuses a query longer than 4 kB.
CREATE FUNCTION covara._search_query(language pg_catalog.regconfig, query pg_catalog.text,
									 prefix pg_catalog.bool)
RETURNS pg_catalog.tsquery
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $covara$
DECLARE
	q pg_catalog.tsquery;
BEGIN
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN NULL;
	END IF;
	IF pg_catalog.octet_length(query) OPERATOR(pg_catalog.>) 4096 THEN
		RAISE EXCEPTION 'search query is too long (% bytes)', pg_catalog.octet_length(query)
			USING ERRCODE = 'program_limit_exceeded',
				  DETAIL = 'A search query has at most 4096 bytes.',
				  HINT = 'Search with the words the user typed, not with a document.';
	END IF;
	q := pg_catalog.websearch_to_tsquery(language, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN NULL;
	END IF;
	IF prefix THEN
		q := covara.search_prefix_query(q);
	END IF;
	RETURN q;
END
$covara$;
COMMENT ON FUNCTION covara._search_query(pg_catalog.regconfig, pg_catalog.text, pg_catalog.bool) IS
'internal: websearch_to_tsquery of a search query (NULL when blank or without lexemes; the last term a prefix with prefix), refusing one over 4 kB';

-- How many of the index table's documents match, counting no further than
-- "upto", through the GIN index: a sequential scan, which the planner
-- picks when it expects many matches, reads the whole table when there
-- are none (a word outside ANALYZE's most common ones is expected a few
-- hundred times however rare it is).
CREATE FUNCTION covara._search_count_upto(index_table pg_catalog.regclass, q pg_catalog.tsquery,
										  upto pg_catalog.int8)
RETURNS pg_catalog.int8
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET enable_seqscan = off
AS $covara$
DECLARE
	n pg_catalog.int8;
BEGIN
	EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t '
							  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1 LIMIT $2) AS m', index_table)
		INTO n USING q, upto;
	RETURN n;
END
$covara$;
COMMENT ON FUNCTION covara._search_count_upto(pg_catalog.regclass, pg_catalog.tsquery, pg_catalog.int8) IS
'internal: how many documents of the index table match the query, counting no further than upto, through its GIN index';

-- Whether search() reads the top impact tiers for this query (then the
-- impact index's lowest weight, else NULL).  For one term, or terms joined
-- by OR, with more matches than ranking them all costs: not for terms that
-- must all match (AND, a phrase), where a document with one of them high
-- and the other low scores about half, so the tiers would have to reach
-- far down and ranking the matches costs less; nor for a few hundred
-- matches, which the tier probes (reaching to the lowest tiers, every tier
-- an entry to look up) cost more than.  The matches are counted only when
-- the planner does not expect far more (counting a frequent word's
-- matches through GIN reads its whole posting list).
CREATE FUNCTION covara._search_tiered(idx pg_catalog.regclass, q pg_catalog.tsquery,
									  "limit" pg_catalog.int4, "offset" pg_catalog.int4)
RETURNS pg_catalog."char"
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	weight pg_catalog."char" := covara._search_impact_weight(idx);
	wanted pg_catalog.int8 := "limit"::pg_catalog.int8 OPERATOR(pg_catalog.+) COALESCE("offset", 0);
	few pg_catalog.int8 := 200 OPERATOR(pg_catalog.+) (2 OPERATOR(pg_catalog.*) wanted);
BEGIN
	IF weight IS NULL OR wanted IS NULL OR wanted OPERATOR(pg_catalog.=) 0
	   OR covara._search_tier_query(q, 1) IS NULL
	   OR covara._search_positive_terms(q) OPERATOR(pg_catalog.>) 1
		  AND (pg_catalog.strpos(q::pg_catalog.text, '&') OPERATOR(pg_catalog.>) 0
			   OR pg_catalog.strpos(q::pg_catalog.text, '<') OPERATOR(pg_catalog.>) 0) THEN
		RETURN NULL;
	END IF;
	IF covara._search_estimate(idx, q) OPERATOR(pg_catalog.<=) (10 OPERATOR(pg_catalog.*) few)
	   AND covara._search_count_upto(idx, q, few OPERATOR(pg_catalog.+) 1) OPERATOR(pg_catalog.<=) few THEN
		RETURN NULL;
	END IF;
	RETURN weight;
END
$covara$;
COMMENT ON FUNCTION covara._search_tiered(pg_catalog.regclass, pg_catalog.tsquery, pg_catalog.int4, pg_catalog.int4) IS
'internal: the lowest weight of the index table''s impact index when search() should read its tiers for the query (one term or terms joined by OR, more than 200 + 2 * (limit + offset) matches), else NULL';

-- The ranked rows of a parsed query on an index table (search() without
-- parsing or fuzziness): the top tiers first, else every match ranked.
CREATE FUNCTION covara._search_ranked(idx pg_catalog.regclass, lang pg_catalog.regconfig,
									  hl_fields pg_catalog.jsonb, q pg_catalog.tsquery,
									  "limit" pg_catalog.int4, "offset" pg_catalog.int4,
									  weight pg_catalog."char")
RETURNS TABLE (doc_id pg_catalog.text, score pg_catalog.float4,
			   source pg_catalog.jsonb, headline pg_catalog.text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
-- A probe wants a few rows of a tier: a sequential scan would compute
-- search_impacts() for every row until it found them, or for all of them
-- when the tier holds fewer.
SET enable_seqscan = off
AS $covara$
DECLARE
	wanted pg_catalog.int8;
	tier pg_catalog.int4;
	next_tier pg_catalog.int4;
	step pg_catalog.int4;
	t pg_catalog.int4;
	lo pg_catalog.int4;
	hi pg_catalog.int4;
	n pg_catalog.int8;
	probe pg_catalog.text;
	ids pg_catalog.text[];
	kth pg_catalog.float4;
BEGIN
	-- The top tiers first.  Find the highest tier T whose documents (those
	-- with a term at tier T or above) hold "wanted" matches, counting no
	-- further than that (down in growing steps, then halving the gap), rank
	-- those documents, and stop when the last one wanted scores above T's
	-- floor: no document outside can score that high.  weight is NULL
	-- when the caller (_search_tiered) found the tiers not worth reading.
	IF weight IS NOT NULL THEN
		wanted := "limit"::pg_catalog.int8 OPERATOR(pg_catalog.+) COALESCE("offset", 0);
		-- at most "wanted" of the matches in tiers >= $2
		probe := pg_catalog.format(
			'SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t '
			' WHERE covara.search_impacts(t.search_vector, %L::pg_catalog."char") OPERATOR(pg_catalog.@@) $2 '
			'   AND (t.search_vector OPERATOR(pg_catalog.@@) $1) IS TRUE LIMIT $3) AS m', idx, weight);
		hi := covara._search_tiers(weight) OPERATOR(pg_catalog.+) 1;	-- too few at hi and above
		tier := hi OPERATOR(pg_catalog.-) 1;
		step := 1;
		lo := NULL;												-- enough at lo and above
		LOOP
			EXECUTE probe INTO n USING q, covara._search_tier_query(q, tier), wanted;
			IF n OPERATOR(pg_catalog.>=) wanted THEN
				lo := tier;
				EXIT;
			END IF;
			hi := tier;
			EXIT WHEN tier OPERATOR(pg_catalog.=) 1;
			tier := pg_catalog.int4larger(tier OPERATOR(pg_catalog.-) step, 1);
			step := step OPERATOR(pg_catalog.*) 2;
		END LOOP;
		WHILE lo IS NOT NULL AND hi OPERATOR(pg_catalog.-) lo OPERATOR(pg_catalog.>) 1 LOOP
			tier := (lo OPERATOR(pg_catalog.+) hi) OPERATOR(pg_catalog./) 2;
			EXECUTE probe INTO n USING q, covara._search_tier_query(q, tier), wanted;
			IF n OPERATOR(pg_catalog.>=) wanted THEN
				lo := tier;
			ELSE
				hi := tier;
			END IF;
		END LOOP;
		tier := lo;
		WHILE tier IS NOT NULL LOOP
			EXECUTE pg_catalog.format(
				'SELECT pg_catalog.array_agg(r.doc_id ORDER BY r.s DESC, r.doc_id), '
				'       CASE WHEN pg_catalog.count(*) OPERATOR(pg_catalog.=) $3 THEN pg_catalog.min(r.s) END '
				'  FROM (SELECT t.doc_id, covara.search_score(t.search_vector, $1) AS s '
				'          FROM %s AS t '
				'         WHERE covara.search_impacts(t.search_vector, %L::pg_catalog."char") OPERATOR(pg_catalog.@@) $2 '
				'           AND (t.search_vector OPERATOR(pg_catalog.@@) $1) IS TRUE '
				'         ORDER BY 2 DESC, 1 '
				'         LIMIT $3) AS r', idx, weight)
				INTO ids, kth USING q, covara._search_tier_query(q, tier), wanted;
			IF kth OPERATOR(pg_catalog.>) (covara._search_tier_floor(weight, tier) OPERATOR(pg_catalog.*) 1.000001) THEN
				RETURN QUERY EXECUTE pg_catalog.format(
					'SELECT t.doc_id, covara.search_score(t.search_vector, $3), t.source, '
					'       pg_catalog.ts_headline($1, CASE WHEN covara.search_text(t.source, $2) OPERATOR(pg_catalog.<>) '''' '
					'                                       THEN covara.search_text(t.source, $2) '
					'                                       ELSE covara.search_text(t.source, NULL) END, $3) '
					'  FROM pg_catalog.unnest($4) WITH ORDINALITY AS x(id, n) '
					'  JOIN %s AS t ON t.doc_id OPERATOR(pg_catalog.=) x.id '
					' WHERE x.n OPERATOR(pg_catalog.>) $5 '
					' ORDER BY x.n', idx)
					USING lang, hl_fields, q, ids, COALESCE("offset", 0);
				RETURN;
			END IF;
			-- the last one is too low: the highest tier whose floor it
			-- beats holds the answer, since its documents include these
			-- and so its last one scores at least as high (every
			-- statement of this STABLE function sees one snapshot)
			next_tier := NULL;
			IF kth IS NOT NULL THEN
				FOR t IN REVERSE tier OPERATOR(pg_catalog.-) 1 .. 1 LOOP
					IF kth OPERATOR(pg_catalog.>) (covara._search_tier_floor(weight, t) OPERATOR(pg_catalog.*) 1.000001) THEN
						next_tier := t;
						EXIT;
					END IF;
				END LOOP;
			END IF;
			tier := next_tier;	-- none: rank every match
		END LOOP;
	END IF;

	-- every match, ranked
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT r.doc_id, r.score, r.source, '
		'       pg_catalog.ts_headline($1, CASE WHEN covara.search_text(r.source, $2) OPERATOR(pg_catalog.<>) '''' '
		'                                       THEN covara.search_text(r.source, $2) '
		'                                       ELSE covara.search_text(r.source, NULL) END, $3) '
		'  FROM (SELECT t.doc_id, t.source, covara.search_score(t.search_vector, $3) AS score '
		'          FROM %s AS t '
		'         WHERE t.search_vector OPERATOR(pg_catalog.@@) $3 '
		'         ORDER BY 3 DESC, 1 '
		'         LIMIT $4 OFFSET $5) AS r '
		' ORDER BY r.score DESC, r.doc_id', idx)
		USING lang, hl_fields, q, "limit", COALESCE("offset", 0);
END
$covara$;
COMMENT ON FUNCTION covara._search_ranked(pg_catalog.regclass, pg_catalog.regconfig, pg_catalog.jsonb, pg_catalog.tsquery, pg_catalog.int4, pg_catalog.int4, pg_catalog."char") IS
'internal: search()''s rows for a parsed query on an index table: the top impact tiers first (weight: the impact index''s lowest weight, from _search_tiered), else (NULL) every match ranked';

CREATE FUNCTION covara.search(index_name pg_catalog.text,
							  query pg_catalog.text,
							  "limit" pg_catalog.int4 DEFAULT 20,
							  "offset" pg_catalog.int4 DEFAULT 0,
							  prefix pg_catalog.bool DEFAULT false,
							  fuzzy pg_catalog.bool DEFAULT false)
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
	fixed pg_catalog.tsquery;
	term pg_catalog.text;
	better pg_catalog.text;
	n pg_catalog.int8;
BEGIN
	IF "limit" OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'limit must not be negative' USING ERRCODE = 'invalid_row_count_in_limit_clause',
			HINT = 'Pass how many rows to return, or NULL for all.';
	END IF;
	IF "offset" OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'offset must not be negative' USING ERRCODE = 'invalid_row_count_in_result_offset_clause',
			HINT = 'Pass how many rows to skip.';
	END IF;
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
	q := covara._search_query(lang, query, prefix);
	IF q IS NULL THEN
		RETURN;
	END IF;

	RETURN QUERY SELECT * FROM covara._search_ranked(idx, lang, hl_fields, q, "limit", "offset",
													covara._search_tiered(idx, q, "limit", "offset"));
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n OPERATOR(pg_catalog.>) 0 OR NOT fuzzy THEN
		RETURN;
	END IF;
	-- Nothing found: each word no document holds becomes the index's
	-- nearest word (covara.search_suggest), and the query runs once more.
	fixed := q;
	FOREACH term IN ARRAY covara._search_query_terms(q) LOOP
		CONTINUE WHEN covara._search_has_term(idx, term);
		SELECT s.suggestion INTO better
		  FROM covara._search_suggestions(idx, term, 1) s
		 WHERE s.distance OPERATOR(pg_catalog.>) 0;
		IF better IS NOT NULL THEN
			fixed := pg_catalog.ts_rewrite(fixed, covara._search_term_query(term), covara._search_term_query(better));
		END IF;
	END LOOP;
	IF fixed OPERATOR(pg_catalog.<>) q THEN
		RETURN QUERY SELECT * FROM covara._search_ranked(idx, lang, hl_fields, fixed, "limit", "offset",
														covara._search_tiered(idx, fixed, "limit", "offset"));
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara.search(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.bool, pg_catalog.bool) IS
'searches an index with websearch_to_tsquery in its language (prefix: the last word matches as a prefix, for search as you type; fuzzy: when nothing matches, each word no document holds is replaced by the index''s nearest word and the search runs again): (doc_id, score, source, headline), best first by covara.search_score (ts_rank for one term; for several the mean of their one-term ranks; ties by doc_id), at most limit rows (NULL: all) after offset; reads only the top impact tiers when the index has its <table>_impact_idx; a blank query returns no rows; the headline (ts_headline) is over the fields of the index and of its attached tables';

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
	lang := covara._search_language(idx, index_name);
	q := covara._search_query(lang, query, false);
	IF q IS NULL THEN
		RETURN 0;
	END IF;
	EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s AS t '
							  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1', idx)
		INTO n USING q;
	RETURN n;
END
$covara$;
COMMENT ON FUNCTION covara.search_count(pg_catalog.text, pg_catalog.text) IS
'how many documents of the index match the query (websearch_to_tsquery in the index''s language), counting every match (search_count(index, query, exact_up_to) stops early); 0 for a blank query';


CREATE FUNCTION covara.search_count(index_name pg_catalog.text, query pg_catalog.text,
									exact_up_to pg_catalog.int8)
RETURNS TABLE (count pg_catalog.int8, exact pg_catalog.bool)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	lang pg_catalog.regconfig;
	q pg_catalog.tsquery;
	n pg_catalog.int8;
	est pg_catalog.float8;
BEGIN
	IF exact_up_to IS NULL OR exact_up_to OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'exact_up_to must be zero or more, not %', COALESCE(exact_up_to::pg_catalog.text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass how many matches to count exactly before estimating, e.g. 1000; covara.search_count(index, query) counts every match.';
	END IF;
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN QUERY SELECT 0::pg_catalog.int8, true;
		RETURN;
	END IF;
	lang := covara._search_language(idx, index_name);
	q := covara._search_query(lang, query, false);
	IF q IS NULL THEN
		RETURN QUERY SELECT 0::pg_catalog.int8, true;
		RETURN;
	END IF;
	-- exact while there are at most exact_up_to matches: stop at the next
	-- one (the planner's way when it expects far more, and rightly so for a
	-- word it knows is frequent: the table holds them densely; else through
	-- GIN, for a word that may not be there at all)
	est := covara._search_estimate(idx, q);
	IF est OPERATOR(pg_catalog.>) (10 OPERATOR(pg_catalog.*) (exact_up_to OPERATOR(pg_catalog.+) 1)) THEN
		EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t '
								  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1 LIMIT $2) AS m', idx)
			INTO n USING q, exact_up_to OPERATOR(pg_catalog.+) 1;
	ELSE
		n := covara._search_count_upto(idx, q, exact_up_to OPERATOR(pg_catalog.+) 1);
	END IF;
	IF n OPERATOR(pg_catalog.<=) exact_up_to THEN
		RETURN QUERY SELECT n, true;
		RETURN;
	END IF;
	-- beyond: the planner's estimate from the index table's statistics
	-- (ANALYZE), never below what was counted
	RETURN QUERY SELECT pg_catalog.max(x), false
				   FROM pg_catalog.unnest(ARRAY[n, pg_catalog.round(est)::pg_catalog.int8]) AS x;
END
$covara$;
COMMENT ON FUNCTION covara.search_count(pg_catalog.text, pg_catalog.text, pg_catalog.int8) IS
'how many documents match the query, cheaply: (count, exact); the exact count while it is at most exact_up_to, else the planner''s estimate (from ANALYZE''s statistics of the index table, at least exact_up_to + 1) with exact false';
