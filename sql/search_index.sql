--
-- Search indexes: create_search_index, attach_search, detach_search,
-- drop_search_index and the covara adapter's table shape.
--
CREATE EXTENSION covara;
\set SHOW_CONTEXT never

SELECT covara.create_search_index('posts', '{"title": "A", "body": "B", "meta.tags": "C"}');
\d covara_fts_posts
-- an identical second call changes nothing
SELECT t.oid AS trigger_oid FROM pg_trigger t WHERE t.tgname = 'covara_index_posts' \gset
SELECT covara.create_search_index('posts', '{"title": "A", "body": "B", "meta.tags": "C"}');
SELECT t.oid = :trigger_oid AS same_trigger FROM pg_trigger t WHERE t.tgname = 'covara_index_posts';
-- the same name with other settings is refused
SELECT covara.create_search_index('posts', '{"title": "A"}');
SELECT covara.create_search_index('posts', '{"title": "A", "body": "B", "meta.tags": "C"}', 'simple');

-- A row written with only source is indexed from it (fields by weight).
INSERT INTO covara_fts_posts (doc_id, source) VALUES
	('p1', '{"id": "p1", "title": "Postgres full-text search", "body": "Triggers keep the index in step.", "meta": {"tags": ["databases"]}}');
SELECT doc_id, search_vector FROM covara_fts_posts;
SELECT search_vector = covara.search_vector(source, '{"title": "A", "body": "B", "meta.tags": "C"}') AS same
  FROM covara_fts_posts;

-- covara's search adapter writes (doc_id, source, search_vector) itself with
-- this upsert; its vector is kept, on insert and on conflict.
INSERT INTO covara_fts_posts (doc_id, source, search_vector)
VALUES ('p2', '{"id": "p2", "title": "Adapter document"}', to_tsvector('english', 'Adapter document'))
ON CONFLICT (doc_id) DO UPDATE SET source = EXCLUDED.source, search_vector = EXCLUDED.search_vector;
INSERT INTO covara_fts_posts (doc_id, source, search_vector)
VALUES ('p2', '{"id": "p2", "title": "Adapter document, edited"}', to_tsvector('english', 'Adapter document edited'))
ON CONFLICT (doc_id) DO UPDATE SET source = EXCLUDED.source, search_vector = EXCLUDED.search_vector;
SELECT doc_id, source, search_vector FROM covara_fts_posts ORDER BY doc_id;
-- updating source alone recomputes the vector; a NULL vector is computed
UPDATE covara_fts_posts SET source = '{"id": "p2", "title": "Rewritten by hand"}' WHERE doc_id = 'p2';
SELECT search_vector FROM covara_fts_posts WHERE doc_id = 'p2';
INSERT INTO covara_fts_posts VALUES ('p3', '{"title": "Null vector given"}', NULL);
SELECT search_vector FROM covara_fts_posts WHERE doc_id = 'p3';

-- NULL fields: every top-level key but id, weight D (strings only).
SELECT covara.create_search_index('notes');
INSERT INTO covara_fts_notes (doc_id, source) VALUES
	('n1', '{"id": "skipped", "text": "hello", "extra": {"deep": ["world", 5, true]}, "n": 5}');
SELECT search_vector FROM covara_fts_notes;

-- Another schema and table prefix; lookups follow search_path.
CREATE SCHEMA app;
SET search_path = app, public;
SELECT covara.create_search_index('posts', '["title:A", "body"]', 'simple', 'idx_');
SELECT covara.search_index_table('posts');
RESET search_path;
SELECT covara.search_index_table('posts');
SELECT * FROM covara.search_indexes ORDER BY schema_name, index_name;

-- Names are [A-Za-z0-9_] and every derived name fits in 63 bytes.
SELECT covara.create_search_index('bad-name');
SELECT covara.create_search_index('x', table_prefix => 'bad prefix');
SELECT covara.create_search_index(repeat('x', 42));
SELECT covara.create_search_index(repeat('x', 41));
SELECT covara.drop_search_index(repeat('x', 41));
SELECT covara.create_search_index('x', '{"title": "Z"}');
SELECT covara.create_search_index('x', '{}');
SELECT covara.search_index_table('nope');

