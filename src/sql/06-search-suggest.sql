/* ---- 06-search-suggest.sql: typo tolerance from the index's own vocabulary ---- */

/*
 * The vocabulary of an index is the keys of its GIN index on search_vector
 * (src/search_vocabulary.c): PostgreSQL keeps it in step with every write,
 * so nothing is built per query and nothing is maintained by covara.
 */

CREATE FUNCTION covara._search_vocabulary_near(gin_index pg_catalog.regclass, word pg_catalog.text,
											   max_distance pg_catalog.int4)
RETURNS TABLE (lexeme pg_catalog.text, distance pg_catalog.int4, postings pg_catalog.int8)
AS 'MODULE_PATHNAME', 'covara_search_vocabulary_near'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 10;
COMMENT ON FUNCTION covara._search_vocabulary_near(pg_catalog.regclass, pg_catalog.text, pg_catalog.int4) IS
'internal: the keys of a GIN tsvector index (entry tree and pending list) that start with the word''s first character and are at most max_distance (0..3) edits from it, with their entries (rows holding them, deleted ones too until VACUUM); needs SELECT on the table';

CREATE FUNCTION covara._search_query_terms(query pg_catalog.tsquery)
RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'covara_search_query_terms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_query_terms(pg_catalog.tsquery) IS
'internal: the query''s distinct terms that are neither negated nor prefixes, sorted';

-- A one-lexeme tsquery, whatever the lexeme holds.
CREATE FUNCTION covara._search_term_query(lexeme pg_catalog.text)
RETURNS pg_catalog.tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ('''' OPERATOR(pg_catalog.||)
		pg_catalog.replace(pg_catalog.replace(lexeme, E'\\', E'\\\\'), '''', '''''')
		OPERATOR(pg_catalog.||) '''')::pg_catalog.tsquery;
COMMENT ON FUNCTION covara._search_term_query(pg_catalog.text) IS
'internal: the tsquery matching exactly that lexeme (quotes and backslashes escaped)';

-- Whether some document of the index table holds the lexeme.
CREATE FUNCTION covara._search_has_term(index_table pg_catalog.regclass, lexeme pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
-- through GIN: a sequential scan reads the whole table for a word no
-- document holds (the planner expects a few hundred of any word it does
-- not count among the most common)
SET enable_seqscan = off
AS $covara$
DECLARE
	found pg_catalog.bool;
BEGIN
	EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s AS t WHERE t.search_vector OPERATOR(pg_catalog.@@) $1)',
							  index_table)
		INTO found USING covara._search_term_query(lexeme);
	RETURN found;
END
$covara$;
COMMENT ON FUNCTION covara._search_has_term(pg_catalog.regclass, pg_catalog.text) IS
'internal: whether a document of the index table holds the lexeme';

-- The suggestions for a lexeme: nearest first, then the most frequent.
CREATE FUNCTION covara._search_suggestions(index_table pg_catalog.regclass, lexeme pg_catalog.text,
										   "limit" pg_catalog.int4)
RETURNS TABLE (suggestion pg_catalog.text, distance pg_catalog.int4, documents pg_catalog.int8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	gin pg_catalog.regclass;
BEGIN
	SELECT i.indexrelid::pg_catalog.regclass INTO gin
	  FROM pg_catalog.pg_index i
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
	  JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam
	  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
									AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]
	 WHERE i.indrelid OPERATOR(pg_catalog.=) index_table
	   AND i.indnatts OPERATOR(pg_catalog.=) 1 AND i.indexprs IS NULL AND i.indpred IS NULL
	   AND i.indisvalid AND am.amname OPERATOR(pg_catalog.=) 'gin'
	   AND a.attname OPERATOR(pg_catalog.=) 'search_vector'
	 ORDER BY i.indexrelid
	 LIMIT 1;
	IF gin IS NULL THEN
		RAISE EXCEPTION 'search index table % has no GIN index on search_vector', index_table
			USING ERRCODE = 'undefined_object',
				  HINT = pg_catalog.format('Suggestions come from that index''s words: CREATE INDEX ON %s USING gin (search_vector).', index_table);
	END IF;
	-- GIN keeps a key whose documents were all deleted or rolled back:
	-- nearest and most frequent first, the first "limit" that a visible
	-- document holds (the filter runs only until the limit is reached)
	RETURN QUERY
	SELECT c.lexeme, c.distance, c.postings
	  FROM (SELECT n.lexeme, n.distance, n.postings
			  FROM covara._search_vocabulary_near(gin, lexeme,
												  CASE WHEN pg_catalog.char_length(lexeme) OPERATOR(pg_catalog.<=) 4 THEN 1 ELSE 2 END) AS n
			 ORDER BY 2, 3 DESC, 1 OFFSET 0) AS c
	 WHERE covara._search_has_term(index_table, c.lexeme)
	 LIMIT "limit";
END
$covara$;
COMMENT ON FUNCTION covara._search_suggestions(pg_catalog.regclass, pg_catalog.text, pg_catalog.int4) IS
'internal: the index table''s words within 1 (a word of up to 4 characters) or 2 edits of the lexeme that start with its first character and some visible document holds, nearest first, then by documents (the GIN index''s entries for it: deleted rows count until VACUUM)';

CREATE FUNCTION covara.search_suggest(index_name pg_catalog.text, word pg_catalog.text,
									  "limit" pg_catalog.int4 DEFAULT 5)
RETURNS TABLE (suggestion pg_catalog.text, distance pg_catalog.int4, documents pg_catalog.int8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	lang pg_catalog.regconfig;
	lexeme pg_catalog.text;
BEGIN
	IF "limit" IS NULL OR "limit" OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'limit must be zero or more, not %', COALESCE("limit"::pg_catalog.text, 'NULL')
			USING ERRCODE = 'invalid_row_count_in_limit_clause', HINT = 'Pass how many suggestions to return, e.g. 5.';
	END IF;
	IF word IS NULL OR word OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN;
	END IF;
	IF pg_catalog.octet_length(word) OPERATOR(pg_catalog.>) 255 THEN
		RAISE EXCEPTION 'word to suggest for is too long (% bytes)', pg_catalog.octet_length(word)
			USING ERRCODE = 'program_limit_exceeded', DETAIL = 'Suggestions are for a word of at most 255 bytes.';
	END IF;
	lang := covara._search_language(idx, index_name);
	-- the word as the index holds it (stemmed): its first lexeme
	SELECT v.lexeme INTO lexeme
	  FROM pg_catalog.unnest(pg_catalog.to_tsvector(lang, word)) AS v
	 ORDER BY v.positions[1]
	 LIMIT 1;
	IF lexeme IS NULL THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM covara._search_suggestions(idx, lexeme, "limit");
END
$covara$;
COMMENT ON FUNCTION covara.search_suggest(pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
'suggestions for a misspelled word from the index''s own words (the keys of its GIN index, in step with every write): (suggestion, distance, documents), within 1 edit for a word of up to 4 characters, 2 for longer ones, starting with the same character, nearest first, then most documents; the word is stemmed as the index''s language does, and suggestions are lexemes as the index stores them';
