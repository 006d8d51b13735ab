--
-- covara.search_trigger(): weighted tsvector columns from text, text[] and
-- jsonb fields, recomputed only when a source field changes.
--
CREATE EXTENSION covara;

CREATE DOMAIN search_short_text AS varchar(200);
CREATE TABLE posts (
	id int PRIMARY KEY,
	title text,
	subtitle varchar(100),
	code char(8),
	summary search_short_text,
	tags text[],
	meta jsonb,
	views int NOT NULL DEFAULT 0,
	tsv tsvector
);
CREATE TRIGGER posts_search BEFORE INSERT OR UPDATE ON posts FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.english',
		'title:A', 'subtitle:b', 'code', 'summary:C', 'tags:C',
		'meta.tags:B', 'meta.author.name:A', 'meta.notes', 'exclude=meta.notes.private');
SELECT covara.check_search_trigger('posts', 'posts_search');

INSERT INTO posts (id, title, subtitle, code, summary, tags, meta) VALUES
	(1, 'The quick brown fox', 'jumps over the lazy dogs', 'FOX01', 'A fox story',
	 '{animals,"red foxes"}',
	 '{"tags": ["wildlife", {"more": "forest animals"}, 42, null], "author": {"name": "Ann Fox"},
	   "notes": {"public": "seen at dawn", "private": "secret den"}, "other": "not indexed"}'),
	(2, 'Lazy afternoons', NULL, NULL, NULL, NULL, NULL),
	(3, NULL, NULL, NULL, NULL, '{NULL,"only tags"}', '{"tags": "a single string"}'),
	(4, NULL, NULL, NULL, NULL, NULL, '"a scalar document"'),
	(5, '', '', '', '', '{}', '{}');
SELECT id, tsv FROM posts ORDER BY id;

