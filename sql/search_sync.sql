--
-- The sync trigger of attach_search: its saved plans survive errors and
-- follow changes of the source table, and it needs no more than the
-- writer's own privileges.
--
CREATE EXTENSION covara;
\set SHOW_CONTEXT never

SELECT covara.create_search_index('sync', '{"title": "A"}');
CREATE TABLE src (id int PRIMARY KEY, title text);
SELECT covara.attach_search('src', 'sync', '{"title": "A"}');

-- An error while a plan is being prepared leaves nothing dangling behind:
-- a rule that makes every DELETE on the index recurse fails the DELETE's
-- preparation, again and again, and the other statements keep working
-- (this used to crash the backend with a double free on the next row).
CREATE RULE loop AS ON DELETE TO covara_fts_sync
	DO INSTEAD DELETE FROM covara_fts_sync WHERE doc_id = old.doc_id;
INSERT INTO src VALUES (1, 'first');
INSERT INTO src VALUES (2, 'second');
DELETE FROM src WHERE id = 1;
DELETE FROM src WHERE id = 1;
UPDATE src SET title = 'second, edited' WHERE id = 2;
INSERT INTO src VALUES (3, 'third');
DROP RULE loop ON covara_fts_sync;
DELETE FROM src WHERE id = 1;
SELECT doc_id, source->>'title' AS title FROM covara_fts_sync ORDER BY doc_id;

-- The check that an old id is gone from the source (before its document is
-- deleted) runs as the table's owner, as foreign key checks do: a writer
-- who may delete rows but not read them can still delete.
CREATE ROLE covara_regress_sync_writer;
GRANT USAGE ON SCHEMA public TO covara_regress_sync_writer;
GRANT DELETE ON src TO covara_regress_sync_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON covara_fts_sync TO covara_regress_sync_writer;
SET ROLE covara_regress_sync_writer;
DELETE FROM src;
RESET ROLE;
SELECT count(*) AS documents FROM covara_fts_sync;
REVOKE ALL ON src, covara_fts_sync FROM covara_regress_sync_writer;
REVOKE ALL ON SCHEMA public FROM covara_regress_sync_writer;
DROP ROLE covara_regress_sync_writer;

-- The saved plans follow the id column's type.  From int to bigint: the
-- old plans, made for an int4 id, would see 4294967297 as 1 (row 1 exists,
-- so the moved document would stay behind) ...
INSERT INTO src VALUES (1, 'one'), (2, 'two');
UPDATE src SET id = 3 WHERE id = 2;		-- plans for an int id
ALTER TABLE src ALTER COLUMN id TYPE bigint;
INSERT INTO src VALUES (4294967297, 'big');
UPDATE src SET id = 5 WHERE id = 4294967297;
SELECT doc_id, source->>'title' AS title FROM covara_fts_sync ORDER BY doc_id;
-- ... and from bigint to text (the old plans would compare text with int8)
ALTER TABLE src ALTER COLUMN id TYPE text;
UPDATE src SET id = 'six' WHERE id = '5';
DELETE FROM src WHERE id = '1';
SELECT doc_id, source->>'title' AS title FROM covara_fts_sync ORDER BY doc_id;

