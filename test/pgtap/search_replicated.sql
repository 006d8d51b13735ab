-- attach_search(..., replicated): the sync trigger ENABLE ALWAYS, so that
-- it fires for rows a logical replication subscription applies (its apply
-- worker runs with session_replication_role = replica, as this suite does
-- by hand); a second call keeps the setting; its errors.
-- test/tap/logical_replication.sh runs it with a real subscription.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(34);
SET client_min_messages = warning;

CREATE TABLE posts (id int PRIMARY KEY, title text, body text);
INSERT INTO posts VALUES (1, 'quick fox', 'jumps'), (2, 'lazy dog', 'sleeps');
DO $$ BEGIN PERFORM covara.create_search_index('posts', '{"title": "A", "body": "B"}'); END $$;
CREATE FUNCTION pg_temp.enabled(tbl regclass) RETURNS "char" LANGUAGE sql
	AS $$ SELECT tgenabled FROM pg_trigger WHERE tgrelid = tbl AND tgname = 'covara_sync_posts' $$;
-- a row written as the apply worker writes it
CREATE FUNCTION pg_temp.replicate(sql text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	SET LOCAL session_replication_role = replica;
	EXECUTE sql;
	SET LOCAL session_replication_role = origin;
END $$;
CREATE FUNCTION pg_temp.index_ok() RETURNS boolean LANGUAGE sql AS $$
	SELECT (SELECT coalesce(array_agg(doc_id || search_vector::text ORDER BY doc_id), '{}') FROM covara_fts_posts)
	     = (SELECT coalesce(array_agg(id::text || covara.search_vector(to_jsonb(p), '{"title": "A", "body": "B"}')::text
	                                  ORDER BY id::text), '{}') FROM posts p) $$;

SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}'), 2::bigint, 'attached as before');
SELECT is(pg_temp.enabled('posts'), 'O', 'by default the sync trigger is an ordinary one (ENABLE)');
SELECT pg_temp.replicate($$INSERT INTO posts VALUES (3, 'replicated row', 'unseen')$$);
SELECT is((SELECT count(*) FROM covara_fts_posts WHERE doc_id = '3'), 0::bigint,
		  'a row applied with session_replication_role = replica does not reach an ordinary attachment');

SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}', replicated => true), 3::bigint,
		  'replicated => true replaces the trigger and re-indexes (the missed row too)');
SELECT is(pg_temp.enabled('posts'), 'A', '... ENABLE ALWAYS');
SELECT pg_temp.replicate($$INSERT INTO posts VALUES (4, 'another replicated', 'seen')$$);
SELECT pg_temp.replicate($$UPDATE posts SET title = 'quicker fox' WHERE id = 1$$);
SELECT pg_temp.replicate($$UPDATE posts SET id = 20 WHERE id = 2$$);
SELECT pg_temp.replicate($$DELETE FROM posts WHERE id = 3$$);
SELECT ok(pg_temp.index_ok(), 'replicated inserts, updates, id changes and deletes reach the index');
INSERT INTO posts VALUES (5, 'local row', 'written here');
SELECT ok(pg_temp.index_ok(), 'and so do local writes');

SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}'), 0::bigint,
		  'a second identical call (replicated left out) changes nothing');
SELECT is(pg_temp.enabled('posts'), 'A', '... and keeps ENABLE ALWAYS');
SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}', replicated => NULL), 0::bigint,
		  'replicated => NULL is the same');
SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}', replicated => true), 0::bigint,
		  'a second call with replicated => true changes nothing either');
SELECT is(pg_temp.enabled('posts'), 'A', '... ENABLE ALWAYS');
SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}', display => '{body}'), 4::bigint,
		  'a changed call re-indexes');
SELECT is(pg_temp.enabled('posts'), 'A', '... and keeps ENABLE ALWAYS');
SELECT pg_temp.replicate($$INSERT INTO posts VALUES (6, 'after the changed call', 'still followed')$$);
SELECT ok(pg_temp.index_ok(), '... and the index keeps following replicated rows');

SELECT is(covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}', display => '{body}', replicated => false),
		  5::bigint, 'replicated => false replaces the trigger and re-indexes');
