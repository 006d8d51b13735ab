/* ---- 06-search-rank.sql: impact tiers, the ranking behind search() ---- */

/*
 * covara.search() ranks a query's top k without ranking every match: an
 * index's GIN index on covara.search_impacts(search_vector, <lowest
 * weight>) says, per lexeme, which documents hold it with an impact of a
 * given tier or above (src/search_rank.c explains the tiers), so search()
 * reads the top tiers first and stops as soon as no unread document can
 * beat the k it has.
 */

CREATE FUNCTION covara.search_impacts(vector pg_catalog.tsvector, lowest_weight pg_catalog."char")
RETURNS pg_catalog.tsvector
AS 'MODULE_PATHNAME', 'covara_search_impacts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_impacts(pg_catalog.tsvector, pg_catalog."char") IS
'the impact tiers of a vector''s lexemes, as entries ''<tier>:<lexeme>'' (tier 1 lowest; each tier''s floor 1 % above the last): every lexeme whose one-term ts_rank is above that of a single occurrence at lowest_weight; what an index''s <table>_impact_idx GIN index holds';

CREATE FUNCTION covara.search_score(vector pg_catalog.tsvector, query pg_catalog.tsquery)
RETURNS pg_catalog.float4
AS 'MODULE_PATHNAME', 'covara_search_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_score(pg_catalog.tsvector, pg_catalog.tsquery) IS
'the score covara.search() ranks by: the mean, over the query''s distinct terms that are not negated, of each term''s one-term ts_rank in the vector (a prefix term: its best-ranked lexeme); exactly ts_rank for a one-term query';

CREATE FUNCTION covara._search_tier_query(query pg_catalog.tsquery, tier pg_catalog.int4)
RETURNS pg_catalog.tsquery
AS 'MODULE_PATHNAME', 'covara_search_tier_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_tier_query(pg_catalog.tsquery, pg_catalog.int4) IS
'a query over covara.search_impacts() vectors: documents where some term of the query that is not negated has an impact of that tier (1 to 300) or above; NULL when the query has no such term or more than 32 distinct ones (search() then ranks every match)';

CREATE FUNCTION covara._search_tier_floor(lowest_weight pg_catalog."char", tier pg_catalog.int4)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'covara_search_tier_floor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_tier_floor(pg_catalog."char", pg_catalog.int4) IS
'the lowest impact of a tier (1 to 300) of covara.search_impacts() with that lowest weight: a document outside the tier and those above it scores below it';

CREATE FUNCTION covara._search_tiers(lowest_weight pg_catalog."char")
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'covara_search_tiers'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_tiers(pg_catalog."char") IS
'internal: the highest impact tier covara.search_impacts() can give over that lowest weight (256 positions of weight A)';

CREATE FUNCTION covara._search_positive_terms(query pg_catalog.tsquery)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'covara_search_positive_terms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_positive_terms(pg_catalog.tsquery) IS
'internal: how many distinct terms the query has that are not negated, prefix terms included';

CREATE FUNCTION covara.search_prefix_query(query pg_catalog.tsquery)
RETURNS pg_catalog.tsquery
AS 'MODULE_PATHNAME', 'covara_search_prefix_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_prefix_query(pg_catalog.tsquery) IS
'the query with its last term (as the query reads) made a prefix match, as search(prefix => true) uses it: search as you type';

-- The lowest weight an index's impact index was built with, or NULL when
-- the index has none (made before 0.11.0, or dropped): search() then ranks
-- every match.
CREATE FUNCTION covara._search_impact_weight(index_table pg_catalog.regclass)
RETURNS pg_catalog."char"
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT m.w[2]::pg_catalog."char"
	  FROM pg_catalog.pg_index i
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
	  JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam,
		   LATERAL pg_catalog.regexp_match(pg_catalog.pg_get_expr(i.indexprs, i.indrelid),
			'^(covara\.)?search_impacts\(search_vector, ''([ABCD])''::"char"\)$') AS m(w)
	 WHERE i.indrelid OPERATOR(pg_catalog.=) index_table
	   AND i.indexprs IS NOT NULL AND i.indnatts OPERATOR(pg_catalog.=) 1
	   AND i.indisvalid AND i.indpred IS NULL
	   AND am.amname OPERATOR(pg_catalog.=) 'gin'
	   AND m.w IS NOT NULL
	 ORDER BY i.indexrelid
	 LIMIT 1;
END;
COMMENT ON FUNCTION covara._search_impact_weight(pg_catalog.regclass) IS
'internal: the lowest weight of the index table''s GIN index on covara.search_impacts(search_vector, w), NULL if it has none';

CREATE FUNCTION covara._search_estimate(index_table pg_catalog.regclass, query pg_catalog.tsquery)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'covara_search_estimate'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION covara._search_estimate(pg_catalog.regclass, pg_catalog.tsquery) IS
'internal: the planner''s estimate of the index table''s rows whose search_vector matches the query (from ANALYZE''s statistics; needs SELECT on the table)';
