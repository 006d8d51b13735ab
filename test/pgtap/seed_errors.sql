-- covara.seed: every bad input gets its SQLSTATE, message, detail and hint,
-- and writes nothing; privileges are the caller's.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(56);

CREATE TABLE seed_t (
	id integer PRIMARY KEY,
	name text NOT NULL,
	born timestamp,
	score numeric(4,1),
	tags integer[],
	twice integer GENERATED ALWAYS AS (id * 2) STORED
);
INSERT INTO seed_t (id, name) VALUES (1, 'existing');

-- Run a statement; return "SQLSTATE | message | detail | hint" of its error
-- (the statement's effects are rolled back), or 'no error'.
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN concat_ws(' | ', st, msg, nullif(det, ''), nullif(hnt, ''));
END
$$;

-- shape of rows
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '{"id": 2, "name": "x"}')$$),
	'22023 | rows must be a JSON array of objects | It is an object. | Wrap a single row in [ ]; to seed several tables, use covara.seed(plan) with the table names as keys.',
	'rows that is an object');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '12')$$),
	'22023 | rows must be a JSON array of objects | It is a number.',
	'rows that is a number');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', 'null')$$),
	'22023 | rows must be a JSON array of objects | It is null.',
	'rows that is JSON null');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x"}, {"id": 3, "name": "y"}, "row 3"]')$$),
	'22023 | element 3 of rows is not a JSON object | It is a string; each row must be an object whose keys are column names.',
	'an element that is a string, with its position');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[true]')$$),
	'22023 | element 1 of rows is not a JSON object | It is a boolean; each row must be an object whose keys are column names.',
	'an element that is a boolean');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', NULL)$$),
	'22004 | rows must not be null', 'SQL NULL rows');

-- unknown keys: the key, the table, the closest column
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x"}, {"id": 3, "nmae": "y"}]')$$),
	'42703 | column "nmae" of relation "seed_t" does not exist | Element 2 of rows has the key "nmae"; keys must match column names exactly. | Perhaps you meant "name".',
	'unknown key: a transposition suggests the column');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"ID": 2, "name": "x"}]')$$),
	'42703 | column "ID" of relation "seed_t" does not exist | Element 1 of rows has the key "ID"; keys must match column names exactly. | Perhaps you meant "id".',
	'keys are case-sensitive; a case-insensitive match is suggested first');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x", "born_at": "2024-01-01"}]')$$),
	'42703 | column "born_at" of relation "seed_t" does not exist | Element 1 of rows has the key "born_at"; keys must match column names exactly. | Perhaps you meant "born".',
	'unknown key: an extra suffix suggests the column');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x", "zzz": 1}]')$$),
	'42703 | column "zzz" of relation "seed_t" does not exist | Element 1 of rows has the key "zzz"; keys must match column names exactly. | The columns of "seed_t" are: id, name, born, score, tags.',
	'unknown key with nothing close: the columns are listed');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x", "twice": 4}]')$$),
	'428C9 | cannot insert a value into generated column "twice" of relation "seed_t" | Element 1 of rows has the key "twice". | Leave the key out: the column is computed from the others.',
	'a generated column');

-- values that do not convert: position, column, value, original SQLSTATE
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x"}, {"id": 3, "name": "y", "born": "tomorrowish"}]')$$),
	'22007 | invalid value for column "born" of relation "seed_t" in element 2 of rows: "tomorrowish" | invalid input syntax for type timestamp: "tomorrowish"',
	'a bad timestamp: 22007');
-- (the original detail and hint are the server's own: PostgreSQL 18 spells
-- the setting "DateStyle" in that hint, earlier versions "datestyle")
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x", "born": "2024-13-01"}]')$$),
	replace(pg_temp.err($$SELECT '2024-13-01'::timestamp$$), '22008 | ',
		'22008 | invalid value for column "born" of relation "seed_t" in element 1 of rows: "2024-13-01" | '),
	'an impossible date: 22008, with the original message and hint');
