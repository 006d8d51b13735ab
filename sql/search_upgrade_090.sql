--
-- covara 0.8.0 -> 0.9.0 for search: attachments made before keep working
-- and keep storing whole rows until attach_search is called again; the
-- update says which attachments that concerns, and which tables' writes
-- the sync trigger now refuses because their owner may not write the index.
--
CREATE EXTENSION covara VERSION '0.8.0';
\set SHOW_CONTEXT never
CREATE ROLE covara_regress_feeder;
SELECT covara.create_search_index('up', '{"title": "A"}');
CREATE TABLE up_posts (id int PRIMARY KEY, title text, secret text);
INSERT INTO up_posts VALUES (1, 'attached by 0.8.0', 's3cret');
SELECT covara.attach_search('up_posts', 'up', '{"title": "A"}');
-- a table owned by a role that was given INSERT and UPDATE on the index
-- (what 0.8.0's attach_search needed) but not DELETE, attached before
-- covara's 0.9.0 library was installed (whose trigger refuses it at once)
CREATE TABLE up_feed (id int PRIMARY KEY, title text);
GRANT SELECT, INSERT, UPDATE ON covara_fts_up TO covara_regress_feeder;
ALTER TABLE up_feed OWNER TO covara_regress_feeder;
CREATE TRIGGER covara_sync_up AFTER INSERT OR UPDATE OR DELETE ON up_feed FOR EACH ROW
	EXECUTE FUNCTION covara.search_sync_trigger('public', 'covara_fts_up', 'id', 'pg_catalog.english', 'title:A');
SELECT doc_id, source FROM covara_fts_up ORDER BY doc_id;

ALTER EXTENSION covara UPDATE TO '0.9.0';

-- the old attachment keeps working, storing every column ...
UPDATE up_posts SET title = 'written after the update' WHERE id = 1;
SELECT doc_id, source FROM covara_fts_up ORDER BY doc_id;
-- ... until attach_search is called again
SELECT covara.attach_search('up_posts', 'up', '{"title": "A"}');
SELECT doc_id, source FROM covara_fts_up ORDER BY doc_id;
-- the feeder's table is refused until its owner may delete from the index
INSERT INTO up_feed VALUES (2, 'fed');
GRANT DELETE ON covara_fts_up TO covara_regress_feeder;
INSERT INTO up_feed VALUES (2, 'fed');
SELECT doc_id, source FROM covara_fts_up ORDER BY doc_id;

SELECT covara.drop_search_index('up');
DROP TABLE up_posts, up_feed;
DROP ROLE covara_regress_feeder;
DROP EXTENSION covara;