-- The vector is exactly what the equivalent expression gives: text fields as
-- in a generated column, setweight(to_tsvector(..), 'A') || ...; a jsonb path
-- as to_tsvector(cfg, jsonb) of the node it reaches (its strings, depth
-- first); a text[] as to_tsvector(cfg, to_jsonb(array)); NULL as nothing.
SELECT id, tsv = (
		setweight(to_tsvector('english', coalesce(title, '')), 'A')
		|| setweight(to_tsvector('english', coalesce(subtitle, '')), 'B')
		|| setweight(to_tsvector('english', coalesce(code::text, '')), 'D')
		|| setweight(to_tsvector('english', coalesce(summary, '')), 'C')
		|| setweight(to_tsvector('english', coalesce(to_jsonb(tags), '[]')), 'C')
		|| setweight(to_tsvector('english', coalesce(meta #> '{tags}', '[]')), 'B')
		|| setweight(to_tsvector('english', coalesce(meta #> '{author,name}', '[]')), 'A')
		|| setweight(to_tsvector('english', coalesce((meta #> '{notes}') - 'private', '[]')), 'D')
	) AS same_as_expression
  FROM posts ORDER BY id;

-- Many rows, long texts: positions past 16383 and lexemes with more than 256
-- positions are cut exactly as to_tsvector and || cut them.
SELECT setseed(0.5);
CREATE TABLE docs (id int PRIMARY KEY, a text, b text, c text, tsv tsvector);
CREATE TRIGGER docs_search BEFORE INSERT OR UPDATE ON docs FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'a:A', 'b:B', 'c:C');
INSERT INTO docs (id, a, b, c)
SELECT i,
	   CASE WHEN i % 9 <> 0 THEN (SELECT string_agg(CASE WHEN random() < 0.3 THEN 'the' ELSE 'w' || (random() * 3000)::int END, ' ')
									FROM generate_series(1, (i % 4) * 6000 + 1 + 0 * i) g) END,
	   (SELECT string_agg('w' || (random() * CASE WHEN i % 3 = 0 THEN 30 ELSE 3000 END + 0 * g)::int, ' ')
		  FROM generate_series(1, (i % 5) * 3000 + 0 * i) g),
	   (SELECT string_agg('u' || (random() * 100 + 0 * g)::int, ' ')
		  FROM generate_series(1, (i % 7) * 700 + 0 * i) g)
  FROM generate_series(1, 40) i;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE tsv::text = (setweight(to_tsvector('english', coalesce(a, '')), 'A')
										  || setweight(to_tsvector('english', coalesce(b, '')), 'B')
										  || setweight(to_tsvector('english', coalesce(c, '')), 'C'))::text) AS same,
	   max((SELECT max(p) FROM unnest(tsv) u, unnest(u.positions) p)) AS max_position,
	   max((SELECT max(array_length(u.positions, 1)) FROM unnest(tsv) u)) AS max_positions_per_lexeme
  FROM docs;

-- COPY goes through the trigger too
COPY posts (id, title, tags) FROM stdin;
6	Copied foxes	{copy}
\.
SELECT tsv FROM posts WHERE id = 6;

-- Weights order the results as documented (A > B > C > D with ts_rank's
-- default weights {0.1, 0.2, 0.4, 1.0} for D, C, B, A).
SELECT id, ts_rank(tsv, to_tsquery('english', 'lazy')) AS rank
  FROM posts WHERE tsv @@ to_tsquery('english', 'lazy')
 ORDER BY rank DESC, id;

--
-- UPDATE: nothing is parsed unless a source field (or the configuration
-- column) changed.
--
-- A vector the UPDATE writes itself is replaced by the computed one
-- (given_vector=replace, the default), even when no source field changed.
UPDATE posts SET tsv = 'handmade' WHERE id = 1;
SELECT tsv <> 'handmade' AS replaced,
	   tsv = (SELECT covara.search_vector(to_jsonb(p) #- '{meta,notes,private}', '["title:A","subtitle:B","code","summary:C","tags:C","meta.tags:B","meta.author.name:A","meta.notes"]')
				FROM posts p WHERE id = 1) AS computed
  FROM posts WHERE id = 1;
-- A vector written while the trigger was off (so we can tell it from a
-- computed one) survives an update of another column ...
ALTER TABLE posts DISABLE TRIGGER posts_search;
UPDATE posts SET tsv = 'handmade' WHERE id IN (1, 2);
ALTER TABLE posts ENABLE TRIGGER posts_search;
UPDATE posts SET views = views + 1 WHERE id = 1;
SELECT tsv FROM posts WHERE id = 1;
-- ... and an update that sets a source field to the value it had ...
UPDATE posts SET title = 'The quick brown fox', meta = meta WHERE id = 1;
SELECT tsv FROM posts WHERE id = 1;
-- ... while a changed source field recomputes it.
UPDATE posts SET title = 'The quick brown foxes' WHERE id = 1;
SELECT tsv = (SELECT covara.search_vector(to_jsonb(p) #- '{meta,notes,private}', '["title:A","subtitle:B","code","summary:C","tags:C","meta.tags:B","meta.author.name:A","meta.notes"]')
				FROM posts p WHERE id = 1) AS recomputed
  FROM posts WHERE id = 1;
-- A NULL vector is always computed, so SET tsv = NULL refreshes a row.
SELECT tsv FROM posts WHERE id = 2;
UPDATE posts SET tsv = NULL WHERE id = 2;
SELECT tsv FROM posts WHERE id = 2;

-- The comparison is of values, not of the columns the UPDATE names: another
-- BEFORE trigger that changes a source field makes the vector follow.
CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.title := NEW.title || ' shouted'; RETURN NEW; END $$;
CREATE TRIGGER a_shout BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION shout();
UPDATE posts SET views = views + 1 WHERE id = 2;
SELECT title, tsv FROM posts WHERE id = 2;
DROP TRIGGER a_shout ON posts;

-- Proof that unchanged rows are not parsed again: change what the text
-- search configuration does, then update.
CREATE TEXT SEARCH CONFIGURATION search_test_cfg (COPY = pg_catalog.english);
CREATE TABLE stems (id int PRIMARY KEY, title text, views int NOT NULL DEFAULT 0, tsv tsvector);
CREATE TRIGGER stems_search BEFORE INSERT OR UPDATE ON stems FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'public.search_test_cfg', 'title');
INSERT INTO stems (id, title) VALUES (1, 'running dogs'), (2, 'running dogs');
ALTER TEXT SEARCH CONFIGURATION search_test_cfg ALTER MAPPING FOR asciiword WITH simple;
UPDATE stems SET views = views + 1;						-- not parsed: still stemmed
UPDATE stems SET title = 'running dogs' WHERE id = 1;	-- same value: not parsed
UPDATE stems SET title = 'running cats' WHERE id = 2;	-- parsed with the new mapping
SELECT id, title, tsv FROM stems ORDER BY id;

--
-- Per-row language: a regconfig column named as the configuration.
--
CREATE TABLE notes (id int PRIMARY KEY, lang regconfig DEFAULT 'english', body text, tsv tsvector);
CREATE TRIGGER notes_search BEFORE INSERT OR UPDATE ON notes FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'lang', 'body');
INSERT INTO notes (id, lang, body) VALUES
	(1, 'english', 'The running dogs'),
	(2, 'simple', 'The running dogs'),
	(3, 'german', 'Die laufenden Hunde');
SELECT id, lang, tsv FROM notes ORDER BY id;
UPDATE notes SET lang = 'english' WHERE id = 2;			-- the language is a source too
SELECT id, lang, tsv FROM notes WHERE id = 2;
INSERT INTO notes (id, lang, body) VALUES (4, NULL, 'no language');

-- Partitions: the trigger on a partitioned table runs for each partition.
CREATE TABLE events (id int, kind text, title text, tsv tsvector) PARTITION BY LIST (kind);
CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
CREATE TABLE events_b (kind text, title text, tsv tsvector, id int);
ALTER TABLE events ATTACH PARTITION events_b FOR VALUES IN ('b');
CREATE TRIGGER events_search BEFORE INSERT OR UPDATE ON events FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title:A');
INSERT INTO events VALUES (1, 'a', 'First event'), (2, 'b', 'Second events');
SELECT id, kind, tsv FROM events ORDER BY id;

--
-- Clear errors for bad configurations, naming the trigger and the table.
--
CREATE TABLE bad (id int, title text, body text, num int, raw json, meta jsonb,
				  lang text, tsv tsvector, gen tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED);
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'titel:A');
INSERT INTO bad (id) VALUES (1);
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'num');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'raw');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title.key');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title:E');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'meta."unclosed');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'klingon', 'title');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'lang', 'title');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsvec', 'english', 'title');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('title', 'english', 'body');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('gen', 'english', 'body');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'tsv');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title', 'weights=abc');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title', 'exclude=meta.secret');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title', 'exclude=title.x');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
-- stored generated columns are computed after BEFORE triggers run, so they
-- cannot be fields (or the configuration column) of search_trigger
ALTER TABLE bad ADD COLUMN gen_title text GENERATED ALWAYS AS (upper(title)) STORED,
				ADD COLUMN gen_lang regconfig GENERATED ALWAYS AS ('simple'::regconfig) STORED;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title:A', 'gen_title:B');