SELECT matches(pg_temp.err($$SELECT '2024-13-01'::timestamp$$),
	'^22008 \| date/time field value out of range: "2024-13-01" \| Perhaps you need a different "(datestyle|DateStyle)" setting\.$',
	'(the server''s own error for that date, which the test above builds on)');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": "two", "name": "x"}]')$$),
	'22P02 | invalid value for column "id" of relation "seed_t" in element 1 of rows: "two" | invalid input syntax for type integer: "two"',
	'a bad integer: 22P02');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x", "score": 12345}]')$$),
	'22003 | invalid value for column "score" of relation "seed_t" in element 1 of rows: 12345 | numeric field overflow: A field with precision 4, scale 1 must round to an absolute value less than 10^3.',
	'numeric overflow: 22003');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x", "tags": [1, "b"]}]')$$),
	'22P02 | invalid value for column "tags" of relation "seed_t" in element 1 of rows: [1, "b"] | invalid input syntax for type integer: "b"',
	'a bad array element');
SELECT is(pg_temp.err(format($$SELECT covara.seed('seed_t', %L)$$,
	(SELECT jsonb_agg(jsonb_build_object('id', i, 'name', 'n' || i,
		'born', CASE WHEN i = 4321 THEN 'later' ELSE '2024-01-01T00:00:00Z' END) ORDER BY i)
	   FROM generate_series(10, 6000) i))),
	'22007 | invalid value for column "born" of relation "seed_t" in element 4312 of rows: "later" | invalid input syntax for type timestamp: "later"',
	'the failing row is found among thousands');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2, "name": "x"}, {"id": 3, "name": "y", "born": "2024-01-01"}, {"id": 4, "name": "z", "score": 1}, {"id": 5, "name": "w", "born": "bad"}]')$$),
	'22007 | invalid value for column "born" of relation "seed_t" in element 4 of rows: "bad" | invalid input syntax for type timestamp: "bad"',
	'the position is the row''s in rows, when rows have different key sets');
-- errors that are not about converting a value pass through unchanged
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t', '[{"id": 2}]')$$),
	'23502 | null value in column "name" of relation "seed_t" violates not-null constraint | Failing row contains (2, null, null, null, null, 4).',
	'a NOT NULL violation is the ordinary error');

CREATE TABLE seed_ratio (x integer PRIMARY KEY, inv numeric GENERATED ALWAYS AS (1.0 / x) STORED);
SELECT is(pg_temp.err($$SELECT covara.seed('seed_ratio', '[{"x": 1}, {"x": 0}]')$$),
	'22012 | division by zero',
	'a data exception that no value''s conversion causes passes through unchanged');

-- targets
CREATE VIEW seed_v AS SELECT * FROM seed_t;
CREATE TYPE seed_composite AS (a integer);
SELECT is(pg_temp.err($$SELECT covara.seed('seed_v', '[]')$$),
	'42809 | "seed_v" is not a table | This operation is not supported for views. | covara.seed inserts into ordinary and partitioned tables only.',
	'a view is not a target');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_t_pkey', '[]')$$),
	'42809 | "seed_t_pkey" is not a table | This operation is not supported for indexes. | covara.seed inserts into ordinary and partitioned tables only.',
	'an index is not a target');
SELECT is(pg_temp.err($$SELECT covara.seed('seed_composite', '[]')$$),
	'42809 | "seed_composite" is not a table | This operation is not supported for composite types. | covara.seed inserts into ordinary and partitioned tables only.',
	'a composite type is not a target');
SELECT is(pg_temp.err($$SELECT covara.seed(0::regclass, '[]')$$),
	'42P01 | relation with OID 0 does not exist', 'an OID that is no relation');

-- none of the above wrote anything
SELECT results_eq($$SELECT id, name FROM seed_t ORDER BY id$$,
	$$VALUES (1, 'existing')$$, 'no rows were written by the failing calls');

