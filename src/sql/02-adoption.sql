/* ---- 02-adoption.sql: the auth tables placed in the extension's schema, adopting the start-up migrator's ---- */

/*
 * Place each table in the extension's schema.  Where a table of that name
 * already exists there (made by covara's start-up migrator), check it
 * against the reference above and adopt it with its rows: the same columns
 * and types, nullability, primary key and indexes, and no default,
 * constraint, trigger, rule or row-level security that the contract does
 * not have.  Any difference stops CREATE EXTENSION with a message naming
 * it, and nothing is changed.  Adopted indexes and primary keys get the
 * names drizzle-kit expects.
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
				pg_catalog.quote_ident(r.relowner::pg_catalog.regrole::pg_catalog.text)
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
								  FROM pg_catalog.unnest(problems) WITH ORDINALITY AS p(t, n)),
					  HINT = 'CREATE EXTENSION covara adopts tables made by covara''s start-up migrator only when their shape matches the contract. Fix the differences, or rename the table out of the way, and try again.';
		END IF;
	END LOOP;

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
			 * Remember which roles could read or write the table, to tell the
			 * caller how to give that back (never to PUBLIC, and never the
			 * owner's TRIGGER, TRUNCATE or REFERENCES).
			 */
			SELECT pg_catalog.array_agg(pg_catalog.format('GRANT %s ON TABLE %I.%I TO %I;',
						g.privs, ext_nspname, tbl, g.grantee) ORDER BY g.grantee)
			  INTO grants
			  FROM (SELECT a.grantee::pg_catalog.regrole::pg_catalog.text AS grantee,
						   pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs
					  FROM pg_catalog.pg_class c,
						   LATERAL pg_catalog.aclexplode(COALESCE(c.relacl,
									pg_catalog.acldefault('r', c.relowner))) a
					 WHERE c.oid OPERATOR(pg_catalog.=) old_rel
					   AND a.grantee OPERATOR(pg_catalog.<>) 0
					   AND a.privilege_type OPERATOR(pg_catalog.=) ANY ('{SELECT,INSERT,UPDATE,DELETE}')
					   AND a.grantee OPERATOR(pg_catalog.<>)
						   (SELECT u.oid FROM pg_catalog.pg_roles u
							 WHERE u.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
					 GROUP BY a.grantee) g;
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
					 ELSE pg_catalog.quote_ident(s.grantee::pg_catalog.regrole::pg_catalog.text) END);
		END LOOP;
		FOR s IN
			SELECT DISTINCT a.attname, x.grantee
			  FROM pg_catalog.pg_attribute a,
				   LATERAL pg_catalog.aclexplode(a.attacl) x
			 WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.format('%I.%I', ext_nspname, tbl)::pg_catalog.regclass
		LOOP
			EXECUTE pg_catalog.format('REVOKE ALL (%I) ON TABLE %I.%I FROM %s CASCADE', s.attname, ext_nspname, tbl,
				CASE WHEN s.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					 ELSE pg_catalog.quote_ident(s.grantee::pg_catalog.regrole::pg_catalog.text) END);
		END LOOP;

		-- pg_dump keeps the rows of these tables (their definitions come from
		-- CREATE EXTENSION)
		PERFORM pg_catalog.pg_extension_config_dump(
			pg_catalog.format('%I.%I', ext_nspname, tbl)::pg_catalog.regclass, '');
	END LOOP;

	/*
	 * CREATE EXTENSION hides notices from its script, so the removal of other
	 * roles' privileges, which needs the caller to act, is a warning.
	 */
	IF pg_catalog.cardinality(regrants) OPERATOR(pg_catalog.>) 0 THEN
		RAISE WARNING 'covara adopted % and removed the privileges other roles had on them',
			pg_catalog.array_to_string(adopted, ', ')
			USING DETAIL = 'The adopted tables now belong to the extension and its owner, as a fresh install''s do, so that pg_dump and restore keep them as they are.',
				  HINT = 'Give the privileges back in the same transaction: '
						 OPERATOR(pg_catalog.||) pg_catalog.array_to_string(regrants, ' ');
	END IF;
END
$covara_place_tables$;

COMMENT ON TABLE @extschema@.auth_sessions IS 'covara sessions: one row per session id, valid while "expiresAt" (UTC) is in the future';
COMMENT ON TABLE @extschema@.auth_accounts IS 'covara linked OAuth/OIDC accounts (Auth.js shape)';
COMMENT ON TABLE @extschema@.auth_api_keys IS 'covara API keys: only the SHA-256 of each key is stored, in "keyHash"';
COMMENT ON TABLE @extschema@.auth_verification_tokens IS 'covara single-use verification tokens (e-mail, magic link, reset), stored hashed';

