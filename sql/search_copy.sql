--
-- COPY into a search index table: a row whose doc_id the index holds
-- replaces that document (as a data-only restore needs when the sources'
-- sync triggers wrote it first); INSERT is left alone.
--
CREATE EXTENSION covara;
SELECT covara.create_search_index('cp', '{"title": "A"}');
CREATE TABLE cp_src (id int PRIMARY KEY, title text);
SELECT covara.attach_search('cp_src', 'cp', '{"title": "A"}');
INSERT INTO cp_src VALUES (1, 'written by the sync trigger');
SELECT doc_id, source, search_vector FROM covara_fts_cp ORDER BY doc_id;

-- COPY: doc 1 is replaced (its vector recomputed from the copied source,
-- none being given), doc 2 is new
COPY covara_fts_cp (doc_id, source) FROM STDIN;
1	{"id": 1, "title": "loaded by copy"}
2	{"id": 2, "title": "a document of its own"}
\.
SELECT doc_id, source, search_vector FROM covara_fts_cp ORDER BY doc_id;
-- a vector given in the copied row is kept (given_vector=keep)
COPY covara_fts_cp (doc_id, source, search_vector) FROM STDIN;
2	{"id": 2, "title": "given"}	'given':1A
\.
SELECT doc_id, source, search_vector FROM covara_fts_cp WHERE doc_id = '2';

-- INSERT of a doc_id the index holds fails as before; ON CONFLICT does what it says
\set VERBOSITY terse
INSERT INTO covara_fts_cp (doc_id, source) VALUES ('1', '{"title": "again"}');
\set VERBOSITY default
INSERT INTO covara_fts_cp (doc_id, source) VALUES ('1', '{"title": "again"}') ON CONFLICT DO NOTHING;
SELECT doc_id, source FROM covara_fts_cp WHERE doc_id = '1';

-- a table of the user's with covara.search_trigger (not an index table): COPY as ever
CREATE TABLE cp_own (id text PRIMARY KEY, body text, tsv tsvector);
CREATE TRIGGER cp_own_search BEFORE INSERT OR UPDATE ON cp_own FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.english', 'body:A');
INSERT INTO cp_own (id, body) VALUES ('1', 'first');
\set VERBOSITY terse
COPY cp_own (id, body) FROM STDIN;
1	second
\.
\set VERBOSITY default

DROP TABLE cp_src, cp_own;
SELECT covara.drop_search_index('cp');
DROP EXTENSION covara;
