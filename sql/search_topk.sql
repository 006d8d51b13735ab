-- covara.search() at scale: the top k from the impact tiers is exactly the
-- top k of ranking every match; search as you type; cheap counts.
CREATE EXTENSION covara;
SET extra_float_digits = 0;
\set SHOW_CONTEXT never

-- A corpus with every shape of rank: a term in the title (A) and 0..6 times
-- in the body (D), many ties, and terms no document holds twice.
SELECT covara.create_search_index('docs', '{"title": "A", "body": "D"}');
\d covara_fts_docs
-- the vector stays in the row (the source goes to TOAST)
SELECT attname, attstorage FROM pg_attribute
 WHERE attrelid = 'covara_fts_docs'::regclass AND attname IN ('source', 'search_vector') ORDER BY 1;
INSERT INTO covara_fts_docs (doc_id, source)
SELECT i::text,
	   jsonb_build_object(
		 'title', CASE WHEN i % 11 = 0 THEN 'zebra ' ELSE '' END
				  || CASE WHEN i % 13 = 0 THEN 'lion ' ELSE '' END || 'animal number ' || (i % 17),
		 'body', repeat('zebra ', (i * 7) % 5) || repeat('lion ', (i * 3) % 4) || 'grass water '
				 || repeat('filler ', i % 9) || 'zebra ' || 'word' || (i % 50) || ' once' || i)
  FROM generate_series(1, 3000) i;
VACUUM ANALYZE covara_fts_docs;

-- what the impact index holds for one document (tier numbers, 1 lowest):
-- lexemes with more than a single occurrence at the lowest weight, D
SELECT source, search_vector, covara.search_impacts(search_vector, 'D')
  FROM covara_fts_docs WHERE doc_id = '143';
SELECT covara.search_impacts(''::tsvector, 'D'), covara.search_impacts('a b:1A'::tsvector, 'B'),
	   covara.search_impacts('a:1 b:1,2'::tsvector, 'D');
SELECT covara.search_impacts('a'::tsvector, 'E');	-- error: 22023

-- The score is ts_rank for a one-term query, and tiers never lose a document:
-- for every term and page, search() returns what ranking every match does.
CREATE FUNCTION pg_temp.by_hand(q text, lim int, off int, prefix bool DEFAULT false)
RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(doc_id ORDER BY n) FROM (
		SELECT doc_id, row_number() OVER (ORDER BY s DESC, doc_id) AS n FROM (
			SELECT t.doc_id, covara.search_score(t.search_vector, x.q) AS s
			  FROM covara_fts_docs t,
				   (SELECT CASE WHEN prefix THEN covara.search_prefix_query(websearch_to_tsquery('english', q))
								ELSE websearch_to_tsquery('english', q) END AS q) x
			 WHERE t.search_vector @@ x.q
			 ORDER BY 2 DESC, 1 LIMIT lim OFFSET off) r) r
$$;
CREATE FUNCTION pg_temp.ranked(q text, lim int, off int, prefix bool DEFAULT false)
RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(doc_id) FROM covara.search('docs', q, lim, off, prefix)
$$;
SELECT count(*) AS pages,
	   count(*) FILTER (WHERE pg_temp.ranked(q, lim, off) IS NOT DISTINCT FROM pg_temp.by_hand(q, lim, off)) AS same
  FROM unnest(ARRAY['zebra', 'lion', 'grass', 'filler', 'word7', 'once42', 'animal', 'nothinghere',
					'zebra lion', 'zebra or lion', 'lion -zebra', '"zebra lion"', 'grass zebra filler',
					'-zebra']) AS q,
	   (VALUES (1, 0), (20, 0), (20, 20), (20, 400), (7, 1), (100, 0), (1000, 0), (0, 0), (5, 2990)) AS p(lim, off);
-- one term: the order is ts_rank's
SELECT pg_temp.ranked('zebra', 30, 0) = (
		SELECT array_agg(doc_id ORDER BY r DESC, doc_id) FROM (
			SELECT doc_id, ts_rank(search_vector, to_tsquery('english', 'zebra')) AS r
			  FROM covara_fts_docs WHERE search_vector @@ to_tsquery('english', 'zebra')
			 ORDER BY 2 DESC, 1 LIMIT 30) h) AS ts_rank_order;
SELECT doc_id, score FROM covara.search('docs', 'zebra', 3);
SELECT doc_id, covara.search_score(search_vector, 'zebra'), ts_rank(search_vector, 'zebra')
  FROM covara_fts_docs WHERE doc_id IN ('1012', '1', '3') ORDER BY 1;
-- weights keep their meaning: a title (A) hit outranks body (D) hits
SELECT min(score) FILTER (WHERE source->>'title' LIKE '%zebra%')
	   > max(score) FILTER (WHERE source->>'title' NOT LIKE '%zebra%') AS title_first
  FROM covara.search('docs', 'zebra', NULL);

-- the top k of a frequent term comes from the impact index, reading a few
-- of its matches (on a table this small the planner may rather read it all)
BEGIN;
SET LOCAL enable_seqscan = off;
SELECT pg_stat_get_xact_numscans('covara_fts_docs_impact_idx'::regclass) AS impact_before,
	   pg_stat_get_xact_tuples_fetched('covara_fts_docs'::regclass) AS fetched_before \gset
SELECT count(*) FROM covara.search('docs', 'zebra', 20);
SELECT pg_stat_get_xact_numscans('covara_fts_docs_impact_idx'::regclass) - :impact_before > 0 AS impact_index_used,
	   pg_stat_get_xact_tuples_fetched('covara_fts_docs'::regclass) - :fetched_before < 500 AS read_few_rows,
	   (SELECT count(*) FROM covara_fts_docs WHERE search_vector @@ 'zebra') AS matches;
