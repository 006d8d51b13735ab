--
-- What an index stores of a source row: its id, what the indexed fields
-- reach and the columns named for display, nothing else; so reading the
-- index or calling search() shows no column that was not asked for.
--
CREATE EXTENSION covara;
\set SHOW_CONTEXT never

CREATE TABLE users (id int PRIMARY KEY, name text, email text, password_hash text,
					profile jsonb, links jsonb);
INSERT INTO users VALUES
	(1, 'Ada Lovelace', 'ada@example.com', '$2b$12$secretsecretsecret',
	 '{"bio": "first programmer", "ssn": "123-45-6789", "address": {"city": "London", "street": "St James"}}',
	 '[{"title": "notes on the engine", "url": "https://example.com/notes"}]');
SELECT covara.create_search_index('people', '["name:A", "profile.bio:B", "profile.address.city:C", "links.0.title:D"]');
SELECT covara.attach_search('users', 'people', '["name:A", "profile.bio:B", "profile.address.city:C", "links.0.title:D"]');
-- the id, the name, the two profile keys (not ssn, not the street) and the
-- links array (whole: a path through an array keeps it, so positions hold)
SELECT doc_id, jsonb_pretty(source) FROM covara_fts_people;
SELECT doc_id, headline FROM covara.search('people', 'programmer london');

-- display columns are kept whole, for showing results
SELECT covara.attach_search('users', 'people', '["name:A", "profile.bio:B"]', display => '{email}');
SELECT doc_id, source FROM covara_fts_people;
SELECT covara.trigger_arguments(oid) FROM pg_trigger WHERE tgname = 'covara_sync_people';

-- A role that may read the index (search() needs no more) reads what was
-- named, the fields and display columns, even those of users it may not
-- read (profile here): that is what attaching exposes.  The rest of the
-- row, the password hash, is not there.
CREATE ROLE covara_regress_reader;
GRANT SELECT (id, name, email) ON users TO covara_regress_reader;
GRANT SELECT ON covara_fts_people TO covara_regress_reader;
SET ROLE covara_regress_reader;
SELECT doc_id, source ? 'password_hash' AS has_hash, source ? 'profile' AS has_profile
  FROM covara.search('people', 'ada');
RESET ROLE;
DROP OWNED BY covara_regress_reader;
DROP ROLE covara_regress_reader;

-- Writes: a change of a column the index does not store writes nothing to
-- the index; a display column's change refreshes the source and keeps the
-- vector; a field's change recomputes both.
CREATE TEMP TABLE seen AS SELECT xmin::text::bigint AS x, search_vector FROM covara_fts_people;
UPDATE users SET password_hash = '$2b$12$othersecret' WHERE id = 1;
SELECT (SELECT xmin::text::bigint FROM covara_fts_people) = x AS index_row_untouched FROM seen;
UPDATE users SET email = 'ada@lovelace.example' WHERE id = 1;
SELECT p.xmin::text::bigint <> s.x AS index_row_written, p.search_vector = s.search_vector AS same_vector,
	   p.source->>'email' AS email
  FROM covara_fts_people p, seen s;
UPDATE users SET profile = jsonb_set(profile, '{bio}', '"analyst"') WHERE id = 1;
SELECT source, search_vector FROM covara_fts_people;
-- the backfill and the trigger store the same
INSERT INTO users VALUES (2, 'Charles Babbage', 'cb@example.com', 'x', '{"bio": "engine", "ssn": "1"}', NULL);
SELECT covara.detach_search('users', 'people');
DELETE FROM covara_fts_people;
SELECT covara.attach_search('users', 'people', '["name:A", "profile.bio:B"]', display => '{email}');
INSERT INTO users VALUES (3, 'Grace Hopper', 'gh@example.com', 'y', '{"bio": "compilers", "ssn": "2"}', NULL);
SELECT doc_id, source = covara.search_source(to_jsonb(u), '["name:A", "profile.bio:B"]', '{id,email}') AS as_backfilled
  FROM covara_fts_people JOIN users u ON u.id::text = doc_id ORDER BY doc_id;

-- Indexes attached before 0.9.0 (a sync trigger without store=fields)
-- keep storing the whole row until attach_search is called again.
SELECT covara.detach_search('users', 'people');
CREATE TRIGGER covara_sync_people AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW
	EXECUTE FUNCTION covara.search_sync_trigger('public', 'covara_fts_people', 'id', 'pg_catalog.english',
												'name:A', 'profile.bio:B');
UPDATE users SET name = 'Ada King' WHERE id = 1;
SELECT source ? 'password_hash' AS whole_row FROM covara_fts_people WHERE doc_id = '1';
SELECT covara.attach_search('users', 'people', '["name:A", "profile.bio:B"]');
SELECT doc_id, source ? 'password_hash' AS whole_row FROM covara_fts_people ORDER BY doc_id;

-- Mistakes
SELECT covara.attach_search('users', 'people', '["name:A"]', display => '{nosuch}');
SELECT covara.attach_search('users', 'people', '["name:A"]', display => '{email,NULL}');
CREATE TABLE handmade (id int, title text, body jsonb);
CREATE TRIGGER covara_sync_people AFTER INSERT ON handmade FOR EACH ROW
	EXECUTE FUNCTION covara.search_sync_trigger('public', 'covara_fts_people', 'id', 'pg_catalog.english',
												'title:A', 'display=body');
SELECT covara.check_search_trigger('handmade', 'covara_sync_people');
DROP TRIGGER covara_sync_people ON handmade;
CREATE TRIGGER covara_sync_people AFTER INSERT ON handmade FOR EACH ROW
	EXECUTE FUNCTION covara.search_sync_trigger('public', 'covara_fts_people', 'id', 'pg_catalog.english',
												'body:A', 'store=fields', 'exclude=body.secret');
SELECT covara.check_search_trigger('handmade', 'covara_sync_people');
DROP TRIGGER covara_sync_people ON handmade;
CREATE TRIGGER covara_sync_people AFTER INSERT ON handmade FOR EACH ROW
	EXECUTE FUNCTION covara.search_sync_trigger('public', 'covara_fts_people', 'id', 'pg_catalog.english',
												'title:A', 'store=fields', 'display=nosuch');
SELECT covara.check_search_trigger('handmade', 'covara_sync_people');
DROP TABLE handmade;

-- covara.search_source() on its own
SELECT covara.search_source('{"id": 1, "a": {"b": 1, "c": 2}, "d": [1, {"e": 3}], "f": "x"}', '["a.b", "d.1.e", "f.g"]', '{id}');
SELECT covara.search_source('{"a": 1, "b": 2}', NULL, '{a}');		-- NULL fields: all of it
SELECT covara.search_source('[1, 2]', '["a"]');						-- not an object: as it is
SELECT covara.search_source('{"a": 1}', '["nosuch"]');
SELECT covara.search_source(NULL, '["a"]');
SELECT covara.search_source('{"a": 1}', '["a"]', '{NULL}');
SELECT covara.search_source('{"a": 1}', '["a:Z"]');

DROP TABLE users;
SELECT covara.drop_search_index('people');
DROP EXTENSION covara;
