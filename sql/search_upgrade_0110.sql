--
-- covara 0.10.0 -> 0.11.0 for search: an index made before keeps its table
-- as it is (the update builds no index on it), searches the same through
-- ranking every match, and gets the impact index with the statement the
-- README gives; an index made after has it at once.
--
CREATE EXTENSION covara VERSION '0.10.0';
SET extra_float_digits = 0;
SELECT covara.create_search_index('old', '{"title": "A", "body": "C"}');
INSERT INTO covara_fts_old (doc_id, source)
SELECT i::text, jsonb_build_object('title', 'post ' || i || CASE WHEN i % 4 = 0 THEN ' fox' ELSE '' END,
								   'body', repeat('fox ', i % 3) || 'text')
  FROM generate_series(1, 500) i;
SELECT array_agg(doc_id) AS before FROM covara.search('old', 'fox', 10) \gset
ALTER EXTENSION covara UPDATE TO '0.11.0';

SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'covara_fts_old'::regclass ORDER BY 1;
SELECT covara._search_impact_weight('covara_fts_old');
-- one word: the order was ts_rank's and still is
SELECT array_agg(doc_id) = :'before' AS same_rows FROM covara.search('old', 'fox', 10);
CREATE INDEX CONCURRENTLY covara_fts_old_impact_idx ON covara_fts_old
	USING gin (covara.search_impacts(search_vector, 'C'));
SELECT covara._search_impact_weight('covara_fts_old');
SELECT array_agg(doc_id) = :'before' AS same_rows_from_tiers FROM covara.search('old', 'fox', 10);
SELECT covara.create_search_index('new', '{"title": "A"}');
SELECT covara._search_impact_weight('covara_fts_new');
SELECT count > 10 AS beyond, exact FROM covara.search_count('old', 'fox', 10);

SELECT covara.drop_search_index('old');
SELECT covara.drop_search_index('new');
DROP EXTENSION covara;
