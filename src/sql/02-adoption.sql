/* ---- 02-adoption.sql: the auth tables placed in the extension's schema, adopting the start-up migrator's ---- */

/*
 * Place each table in the extension's schema.  Where a table of that name
 * already exists there (made by covara's start-up migrator), check it
 * against the reference above and adopt it with its rows: the same columns
 * and types, nullability, primary key and indexes, and no default,
 * constraint, trigger, rule or row-level security that the contract does
 * not have; and no object of another role that depends on it (a foreign
 * key, view, rule, policy, trigger, function, column or publication).  Any
 * difference stops CREATE EXTENSION with a message naming it, and nothing
 * is changed.  Adopted indexes and primary keys get the names drizzle-kit
 * expects.
 *
 * Every table ends owned by the extension's owner with privileges for that
 * owner only, whether fresh or adopted, so that pg_dump records nothing
 * that a restore (which creates the tables afresh) would lose.
 */
DO $covara_place_tables$
DECLARE
	ext_nsp		pg_catalog.oid;
	ext_nspname pg_catalog.text;
	ref_nsp		pg_catalog.oid;
	tbl			pg_catalog.text;
	ref_rel		pg_catalog.oid;
	old_rel		pg_catalog.oid;
	problems	pg_catalog.text[];
	grants		pg_catalog.text[];
	regrants	pg_catalog.text[] := '{}';
	adopted		pg_catalog.text[] := '{}';
	dependents	pg_catalog.text[] := '{}';
	r			pg_catalog.record;
	s			pg_catalog.record;
