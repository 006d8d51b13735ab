--
-- covara.search() and covara.search_count().
--
CREATE EXTENSION covara;
\set SHOW_CONTEXT never

SELECT covara.create_search_index('kb', '{"title": "A", "body": "B", "meta.tags": "C"}');
INSERT INTO covara_fts_kb (doc_id, source) VALUES
	('d1', '{"id": "d1", "title": "Postgres tips", "body": "Indexes make queries fast."}'),
	('d2', '{"id": "d2", "title": "Cooking", "body": "Postgres in the kitchen: a recipe for quick dinners."}'),
	('d3', '{"id": "d3", "title": "Misc", "body": "Nothing here.", "meta": {"tags": ["postgres", "misc"]}}'),
	('d4', '{"id": "d4", "title": "Other", "body": "Not about databases.", "extra": "postgres only in a field that is not indexed"}'),
	('d5', '{"id": "d5", "title": "Postgres and more Postgres", "body": "Postgres everywhere in Postgres."}');

-- Weights order the results: a match in the title (A) ranks above one in the
-- body (B), which ranks above one in meta.tags (C); d4 is not found.
SELECT doc_id, score, headline FROM covara.search('kb', 'postgres');
SELECT covara.search_count('kb', 'postgres');
-- the score is ts_rank of the stored vector
SELECT bool_and(s.score = ts_rank(i.search_vector, websearch_to_tsquery('english', 'postgres'))) AS ts_rank
  FROM covara.search('kb', 'postgres') s JOIN covara_fts_kb i USING (doc_id);
-- the whole document comes back as source
SELECT doc_id, source FROM covara.search('kb', 'kitchen');

-- websearch_to_tsquery syntax: phrases, OR, exclusion; stemming of english
SELECT doc_id FROM covara.search('kb', '"quick dinners"');
SELECT doc_id FROM covara.search('kb', '"dinners quick"');
SELECT doc_id FROM covara.search('kb', 'kitchen or indexes');
SELECT doc_id FROM covara.search('kb', 'postgres -kitchen');
SELECT doc_id FROM covara.search('kb', 'indexing');

-- limit and offset
SELECT doc_id FROM covara.search('kb', 'postgres', 2);
SELECT doc_id FROM covara.search('kb', 'postgres', 2, 2);
SELECT doc_id FROM covara.search('kb', 'postgres', NULL, 3);
SELECT doc_id FROM covara.search('kb', 'postgres', "offset" => 1);
SELECT doc_id FROM covara.search('kb', 'postgres', -1);

-- a blank query returns no rows (and counts 0)
SELECT count(*) FROM covara.search('kb', '');
SELECT count(*) FROM covara.search('kb', '   ');
SELECT count(*) FROM covara.search('kb', NULL);
SELECT covara.search_count('kb', ''), covara.search_count('kb', E' \t'), covara.search_count('kb', NULL);
-- so does a query of stop words only (PostgreSQL says so in a notice)
SELECT count(*) FROM covara.search('kb', 'the and of');
SELECT count(*) FROM covara.search('kb', 'nosuchword');

-- an unknown index is an error
SELECT * FROM covara.search('nope', 'postgres');
SELECT covara.search_count('nope', 'postgres');
SELECT * FROM covara.search('bad name', 'postgres');

-- the query is parsed in the index's language
SELECT covara.create_search_index('plain', '{"title": "A"}', 'simple');
INSERT INTO covara_fts_plain (doc_id, source) VALUES ('s1', '{"title": "running dogs"}'), ('s2', '{"title": "run dog"}');
SELECT doc_id FROM covara.search('plain', 'running');
SELECT doc_id FROM covara.search('plain', 'run');

-- documents from an attached table get their headline from the attached
-- fields; documents that have none of the fields from all their strings
CREATE TABLE faq (id int PRIMARY KEY, question text, answer text);
INSERT INTO faq VALUES (1, 'How do I tune Postgres?', 'Start with shared_buffers and work_mem.');
SELECT covara.attach_search('faq', 'kb', '{"question": "A", "answer": "B"}');
SELECT doc_id, score, headline FROM covara.search('kb', 'tune postgres');
INSERT INTO covara_fts_kb (doc_id, source, search_vector)
VALUES ('x1', '{"id": "x1", "name": "Tuning", "summary": "How to tune"}', to_tsvector('english', 'Tuning How to tune'));
SELECT doc_id, score, headline FROM covara.search('kb', 'tune postgres or tuning');

-- The GIN index is used: the scans of <table>_search_idx go up during
-- search() on an index big enough for the planner to want it.
SELECT covara.create_search_index('big', '{"title": "A", "body": "B"}');
INSERT INTO covara_fts_big (doc_id, source)
SELECT i::text, jsonb_build_object('title', 'document ' || i, 'body', 'word' || (i % 1000) || ' filler text number ' || i)
  FROM generate_series(1, 20000) i;
VACUUM ANALYZE covara_fts_big;		-- flushes the GIN pending list, as autovacuum would
BEGIN;
SELECT pg_stat_get_xact_numscans('covara_fts_big_search_idx'::regclass) AS scans_before \gset
SELECT doc_id, score FROM covara.search('big', 'word42 document', 3);
SELECT pg_stat_get_xact_numscans('covara_fts_big_search_idx'::regclass) - :scans_before > 0 AS search_index_used;
SELECT covara.search_count('big', 'word42');
SELECT pg_stat_get_xact_numscans('covara_fts_big_search_idx'::regclass) - :scans_before > 0 AS search_index_used;
COMMIT;
-- the plan of the query search() runs, on this table
EXPLAIN (COSTS OFF)
SELECT t.doc_id, t.source, ts_rank(t.search_vector, q) AS score
  FROM covara_fts_big t, websearch_to_tsquery('english', 'word42 document') q
 WHERE t.search_vector @@ q
 ORDER BY 3 DESC, 1 LIMIT 3;

DROP TABLE faq;
SELECT covara.drop_search_index('kb');
SELECT covara.drop_search_index('plain');
SELECT covara.drop_search_index('big');
DROP EXTENSION covara CASCADE;
