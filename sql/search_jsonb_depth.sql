--
-- jsonb nesting: covara's search walks a document of any depth a jsonb
-- value can have, as core's to_tsvector(jsonb) does; the only limit is
-- the server's own (max_stack_depth, which bounds how deep a jsonb value
-- can be built at all).
--
CREATE EXTENSION covara;

-- The deepest nesting of open || '"deep words"' || close that this server
-- builds as a jsonb value (found by bisection; no fixed number, as it
-- depends on max_stack_depth).
CREATE FUNCTION deepest(open text, close text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	lo int := 1;
	hi int := 1000000;
	mid int;
BEGIN
	WHILE lo < hi LOOP
		mid := (lo + hi + 1) / 2;
		BEGIN
			PERFORM (repeat(open, mid) || '"deep words"' || repeat(close, mid))::jsonb;
			lo := mid;
		EXCEPTION WHEN statement_too_complex THEN
			hi := mid - 1;
		END;
	END LOOP;
	RETURN (repeat(open, lo) || '"deep words"' || repeat(close, lo))::jsonb;
END $$;

CREATE TABLE deep (kind text PRIMARY KEY, doc jsonb);
INSERT INTO deep VALUES ('object', deepest('{"a":', '}')), ('array', deepest('[', ']'));
-- deeper than covara's walk used to reach (it recursed, and stopped at
-- about 9,000 levels)
SELECT kind, length(doc::text) > 2 * 10000 AS deeper_than_10000 FROM deep ORDER BY kind;

-- search_vector and search_text reach the innermost string, as core does
SELECT kind,
	   covara.search_vector(doc, '["a"]', 'simple') = setweight(to_tsvector('simple', doc -> 'a'), 'D')
		   AS vector_as_core,
	   covara.search_text(doc, '["a"]') AS text
  FROM deep WHERE kind = 'object';
SELECT kind, covara.search_vector(jsonb_build_object('d', doc -> 0), '["d:A"]', 'simple') AS vector
  FROM deep WHERE kind = 'array';

-- the BEFORE trigger on a jsonb column as deep as jsonb allows
CREATE TABLE deep_docs (id int PRIMARY KEY, body jsonb, tsv tsvector);
CREATE TRIGGER deep_docs_search BEFORE INSERT OR UPDATE ON deep_docs FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.simple', 'body:B');
INSERT INTO deep_docs (id, body) SELECT row_number() OVER (ORDER BY kind), doc FROM deep;
SELECT id, tsv, tsv = setweight(to_tsvector('simple', body), 'B') AS as_core FROM deep_docs ORDER BY id;

-- exclusions still apply at any depth: a key excluded at the top, or
-- three levels down, leaves the object nothing (the array has no keys);
-- one that is never reached excludes nothing
DROP TRIGGER deep_docs_search ON deep_docs;
CREATE TRIGGER deep_docs_search BEFORE INSERT OR UPDATE ON deep_docs FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.simple', 'body:B', 'exclude=body.a');
DELETE FROM deep_docs;
INSERT INTO deep_docs (id, body) SELECT row_number() OVER (ORDER BY kind), doc FROM deep;
SELECT id, tsv FROM deep_docs ORDER BY id;
DROP TRIGGER deep_docs_search ON deep_docs;
CREATE TRIGGER deep_docs_search BEFORE INSERT OR UPDATE ON deep_docs FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.simple', 'body:B', 'exclude=body.b');
DELETE FROM deep_docs;
INSERT INTO deep_docs (id, body) SELECT row_number() OVER (ORDER BY kind), doc FROM deep;
SELECT id, tsv FROM deep_docs ORDER BY id;

DROP TRIGGER deep_docs_search ON deep_docs;
CREATE TRIGGER deep_docs_search BEFORE INSERT OR UPDATE ON deep_docs FOR EACH ROW
	EXECUTE FUNCTION covara.search_trigger('tsv', 'pg_catalog.simple', 'body:B', 'exclude=body.a.a.a');
DELETE FROM deep_docs;
INSERT INTO deep_docs (id, body) SELECT row_number() OVER (ORDER BY kind), doc FROM deep;
SELECT id, tsv FROM deep_docs ORDER BY id;

-- what an index stores of such a document (search_source keeps it whole)
SELECT kind, covara.search_source(doc, '["a"]') = doc AS kept_whole FROM deep WHERE kind = 'object';

-- The walk keeps its own stack: a document built before max_stack_depth is
-- lowered still walks under the lowest limit (it stopped with "stack depth
-- limit exceeded" before) ...
CREATE TEMP TABLE deep_arrays AS
SELECT (repeat('[', 10000) || '"x"' || repeat(']', 10000))::jsonb AS doc;
SET max_stack_depth = '100kB';
SELECT covara.search_text(doc), covara.search_vector(doc, '["0"]') FROM deep_arrays;
-- ... and with the highest limit a default 8 MB stack allows, 50,000 levels
SET max_stack_depth = '7680kB';
INSERT INTO deep_arrays SELECT (repeat('[', 50000) || '"x"' || repeat(']', 50000))::jsonb;
SELECT covara.search_text(doc), to_tsvector('simple', doc) FROM deep_arrays;
RESET max_stack_depth;

DROP TABLE deep, deep_docs, deep_arrays;
DROP FUNCTION deepest(text, text);
DROP EXTENSION covara;