BEGIN
	SELECT e.extnamespace, n.nspname INTO ext_nsp, ext_nspname
	  FROM pg_catalog.pg_extension e
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
	 WHERE e.extname OPERATOR(pg_catalog.=) 'covara';
	SELECT n.oid INTO ref_nsp FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'covara';

	-- First check every existing table, so that nothing changes unless all pass.
	FOREACH tbl IN ARRAY ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys',
							   'auth_verification_tokens']
	LOOP
		SELECT c.oid INTO old_rel FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) ext_nsp
		   AND c.relname OPERATOR(pg_catalog.=) tbl;
		CONTINUE WHEN old_rel IS NULL;
		-- nothing may come to depend on it between these checks and its
		-- adoption (a foreign key, a view, a function all lock it first)
		EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', old_rel::pg_catalog.regclass);

		SELECT c.oid INTO ref_rel FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) ref_nsp
		   AND c.relname OPERATOR(pg_catalog.=) tbl;
		problems := '{}';

		-- what kind of relation, and who may hand it over
		SELECT c.relkind, c.relowner, c.relispartition, c.relrowsecurity,
			   c.relforcerowsecurity, c.relhasrules, c.relpersistence,
			   a.amname
		  INTO r FROM pg_catalog.pg_class c
		  LEFT JOIN pg_catalog.pg_am a ON a.oid OPERATOR(pg_catalog.=) c.relam
		 WHERE c.oid OPERATOR(pg_catalog.=) old_rel;
		IF r.relkind OPERATOR(pg_catalog.<>) 'r' OR r.relispartition THEN
			RAISE EXCEPTION 'cannot adopt existing table %.%: it differs from covara''s definition',
				pg_catalog.quote_ident(ext_nspname), pg_catalog.quote_ident(tbl)
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = pg_catalog.format('It is not a plain table (relkind %s%s).', r.relkind,
									CASE WHEN r.relispartition THEN ', a partition' ELSE '' END),
					  HINT = 'Rename it out of the way and try again.';
		END IF;
		IF r.relpersistence OPERATOR(pg_catalog.<>) 'p' THEN
			problems := problems OPERATOR(pg_catalog.||)
				'it is not a permanent (logged) table'::pg_catalog.text;
		END IF;
		IF r.amname OPERATOR(pg_catalog.<>) 'heap' THEN
			problems := problems OPERATOR(pg_catalog.||)
				pg_catalog.format('it uses table access method %s, not heap', r.amname);
		END IF;
		IF NOT pg_catalog.pg_has_role(r.relowner, 'USAGE') THEN
			RAISE EXCEPTION 'cannot adopt table %.%: it is owned by role %, whose privileges you do not have',
				pg_catalog.quote_ident(ext_nspname), pg_catalog.quote_ident(tbl),
				r.relowner::pg_catalog.regrole::pg_catalog.text
				USING ERRCODE = 'insufficient_privilege',
					  HINT = 'Run CREATE EXTENSION covara as that role''s member or as a superuser.';
		END IF;
		IF EXISTS (SELECT FROM pg_catalog.pg_depend d
				   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
					 AND d.objid OPERATOR(pg_catalog.=) old_rel
					 AND d.deptype OPERATOR(pg_catalog.=) 'e') THEN
			problems := problems OPERATOR(pg_catalog.||)
				'it already belongs to another extension'::pg_catalog.text;
		END IF;
		IF EXISTS (SELECT FROM pg_catalog.pg_inherits i
				   WHERE i.inhrelid OPERATOR(pg_catalog.=) old_rel
					  OR i.inhparent OPERATOR(pg_catalog.=) old_rel) THEN
			problems := problems OPERATOR(pg_catalog.||)
				'it takes part in table inheritance'::pg_catalog.text;
		END IF;
		IF r.relrowsecurity OR r.relforcerowsecurity OR EXISTS (
				SELECT FROM pg_catalog.pg_policy p
				 WHERE p.polrelid OPERATOR(pg_catalog.=) old_rel) THEN
			problems := problems OPERATOR(pg_catalog.||)
				'it has row-level security enabled or policies defined'::pg_catalog.text;
		END IF;

		-- columns: same names, types, collations and nullability; nothing extra
		FOR s IN
			WITH o AS (
				SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typ,
					   a.attnotnull, a.attcollation, a.atthasdef, a.attidentity,
					   a.attgenerated
				  FROM pg_catalog.pg_attribute a
				 WHERE a.attrelid OPERATOR(pg_catalog.=) old_rel
				   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped),
			n AS (
				SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typ,
					   a.attnotnull, a.attcollation
				  FROM pg_catalog.pg_attribute a
				 WHERE a.attrelid OPERATOR(pg_catalog.=) ref_rel
				   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
			SELECT CASE
					 WHEN o.attname IS NULL THEN
						pg_catalog.format('column %s is missing', pg_catalog.quote_ident(n.attname))
					 WHEN n.attname IS NULL THEN
						pg_catalog.format('column %s is not part of covara''s table', pg_catalog.quote_ident(o.attname))
					 WHEN o.typ OPERATOR(pg_catalog.<>) n.typ THEN
						pg_catalog.format('column %s has type %s, expected %s', pg_catalog.quote_ident(o.attname), o.typ, n.typ)
					 WHEN o.attnotnull OPERATOR(pg_catalog.<>) n.attnotnull THEN
						pg_catalog.format('column %s is %s, expected %s', pg_catalog.quote_ident(o.attname),
							CASE WHEN o.attnotnull THEN 'NOT NULL' ELSE 'nullable' END,
							CASE WHEN n.attnotnull THEN 'NOT NULL' ELSE 'nullable' END)
					 WHEN o.attcollation OPERATOR(pg_catalog.<>) n.attcollation THEN
						pg_catalog.format('column %s has collation %s, expected %s', pg_catalog.quote_ident(o.attname),
							o.attcollation::pg_catalog.regcollation, n.attcollation::pg_catalog.regcollation)
					 WHEN o.atthasdef OR o.attidentity OPERATOR(pg_catalog.<>) '' OR o.attgenerated OPERATOR(pg_catalog.<>) '' THEN
						pg_catalog.format('column %s has a default, identity or generation expression', pg_catalog.quote_ident(o.attname))
				   END AS problem
			  FROM o FULL JOIN n ON o.attname OPERATOR(pg_catalog.=) n.attname
			 ORDER BY COALESCE(n.attname, o.attname)
		LOOP
			IF s.problem IS NOT NULL THEN
				problems := problems OPERATOR(pg_catalog.||) s.problem;
			END IF;
		END LOOP;

		-- constraints: only the primary key and, from PostgreSQL 18, the
		-- columns' NOT NULL (nullability is checked above; a NOT NULL that
		-- is NOT VALID or NO INHERIT is not covara's)
		FOR s IN
			SELECT c.conname, c.contype FROM pg_catalog.pg_constraint c
			 WHERE c.conrelid OPERATOR(pg_catalog.=) old_rel
			   AND c.contype OPERATOR(pg_catalog.<>) 'p'
			   AND NOT (c.contype OPERATOR(pg_catalog.=) 'n' AND c.convalidated
						AND NOT c.connoinherit)
			 ORDER BY c.conname
		LOOP
			problems := problems OPERATOR(pg_catalog.||)
				pg_catalog.format('constraint %s is not part of covara''s table', pg_catalog.quote_ident(s.conname));
		END LOOP;

		-- indexes: each must match one of the reference's by definition
		FOR s IN
			WITH o AS (
				SELECT i.indexrelid, i.indisunique, i.indisprimary, i.indisvalid,
					   pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING .*$') AS def
				  FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) old_rel),
			n AS (
				SELECT i.indexrelid, i.indisunique, i.indisprimary,
					   pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING .*$') AS def
				  FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) ref_rel)
			SELECT o.indexrelid AS old_idx, n.indexrelid AS ref_idx, o.indisvalid,
				   n.def AS ref_def
			  FROM o FULL JOIN n
				ON o.def OPERATOR(pg_catalog.=) n.def
			   AND o.indisunique OPERATOR(pg_catalog.=) n.indisunique
			   AND o.indisprimary OPERATOR(pg_catalog.=) n.indisprimary
		LOOP
			IF s.old_idx IS NULL THEN
				problems := problems OPERATOR(pg_catalog.||)
					pg_catalog.format('index %s is missing (%s)',
						pg_catalog.quote_ident((SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.ref_idx)),
						pg_catalog.btrim(s.ref_def));
			ELSIF s.ref_idx IS NULL THEN
				problems := problems OPERATOR(pg_catalog.||)
					pg_catalog.format('index %s is not part of covara''s table',
						pg_catalog.quote_ident((SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.old_idx)));
			ELSIF NOT s.indisvalid THEN
				problems := problems OPERATOR(pg_catalog.||)
					pg_catalog.format('index %s is not valid',
						pg_catalog.quote_ident((SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.old_idx)));
			END IF;
		END LOOP;
		-- two existing indexes matching one reference index: the second is extra
		IF NOT EXISTS (SELECT FROM pg_catalog.unnest(problems) p(t)
					   WHERE p.t OPERATOR(pg_catalog.~) '^index ')
		   AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_index i
				 WHERE i.indrelid OPERATOR(pg_catalog.=) old_rel)
			   OPERATOR(pg_catalog.>)
			   (SELECT pg_catalog.count(*) FROM pg_catalog.pg_index i
				 WHERE i.indrelid OPERATOR(pg_catalog.=) ref_rel) THEN
			problems := problems OPERATOR(pg_catalog.||)
				'it has more indexes than covara''s table'::pg_catalog.text;
		END IF;

		/*
		 * Behaviour attached to the table.  Extended statistics count too:
		 * ANALYZE evaluates their expressions as the table's owner, which the
		 * adopted table's owner becomes.
		 */
		FOR s IN
			SELECT x.stxname FROM pg_catalog.pg_statistic_ext x
			 WHERE x.stxrelid OPERATOR(pg_catalog.=) old_rel
			 ORDER BY x.stxname
		LOOP
			problems := problems OPERATOR(pg_catalog.||)
				pg_catalog.format('statistics object %s is not part of covara''s table', pg_catalog.quote_ident(s.stxname));
		END LOOP;
		FOR s IN
			SELECT t.tgname FROM pg_catalog.pg_trigger t
			 WHERE t.tgrelid OPERATOR(pg_catalog.=) old_rel AND NOT t.tgisinternal
			 ORDER BY t.tgname
		LOOP
			problems := problems OPERATOR(pg_catalog.||)
				pg_catalog.format('trigger %s is not part of covara''s table', pg_catalog.quote_ident(s.tgname));
		END LOOP;
		FOR s IN
			SELECT w.rulename FROM pg_catalog.pg_rewrite w
			 WHERE w.ev_class OPERATOR(pg_catalog.=) old_rel
			 ORDER BY w.rulename
		LOOP
			problems := problems OPERATOR(pg_catalog.||)
				pg_catalog.format('rule %s is not part of covara''s table', pg_catalog.quote_ident(s.rulename));
		END LOOP;

		IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
			RAISE EXCEPTION 'cannot adopt existing table %.%: it differs from covara''s definition',
				pg_catalog.quote_ident(ext_nspname), pg_catalog.quote_ident(tbl)
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = (SELECT pg_catalog.string_agg(pg_catalog.upper(pg_catalog.left(p.t, 1))
											 OPERATOR(pg_catalog.||) pg_catalog.substr(p.t, 2)
											 OPERATOR(pg_catalog.||) '.', E'\n' ORDER BY p.n)
								  FROM (SELECT q.t, q.n FROM pg_catalog.unnest(problems) WITH ORDINALITY AS q(t, n)
										 WHERE q.n OPERATOR(pg_catalog.<=) 20
										UNION ALL
										SELECT pg_catalog.format('and %s more', pg_catalog.cardinality(problems) OPERATOR(pg_catalog.-) 20), 21
										 WHERE pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 20) p),
					  HINT = 'CREATE EXTENSION covara adopts tables made by covara''s start-up migrator only when their shape matches the contract. Fix the differences, or rename the table out of the way, and try again.';
		END IF;

		/*
		 * Objects outside the table that depend on it or on its row type: a
		 * foreign key referencing it, a view, a rule, policy or trigger of
		 * another table, a function (SQL-standard body, argument or result
		 * of its row type), a column of its row type, a publication that
		 * names it.  Another role's would keep a hold on the adopted table
		 * (a foreign key tells whether a session id exists and blocks
		 * revoke_session and DROP EXTENSION; the others read it or send its
		 * rows elsewhere), so only those of the role running CREATE
		 * EXTENSION, which becomes the owner, may stay, as it could make
		 * them on a fresh install.  Publications FOR ALL TABLES or FOR
		 * TABLES IN SCHEMA name no table (they would include a fresh
		 * install's tables just the same) and are no dependency.  Listed
		 * for every table, then refused at once below.
		 */
		FOR s IN
			WITH refs AS (
				SELECT DISTINCT d.classid, d.objid, d.objsubid
				  FROM pg_catalog.pg_depend d, pg_catalog.pg_class c
				 WHERE c.oid OPERATOR(pg_catalog.=) old_rel
				   AND d.deptype OPERATOR(pg_catalog.<>) 'i'	-- its row type, array type, TOAST table
				   AND ((d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
						 AND d.refobjid OPERATOR(pg_catalog.=) old_rel)
						OR (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
							AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY[c.reltype,
								(SELECT t.typarray FROM pg_catalog.pg_type t
								  WHERE t.oid OPERATOR(pg_catalog.=) c.reltype)])))),
			objs AS (
				SELECT dep.classid, dep.objid, dep.objsubid, k.on_rel, k.owner, k.what, k.verb
				  FROM refs dep,
					   LATERAL (SELECT
						CASE
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass THEN
							(SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
							(SELECT o.conrelid FROM pg_catalog.pg_constraint o WHERE o.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
							(SELECT g.tgrelid FROM pg_catalog.pg_trigger g WHERE g.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
							(SELECT w.ev_class FROM pg_catalog.pg_rewrite w WHERE w.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
							(SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass THEN
							(SELECT x.stxrelid FROM pg_catalog.pg_statistic_ext x WHERE x.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
							(SELECT a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid OPERATOR(pg_catalog.=) dep.objid)
						END AS on_rel,
						CASE
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass THEN
							(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
							(SELECT COALESCE(c.relowner, t.typowner) FROM pg_catalog.pg_constraint o
							   LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) o.conrelid
							   LEFT JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) o.contypid
							  WHERE o.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
							(SELECT c.relowner FROM pg_catalog.pg_trigger g
							   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) g.tgrelid
							  WHERE g.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
							(SELECT c.relowner FROM pg_catalog.pg_rewrite w
							   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) w.ev_class
							  WHERE w.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
							(SELECT c.relowner FROM pg_catalog.pg_policy p
							   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid
							  WHERE p.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass THEN
							(SELECT x.stxowner FROM pg_catalog.pg_statistic_ext x WHERE x.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
							(SELECT c.relowner FROM pg_catalog.pg_attrdef a
							   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.adrelid
							  WHERE a.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
							(SELECT f.proowner FROM pg_catalog.pg_proc f WHERE f.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass THEN
							(SELECT t.typowner FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass THEN
							(SELECT o.oprowner FROM pg_catalog.pg_operator o WHERE o.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_publication_rel'::pg_catalog.regclass THEN
							(SELECT b.pubowner FROM pg_catalog.pg_publication_rel pr
							   JOIN pg_catalog.pg_publication b ON b.oid OPERATOR(pg_catalog.=) pr.prpubid
							  WHERE pr.oid OPERATOR(pg_catalog.=) dep.objid)
						END AS owner,	-- NULL: an object without an owner (a cast ...), refused
						CASE
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_publication_rel'::pg_catalog.regclass THEN
							(SELECT 'publication ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(b.pubname)
							   FROM pg_catalog.pg_publication_rel pr
							   JOIN pg_catalog.pg_publication b ON b.oid OPERATOR(pg_catalog.=) pr.prpubid
							  WHERE pr.oid OPERATOR(pg_catalog.=) dep.objid)
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass
							  AND (SELECT o.contype FROM pg_catalog.pg_constraint o
									WHERE o.oid OPERATOR(pg_catalog.=) dep.objid) OPERATOR(pg_catalog.=) 'f' THEN
							'foreign key ' OPERATOR(pg_catalog.||)
							(pg_catalog.pg_identify_object(dep.classid, dep.objid, dep.objsubid)).identity
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
							  AND (SELECT w.rulename FROM pg_catalog.pg_rewrite w
									WHERE w.oid OPERATOR(pg_catalog.=) dep.objid) OPERATOR(pg_catalog.=) '_RETURN' THEN
							(SELECT i.type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) i.identity
							   FROM pg_catalog.pg_rewrite w,
									LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_class'::pg_catalog.regclass, w.ev_class, 0) i
							  WHERE w.oid OPERATOR(pg_catalog.=) dep.objid)
						 ELSE
							(SELECT i.type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) i.identity
							   FROM pg_catalog.pg_identify_object(dep.classid, dep.objid, dep.objsubid) i)
						END AS what,
						CASE
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_publication_rel'::pg_catalog.regclass THEN 'publishes'
						 WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass
							  AND (SELECT o.contype FROM pg_catalog.pg_constraint o
									WHERE o.oid OPERATOR(pg_catalog.=) dep.objid) OPERATOR(pg_catalog.=) 'f' THEN 'references'
						 ELSE 'depends on'
						END AS verb) k)
			SELECT o.what, o.owner, o.verb FROM objs o
			 WHERE (o.on_rel IS NULL OR o.on_rel OPERATOR(pg_catalog.<>) old_rel)	-- the table's own: checked above
			   AND (o.owner IS NULL OR o.owner OPERATOR(pg_catalog.<>) (SELECT u.oid FROM pg_catalog.pg_roles u
																	  WHERE u.rolname OPERATOR(pg_catalog.=) CURRENT_USER))
			 ORDER BY o.what
		LOOP
			dependents := dependents OPERATOR(pg_catalog.||)
				pg_catalog.format('%s%s %s %I.%I', s.what,
					CASE WHEN s.owner IS NULL THEN ','
						 ELSE ', owned by role ' OPERATOR(pg_catalog.||) s.owner::pg_catalog.regrole::pg_catalog.text OPERATOR(pg_catalog.||) ',' END,
					s.verb, ext_nspname, tbl);
		END LOOP;
	END LOOP;

	IF pg_catalog.cardinality(dependents) OPERATOR(pg_catalog.>) 0 THEN
		RAISE EXCEPTION 'cannot adopt the existing tables: objects of other roles depend on them'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = (SELECT pg_catalog.string_agg(pg_catalog.upper(pg_catalog.left(p.t, 1))
										 OPERATOR(pg_catalog.||) pg_catalog.substr(p.t, 2)
										 OPERATOR(pg_catalog.||) '.', E'\n' ORDER BY p.n)
							  FROM (SELECT q.t, q.n FROM pg_catalog.unnest(dependents) WITH ORDINALITY AS q(t, n)
									 WHERE q.n OPERATOR(pg_catalog.<=) 20
									UNION ALL
									SELECT pg_catalog.format('and %s more', pg_catalog.cardinality(dependents) OPERATOR(pg_catalog.-) 20), 21
									 WHERE pg_catalog.cardinality(dependents) OPERATOR(pg_catalog.>) 20) p),
				  HINT = 'Only the role running CREATE EXTENSION covara, which becomes the tables'' owner, may keep objects that depend on them, as on a fresh install. Drop these objects (or give them to that role with ALTER ... OWNER TO) and try again; once the tables are adopted, grant their owners what they need (REFERENCES, SELECT, ...) and create them again, in the same transaction.';
	END IF;

	-- Every table passed: move the fresh ones in and adopt the existing ones.
	FOREACH tbl IN ARRAY ARRAY['auth_sessions', 'auth_accounts', 'auth_api_keys',
							   'auth_verification_tokens']
	LOOP
		SELECT c.oid INTO old_rel FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) ext_nsp
		   AND c.relname OPERATOR(pg_catalog.=) tbl;
		SELECT c.oid INTO ref_rel FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) ref_nsp
		   AND c.relname OPERATOR(pg_catalog.=) tbl;

		IF old_rel IS NULL THEN
			EXECUTE pg_catalog.format('ALTER TABLE covara.%I SET SCHEMA %I', tbl, ext_nspname);
		ELSE
			-- give the adopted indexes and primary key the reference's names
			FOR s IN
				SELECT oi.relname AS old_name, ni.relname AS new_name, o.indisprimary
				  FROM pg_catalog.pg_index o
				  JOIN pg_catalog.pg_class oi ON oi.oid OPERATOR(pg_catalog.=) o.indexrelid
				  JOIN pg_catalog.pg_index n
					ON n.indrelid OPERATOR(pg_catalog.=) ref_rel
				   AND n.indisprimary OPERATOR(pg_catalog.=) o.indisprimary
				   AND n.indisunique OPERATOR(pg_catalog.=) o.indisunique
				   AND pg_catalog.substring(pg_catalog.pg_get_indexdef(n.indexrelid), ' USING .*$')
					   OPERATOR(pg_catalog.=)
					   pg_catalog.substring(pg_catalog.pg_get_indexdef(o.indexrelid), ' USING .*$')
				  JOIN pg_catalog.pg_class ni ON ni.oid OPERATOR(pg_catalog.=) n.indexrelid
				 WHERE o.indrelid OPERATOR(pg_catalog.=) old_rel
				   AND oi.relname OPERATOR(pg_catalog.<>) ni.relname
			LOOP
				IF s.indisprimary THEN
					EXECUTE pg_catalog.format('ALTER TABLE %I.%I RENAME CONSTRAINT %I TO %I',
											  ext_nspname, tbl, s.old_name, s.new_name);
				ELSE
					EXECUTE pg_catalog.format('ALTER INDEX %I.%I RENAME TO %I',
											  ext_nspname, s.old_name, s.new_name);
				END IF;
			END LOOP;

			/*
			 * Remember which roles could read or write the table or some of
			 * its columns, to tell the caller how to give that back (never to
			 * PUBLIC, and never the owner's TRIGGER, TRUNCATE or REFERENCES).
			 */
			SELECT pg_catalog.array_agg(g.stmt ORDER BY g.grantee, g.cols IS NOT NULL, g.stmt)
			  INTO grants
			  FROM (SELECT u.rolname AS grantee, NULL::pg_catalog.text AS cols,
						   pg_catalog.format('GRANT %s ON TABLE %I.%I TO %I;',
								pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type),
								ext_nspname, tbl, u.rolname) AS stmt
					  FROM pg_catalog.pg_class c,
						   LATERAL pg_catalog.aclexplode(COALESCE(c.relacl,
									pg_catalog.acldefault('r', c.relowner))) a,
						   pg_catalog.pg_roles u
					 WHERE c.oid OPERATOR(pg_catalog.=) old_rel
					   AND u.oid OPERATOR(pg_catalog.=) a.grantee
					   AND a.privilege_type OPERATOR(pg_catalog.=) ANY ('{SELECT,INSERT,UPDATE,DELETE}')
					   AND u.rolname OPERATOR(pg_catalog.<>) CURRENT_USER
					 GROUP BY u.rolname
					UNION ALL
					SELECT u.rolname, x.cols,
						   pg_catalog.format('GRANT %s (%s) ON TABLE %I.%I TO %I;',
								x.privilege_type, x.cols, ext_nspname, tbl, u.rolname)
					  FROM (SELECT p.grantee, p.privilege_type,
								   pg_catalog.string_agg(pg_catalog.quote_ident(att.attname), ', '
														 ORDER BY att.attnum) AS cols
							  FROM pg_catalog.pg_attribute att,
								   LATERAL pg_catalog.aclexplode(att.attacl) p
							 WHERE att.attrelid OPERATOR(pg_catalog.=) old_rel
							   AND p.privilege_type OPERATOR(pg_catalog.=) ANY ('{SELECT,INSERT,UPDATE}')
							 GROUP BY p.grantee, p.privilege_type) x,
						   pg_catalog.pg_roles u
					 WHERE u.oid OPERATOR(pg_catalog.=) x.grantee
					   AND u.rolname OPERATOR(pg_catalog.<>) CURRENT_USER) g;
			regrants := regrants OPERATOR(pg_catalog.||) COALESCE(grants, '{}');

			EXECUTE pg_catalog.format('ALTER TABLE %I.%I OWNER TO CURRENT_USER', ext_nspname, tbl);
			EXECUTE pg_catalog.format('DROP TABLE covara.%I', tbl);
			EXECUTE pg_catalog.format('ALTER EXTENSION covara ADD TABLE %I.%I', ext_nspname, tbl);
			adopted := adopted OPERATOR(pg_catalog.||)
				pg_catalog.format('%I.%I', ext_nspname, tbl);
		END IF;

		-- owner-only privileges, for fresh and adopted tables alike
		FOR s IN
			SELECT DISTINCT a.grantee
			  FROM pg_catalog.pg_class c,
				   LATERAL pg_catalog.aclexplode(c.relacl) a
			 WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.format('%I.%I', ext_nspname, tbl)::pg_catalog.regclass
			   AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
		LOOP
			EXECUTE pg_catalog.format('REVOKE ALL ON TABLE %I.%I FROM %s CASCADE', ext_nspname, tbl,
				CASE WHEN s.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					 ELSE s.grantee::pg_catalog.regrole::pg_catalog.text END);
		END LOOP;
		FOR s IN
			SELECT DISTINCT a.attname, x.grantee
			  FROM pg_catalog.pg_attribute a,
				   LATERAL pg_catalog.aclexplode(a.attacl) x
			 WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.format('%I.%I', ext_nspname, tbl)::pg_catalog.regclass
		LOOP
			EXECUTE pg_catalog.format('REVOKE ALL (%I) ON TABLE %I.%I FROM %s CASCADE', s.attname, ext_nspname, tbl,
				CASE WHEN s.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					 ELSE s.grantee::pg_catalog.regrole::pg_catalog.text END);
		END LOOP;

		-- pg_dump keeps the rows of these tables (their definitions come from
		-- CREATE EXTENSION)
		PERFORM pg_catalog.pg_extension_config_dump(
			pg_catalog.format('%I.%I', ext_nspname, tbl)::pg_catalog.regclass, '');
	END LOOP;

	/*
	 * CREATE EXTENSION hides notices from its script, so the removal of other
	 * roles' privileges, which needs the caller to act, is a warning.  Like
	 * the lists of differences above (every name in them is at most 63
	 * bytes), it quotes at most 20 items, then says how many more, so that
	 * a database with thousands never makes a huge message.
	 */
	IF pg_catalog.cardinality(regrants) OPERATOR(pg_catalog.>) 0 THEN
		RAISE WARNING 'covara adopted % and removed the privileges other roles had on them',
			pg_catalog.array_to_string(adopted, ', ')
			USING DETAIL = 'The adopted tables now belong to the extension and its owner, as a fresh install''s do, so that pg_dump and restore keep them as they are.',
				  HINT = 'Give the privileges back in the same transaction: '
						 OPERATOR(pg_catalog.||) pg_catalog.array_to_string(regrants[1:20], ' ')
						 OPERATOR(pg_catalog.||)
						 CASE WHEN pg_catalog.cardinality(regrants) OPERATOR(pg_catalog.>) 20 THEN
							pg_catalog.format(' ... and %s more (roll back, note the privileges the tables have, and give them back after CREATE EXTENSION).',
											  pg_catalog.cardinality(regrants) OPERATOR(pg_catalog.-) 20)
						 ELSE '' END;
	END IF;
END
$covara_place_tables$;

COMMENT ON TABLE @extschema@.auth_sessions IS 'covara sessions: one row per session id, valid while "expiresAt" (UTC) is in the future';
COMMENT ON TABLE @extschema@.auth_accounts IS 'covara linked OAuth/OIDC accounts (Auth.js shape)';
COMMENT ON TABLE @extschema@.auth_api_keys IS 'covara API keys: only the SHA-256 of each key is stored, in "keyHash"';
COMMENT ON TABLE @extschema@.auth_verification_tokens IS 'covara single-use verification tokens (e-mail, magic link, reset), stored hashed';

