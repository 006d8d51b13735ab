/* covara--0.10.0--0.11.0.sql: search at scale */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.11.0'" to load this file. \quit

/*
 * What 0.11.0 changes in a database that has 0.10.0 (the install script is
 * built from src/sql/, which holds the same definitions).  Index tables made
 * before stay as they are: search() ranks every match on them until they
 * get their impact index (README, "covara.search"), which this script does
 * not build, so that the update takes no lock on them.
 */

-- ---- impact tiers and the match estimate (06-search-rank.sql) ----

CREATE FUNCTION covara.search_impacts(vector pg_catalog.tsvector, lowest_weight pg_catalog."char")
RETURNS pg_catalog.tsvector
AS 'MODULE_PATHNAME', 'covara_search_impacts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_impacts(pg_catalog.tsvector, pg_catalog."char") IS
'the impact tiers of a vector''s lexemes, as entries ''<tier>:<lexeme>'' (tier 1 lowest; each tier''s floor 1 % above the last): every lexeme whose one-term ts_rank is above that of a single occurrence at lowest_weight; what an index''s <table>_impact_idx GIN index holds';

CREATE FUNCTION covara.search_score(vector pg_catalog.tsvector, query pg_catalog.tsquery)
RETURNS pg_catalog.float4
AS 'MODULE_PATHNAME', 'covara_search_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_score(pg_catalog.tsvector, pg_catalog.tsquery) IS
'the score covara.search() ranks by: the mean, over the query''s distinct terms that are not negated, of each term''s one-term ts_rank in the vector (a prefix term: its best-ranked lexeme); exactly ts_rank for a one-term query';

CREATE FUNCTION covara._search_tier_query(query pg_catalog.tsquery, tier pg_catalog.int4)
RETURNS pg_catalog.tsquery
AS 'MODULE_PATHNAME', 'covara_search_tier_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_tier_query(pg_catalog.tsquery, pg_catalog.int4) IS
'a query over covara.search_impacts() vectors: documents where some term of the query that is not negated has an impact of that tier (1 to 300) or above; NULL when the query has no such term or more than 32 distinct ones (search() then ranks every match)';

CREATE FUNCTION covara._search_tier_floor(lowest_weight pg_catalog."char", tier pg_catalog.int4)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'covara_search_tier_floor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_tier_floor(pg_catalog."char", pg_catalog.int4) IS
'the lowest impact of a tier (1 to 300) of covara.search_impacts() with that lowest weight: a document outside the tier and those above it scores below it';

CREATE FUNCTION covara._search_tiers(lowest_weight pg_catalog."char")
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'covara_search_tiers'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_tiers(pg_catalog."char") IS
'internal: the highest impact tier covara.search_impacts() can give over that lowest weight (256 positions of weight A)';

CREATE FUNCTION covara._search_positive_terms(query pg_catalog.tsquery)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'covara_search_positive_terms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara._search_positive_terms(pg_catalog.tsquery) IS
'internal: how many distinct terms the query has that are not negated, prefix terms included';

CREATE FUNCTION covara.search_prefix_query(query pg_catalog.tsquery)
RETURNS pg_catalog.tsquery
AS 'MODULE_PATHNAME', 'covara_search_prefix_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_prefix_query(pg_catalog.tsquery) IS
'the query with its last term (as the query reads) made a prefix match, as search(prefix => true) uses it: search as you type';

-- The lowest weight an index's impact index was built with, or NULL when
-- the index has none (made before 0.11.0, or dropped): search() then ranks
-- every match.
CREATE FUNCTION covara._search_impact_weight(index_table pg_catalog.regclass)
RETURNS pg_catalog."char"
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT m.w[2]::pg_catalog."char"
	  FROM pg_catalog.pg_index i
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
	  JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam,
		   LATERAL pg_catalog.regexp_match(pg_catalog.pg_get_expr(i.indexprs, i.indrelid),
			'^(covara\.)?search_impacts\(search_vector, ''([ABCD])''::"char"\)$') AS m(w)
	 WHERE i.indrelid OPERATOR(pg_catalog.=) index_table
	   AND i.indexprs IS NOT NULL AND i.indnatts OPERATOR(pg_catalog.=) 1
	   AND i.indisvalid AND i.indpred IS NULL
	   AND am.amname OPERATOR(pg_catalog.=) 'gin'
	   AND m.w IS NOT NULL
	 ORDER BY i.indexrelid
	 LIMIT 1;
END;
COMMENT ON FUNCTION covara._search_impact_weight(pg_catalog.regclass) IS
'internal: the lowest weight of the index table''s GIN index on covara.search_impacts(search_vector, w), NULL if it has none';

CREATE FUNCTION covara._search_estimate(index_table pg_catalog.regclass, query pg_catalog.tsquery)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'covara_search_estimate'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION covara._search_estimate(pg_catalog.regclass, pg_catalog.tsquery) IS
'internal: the planner''s estimate of the index table''s rows whose search_vector matches the query (from ANALYZE''s statistics; needs SELECT on the table)';

-- ---- typo tolerance (06-search-suggest.sql) ----

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

-- ---- index names, creation and backfill know the impact index ----