-- An existing table in the adapter's shape is adopted: rows keep their
-- vectors, rows without one get one.
CREATE TABLE covara_fts_legacy (doc_id text PRIMARY KEY, source jsonb NOT NULL, search_vector tsvector);
INSERT INTO covara_fts_legacy VALUES
	('l1', '{"title": "Written by the adapter"}', to_tsvector('english', 'Written by the adapter')),
	('l2', '{"title": "No vector yet"}', NULL);
SELECT covara.create_search_index('legacy', '{"title": "A"}');
SELECT doc_id, search_vector FROM covara_fts_legacy ORDER BY doc_id;
\d covara_fts_legacy
CREATE TABLE covara_fts_other (id int);
SELECT covara.create_search_index('other');

--
-- attach_search: a source table kept in step, in the same transaction.
--
CREATE TABLE articles (id int PRIMARY KEY, title text, body text, tags text[], meta jsonb, views int NOT NULL DEFAULT 0);
INSERT INTO articles (id, title, body, tags, meta) VALUES
	(1, 'The fox', 'A quick brown fox jumps', '{animals}', '{"tags": ["nature"]}'),
	(2, 'Dogs', 'Lazy dogs sleep all day', NULL, NULL),
	(3, 'Cats', 'Cats purr', '{pets}', '{"tags": "home"}');
SELECT covara.attach_search('articles', 'posts', '{"title": "A", "body": "B", "meta.tags": "C", "tags": "C"}');
SELECT t.oid AS sync_oid FROM pg_trigger t WHERE t.tgname = 'covara_sync_posts' \gset
\d articles
-- a second identical call changes nothing
SELECT covara.attach_search('articles', 'posts', '{"title": "A", "body": "B", "meta.tags": "C", "tags": "C"}');
SELECT t.oid = :sync_oid AS same_trigger FROM pg_trigger t WHERE t.tgname = 'covara_sync_posts';

-- the documents: doc_id is the id as text, source the row as jsonb, and the
-- vector what the attach fields give
CREATE VIEW index_state AS
SELECT doc_id, source, search_vector FROM covara_fts_posts WHERE doc_id ~ '^[0-9]+$';
SELECT doc_id, source, search_vector FROM index_state ORDER BY doc_id;
SELECT count(*) FILTER (WHERE i.search_vector = covara.search_vector(to_jsonb(a), '{"title": "A", "body": "B", "meta.tags": "C", "tags": "C"}')
						  AND i.source = covara.search_source(to_jsonb(a), '["title:A", "body:B", "meta.tags:C", "tags:C"]', '{id}')) AS matching,
	   count(*) AS articles
  FROM articles a JOIN covara_fts_posts i ON i.doc_id = a.id::text;

-- insert, update of a field, update of another column, id change, delete
INSERT INTO articles (id, title, body) VALUES (4, 'Birds', 'Birds sing');
UPDATE articles SET body = 'Lazy dogs sleep all night' WHERE id = 2;
UPDATE covara_fts_posts SET search_vector = 'handmade' WHERE doc_id = '3';
UPDATE articles SET views = 10 WHERE id = 3;	-- source refreshed, vector not recomputed
UPDATE articles SET id = 30 WHERE id = 1;		-- the document moves
DELETE FROM articles WHERE id = 4;
SELECT doc_id, source, search_vector FROM index_state ORDER BY doc_id;

-- rollback leaves source and index as they were
CREATE TABLE snapshot AS SELECT * FROM index_state;
BEGIN;
INSERT INTO articles (id, title, body) VALUES (5, 'Fish', 'Fish swim');
UPDATE articles SET id = 31 WHERE id = 30;
DELETE FROM articles WHERE id = 2;
SELECT doc_id FROM index_state ORDER BY doc_id;
ROLLBACK;
SELECT (SELECT count(*) FROM (SELECT * FROM index_state EXCEPT SELECT * FROM snapshot) d)
	 + (SELECT count(*) FROM (SELECT * FROM snapshot EXCEPT SELECT * FROM index_state) d) AS differences;