-- the plan form
CREATE TABLE seed_parent (id integer PRIMARY KEY);
CREATE TABLE seed_child (id integer PRIMARY KEY, parent integer REFERENCES seed_parent);
CREATE TABLE seed_x (id integer PRIMARY KEY, y integer);
CREATE TABLE seed_y (id integer PRIMARY KEY, x integer REFERENCES seed_x);
ALTER TABLE seed_x ADD FOREIGN KEY (y) REFERENCES seed_y;
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('[]')$$),
	'22023 | plan must be a JSON object mapping table names to arrays of rows | It is an array. | To seed one table, use covara.seed(target, rows).',
	'a plan that is an array');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_child": 1}')$$),
	'22023 | plan entry "seed_child" must be a JSON array of objects | It is a number.',
	'a plan entry that is not an array');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_child": [{"id": 1}, 2]}')$$),
	'22023 | element 2 of plan entry "seed_child" is not a JSON object | It is a number; each row must be an object whose keys are column names.',
	'a plan entry with an element that is not an object');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_kid": []}')$$),
	'42P01 | relation "seed_kid" does not exist', 'an unknown table');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_child": [], "public.seed_child": []}')$$),
	'22023 | plan names table seed_child more than once | Keys "seed_child" and "public.seed_child" both name it.',
	'one table under two names');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_parent": [{"id": 1}], "seed_x": [], "seed_y": []}')$$),
	'42P19 | cannot order the plan''s tables: their foreign keys form a cycle: seed_x -> seed_y -> seed_x | Each table in the cycle has a foreign key referencing the next, so no order inserts parents first. | Seed the tables of the cycle with separate covara.seed(target, rows) calls inside one transaction, with the foreign keys DEFERRABLE and SET CONSTRAINTS ALL DEFERRED.',
	'a foreign-key cycle names its tables');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_parent": [{"id": 1}], "seed_child": [{"id": 1, "parent": "one"}]}')$$),
	'22P02 | invalid value for column "parent" of relation "seed_child" in element 1 of plan entry "seed_child": "one" | invalid input syntax for type integer: "one"',
	'a bad value in a plan names the plan entry');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed('{"seed_parent": [{"id": 1}], "seed_child": [{"id": 1, "parent": 2}]}')$$),
	'23503 | insert or update on table "seed_child" violates foreign key constraint "seed_child_parent_fkey" | Key (parent)=(2) is not present in table "seed_parent".',
	'a foreign key violation is the ordinary error');
SELECT is(pg_temp.err($$SELECT * FROM covara.seed(NULL)$$),
	'22004 | plan must not be null', 'SQL NULL plan');
SELECT is_empty($$SELECT * FROM seed_parent$$,
	'a failing plan writes nothing, not even the parents seeded before the failure');

-- privileges: covara.seed runs as the caller
CREATE ROLE seed_tap_writer;
CREATE TABLE seed_priv (id integer PRIMARY KEY, secret text, note text);
SET LOCAL ROLE seed_tap_writer;
SELECT throws_ok($$SELECT covara.seed('seed_priv', '[{"id": 1}]')$$,
	'42501', 'permission denied for table seed_priv',
	'without INSERT: the ordinary permission error');
SELECT throws_ok($$SELECT * FROM covara.seed('{"seed_priv": [{"id": 1}]}')$$,
	'42501', 'permission denied for table seed_priv',
	'the plan form too');
SELECT throws_ok($$SELECT covara.seed('auth_sessions', '[{"id": "s", "userId": "u", "createdAt": "2024-01-01", "expiresAt": "2024-01-02"}]')$$,
	'42501', 'permission denied for table auth_sessions',
	'no way into the extension''s own tables either');
RESET ROLE;
GRANT INSERT (id, note) ON seed_priv TO seed_tap_writer;
SET LOCAL ROLE seed_tap_writer;
SELECT is(covara.seed('seed_priv', '[{"id": 1, "note": "a"}, {"id": 2}]'), 2::bigint,
	'with INSERT on the columns it names: rows are inserted');
SELECT is(covara.seed('seed_priv', '[{"id": 1, "note": "a"}, {"id": 3}]'), 1::bigint,
	'and conflicts are skipped without SELECT privilege');
SELECT throws_ok($$SELECT covara.seed('seed_priv', '[{"id": 4, "secret": "s"}]')$$,
	'42501', 'permission denied for table seed_priv',
	'a key naming a column it may not insert into: the ordinary permission error');
RESET ROLE;
GRANT INSERT ON seed_priv TO seed_tap_writer;
SET LOCAL ROLE seed_tap_writer;
SELECT is(covara.seed('seed_priv', '[{"id": 4, "secret": "s"}]'), 1::bigint,
	'with INSERT on the table: any column');
RESET ROLE;
SELECT results_eq($$SELECT id, secret, note FROM seed_priv ORDER BY id$$,
	$$VALUES (1, NULL::text, 'a'), (2, NULL, NULL), (3, NULL, NULL), (4, 's', NULL)$$,
	'the rows the writer seeded');