CREATE OR REPLACE FUNCTION covara.search_check_name(index_name pg_catalog.text,
										 table_prefix pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
DECLARE
	derived pg_catalog.text;
BEGIN
	IF index_name IS NULL OR index_name OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]+$' THEN
		RAISE EXCEPTION 'invalid search index name %',
			COALESCE(pg_catalog.quote_literal(covara._report_cut(index_name)), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Search index names consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	IF table_prefix IS NOT NULL AND table_prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]*$' THEN
		RAISE EXCEPTION 'invalid table prefix %', pg_catalog.quote_literal(covara._report_cut(table_prefix))
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Table prefixes consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	FOREACH derived IN ARRAY ARRAY[
		'covara_index_' OPERATOR(pg_catalog.||) index_name,
		'covara_sync_' OPERATOR(pg_catalog.||) index_name,
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_search_idx',
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_impact_idx']
	LOOP
		IF pg_catalog.octet_length(derived) OPERATOR(pg_catalog.>) 63 THEN
			RAISE EXCEPTION 'search index name % is too long', pg_catalog.quote_literal(covara._report_cut(index_name))
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = pg_catalog.format('The name %s made from it would have %s bytes; names have at most 63.',
												 covara._report_cut(derived), pg_catalog.octet_length(derived)),
					  HINT = 'Use a shorter index name or table prefix.';
		END IF;
	END LOOP;
END
$covara$;
COMMENT ON FUNCTION covara.search_check_name(pg_catalog.text, pg_catalog.text) IS
'internal: raises invalid_parameter_value unless the search index name (and table prefix) are [A-Za-z0-9_] and every name made from them fits in 63 bytes';

CREATE OR REPLACE FUNCTION covara.create_search_index(name pg_catalog.text,
										   fields pg_catalog.jsonb DEFAULT NULL,
										   language pg_catalog.regconfig DEFAULT 'pg_catalog.english',
										   table_prefix pg_catalog.text DEFAULT 'covara_fts_')
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	nsp pg_catalog.text := pg_catalog.current_schema();
	tbl pg_catalog.text;
	tg pg_catalog.text;
	lang pg_catalog.text;
	args pg_catalog.text[];
	rel pg_catalog.regclass;
	problems pg_catalog.text[];
BEGIN
	PERFORM covara.search_check_name(name, COALESCE(table_prefix, ''));
	IF table_prefix IS NULL THEN
		RAISE EXCEPTION 'table_prefix must not be null'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use '''' for no prefix.';
	END IF;
	IF language IS NULL THEN
		RAISE EXCEPTION 'language must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF nsp IS NULL THEN
		RAISE EXCEPTION 'no schema has been selected to create in'
			USING ERRCODE = 'invalid_schema_name',
				  HINT = 'covara creates the index table in the current schema, the first existing schema of search_path.';
	END IF;
	tbl := table_prefix OPERATOR(pg_catalog.||) name;
	tg := 'covara_index_' OPERATOR(pg_catalog.||) name;
	SELECT pg_catalog.format('%I.%I', cn.nspname, cfg.cfgname) INTO lang
	  FROM pg_catalog.pg_ts_config cfg
	  JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) cfg.cfgnamespace
	 WHERE cfg.oid OPERATOR(pg_catalog.=) language;

	IF fields IS NULL THEN
		args := ARRAY['source:D', 'exclude=source.id'];
	ELSE
		args := covara.search_field_args(fields, 'source.');
	END IF;
	args := ARRAY['search_vector', lang] OPERATOR(pg_catalog.||) args
			OPERATOR(pg_catalog.||) 'given_vector=keep'::pg_catalog.text;

	-- the same index again: nothing to do; another one of that name: refuse
	rel := covara._search_index_existing(nsp, name, tbl, args);
	IF rel IS NOT NULL THEN
		RETURN rel;
	END IF;

	rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl));
	IF rel IS NOT NULL THEN
		-- a table that covara's search adapter made: adopt it when it has the shape
		SELECT pg_catalog.array_agg(p.problem ORDER BY p.problem) INTO problems
		  FROM (SELECT pg_catalog.format('column %s %s is missing', w.col, w.typ) AS problem
				  FROM (VALUES ('doc_id', 'text'), ('source', 'jsonb'), ('search_vector', 'tsvector')) AS w(col, typ)
				 WHERE NOT EXISTS (
						SELECT FROM pg_catalog.pg_attribute a
						 WHERE a.attrelid OPERATOR(pg_catalog.=) rel
						   AND a.attname OPERATOR(pg_catalog.=) w.col
						   AND NOT a.attisdropped
						   AND pg_catalog.format_type(a.atttypid, NULL) OPERATOR(pg_catalog.=) w.typ)
				UNION ALL
				SELECT 'it has no primary key on doc_id'
				 WHERE NOT EXISTS (
						SELECT FROM pg_catalog.pg_index i
						 WHERE i.indrelid OPERATOR(pg_catalog.=) rel AND i.indisprimary
						   AND i.indnatts OPERATOR(pg_catalog.=) 1
						   AND i.indkey[0] OPERATOR(pg_catalog.=)
							   (SELECT a.attnum FROM pg_catalog.pg_attribute a
								 WHERE a.attrelid OPERATOR(pg_catalog.=) rel
								   AND a.attname OPERATOR(pg_catalog.=) 'doc_id'))
				UNION ALL
				SELECT 'it is not a plain table'
				 WHERE (SELECT c.relkind FROM pg_catalog.pg_class c
						 WHERE c.oid OPERATOR(pg_catalog.=) rel) OPERATOR(pg_catalog.<>) 'r') p;
		IF problems IS NOT NULL THEN
			RAISE EXCEPTION 'table %.% already exists and is not a search index table', nsp, tbl
				USING ERRCODE = 'duplicate_table',
					  DETAIL = pg_catalog.array_to_string(problems, E';\n'),
					  HINT = 'covara adopts an existing table only when it has the shape covara''s search adapter uses: doc_id text primary key, source jsonb, search_vector tsvector.';
		END IF;
	END IF;

	-- A concurrent identical call makes the same objects: the second one
	-- to get there fails on them, and is then the no-op it would have been
	-- a moment later (a different one gets the error above).
	BEGIN
		IF rel IS NULL THEN
			EXECUTE pg_catalog.format('CREATE TABLE %I.%I (doc_id pg_catalog.text PRIMARY KEY, '
									  'source pg_catalog.jsonb NOT NULL, search_vector pg_catalog.tsvector)',
									  nsp, tbl);
			-- the vector stays in the row, where every match and ranking
			-- reads it; the source, read only for the rows returned, is the
			-- one that goes to TOAST
			EXECUTE pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN search_vector SET STORAGE MAIN', nsp, tbl);
			rel := pg_catalog.format('%I.%I', nsp, tbl)::pg_catalog.regclass;
		END IF;
		IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl OPERATOR(pg_catalog.||) '_search_idx')) IS NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (search_vector)',
									  tbl OPERATOR(pg_catalog.||) '_search_idx', nsp, tbl);
		END IF;
		-- the impact tiers that let search() stop early, over the lowest weight of the fields
		IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl OPERATOR(pg_catalog.||) '_impact_idx')) IS NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (covara.search_impacts(search_vector, %L))',
									  tbl OPERATOR(pg_catalog.||) '_impact_idx', nsp, tbl,
									  (SELECT COALESCE(pg_catalog.max(CASE WHEN a.arg OPERATOR(pg_catalog.~) ':[A-Da-d]$'
																	  THEN pg_catalog.upper(pg_catalog.right(a.arg, 1))
																	  ELSE 'D' END), 'D')
										 FROM pg_catalog.unnest(args[3:]) AS a(arg)
										WHERE a.arg OPERATOR(pg_catalog.!~) '^[a-z_]+='));
		END IF;
		EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I.%I '
								  'FOR EACH ROW EXECUTE FUNCTION covara.search_trigger(%s)',
								  tg, nsp, tbl,
								  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
									 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	EXCEPTION WHEN unique_violation OR duplicate_table OR duplicate_object THEN
		rel := covara._search_index_existing(nsp, name, tbl, args);
		IF rel IS NOT NULL THEN
			RETURN rel;
		END IF;
		-- a snapshot older than the statement cannot see what collided
		IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
			RAISE EXCEPTION 'could not create search index "%" in schema "%": a concurrent transaction made its objects', name, nsp
				USING ERRCODE = 'serialization_failure',
					  DETAIL = pg_catalog.format('This transaction''s snapshot (%s) cannot see them.',
												 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
					  HINT = 'Retry the transaction.';
		END IF;
		RAISE;
	END;
	PERFORM covara.check_search_trigger(rel, tg::pg_catalog.name);
	-- adopted rows without a vector get one (a NULL vector is recomputed)
	EXECUTE pg_catalog.format('UPDATE %I.%I SET search_vector = NULL WHERE search_vector IS NULL', nsp, tbl);
	RETURN rel;
END
$covara$;
COMMENT ON FUNCTION covara.create_search_index(pg_catalog.text, pg_catalog.jsonb, pg_catalog.regconfig, pg_catalog.text) IS
'creates (or adopts) the search index table <table_prefix><name> in the current schema: doc_id text primary key, source jsonb, search_vector tsvector filled from source by covara.search_trigger (fields {"key": "A".."D"}; NULL: every top-level key but id, weight D), GIN indexes <table>_search_idx and <table>_impact_idx (covara.search_impacts, which lets search() stop early); repeating an identical call changes nothing';

CREATE OR REPLACE FUNCTION covara.attach_search(source pg_catalog.regclass,
									 index_name pg_catalog.text,
									 fields pg_catalog.jsonb,
									 id_column pg_catalog.name DEFAULT 'id',
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english',
									 display pg_catalog.name[] DEFAULT NULL,
									 replicated pg_catalog.bool DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass;
	-- the sync trigger's pg_trigger.tgenabled: 'O' fires for the session's
	-- own writes only, 'A' also for those a logical replication subscription
	-- applies (session_replication_role = replica); NULL replicated keeps
	-- what an existing attachment has
	enabled pg_catalog."char" := CASE WHEN replicated THEN 'A' ELSE 'O' END;
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	lang pg_catalog.text;
	specs pg_catalog.text[];
	keep pg_catalog.text[];
	args pg_catalog.text[];
	missing pg_catalog.text;
	owner pg_catalog.oid;
	prev pg_catalog.record;
	nrows pg_catalog.int8;
BEGIN
	IF source IS NULL OR id_column IS NULL OR language IS NULL THEN
		RAISE EXCEPTION 'source, id_column and language must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- The backfill reads the rows committed when it starts, after the lock
	-- below; a snapshot from before the lock would miss those committed in
	-- between, which no trigger writes either.
	IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
		RAISE EXCEPTION 'covara.attach_search() must run in a READ COMMITTED transaction'
			USING ERRCODE = 'invalid_transaction_state',
				  DETAIL = pg_catalog.format('Under %s isolation the backfill would read a snapshot older than its lock on the table, and rows other sessions commit in between would be missing from the index.',
											 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
				  HINT = 'Call it in a transaction of its own or one begun with BEGIN ISOLATION LEVEL READ COMMITTED (the default).';
	END IF;
	idx := covara.search_index_table(index_name);
	IF source OPERATOR(pg_catalog.=) idx THEN
		RAISE EXCEPTION 'table % is the search index "%" itself', source, index_name
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT n.nspname, c.relname INTO idx_nsp, idx_tbl
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) idx;
	IF pg_catalog.array_position(display, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'display must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Name each display column, or pass NULL for none.';
	END IF;
	SELECT col.name INTO missing
	  FROM pg_catalog.unnest(ARRAY[id_column] OPERATOR(pg_catalog.||) COALESCE(display, '{}'))
		   WITH ORDINALITY AS col(name, i)
	 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
					   WHERE a.attrelid OPERATOR(pg_catalog.=) source
						 AND a.attname OPERATOR(pg_catalog.=) col.name
						 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
	 ORDER BY col.i
	 LIMIT 1;
	IF missing OPERATOR(pg_catalog.=) id_column::pg_catalog.text THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'Name the column that identifies a row with id_column; its text form becomes doc_id.';
	ELSIF missing IS NOT NULL THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', missing, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'display names columns of the table that the index keeps, whole, for showing results.';
	END IF;
	SELECT pg_catalog.format('%I.%I', cn.nspname, cfg.cfgname) INTO lang
	  FROM pg_catalog.pg_ts_config cfg
	  JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) cfg.cfgnamespace
	 WHERE cfg.oid OPERATOR(pg_catalog.=) language;

	IF fields IS NULL THEN
		-- every text, varchar, char, array-of-those or jsonb column but the id
		SELECT pg_catalog.array_agg(
				 CASE WHEN a.attname OPERATOR(pg_catalog.~) '^[^.:"=]+$' THEN a.attname::pg_catalog.text
					  ELSE '"' OPERATOR(pg_catalog.||) pg_catalog.replace(a.attname, '"', '""') OPERATOR(pg_catalog.||) '"'
				 END OPERATOR(pg_catalog.||) ':D' ORDER BY a.attnum)
		  INTO specs
		  FROM pg_catalog.pg_attribute a
		  JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
		 WHERE a.attrelid OPERATOR(pg_catalog.=) source
		   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
		   AND a.attname OPERATOR(pg_catalog.<>) id_column
		   AND pg_catalog.array_position(
				 ARRAY['pg_catalog.text', 'pg_catalog.varchar', 'pg_catalog.bpchar',
					   'pg_catalog._text', 'pg_catalog._varchar', 'pg_catalog._bpchar',
					   'pg_catalog.jsonb']::pg_catalog.regtype[],
				 (CASE WHEN ty.typbasetype OPERATOR(pg_catalog.<>) 0 THEN ty.typbasetype
					   ELSE ty.oid END)::pg_catalog.regtype) IS NOT NULL;
		IF specs IS NULL THEN
			RAISE EXCEPTION 'table % has no text, text[] or jsonb column to index', source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the fields to index, e.g. {"title": "A", "body": "B"}.';
		END IF;
	ELSE
		specs := covara.search_field_args(fields, '');
	END IF;
	-- the index keeps the id, the fields and the display columns (each once)
	SELECT pg_catalog.array_agg(k.name ORDER BY k.i) INTO keep
	  FROM (SELECT DISTINCT ON (c.name) c.name, c.i
			  FROM pg_catalog.unnest(ARRAY[id_column::pg_catalog.text]
									 OPERATOR(pg_catalog.||) COALESCE(display::pg_catalog.text[], '{}'))
				   WITH ORDINALITY AS c(name, i)
			 ORDER BY c.name, c.i) AS k;
	args := ARRAY[idx_nsp, idx_tbl, id_column::pg_catalog.text, lang] OPERATOR(pg_catalog.||) specs
			OPERATOR(pg_catalog.||) 'store=fields'::pg_catalog.text
			OPERATOR(pg_catalog.||) ARRAY(SELECT 'display=' OPERATOR(pg_catalog.||) k.name
											FROM pg_catalog.unnest(keep[2:]) WITH ORDINALITY AS k(name, i)
										   ORDER BY k.i);

	-- the sync trigger writes the index only for a table whose owner may
	SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source;
	SELECT pg_catalog.min(p.priv) INTO missing
	  FROM pg_catalog.unnest(ARRAY['DELETE', 'INSERT', 'UPDATE']) AS p(priv)
	 WHERE NOT pg_catalog.has_table_privilege(owner, idx, p.priv);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'the owner of table % may not write search index "%"', source, index_name
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role %s lacks the %s privilege on the index table %s.',
											 owner::pg_catalog.regrole, missing, idx),
				  HINT = 'The index''s owner lets a table feed the index by granting INSERT, UPDATE and DELETE on the index table to the table''s owner.';
	END IF;

	-- one attach_search per table at a time, and no writer between the
	-- trigger's creation and the backfill's snapshot
	EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);

	SELECT t.tgfoid, t.tgtype, t.tgparentid, t.tgenabled, covara.trigger_arguments(t.oid) AS args INTO prev
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF FOUND THEN
		IF prev.tgfoid OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
			RAISE EXCEPTION 'trigger "%" on table % already exists and is not covara''s', tg, source
				USING ERRCODE = 'duplicate_object';
		END IF;
		IF replicated IS NULL THEN
			enabled := prev.tgenabled;	-- ENABLE ALWAYS, REPLICA or DISABLE stays
		END IF;
		IF prev.args OPERATOR(pg_catalog.=) args AND prev.tgtype OPERATOR(pg_catalog.=) 29
		   AND prev.tgenabled OPERATOR(pg_catalog.=) enabled THEN
			RETURN 0;			-- attached exactly so already
		END IF;
		IF prev.tgparentid OPERATOR(pg_catalog.<>) 0 THEN
			RAISE EXCEPTION 'table % is a partition of a table attached to search index "%"', source, index_name
				USING ERRCODE = 'wrong_object_type',
					  DETAIL = pg_catalog.format('Its trigger %I is a clone of the trigger on partitioned table %s.',
												 tg, covara.search_root_trigger_table(prev.tgparentid)),
					  HINT = 'Attach the partitioned table instead; its partitions follow.';
		END IF;
		IF prev.args[1:2] OPERATOR(pg_catalog.<>) args[1:2] THEN
			RAISE EXCEPTION 'table % is attached to another search index named "%" (table %.%)',
				source, index_name, pg_catalog.quote_ident(prev.args[1]), pg_catalog.quote_ident(prev.args[2])
				USING ERRCODE = 'duplicate_object',
					  HINT = 'Detach it first with covara.detach_search(), with that index first on search_path.';
		END IF;
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', tg, source);
	END IF;

	-- ENABLE ALWAYS (REPLICA, DISABLE) TRIGGER is for the table's owner only
	IF enabled OPERATOR(pg_catalog.<>) 'O' AND NOT pg_catalog.pg_has_role(owner, 'USAGE') THEN
		RAISE EXCEPTION 'only the owner of table % can attach it for replicated rows', source
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Its sync trigger is to be %s, which takes ALTER TABLE; the table belongs to %s.',
											 CASE WHEN enabled OPERATOR(pg_catalog.=) 'A' THEN 'ENABLE ALWAYS'
												  WHEN enabled OPERATOR(pg_catalog.=) 'R' THEN 'ENABLE REPLICA'
												  ELSE 'DISABLE' END,
											 owner::pg_catalog.regrole),
				  HINT = 'Call it as the table''s owner, or with replicated => false for an ordinary trigger.';
	END IF;
	-- a subscription that also applies the index table's rows collides with
	-- the documents the trigger writes from the replicated source rows
	IF enabled OPERATOR(pg_catalog.=) ANY ('{A,R}'::pg_catalog."char"[]) THEN
		SELECT s.subname INTO missing
		  FROM pg_catalog.pg_subscription_rel r
		  JOIN pg_catalog.pg_subscription s ON s.oid OPERATOR(pg_catalog.=) r.srsubid
		 WHERE r.srrelid OPERATOR(pg_catalog.=) idx
		 ORDER BY s.subname
		 LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'search index table % is replicated by subscription "%"', idx, missing
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'The documents the sync trigger writes for replicated source rows would collide with the replicated documents.',
					  HINT = 'Publish the source tables only: drop the index table from the publication and run ALTER SUBSCRIPTION ... REFRESH PUBLICATION on this server.';
		END IF;
	END IF;

	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger(%s)',
							  tg, source,
							  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
								 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	IF enabled OPERATOR(pg_catalog.<>) 'O' THEN
		-- (a partitioned table's partitions follow, now and when added)
		EXECUTE pg_catalog.format('ALTER TABLE %s %s TRIGGER %I', source,
								  CASE WHEN enabled OPERATOR(pg_catalog.=) 'A' THEN 'ENABLE ALWAYS'
									   WHEN enabled OPERATOR(pg_catalog.=) 'R' THEN 'ENABLE REPLICA'
									   ELSE 'DISABLE' END,
								  tg);
	END IF;
	PERFORM covara.check_search_trigger(source, tg::pg_catalog.name);

	-- backfill: the rows as the trigger would write them
	EXECUTE pg_catalog.format(
		'INSERT INTO %I.%I AS i (doc_id, source, search_vector) '
		'SELECT pg_catalog.format(''%%s'', s.%I), covara.search_source(pg_catalog.to_jsonb(s), $1, $3), '
		'       covara.search_vector(pg_catalog.to_jsonb(s), $1, $2) '
		'  FROM %s AS s WHERE s.%I IS NOT NULL '
		'ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, search_vector = excluded.search_vector',
		idx_nsp, idx_tbl, id_column, source, id_column)
		USING pg_catalog.to_jsonb(specs), language, keep;
	GET DIAGNOSTICS nrows = ROW_COUNT;
	-- move the backfill out of the GIN pending lists, so that searches use the
	-- indexes at once (PostgreSQL lets only the index's owner do this)
	IF nrows OPERATOR(pg_catalog.>) 0 THEN
		PERFORM pg_catalog.gin_clean_pending_list(c.oid::pg_catalog.regclass)
		   FROM pg_catalog.unnest(ARRAY['_search_idx', '_impact_idx']) AS x(suffix)
		   JOIN pg_catalog.pg_class c
			 ON c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) x.suffix))
		  WHERE c.relam OPERATOR(pg_catalog.=) (SELECT am.oid FROM pg_catalog.pg_am am WHERE am.amname OPERATOR(pg_catalog.=) 'gin')
			AND pg_catalog.pg_has_role(c.relowner, 'USAGE');
	END IF;
	RETURN nrows;
END
$covara$;
COMMENT ON FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig, pg_catalog.name[], pg_catalog.bool) IS
'keeps the search index in step with a table: an AFTER row trigger covara_sync_<index> writes inserts, updates (a changed id moves the document) and deletes to the index in the same transaction, storing as source the id, the fields and the display columns only; replicated true makes it fire also for rows a logical replication subscription applies (ENABLE ALWAYS), false for the session''s own writes only, NULL keeps what the attachment has; backfills the existing rows and returns how many; an identical second call changes nothing and returns 0; needs READ COMMITTED';

-- ---- search(): top tiers first, prefix, fuzzy; search_count() with a threshold ----

CREATE FUNCTION covara._search_language(index_table pg_catalog.regclass, index_name pg_catalog.text)
RETURNS pg_catalog.regconfig
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT (covara.trigger_arguments(t.oid))[2]::pg_catalog.regconfig
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) index_table
	   AND t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name);
END;
COMMENT ON FUNCTION covara._search_language(pg_catalog.regclass, pg_catalog.text) IS
'internal: the text search configuration of the search index (the second argument of its trigger covara_index_<name>)';

CREATE FUNCTION covara._search_query(language pg_catalog.regconfig, query pg_catalog.text,
									 prefix pg_catalog.bool)
RETURNS pg_catalog.tsquery
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $covara$
DECLARE
	q pg_catalog.tsquery;
BEGIN
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN NULL;
	END IF;
	IF pg_catalog.octet_length(query) OPERATOR(pg_catalog.>) 4096 THEN
		RAISE EXCEPTION 'search query is too long (% bytes)', pg_catalog.octet_length(query)
			USING ERRCODE = 'program_limit_exceeded',
				  DETAIL = 'A search query has at most 4096 bytes.',
				  HINT = 'Search with the words the user typed, not with a document.';
	END IF;
	q := pg_catalog.websearch_to_tsquery(language, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN NULL;
	END IF;
	IF prefix THEN
		q := covara.search_prefix_query(q);
	END IF;
	RETURN q;
END
$covara$;
COMMENT ON FUNCTION covara._search_query(pg_catalog.regconfig, pg_catalog.text, pg_catalog.bool) IS
'internal: websearch_to_tsquery of a search query (NULL when blank or without lexemes; the last term a prefix with prefix), refusing one over 4 kB';

CREATE FUNCTION covara._search_count_upto(index_table pg_catalog.regclass, q pg_catalog.tsquery,
										  upto pg_catalog.int8)
RETURNS pg_catalog.int8
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET enable_seqscan = off
AS $covara$
DECLARE
	n pg_catalog.int8;
BEGIN
	EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t '
							  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1 LIMIT $2) AS m', index_table)
		INTO n USING q, upto;
	RETURN n;
END
$covara$;
COMMENT ON FUNCTION covara._search_count_upto(pg_catalog.regclass, pg_catalog.tsquery, pg_catalog.int8) IS
'internal: how many documents of the index table match the query, counting no further than upto, through its GIN index';

CREATE FUNCTION covara._search_tiered(idx pg_catalog.regclass, q pg_catalog.tsquery,
									  "limit" pg_catalog.int4, "offset" pg_catalog.int4)
RETURNS pg_catalog."char"
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	weight pg_catalog."char" := covara._search_impact_weight(idx);
	wanted pg_catalog.int8 := "limit"::pg_catalog.int8 OPERATOR(pg_catalog.+) COALESCE("offset", 0);
	few pg_catalog.int8 := 200 OPERATOR(pg_catalog.+) (2 OPERATOR(pg_catalog.*) wanted);
BEGIN
	IF weight IS NULL OR wanted IS NULL OR wanted OPERATOR(pg_catalog.=) 0
	   OR covara._search_tier_query(q, 1) IS NULL
	   OR covara._search_positive_terms(q) OPERATOR(pg_catalog.>) 1
		  AND (pg_catalog.strpos(q::pg_catalog.text, '&') OPERATOR(pg_catalog.>) 0
			   OR pg_catalog.strpos(q::pg_catalog.text, '<') OPERATOR(pg_catalog.>) 0) THEN
		RETURN NULL;
	END IF;
	IF covara._search_estimate(idx, q) OPERATOR(pg_catalog.<=) (10 OPERATOR(pg_catalog.*) few)
	   AND covara._search_count_upto(idx, q, few OPERATOR(pg_catalog.+) 1) OPERATOR(pg_catalog.<=) few THEN
		RETURN NULL;
	END IF;
	RETURN weight;
END
$covara$;
COMMENT ON FUNCTION covara._search_tiered(pg_catalog.regclass, pg_catalog.tsquery, pg_catalog.int4, pg_catalog.int4) IS
'internal: the lowest weight of the index table''s impact index when search() should read its tiers for the query (one term or terms joined by OR, more than 200 + 2 * (limit + offset) matches), else NULL';

CREATE FUNCTION covara._search_ranked(idx pg_catalog.regclass, lang pg_catalog.regconfig,
									  hl_fields pg_catalog.jsonb, q pg_catalog.tsquery,
									  "limit" pg_catalog.int4, "offset" pg_catalog.int4,
									  weight pg_catalog."char")
RETURNS TABLE (doc_id pg_catalog.text, score pg_catalog.float4,
			   source pg_catalog.jsonb, headline pg_catalog.text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
-- A probe wants a few rows of a tier: a sequential scan would compute
-- search_impacts() for every row until it found them, or for all of them
-- when the tier holds fewer.
SET enable_seqscan = off
AS $covara$
DECLARE
	wanted pg_catalog.int8;
	tier pg_catalog.int4;
	next_tier pg_catalog.int4;
	step pg_catalog.int4;
	t pg_catalog.int4;
	lo pg_catalog.int4;
	hi pg_catalog.int4;
	n pg_catalog.int8;
	probe pg_catalog.text;
	ids pg_catalog.text[];
	kth pg_catalog.float4;
BEGIN
	-- The top tiers first.  Find the highest tier T whose documents (those
	-- with a term at tier T or above) hold "wanted" matches, counting no
	-- further than that (down in growing steps, then halving the gap), rank
	-- those documents, and stop when the last one wanted scores above T's
	-- floor: no document outside can score that high.  weight is NULL
	-- when the caller (_search_tiered) found the tiers not worth reading.
	IF weight IS NOT NULL THEN
		wanted := "limit"::pg_catalog.int8 OPERATOR(pg_catalog.+) COALESCE("offset", 0);
		-- at most "wanted" of the matches in tiers >= $2
		probe := pg_catalog.format(
			'SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t '
			' WHERE covara.search_impacts(t.search_vector, %L::pg_catalog."char") OPERATOR(pg_catalog.@@) $2 '
			'   AND (t.search_vector OPERATOR(pg_catalog.@@) $1) IS TRUE LIMIT $3) AS m', idx, weight);
		hi := covara._search_tiers(weight) OPERATOR(pg_catalog.+) 1;	-- too few at hi and above
		tier := hi OPERATOR(pg_catalog.-) 1;
		step := 1;
		lo := NULL;												-- enough at lo and above
		LOOP
			EXECUTE probe INTO n USING q, covara._search_tier_query(q, tier), wanted;
			IF n OPERATOR(pg_catalog.>=) wanted THEN
				lo := tier;
				EXIT;
			END IF;
			hi := tier;
			EXIT WHEN tier OPERATOR(pg_catalog.=) 1;
			tier := pg_catalog.int4larger(tier OPERATOR(pg_catalog.-) step, 1);
			step := step OPERATOR(pg_catalog.*) 2;
		END LOOP;
		WHILE lo IS NOT NULL AND hi OPERATOR(pg_catalog.-) lo OPERATOR(pg_catalog.>) 1 LOOP
			tier := (lo OPERATOR(pg_catalog.+) hi) OPERATOR(pg_catalog./) 2;
			EXECUTE probe INTO n USING q, covara._search_tier_query(q, tier), wanted;
			IF n OPERATOR(pg_catalog.>=) wanted THEN
				lo := tier;
			ELSE
				hi := tier;
			END IF;
		END LOOP;
		tier := lo;
		WHILE tier IS NOT NULL LOOP
			EXECUTE pg_catalog.format(
				'SELECT pg_catalog.array_agg(r.doc_id ORDER BY r.s DESC, r.doc_id), '
				'       CASE WHEN pg_catalog.count(*) OPERATOR(pg_catalog.=) $3 THEN pg_catalog.min(r.s) END '
				'  FROM (SELECT t.doc_id, covara.search_score(t.search_vector, $1) AS s '
				'          FROM %s AS t '
				'         WHERE covara.search_impacts(t.search_vector, %L::pg_catalog."char") OPERATOR(pg_catalog.@@) $2 '
				'           AND (t.search_vector OPERATOR(pg_catalog.@@) $1) IS TRUE '
				'         ORDER BY 2 DESC, 1 '
				'         LIMIT $3) AS r', idx, weight)
				INTO ids, kth USING q, covara._search_tier_query(q, tier), wanted;
			IF kth OPERATOR(pg_catalog.>) (covara._search_tier_floor(weight, tier) OPERATOR(pg_catalog.*) 1.000001) THEN
				RETURN QUERY EXECUTE pg_catalog.format(
					'SELECT t.doc_id, covara.search_score(t.search_vector, $3), t.source, '
					'       pg_catalog.ts_headline($1, CASE WHEN covara.search_text(t.source, $2) OPERATOR(pg_catalog.<>) '''' '
					'                                       THEN covara.search_text(t.source, $2) '
					'                                       ELSE covara.search_text(t.source, NULL) END, $3) '
					'  FROM pg_catalog.unnest($4) WITH ORDINALITY AS x(id, n) '
					'  JOIN %s AS t ON t.doc_id OPERATOR(pg_catalog.=) x.id '
					' WHERE x.n OPERATOR(pg_catalog.>) $5 '
					' ORDER BY x.n', idx)
					USING lang, hl_fields, q, ids, COALESCE("offset", 0);
				RETURN;
			END IF;
			-- the last one is too low: the highest tier whose floor it
			-- beats holds the answer, since its documents include these
			-- and so its last one scores at least as high (every
			-- statement of this STABLE function sees one snapshot)
			next_tier := NULL;
			IF kth IS NOT NULL THEN
				FOR t IN REVERSE tier OPERATOR(pg_catalog.-) 1 .. 1 LOOP
					IF kth OPERATOR(pg_catalog.>) (covara._search_tier_floor(weight, t) OPERATOR(pg_catalog.*) 1.000001) THEN
						next_tier := t;
						EXIT;
					END IF;
				END LOOP;
			END IF;
			tier := next_tier;	-- none: rank every match
		END LOOP;
	END IF;

	-- every match, ranked
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT r.doc_id, r.score, r.source, '
		'       pg_catalog.ts_headline($1, CASE WHEN covara.search_text(r.source, $2) OPERATOR(pg_catalog.<>) '''' '
		'                                       THEN covara.search_text(r.source, $2) '
		'                                       ELSE covara.search_text(r.source, NULL) END, $3) '
		'  FROM (SELECT t.doc_id, t.source, covara.search_score(t.search_vector, $3) AS score '
		'          FROM %s AS t '
		'         WHERE t.search_vector OPERATOR(pg_catalog.@@) $3 '
		'         ORDER BY 3 DESC, 1 '
		'         LIMIT $4 OFFSET $5) AS r '
		' ORDER BY r.score DESC, r.doc_id', idx)
		USING lang, hl_fields, q, "limit", COALESCE("offset", 0);
END
$covara$;
COMMENT ON FUNCTION covara._search_ranked(pg_catalog.regclass, pg_catalog.regconfig, pg_catalog.jsonb, pg_catalog.tsquery, pg_catalog.int4, pg_catalog.int4, pg_catalog."char") IS
'internal: search()''s rows for a parsed query on an index table: the top impact tiers first (weight: the impact index''s lowest weight, from _search_tiered), else (NULL) every match ranked';

DROP FUNCTION covara.search(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.int4);
CREATE FUNCTION covara.search(index_name pg_catalog.text,
							  query pg_catalog.text,
							  "limit" pg_catalog.int4 DEFAULT 20,
							  "offset" pg_catalog.int4 DEFAULT 0,
							  prefix pg_catalog.bool DEFAULT false,
							  fuzzy pg_catalog.bool DEFAULT false)
RETURNS TABLE (doc_id pg_catalog.text, score pg_catalog.float4,
			   source pg_catalog.jsonb, headline pg_catalog.text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	args pg_catalog.text[];
	lang pg_catalog.regconfig;
	hl_fields pg_catalog.jsonb;
	q pg_catalog.tsquery;
	fixed pg_catalog.tsquery;
	term pg_catalog.text;
	better pg_catalog.text;
	n pg_catalog.int8;
BEGIN
	IF "limit" OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'limit must not be negative' USING ERRCODE = 'invalid_row_count_in_limit_clause',
			HINT = 'Pass how many rows to return, or NULL for all.';
	END IF;
	IF "offset" OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'offset must not be negative' USING ERRCODE = 'invalid_row_count_in_result_offset_clause',
			HINT = 'Pass how many rows to skip.';
	END IF;
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN;
	END IF;
	SELECT covara.trigger_arguments(t.oid) INTO args
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) idx
	   AND t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name);
	lang := args[2]::pg_catalog.regconfig;
	-- headline text: the index's fields, then those of its attached tables,
	-- each path once
	SELECT pg_catalog.jsonb_agg(d.spec ORDER BY d.src, d.i) INTO hl_fields
	  FROM (SELECT DISTINCT ON (pg_catalog.regexp_replace(f.spec, ':[A-Da-d]$', ''))
				   f.spec, f.src, f.i
	  FROM (SELECT 0::pg_catalog.oid AS src, a.i, pg_catalog.substr(a.arg, 8) AS spec
			  FROM pg_catalog.unnest(args[3:]) WITH ORDINALITY AS a(arg, i)
			 WHERE pg_catalog.starts_with(a.arg, 'source.')
			UNION ALL
			SELECT s.source::pg_catalog.oid, a.i, a.arg
			  FROM covara._search_sources(idx) s,
				   LATERAL pg_catalog.unnest(s.args[5:]) WITH ORDINALITY AS a(arg, i)
			 WHERE a.arg OPERATOR(pg_catalog.!~) '^[a-z_]+=') AS f
			 ORDER BY pg_catalog.regexp_replace(f.spec, ':[A-Da-d]$', ''), f.src, f.i) AS d;
	q := covara._search_query(lang, query, prefix);
	IF q IS NULL THEN
		RETURN;
	END IF;

	RETURN QUERY SELECT * FROM covara._search_ranked(idx, lang, hl_fields, q, "limit", "offset",
													covara._search_tiered(idx, q, "limit", "offset"));
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n OPERATOR(pg_catalog.>) 0 OR NOT fuzzy THEN
		RETURN;
	END IF;
	-- Nothing found: each word no document holds becomes the index's
	-- nearest word (covara.search_suggest), and the query runs once more.
	fixed := q;
	FOREACH term IN ARRAY covara._search_query_terms(q) LOOP
		CONTINUE WHEN covara._search_has_term(idx, term);
		SELECT s.suggestion INTO better
		  FROM covara._search_suggestions(idx, term, 1) s
		 WHERE s.distance OPERATOR(pg_catalog.>) 0;
		IF better IS NOT NULL THEN
			fixed := pg_catalog.ts_rewrite(fixed, covara._search_term_query(term), covara._search_term_query(better));
		END IF;
	END LOOP;
	IF fixed OPERATOR(pg_catalog.<>) q THEN
		RETURN QUERY SELECT * FROM covara._search_ranked(idx, lang, hl_fields, fixed, "limit", "offset",
														covara._search_tiered(idx, fixed, "limit", "offset"));
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara.search(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.bool, pg_catalog.bool) IS
'searches an index with websearch_to_tsquery in its language (prefix: the last word matches as a prefix, for search as you type; fuzzy: when nothing matches, each word no document holds is replaced by the index''s nearest word and the search runs again): (doc_id, score, source, headline), best first by covara.search_score (ts_rank for one term; for several the mean of their one-term ranks; ties by doc_id), at most limit rows (NULL: all) after offset; reads only the top impact tiers when the index has its <table>_impact_idx; a blank query returns no rows; the headline (ts_headline) is over the fields of the index and of its attached tables';

CREATE OR REPLACE FUNCTION covara.search_count(index_name pg_catalog.text, query pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	lang pg_catalog.regconfig;
	q pg_catalog.tsquery;
	n pg_catalog.int8;
BEGIN
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN 0;
	END IF;
	lang := covara._search_language(idx, index_name);
	q := covara._search_query(lang, query, false);
	IF q IS NULL THEN
		RETURN 0;
	END IF;
	EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s AS t '
							  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1', idx)
		INTO n USING q;
	RETURN n;
END
$covara$;
COMMENT ON FUNCTION covara.search_count(pg_catalog.text, pg_catalog.text) IS
'how many documents of the index match the query (websearch_to_tsquery in the index''s language), counting every match (search_count(index, query, exact_up_to) stops early); 0 for a blank query';


CREATE FUNCTION covara.search_count(index_name pg_catalog.text, query pg_catalog.text,
									exact_up_to pg_catalog.int8)
RETURNS TABLE (count pg_catalog.int8, exact pg_catalog.bool)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(index_name);
	lang pg_catalog.regconfig;
	q pg_catalog.tsquery;
	n pg_catalog.int8;
	est pg_catalog.float8;
BEGIN
	IF exact_up_to IS NULL OR exact_up_to OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'exact_up_to must be zero or more, not %', COALESCE(exact_up_to::pg_catalog.text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass how many matches to count exactly before estimating, e.g. 1000; covara.search_count(index, query) counts every match.';
	END IF;
	IF query IS NULL OR query OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RETURN QUERY SELECT 0::pg_catalog.int8, true;
		RETURN;
	END IF;
	lang := covara._search_language(idx, index_name);
	q := covara._search_query(lang, query, false);
	IF q IS NULL THEN
		RETURN QUERY SELECT 0::pg_catalog.int8, true;
		RETURN;
	END IF;
	-- exact while there are at most exact_up_to matches: stop at the next
	-- one (the planner's way when it expects far more, and rightly so for a
	-- word it knows is frequent: the table holds them densely; else through
	-- GIN, for a word that may not be there at all)
	est := covara._search_estimate(idx, q);
	IF est OPERATOR(pg_catalog.>) (10 OPERATOR(pg_catalog.*) (exact_up_to OPERATOR(pg_catalog.+) 1)) THEN
		EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t '
								  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1 LIMIT $2) AS m', idx)
			INTO n USING q, exact_up_to OPERATOR(pg_catalog.+) 1;
	ELSE
		n := covara._search_count_upto(idx, q, exact_up_to OPERATOR(pg_catalog.+) 1);
	END IF;
	IF n OPERATOR(pg_catalog.<=) exact_up_to THEN
		RETURN QUERY SELECT n, true;
		RETURN;
	END IF;
	-- beyond: the planner's estimate from the index table's statistics
	-- (ANALYZE), never below what was counted
	RETURN QUERY SELECT pg_catalog.max(x), false
				   FROM pg_catalog.unnest(ARRAY[n, pg_catalog.round(est)::pg_catalog.int8]) AS x;
END
$covara$;
COMMENT ON FUNCTION covara.search_count(pg_catalog.text, pg_catalog.text, pg_catalog.int8) IS
'how many documents match the query, cheaply: (count, exact); the exact count while it is at most exact_up_to, else the planner''s estimate (from ANALYZE''s statistics of the index table, at least exact_up_to + 1) with exact false';