SELECT is(pg_temp.enabled('posts'), 'O', '... an ordinary trigger again');
ALTER TABLE posts ENABLE REPLICA TRIGGER covara_sync_posts;
SELECT is(covara.attach_search('posts', 'posts', '{"title": "A"}'), 5::bigint, 'a changed call over ENABLE REPLICA re-indexes');
SELECT is(pg_temp.enabled('posts'), 'R', '... and keeps ENABLE REPLICA');
ALTER TABLE posts DISABLE TRIGGER covara_sync_posts;
SELECT is(covara.attach_search('posts', 'posts', '{"title": "A"}'), 0::bigint, 'an identical call over DISABLE changes nothing');
SELECT is(pg_temp.enabled('posts'), 'D', '... and keeps it disabled');
SELECT is(covara.attach_search('posts', 'posts', '{"title": "A"}', replicated => true), 5::bigint,
		  'replicated => true over DISABLE re-indexes');
SELECT is(pg_temp.enabled('posts'), 'A', '... ENABLE ALWAYS');

-- a partitioned table: its partitions follow, also those added later
CREATE TABLE parts (id int PRIMARY KEY, title text) PARTITION BY RANGE (id);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (100);
SELECT is(covara.attach_search('parts', 'posts', '{"title": "A"}', replicated => true), 0::bigint,
		  'a partitioned table attached with replicated => true');
CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM (100) TO (200);
SELECT is((SELECT string_agg(tgrelid::regclass || ':' || tgenabled::text, ',' ORDER BY tgrelid::regclass::text)
			 FROM pg_trigger WHERE tgname = 'covara_sync_posts' AND tgrelid <> 'posts'::regclass),
		  'parts:A,parts_1:A,parts_2:A', '... its partitions'' triggers are ENABLE ALWAYS, a later one''s too');
SELECT pg_temp.replicate($$INSERT INTO parts VALUES (150, 'partitioned replicated row')$$);
SELECT is((SELECT count(*) FROM covara_fts_posts WHERE doc_id = '150'), 1::bigint, '... and replicated rows reach the index');
SELECT throws_ok($$SELECT covara.attach_search('parts_1', 'posts', '{"title": "A"}', replicated => false)$$, '42809', NULL,
		  'replicated => false on one partition: 42809, as any change there');

-- errors
SELECT throws_ok($$SELECT covara.attach_search(NULL, 'posts', '{"title": "A"}', replicated => true)$$, '22004', NULL,
		  'a NULL source with replicated => true: 22004');
SELECT throws_ok($$SELECT covara.attach_search('posts', 'nope', '{"title": "A"}', replicated => true)$$, '42704', NULL,
		  'an unknown index with replicated => true: 42704');
CREATE ROLE covara_repl_trigger_only;
CREATE TABLE others (id int PRIMARY KEY, title text);
GRANT TRIGGER, SELECT, UPDATE ON others TO covara_repl_trigger_only;	-- (UPDATE: for LOCK TABLE)
GRANT SELECT, INSERT, UPDATE, DELETE ON covara_fts_posts TO covara_repl_trigger_only;
SET ROLE covara_repl_trigger_only;
SELECT throws_ok($$SELECT covara.attach_search('others', 'posts', '{"title": "A"}', replicated => true)$$, '42501',
		  'only the owner of table others can attach it for replicated rows',
		  'replicated => true by a role that may create triggers on the table but does not own it: 42501');
RESET ROLE;
SELECT is(covara.attach_search('others', 'posts', '{"title": "A"}'), 0::bigint,
		  'its owner attaches it as an ordinary trigger');
SET ROLE covara_repl_trigger_only;
SELECT is(covara.attach_search('others', 'posts', '{"title": "A"}'), 0::bigint,
		  'the other role''s identical call changes nothing, with replicated left out');
RESET ROLE;
SELECT is(covara.attach_search('others', 'posts', '{"title": "A"}', replicated => true), 0::bigint,
		  'its owner attaches it for replicated rows');
SET ROLE covara_repl_trigger_only;
SELECT is(covara.attach_search('others', 'posts', '{"title": "A"}'), 0::bigint,
		  'then the other role''s identical call changes nothing either (no ALTER TABLE needed)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
