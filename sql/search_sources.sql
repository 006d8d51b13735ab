--
-- What a search index is and what its sources are depend only on what its
-- owner made or allowed: a role that may not write an index cannot make
-- its table a source (however its trigger is named), and no view or
-- foreign object placed earlier on search_path is taken for an index.
--
CREATE EXTENSION covara;
\set SHOW_CONTEXT never

CREATE ROLE covara_regress_owner;
CREATE ROLE covara_regress_intruder;
CREATE ROLE covara_regress_app;
CREATE SCHEMA owned AUTHORIZATION covara_regress_owner;
CREATE SCHEMA intruder AUTHORIZATION covara_regress_intruder;
GRANT USAGE ON SCHEMA owned TO covara_regress_intruder, covara_regress_app;
GRANT USAGE ON SCHEMA intruder TO covara_regress_owner, covara_regress_app;

SET ROLE covara_regress_owner;
SET search_path = owned;
SELECT covara.create_search_index('posts', '{"title": "A"}');
CREATE TABLE posts (id int PRIMARY KEY, title text);
INSERT INTO posts VALUES (1, 'owned foxes');
SELECT covara.attach_search('posts', 'posts', '{"title": "A"}');
GRANT SELECT, INSERT, UPDATE, DELETE ON covara_fts_posts TO covara_regress_app;
RESET ROLE;

-- The intruder, who may not write the index, gives a table of its own and
-- a temporary table (PUBLIC may make those) triggers named as covara's;
-- the temporary one's fields do not parse.
SET ROLE covara_regress_intruder;
CREATE TABLE intruder.lure (id int, title text);
CREATE TRIGGER covara_sync_posts AFTER INSERT OR UPDATE OR DELETE ON intruder.lure
	FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger('owned', 'covara_fts_posts', 'id',
															 'pg_catalog.english', 'title:A');
CREATE TEMP TABLE lure_tmp (id int, title text);
CREATE TRIGGER covara_sync_posts AFTER INSERT OR UPDATE OR DELETE ON lure_tmp
	FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger('owned', 'covara_fts_posts', 'id',
															 'pg_catalog.english', '"unterminated');
GRANT INSERT ON intruder.lure TO covara_regress_app;
-- the intruder itself cannot write the index through its trigger ...
INSERT INTO intruder.lure VALUES (66, 'planted by the intruder');
RESET ROLE;

-- ... nor through a role that may: the sync trigger writes an index only
-- for a table whose owner may write it
SET ROLE covara_regress_app;
INSERT INTO intruder.lure VALUES (66, 'planted through the app');
RESET ROLE;

SET ROLE covara_regress_owner;
SET search_path = owned;
SELECT doc_id FROM covara_fts_posts ORDER BY doc_id;
-- search and its headlines, the list of sources and search_count see only
-- the owner's source
SELECT doc_id, headline FROM covara.search('posts', 'foxes');
SELECT covara.search_count('posts', 'foxes');
SELECT schema_name, index_name, sources FROM covara.search_indexes WHERE index_name = 'posts';
RESET ROLE;

-- A view placed earlier on search_path, with an INSTEAD OF trigger named
-- like an index's, is not an index: search() does not run it (nor the
-- intruder's function in it) as the caller.
SET ROLE covara_regress_intruder;
CREATE FUNCTION intruder.spy() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'the intruder''s function runs as %', current_user;
	RETURN 'spied';
END $$;
CREATE VIEW intruder.covara_fts_posts AS
	SELECT '1'::text AS doc_id, jsonb_build_object('title', intruder.spy()) AS source,
		   to_tsvector('foxes') AS search_vector;
CREATE TRIGGER covara_index_posts INSTEAD OF INSERT ON intruder.covara_fts_posts
	FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('search_vector', 'pg_catalog.english', 'source:D');
GRANT SELECT ON intruder.covara_fts_posts TO PUBLIC;
RESET ROLE;
SET ROLE covara_regress_owner;
SET search_path = intruder, owned;
SELECT covara.search_index_table('posts');
SELECT doc_id, source FROM covara.search('posts', 'foxes');
SELECT covara.search_count('posts', 'foxes');
SELECT schema_name, index_name FROM covara.search_indexes WHERE index_name = 'posts';
RESET search_path;
RESET ROLE;

-- What the owner allows counts: with the rights to write the index, the
-- intruder's table (attached properly) is a source.
SET ROLE covara_regress_owner;
GRANT SELECT, INSERT, UPDATE, DELETE ON owned.covara_fts_posts TO covara_regress_intruder;
RESET ROLE;
SET ROLE covara_regress_intruder;
SET search_path = owned;
DROP TABLE lure_tmp;
DROP TRIGGER covara_sync_posts ON intruder.lure;
SELECT covara.attach_search('intruder.lure', 'posts', '{"title": "A"}');
INSERT INTO intruder.lure VALUES (68, 'allowed foxes');
RESET search_path;
RESET ROLE;
SET ROLE covara_regress_owner;
SET search_path = owned;
SELECT sources FROM covara.search_indexes WHERE index_name = 'posts';
SELECT doc_id, headline FROM covara.search('posts', 'foxes');
RESET search_path;
-- the grant taken back, the trigger stops counting and stops writing
REVOKE ALL ON owned.covara_fts_posts FROM covara_regress_intruder;
SELECT sources FROM covara.search_indexes WHERE index_name = 'posts';
RESET ROLE;
SET ROLE covara_regress_app;
INSERT INTO intruder.lure VALUES (67, 'after the revoke');
RESET ROLE;

-- The owner drops the index: the intruder's triggers are not the owner's
-- to drop and do not stop it.
SET ROLE covara_regress_owner;
SET search_path = owned;
SELECT covara.drop_search_index('posts');
SELECT count(*) AS owner_triggers_left FROM pg_trigger WHERE tgrelid = 'owned.posts'::regclass AND NOT tgisinternal;
RESET search_path;
RESET ROLE;

DROP SCHEMA intruder CASCADE;
DROP SCHEMA owned CASCADE;
DROP ROLE covara_regress_owner, covara_regress_intruder, covara_regress_app;
DROP EXTENSION covara;