-- doc_id is the id's text form, which must not depend on session settings
-- (a timestamptz id would give another doc_id under another TimeZone, and
-- the row's document would be left behind when it is deleted there): the
-- id must be an integer, text, varchar, char, uuid, or a domain over one.
CREATE TABLE stamped (id timestamptz PRIMARY KEY, title text);
INSERT INTO stamped VALUES ('2024-01-01 12:00+00', 'new year');
SELECT covara.attach_search('stamped', 'sync', '{"title": "A"}');
SELECT count(*) AS documents FROM covara_fts_sync WHERE source->>'title' = 'new year';
CREATE DOMAIN search_sync_code AS varchar(10) CHECK (VALUE ~ '^[a-z]+$');
CREATE TABLE coded (id search_sync_code PRIMARY KEY, n smallint, title text);
INSERT INTO coded VALUES ('abc', 1, 'coded row');
SELECT covara.attach_search('coded', 'sync', '{"title": "A"}');
SELECT covara.attach_search('coded', 'sync', '{"title": "A"}', 'n');
-- an id column changed to such a type later stops the trigger
ALTER TABLE coded ALTER COLUMN n TYPE float8;
UPDATE coded SET title = 'coded row, edited';
SELECT covara.detach_search('coded', 'sync');

-- attach_search's trigger runs after the row is written, so a stored
-- generated column can be one of its fields (unlike search_trigger's)
CREATE TABLE gen (id int PRIMARY KEY, title text,
				  shout text GENERATED ALWAYS AS (upper(title) || '!') STORED);
INSERT INTO gen (id, title) VALUES (7, 'quiet foxes');
SELECT covara.attach_search('gen', 'sync', '{"shout": "A"}');
INSERT INTO gen (id, title) VALUES (8, 'sleeping dogs');
UPDATE gen SET title = 'loud foxes' WHERE id = 7;
SELECT doc_id, search_vector FROM covara_fts_sync WHERE doc_id IN ('7', '8') ORDER BY doc_id;

-- A partitioned source: attach_search's trigger is cloned to every
-- partition, also to those added later and at every level.
CREATE TABLE events (id int, kind text, title text) PARTITION BY LIST (kind);
CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
CREATE TABLE events_bc PARTITION OF events FOR VALUES IN ('b', 'c') PARTITION BY LIST (kind);
CREATE TABLE events_b PARTITION OF events_bc FOR VALUES IN ('b');
INSERT INTO events VALUES (101, 'a', 'first event'), (102, 'b', 'second event');
SELECT covara.attach_search('events', 'sync', '{"title": "A"}');
CREATE TABLE events_c PARTITION OF events_bc FOR VALUES IN ('c');
INSERT INTO events VALUES (103, 'c', 'third event');
UPDATE events SET kind = 'b' WHERE id = 101;		-- moves to another partition
SELECT doc_id, source FROM covara_fts_sync WHERE doc_id LIKE '1__' ORDER BY doc_id;
-- the sources are the tables attach_search was called on, not the partitions
SELECT sources FROM covara.search_indexes WHERE index_name = 'sync';
-- a partition cannot be detached or attached on its own ...
SELECT covara.detach_search('events_a', 'sync');
SELECT covara.detach_search('events_c', 'sync');
SELECT covara.attach_search('events_c', 'sync', '{"title": "B"}');
SELECT covara.attach_search('events_c', 'sync', '{"title": "A"}');	-- attached so already
-- ... the partitioned table can, with all its partitions
SELECT covara.detach_search('events', 'sync');
SELECT count(*) AS sync_triggers_left FROM pg_trigger WHERE tgname = 'covara_sync_sync' AND tgrelid::regclass::text LIKE 'events%';
SELECT covara.attach_search('events', 'sync', '{"title": "A"}');
SELECT count(*) AS sync_triggers FROM pg_trigger WHERE tgname = 'covara_sync_sync' AND tgrelid::regclass::text LIKE 'events%';

-- Ids that move between partitions in one statement: the document of an
-- id stays while any partition has a row with it (the check looks in the
-- partitioned table, not in the partition that fired), so after any
-- statement the index holds exactly the table's rows.
CREATE TABLE moving (id int, kind text, title text) PARTITION BY LIST (kind);
CREATE TABLE moving_odd PARTITION OF moving FOR VALUES IN ('odd');
CREATE TABLE moving_even PARTITION OF moving FOR VALUES IN ('even');
INSERT INTO moving SELECT i, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, 'row ' || i
  FROM generate_series(1, 10) i;
SELECT covara.create_search_index('moving', '{"title": "A"}');
SELECT covara.attach_search('moving', 'moving', '{"title": "A"}');
CREATE VIEW moving_out_of_step AS
SELECT coalesce(m.id::text, i.doc_id) AS id, m.title AS in_table, i.source->>'title' AS in_index
  FROM moving m FULL JOIN covara_fts_moving i ON i.doc_id = m.id::text
 WHERE m.id IS NULL OR i.doc_id IS NULL OR i.source->>'title' IS DISTINCT FROM m.title;
UPDATE moving SET id = id + 1;
SELECT * FROM moving_out_of_step;
UPDATE moving SET id = id - 1;
SELECT * FROM moving_out_of_step;
UPDATE moving SET id = 11 - id;			-- every id to a row of the other partition
SELECT * FROM moving_out_of_step;
UPDATE moving SET kind = CASE kind WHEN 'odd' THEN 'even' ELSE 'odd' END, id = id + 1;
SELECT * FROM moving_out_of_step;
DELETE FROM moving WHERE id % 3 = 0;
SELECT * FROM moving_out_of_step;
SELECT count(*) AS rows, (SELECT count(*) FROM covara_fts_moving) AS documents FROM moving;
DROP VIEW moving_out_of_step;
SELECT covara.drop_search_index('moving');

-- dropping the index detaches every source, partitioned ones too
SELECT covara.drop_search_index('sync');
SELECT count(*) AS sync_triggers_left FROM pg_trigger WHERE tgname = 'covara_sync_sync' AND tgrelid::regclass::text LIKE 'events%';
DROP TABLE src, gen, events, moving, stamped, coded;
DROP DOMAIN search_sync_code;
DROP EXTENSION covara CASCADE;
