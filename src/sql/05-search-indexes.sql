/* ---- 05-search-indexes.sql: create, attach, detach and drop search indexes ---- */

/*
 * The search index <name> of schema nsp when it exists: its table when it
 * is exactly the index with these table and trigger arguments, NULL when
 * there is none; another index of that name is refused, and so is a table
 * of its name that a transaction committed after this one's snapshot was
 * taken (under REPEATABLE READ or SERIALIZABLE: retry).
 */
CREATE FUNCTION covara._search_index_existing(nsp pg_catalog.text, name pg_catalog.text,
											  tbl pg_catalog.text, args pg_catalog.text[])
RETURNS pg_catalog.regclass
LANGUAGE plpgsql STABLE
AS $covara$
DECLARE
	tg pg_catalog.text := 'covara_index_' OPERATOR(pg_catalog.||) name;
	old_rel pg_catalog.regclass;
	old_args pg_catalog.text[];
BEGIN
	SELECT t.tgrelid::pg_catalog.regclass, covara.trigger_arguments(t.oid)
	  INTO old_rel, old_args
	  FROM pg_catalog.pg_trigger t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE t.tgname OPERATOR(pg_catalog.=) tg
	   AND t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
	   AND c.relkind OPERATOR(pg_catalog.=) 'r'
	   AND n.nspname OPERATOR(pg_catalog.=) nsp;
	IF old_rel IS NULL THEN
		old_rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl));
		IF old_rel IS NOT NULL AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
											   WHERE c.oid OPERATOR(pg_catalog.=) old_rel) THEN
			RAISE EXCEPTION 'could not create search index "%" in schema "%": a concurrent transaction made table %', name, nsp, old_rel
				USING ERRCODE = 'serialization_failure',
					  DETAIL = pg_catalog.format('This transaction''s snapshot (%s) cannot see it.',
												 pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
					  HINT = 'Retry the transaction.';
		END IF;
		RETURN NULL;
	END IF;
	IF old_args OPERATOR(pg_catalog.=) args
	   AND old_rel OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl)) THEN
		RETURN old_rel;
	END IF;
	RAISE EXCEPTION 'search index "%" already exists in schema "%" with other settings', name, nsp
		USING ERRCODE = 'duplicate_object',
			  DETAIL = pg_catalog.format('Its table is %s; its trigger %I has the arguments %s.', old_rel, tg, old_args),
			  HINT = 'Drop it with covara.drop_search_index() first, or use another name.';
END
$covara$;
COMMENT ON FUNCTION covara._search_index_existing(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[]) IS
'internal: the table of search index name in schema nsp when it has exactly that table and trigger arguments, NULL when there is no such index; raises duplicate_object for one with other settings';

CREATE FUNCTION covara.create_search_index(name pg_catalog.text,
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

/*
 * The table whose trigger a trigger on a partition was cloned from, at the
 * top of the chain (the table attach_search was called on).
 */
CREATE FUNCTION covara.search_root_trigger_table(trigger_oid pg_catalog.oid)
RETURNS pg_catalog.regclass
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	WITH RECURSIVE chain(tgrelid, tgparentid) AS (
		SELECT t.tgrelid, t.tgparentid
		  FROM pg_catalog.pg_trigger t
		 WHERE t.oid OPERATOR(pg_catalog.=) trigger_oid
		UNION ALL
		SELECT p.tgrelid, p.tgparentid
		  FROM chain c
		  JOIN pg_catalog.pg_trigger p ON p.oid OPERATOR(pg_catalog.=) c.tgparentid
	)
	SELECT c.tgrelid::pg_catalog.regclass FROM chain c
	 WHERE c.tgparentid OPERATOR(pg_catalog.=) 0;
END;
COMMENT ON FUNCTION covara.search_root_trigger_table(pg_catalog.oid) IS
'internal: the table carrying the trigger that a trigger on a partition was cloned from (the top of its tgparentid chain); NULL when there is no such trigger';

CREATE FUNCTION covara.attach_search(source pg_catalog.regclass,
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

CREATE FUNCTION covara.detach_search(source pg_catalog.regclass, index_name pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	fn pg_catalog.oid;
	parent pg_catalog.oid;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'source must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM covara.search_check_name(index_name);
	SELECT t.tgfoid, t.tgparentid INTO fn, parent FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF fn OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
		RAISE EXCEPTION 'trigger "%" on table % is not covara''s', tg, source
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF parent OPERATOR(pg_catalog.<>) 0 THEN
		RAISE EXCEPTION 'table % is a partition of a table attached to search index "%"', source, index_name
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = pg_catalog.format('Its trigger %I is a clone of the trigger on partitioned table %s.',
											 tg, covara.search_root_trigger_table(parent)),
				  HINT = 'Detach the partitioned table instead; that detaches its partitions too.';
	END IF;
	EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', tg, source);
	RETURN true;
END
$covara$;
COMMENT ON FUNCTION covara.detach_search(pg_catalog.regclass, pg_catalog.text) IS
'removes the sync trigger covara_sync_<index> from the table; the documents already in the index stay; false when the table was not attached';

CREATE FUNCTION covara.drop_search_index(name pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass := covara.search_index_table(name);
	s pg_catalog.record;
BEGIN
	-- dropping a partitioned table's trigger drops its clones; triggers
	-- whose tables' owners may not write the index are not its sources
	FOR s IN SELECT * FROM covara._search_sources(idx) LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', s.trigger_name, s.source);
	END LOOP;
	EXECUTE pg_catalog.format('DROP TABLE %s', idx);
END
$covara$;
COMMENT ON FUNCTION covara.drop_search_index(pg_catalog.text) IS
'detaches every source table from the search index (those covara.search_indexes lists) and drops its table';

