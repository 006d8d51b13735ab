-- Typo tolerance: suggestions from the index's own words (the keys of its
-- GIN index, in step with every write), and search(fuzzy => true).
CREATE EXTENSION covara;
\set SHOW_CONTEXT never
SELECT covara.create_search_index('kb', '{"title": "A", "body": "D"}');
INSERT INTO covara_fts_kb (doc_id, source)
SELECT i::text, jsonb_build_object('title', (ARRAY['zebra', 'zebu', 'zero', 'lion', 'lemon'])[1 + i % 5],
								   'body', repeat('zebra ', i % 3) || 'savanna grassland ' || CASE WHEN i % 50 = 0 THEN 'zebras' ELSE '' END)
  FROM generate_series(1, 500) i;
VACUUM ANALYZE covara_fts_kb;		-- the words are in the GIN entry tree now

-- nearest first, then the most documents; the typed word is stemmed first
SELECT * FROM covara.search_suggest('kb', 'zebar');
SELECT * FROM covara.search_suggest('kb', 'zbra');	-- the first character must be right
SELECT * FROM covara.search_suggest('kb', 'savana');
SELECT * FROM covara.search_suggest('kb', 'grasland', 1);
SELECT * FROM covara.search_suggest('kb', 'lemno');
SELECT * FROM covara.search_suggest('kb', 'zebra');	-- a word the index holds comes first, distance 0
SELECT * FROM covara.search_suggest('kb', 'zebra', 0);

-- kept in step: a word written a moment ago (in the pending list) is offered
-- at once, in the writing transaction and to others after its commit; one
-- rolled back is not
BEGIN;
INSERT INTO covara_fts_kb (doc_id, source) VALUES ('new', '{"title": "quagga", "body": "extinct"}');
SELECT * FROM covara.search_suggest('kb', 'quaga');
ROLLBACK;
SELECT * FROM covara.search_suggest('kb', 'quaga');
INSERT INTO covara_fts_kb (doc_id, source) VALUES ('new', '{"title": "quagga", "body": "extinct"}');
SELECT * FROM covara.search_suggest('kb', 'quaga');
VACUUM covara_fts_kb;		-- into the entry tree: still there
SELECT * FROM covara.search_suggest('kb', 'quaga');
DELETE FROM covara_fts_kb WHERE doc_id = 'new';
-- its last document gone (GIN keeps the key): so is the word
SELECT * FROM covara.search_suggest('kb', 'quaga');

-- bad input
SELECT * FROM covara.search_suggest('kb', NULL);
SELECT * FROM covara.search_suggest('kb', '   ');
SELECT * FROM covara.search_suggest('kb', 'the');	-- a stop word: no lexeme
SELECT * FROM covara.search_suggest('kb', '!(& | <-> :*');
SELECT * FROM covara.search_suggest('kb', 'zébra ünïcode');
SELECT * FROM covara.search_suggest('kb', repeat('z', 256));	-- error: 54000
SELECT * FROM covara.search_suggest('kb', 'zebar', -1);	-- error: 2201W
SELECT * FROM covara.search_suggest('kb', 'zebar', NULL);	-- error: 2201W
SELECT * FROM covara.search_suggest('nope', 'zebar');	-- error: 42704
SELECT covara._search_term_query(e'it''s a \\ back');
SELECT covara._search_query_terms('a & !b & (c:* | d) & a');
SELECT * FROM covara._search_vocabulary_near('covara_fts_kb_search_idx', 'zebar', 4);	-- error: 22023
SELECT * FROM covara._search_vocabulary_near('covara_fts_kb_pkey', 'zebar', 2);	-- error: 42809
SELECT * FROM covara._search_vocabulary_near('covara_fts_kb', 'zebar', 2);	-- error: 42809
-- the words are the table's content: its readers' only
CREATE ROLE covara_regress_outsider;
SET ROLE covara_regress_outsider;
SELECT * FROM covara._search_vocabulary_near('covara_fts_kb_search_idx', 'zebar', 2);	-- error: 42501
RESET ROLE;
DROP ROLE covara_regress_outsider;

-- fuzzy: when nothing matches, each word no document holds becomes its
-- nearest word and the search runs once more
SELECT doc_id, score FROM covara.search('kb', 'zebar', 3);
SELECT doc_id, score FROM covara.search('kb', 'zebar', 3, fuzzy => true);
SELECT doc_id, score FROM covara.search('kb', 'zebra', 3) EXCEPT ALL
SELECT doc_id, score FROM covara.search('kb', 'zebar', 3, fuzzy => true);
SELECT count(*) FROM covara.search('kb', 'zebar savana', NULL, fuzzy => true) AS both_fixed;
SELECT count(*) FROM covara.search('kb', 'savanna zebar', NULL, fuzzy => true) AS one_fixed;
SELECT count(*) FROM covara.search('kb', 'zebra', NULL) AS zebra_matches;
-- something matches: nothing is changed
SELECT count(*) FROM covara.search('kb', 'zebra or zebar', NULL, fuzzy => true) AS unchanged;
-- no near word: still nothing
SELECT count(*) FROM covara.search('kb', 'xylophone', 5, fuzzy => true);
-- with search as you type
SELECT count(*) FROM covara.search('kb', 'savana zeb', 5, prefix => true, fuzzy => true);

-- an index table without its GIN index has no vocabulary
DROP INDEX covara_fts_kb_search_idx;
SELECT * FROM covara.search_suggest('kb', 'zebar');	-- error: 42704

SELECT covara.drop_search_index('kb');
DROP EXTENSION covara;