-- the functions run as the caller and keep no search_path of their own
SELECT ok(NOT prosecdef, format('%s is SECURITY INVOKER', oid::regprocedure))
  FROM pg_proc WHERE pronamespace = 'covara'::regnamespace AND proname = 'seed'
 ORDER BY oid::regprocedure::text;
-- a search_path holding look-alike functions and operators changes nothing
CREATE SCHEMA seed_evil;
CREATE FUNCTION seed_evil.jsonb_populate_record(anyelement, jsonb) RETURNS anyelement
	LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION seed_evil.unnest(integer[]) RETURNS SETOF integer
	LANGUAGE sql AS 'SELECT 0';
CREATE FUNCTION seed_evil.arrow(jsonb, integer) RETURNS jsonb
	LANGUAGE sql AS $$SELECT '{}'::jsonb$$;
CREATE OPERATOR seed_evil.-> (LEFTARG = jsonb, RIGHTARG = integer, FUNCTION = seed_evil.arrow);
SET LOCAL search_path = seed_evil, pg_catalog, public;
SELECT is(covara.seed('seed_t', '[{"id": 50, "name": "fifty"}]'), 1::bigint,
	'seeding with a hostile search_path');
RESET search_path;
SELECT results_eq($$SELECT name FROM seed_t WHERE id = 50$$, $$VALUES ('fifty'::text)$$,
	'the real conversion was used');

-- no lock without a privilege: seeding nothing into a table the caller may
-- not insert into is refused, as LOCK TABLE would be
CREATE TABLE seed_secret (id int PRIMARY KEY);
CREATE ROLE seed_tap_nobody;
SET LOCAL ROLE seed_tap_nobody;
SELECT throws_ok($$SELECT covara.seed('seed_secret', '[]')$$,
	'42501', 'permission denied for table seed_secret',
	'an empty seed of a table without INSERT is refused');
SELECT throws_ok($$SELECT * FROM covara.seed('{"seed_secret": []}')$$,
	'42501', 'permission denied for table seed_secret',
	'... in a plan too');
RESET ROLE;
SELECT is_empty($$SELECT l.mode FROM pg_locks l WHERE l.relation = 'seed_secret'::regclass
                    AND l.pid = pg_backend_pid() AND l.mode = 'RowExclusiveLock'$$,
	'and no lock was taken on it');

-- a plan of many tables reports every table's count (the result outlives
-- the SPI connection that seeded them)
DO $$
BEGIN
	FOR i IN 1..300 LOOP
		EXECUTE format('CREATE TABLE seed_many_%s (id int PRIMARY KEY)', i);
	END LOOP;
END $$;
CREATE TEMP TABLE seed_many_plan AS
	SELECT jsonb_object_agg('seed_many_' || i, '[{"id": 1}]'::jsonb) AS plan FROM generate_series(1, 300) i;
SELECT results_eq($$SELECT count(*)::int, sum(inserted)::int, min(inserted)::int, max(inserted)::int
                      FROM covara.seed((SELECT plan FROM seed_many_plan))$$,
	$$VALUES (300, 300, 1, 1)$$, 'a plan of 300 tables: one row inserted into each');
SELECT results_eq($$SELECT count(*)::int, sum(inserted)::int FROM covara.seed((SELECT plan FROM seed_many_plan))$$,
	$$VALUES (300, 0)$$, 'and none on the repeat');

-- a column left out takes its default even when its type is a NOT NULL
-- domain (no NULL is ever converted for it)
CREATE DOMAIN seed_nn_text AS text NOT NULL;
CREATE TABLE seed_dom (id int PRIMARY KEY, status seed_nn_text DEFAULT 'new');
SELECT is(covara.seed('seed_dom', '[{"id": 1}, {"id": 2, "status": "done"}]'), 2::bigint,
	'a NOT NULL domain column left out takes its default');
SELECT results_eq($$SELECT id, status::text FROM seed_dom ORDER BY id$$,
	$$VALUES (1, 'new'), (2, 'done')$$, '... and the given value otherwise');
SELECT throws_ok($$SELECT covara.seed('seed_dom', '[{"id": 3, "status": null}]')$$,
	'23502', 'domain seed_nn_text does not allow null values',
	'an explicit null for it is still refused');

SELECT * FROM finish();
ROLLBACK;