COMMIT;

-- Search as you type: the last word is a prefix, whatever the user typed.
SELECT doc_id, score FROM covara.search('docs', 'zeb', 3, 0, prefix => true);
SELECT count(*) FROM covara.search('docs', 'zeb', NULL, 0, prefix => false) AS not_a_prefix;
SELECT count(*) AS pages,
	   count(*) FILTER (WHERE pg_temp.ranked(q, lim, 0, true) IS NOT DISTINCT FROM pg_temp.by_hand(q, lim, 0, true)) AS same
  FROM unnest(ARRAY['zeb', 'li', 'grass zeb', 'zebra l', 'wor', 'o', 'lion -zeb', '"grass wat"']) AS q,
	   (VALUES (1), (20), (200)) AS p(lim);
SELECT covara.search_prefix_query(websearch_to_tsquery('english', q))
  FROM unnest(ARRAY['postg', 'tune postg', 'a or b', '"quoted phr"', 'x -y', 'z:* & !', '''', '']) AS q;
SELECT count(*) FROM covara.search('docs', 'zeb:* & ! | (''', 20, 0, prefix => true) AS hostile;

-- Bad input: blank, NULL, tsquery operators, many terms, a 1 MB query
SELECT count(*) FROM covara.search('docs', (SELECT string_agg('w' || i, ' or ') FROM generate_series(1, 400) i) || ' or zebra', 5) AS many_terms;
SELECT count(*) FROM covara.search('docs', '', 20, 0, true);
SELECT count(*) FROM covara.search('docs', E' \t\n', 20, 0, true);
SELECT count(*) FROM covara.search('docs', NULL, 20, 0, true);
SELECT count(*) FROM covara.search('docs', 'zebra', 20, 0, NULL) AS null_prefix_is_false;
SELECT count(*) FROM covara.search('docs', '!!! & | <-> :*', 20, 0, true);
SELECT count(*) FROM covara.search('docs', repeat('zebra lion ', 372), 5) AS just_under_4kb;
SELECT count(*) FROM covara.search('docs', repeat('zebra lion ', 100000), 5) AS one_mb;	-- error: 54000
SELECT * FROM covara.search_count('docs', repeat('zebra lion ', 100000), 5) AS one_mb;	-- error: 54000
SELECT count(*) FROM covara.search('docs', 'zebra', -1);	-- error: 2201W
SELECT count(*) FROM covara.search('docs', 'zebra', 5, -1);	-- error: 2201X

-- Counts: exact up to a threshold, an estimate beyond it, saying which
SELECT * FROM covara.search_count('docs', 'lion', 5000);
SELECT count, exact, count > 1000 AS beyond FROM covara.search_count('docs', 'zebra', 1000);
SELECT count(*) FROM covara_fts_docs WHERE search_vector @@ 'zebra';
SELECT * FROM covara.search_count('docs', 'once42', 0);
SELECT * FROM covara.search_count('docs', 'once42', 1);
SELECT * FROM covara.search_count('docs', 'nothinghere', 10);
SELECT * FROM covara.search_count('docs', '  ', 10);
SELECT * FROM covara.search_count('docs', NULL, 10);
SELECT * FROM covara.search_count('docs', 'zebra', NULL);	-- error: 22023
SELECT * FROM covara.search_count('docs', 'zebra', -1);	-- error: 22023

-- the estimate is from statistics only the table's readers may see
CREATE ROLE covara_regress_stranger;
SET ROLE covara_regress_stranger;
SELECT covara._search_estimate('covara_fts_docs', 'zebra');	-- error: 42501
RESET ROLE;
SELECT covara._search_estimate('covara_fts_docs', 'zebra') > 1000 AS estimated;
DROP ROLE covara_regress_stranger;

-- An index without its impact index (made before 0.11.0) ranks every
-- match and returns the same rows.
SELECT pg_temp.ranked('zebra lion', 20, 0) AS with_tiers \gset
DROP INDEX covara_fts_docs_impact_idx;
SELECT covara._search_impact_weight('covara_fts_docs');
SELECT pg_temp.ranked('zebra lion', 20, 0) = :'with_tiers' AS same_without_tiers;
-- ... and gets it back with one statement (CONCURRENTLY on a live table)
CREATE INDEX CONCURRENTLY covara_fts_docs_impact_idx ON covara_fts_docs
	USING gin (covara.search_impacts(search_vector, 'D'));
SELECT covara._search_impact_weight('covara_fts_docs');
SET search_path = covara, public;
SELECT covara._search_impact_weight('covara_fts_docs') AS found_with_covara_on_the_path;
RESET search_path;

-- The lowest weight of an index's fields sets its tiers' floor.
SELECT covara.create_search_index('notes', '{"title": "A", "body": "B"}');
SELECT covara._search_impact_weight('covara_fts_notes');
SELECT covara.create_search_index('plain');
SELECT covara._search_impact_weight('covara_fts_plain');
SELECT covara._search_tier_floor('D', 1) = covara.search_score('a:1'::tsvector, 'a') AS floor_is_one_d,
	   covara._search_tier_floor('B', 1) = covara.search_score('a:1B'::tsvector, 'a') AS floor_is_one_b;
SELECT covara._search_tier_query('a & !b'::tsquery, 0);	-- error: 22003
SELECT covara._search_tier_query('!b'::tsquery, 1) IS NULL AS no_positive_term;

SELECT covara.drop_search_index('docs');
SELECT covara.drop_search_index('notes');
SELECT covara.drop_search_index('plain');
DROP EXTENSION covara CASCADE;