-- a statement that fails half-way leaves nothing behind either
INSERT INTO articles (id, title) VALUES (6, 'Six'), (3, 'Duplicate id');
SELECT count(*) FROM covara_fts_posts WHERE doc_id = '6';
-- savepoints too
BEGIN;
SAVEPOINT s;
UPDATE articles SET title = 'Foxes' WHERE id = 30;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT source->>'title' AS title FROM covara_fts_posts WHERE doc_id = '30';

-- ids that swap within one statement (deferrable key): both documents stay
ALTER TABLE articles DROP CONSTRAINT articles_pkey;
ALTER TABLE articles ADD PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED;
UPDATE articles SET id = CASE id WHEN 2 THEN 3 ELSE 2 END WHERE id IN (2, 3);
SELECT doc_id, source->>'title' AS title FROM index_state ORDER BY doc_id;
-- a row whose id becomes NULL leaves the index; NULL ids are not indexed
ALTER TABLE articles DROP CONSTRAINT articles_pkey;
ALTER TABLE articles ALTER COLUMN id DROP NOT NULL;
UPDATE articles SET id = NULL WHERE id = 2;
INSERT INTO articles (id, title) VALUES (NULL, 'No id');
SELECT doc_id FROM index_state ORDER BY doc_id;
DELETE FROM articles WHERE id IS NULL;

-- attaching again with other fields replaces the trigger and re-indexes
SELECT covara.attach_search('articles', 'posts', '{"title": "B"}');
SELECT doc_id, search_vector FROM index_state ORDER BY doc_id;
-- NULL fields: every text, text[] and jsonb column but the id, weight D
SELECT covara.attach_search('articles', 'posts', NULL);
SELECT covara.trigger_arguments(t.oid) FROM pg_trigger t WHERE t.tgname = 'covara_sync_posts';

-- a source with another id column, a per-source language, a quoted column
CREATE TABLE comments ("commentId" uuid PRIMARY KEY, "the.text" text);
INSERT INTO comments VALUES ('00000000-0000-0000-0000-000000000001', 'Laufende Hunde');
SELECT covara.attach_search('comments', 'notes', '["\"the.text\":B"]', 'commentId', 'german');
SELECT doc_id, search_vector FROM covara_fts_notes ORDER BY doc_id;
SELECT * FROM covara.search_indexes ORDER BY schema_name, index_name;

-- errors
SELECT covara.attach_search('articles', 'nope', '{"title": "A"}');
SELECT covara.attach_search('articles', 'notes', '{"title": "A"}', 'no_such_column');
SELECT covara.attach_search('articles', 'notes', '{"titel": "A"}');
SELECT covara.attach_search('articles', 'notes', '{"views": "A"}');
SELECT covara.attach_search('covara_fts_notes', 'notes', NULL);
SET search_path = app, public;
SELECT covara.attach_search('articles', 'posts', '{"title": "A"}');
RESET search_path;
CREATE TABLE numbers (id int PRIMARY KEY, n int);
SELECT covara.attach_search('numbers', 'notes', NULL);

-- detach: the trigger goes, the documents stay
SELECT covara.detach_search('articles', 'posts');
SELECT covara.detach_search('articles', 'posts');
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'articles'::regclass AND NOT tgisinternal;
INSERT INTO articles (id, title) VALUES (7, 'Not indexed');
SELECT doc_id FROM index_state ORDER BY doc_id;

-- drop: the sources are detached and the table dropped
SELECT covara.attach_search('articles', 'posts', '{"title": "A"}');
SELECT covara.drop_search_index('posts');	-- refused: a view uses the table
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'articles'::regclass AND NOT tgisinternal;
DROP VIEW index_state;
SELECT covara.drop_search_index('posts');
SELECT to_regclass('covara_fts_posts') AS dropped;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'articles'::regclass AND NOT tgisinternal;
INSERT INTO articles (id, title) VALUES (8, 'Still writable');
SELECT covara.drop_search_index('posts');

DROP TABLE articles, comments, numbers, snapshot, covara_fts_other;
SELECT covara.drop_search_index('notes');
SELECT covara.drop_search_index('legacy');
SET search_path = app, public;
SELECT covara.drop_search_index('posts');
RESET search_path;
DROP SCHEMA app;
SELECT * FROM covara.search_indexes;
DROP EXTENSION covara CASCADE;