SELECT covara.check_search_trigger('bad', 't1');
INSERT INTO bad (id, title) VALUES (1, 'not indexed');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'gen_lang', 'title:A');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
ALTER TABLE bad DROP COLUMN gen_title, DROP COLUMN gen_lang;
-- errors quote the field's own argument, also when options come first
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'given_vector=keep', 'title.key:A');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'exclude=meta.x', 'given_vector=replace', 'meta:B', 'titel:A');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
-- it refuses to run as anything but a row-level BEFORE INSERT OR UPDATE trigger
CREATE TRIGGER t1 AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title');
SELECT covara.check_search_trigger('bad', 't1');
INSERT INTO bad (id) VALUES (1);
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE INSERT ON bad FOR EACH STATEMENT EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title');
INSERT INTO bad (id) VALUES (1);
DROP TRIGGER t1 ON bad;
CREATE TRIGGER t1 BEFORE DELETE ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title');
SELECT covara.check_search_trigger('bad', 't1');
DROP TRIGGER t1 ON bad;
SELECT covara.search_trigger();
SELECT covara.check_search_trigger('bad', 'no_such_trigger');
-- a valid trigger on the same table passes
CREATE TRIGGER t1 BEFORE INSERT OR UPDATE ON bad FOR EACH ROW EXECUTE FUNCTION covara.search_trigger('tsv', 'english', 'title:A', 'body:B', 'meta.x.y:C');
SELECT covara.check_search_trigger('bad', 't1');
INSERT INTO bad (id, title, meta) VALUES (1, 'ok', '{"x": {"y": "nested"}}') RETURNING tsv;

-- covara.search_vector() builds the same vector from a jsonb document
SELECT covara.search_vector('{"id": "7", "title": "The quick brown fox", "body": "jumps over the lazy dog"}',
							'{"body": "B", "title": "A"}');
SELECT covara.search_vector('{"id": "7", "title": "The quick brown fox", "body": "jumps over the lazy dog"}');
SELECT covara.search_vector('{"title": "x"}', '{"title": "E"}');
SELECT covara.search_vector('{"title": "x"}', '"title"');
SELECT covara.search_text('{"id": "7", "title": "The quick brown fox", "body": "jumps", "n": 5}'),
	   covara.search_text('{"id": "7", "title": "The quick brown fox", "body": "jumps", "n": 5}', '["title"]');

-- Fields that change from row to row (a column, not a constant) are parsed
-- again for each row into one reused memory context: the backend's memory
-- stays flat over 200,000 rows (it grew by about 1 GB before).
CREATE FUNCTION pg_temp.backend_bytes() RETURNS bigint LANGUAGE sql VOLATILE
AS $$ SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts $$;
SELECT count(t) AS texts, count(v) AS vectors,
	   max(b) FILTER (WHERE i = 200000) - max(b) FILTER (WHERE i = 1000) < 1000000 AS memory_flat
  FROM (SELECT i,
			   covara.search_text('{"a": "x", "b": "y"}', jsonb_build_array('a', 'k' || i)) AS t,
			   covara.search_vector('{"a": "x", "b": "y"}', jsonb_build_object('b', 'A', 'k' || i, 'B')) AS v,
			   CASE WHEN i IN (1000, 200000) THEN pg_temp.backend_bytes() END AS b
		  FROM generate_series(1, 200000) i) s;

DROP TABLE posts, docs, stems, notes, events, bad;
DROP FUNCTION shout();
DROP DOMAIN search_short_text;
DROP TEXT SEARCH CONFIGURATION search_test_cfg;
DROP EXTENSION covara CASCADE;
