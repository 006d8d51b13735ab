/* covara--0.7.0.sql: install script for covara 0.7.0 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION covara" to load this file. \quit

/*
 * A fresh CREATE EXTENSION covara runs this script alone.  It creates what
 * covara--0.1.0.sql and the upgrade scripts up to covara--0.6.0--0.7.0.sql
 * create together (test/tap/upgrade_paths.sh proves that both ways end
 * with the same objects), in four parts: the auth tables and token
 * functions, search, seeding and pools, the auth flows.  Only this script
 * adopts existing tables with the checks of 0.6.0 (unlogged tables, other
 * access methods and extended statistics are refused; DETAIL lines are
 * sentences) and of 0.7.0 (PostgreSQL 18 records NOT NULL as constraints:
 * those are the columns' nullability, checked column by column, unless
 * NOT VALID or NO INHERIT).
 */

/* ---- the auth tables and the token functions (covara 0.1.0) ---- */

/*
 * covara keeps its functions in schema covara and its four auth tables in
 * the extension's schema (public for a plain CREATE EXTENSION covara).
 */
DO $covara_preflight$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace n
			   WHERE n.nspname OPERATOR(pg_catalog.=) 'covara') THEN
		RAISE EXCEPTION 'schema "covara" already exists'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'covara creates schema covara for its functions and owns it.',
				  HINT = 'Drop or rename the existing schema covara; to put covara''s tables in a schema of your own, use CREATE EXTENSION covara SCHEMA <name> with another name.';
	END IF;
END
$covara_preflight$;

CREATE SCHEMA covara;
COMMENT ON SCHEMA covara IS 'covara: token, search, seed and auth functions (the auth tables live in the extension''s schema)';
GRANT USAGE ON SCHEMA covara TO PUBLIC;

/*
 * The four auth tables, exactly as covara's Drizzle definitions describe
 * them (names, types, nullability, key and index names), and nothing more:
 * drizzle-kit turns any other difference into statements that fail on an
 * extension's objects.
 *
 * They are created in schema covara first and then either moved into the
 * extension's schema or, when covara's start-up migrator already made that
 * table there, used as the reference the existing table is checked against
 * before it is adopted (see the next block).
 */
CREATE TABLE covara.auth_sessions (
	id pg_catalog.text NOT NULL,
	"userId" pg_catalog.text NOT NULL,
	"createdAt" pg_catalog.timestamp NOT NULL,
	"expiresAt" pg_catalog.timestamp NOT NULL,
	data pg_catalog.text,
	CONSTRAINT auth_sessions_pkey PRIMARY KEY (id)
);
CREATE INDEX "auth_session_userId_idx" ON covara.auth_sessions USING btree ("userId");
CREATE INDEX "auth_session_expiresAt_idx" ON covara.auth_sessions USING btree ("expiresAt");

CREATE TABLE covara.auth_accounts (
	"userId" pg_catalog.text NOT NULL,
	type pg_catalog.text NOT NULL,
	provider pg_catalog.text NOT NULL,
	"providerAccountId" pg_catalog.text NOT NULL,
	refresh_token pg_catalog.text,
	access_token pg_catalog.text,
	expires_at pg_catalog.timestamp,
	token_type pg_catalog.text,
	scope pg_catalog.text,
	id_token pg_catalog.text,
	session_state pg_catalog.text,
	CONSTRAINT "auth_accounts_provider_providerAccountId_pk" PRIMARY KEY (provider, "providerAccountId")
);
CREATE INDEX "auth_account_userId_idx" ON covara.auth_accounts USING btree ("userId");

CREATE TABLE covara.auth_api_keys (
	id pg_catalog.text NOT NULL,
	"userId" pg_catalog.text NOT NULL,
	name pg_catalog.text NOT NULL,
	"keyHash" pg_catalog.text NOT NULL,
	"keyPrefix" pg_catalog.text NOT NULL,
	scopes pg_catalog.jsonb,
	"createdAt" pg_catalog.timestamp NOT NULL,
	"expiresAt" pg_catalog.timestamp,
	"lastUsedAt" pg_catalog.timestamp,
	"revokedAt" pg_catalog.timestamp,
	CONSTRAINT auth_api_keys_pkey PRIMARY KEY (id)
);
CREATE INDEX "auth_api_key_userId_idx" ON covara.auth_api_keys USING btree ("userId");
CREATE INDEX auth_api_key_prefix_idx ON covara.auth_api_keys USING btree ("keyPrefix");

CREATE TABLE covara.auth_verification_tokens (
	identifier pg_catalog.text NOT NULL,
	token pg_catalog.text NOT NULL,
	expires pg_catalog.timestamp NOT NULL,
	CONSTRAINT auth_verification_tokens_identifier_token_pk PRIMARY KEY (identifier, token)
);

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

/*
 * Token functions, in C.  Text is hashed as its UTF-8 bytes, as Node's
 * crypto.createHash('sha256').update(token) does.
 */
CREATE FUNCTION covara.hash_token(token pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hash_token'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hash_token(pg_catalog.text) IS
'SHA-256 of the token''s UTF-8 bytes as lowercase hex (64 characters), as Node''s createHash(''sha256'').update(token).digest(''hex'')';

CREATE FUNCTION covara.hash_token(token pg_catalog.bytea)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hash_token_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hash_token(pg_catalog.bytea) IS
'SHA-256 of the bytes as lowercase hex (64 characters)';

CREATE FUNCTION covara.hash_token(token pg_catalog.text, encoding pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hash_token_encoded'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hash_token(pg_catalog.text, pg_catalog.text) IS
'SHA-256 of the token''s UTF-8 bytes in the given encoding: hex, base64 (padded) or base64url (unpadded)';

CREATE FUNCTION covara.hmac_token(token pg_catalog.text, key pg_catalog.bytea)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hmac_token'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hmac_token(pg_catalog.text, pg_catalog.bytea) IS
'HMAC-SHA-256 of the token''s UTF-8 bytes under key, lowercase hex, as Node''s createHmac(''sha256'', key).update(token).digest(''hex'')';

CREATE FUNCTION covara.hmac_token(token pg_catalog.bytea, key pg_catalog.bytea)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hmac_token_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hmac_token(pg_catalog.bytea, pg_catalog.bytea) IS
'HMAC-SHA-256 of the bytes under key, lowercase hex';

CREATE FUNCTION covara.generate_token(nbytes pg_catalog.int4 DEFAULT 32)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_generate_token'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.generate_token(pg_catalog.int4) IS
'nbytes (1 to 1024, default 32) bytes from the operating system''s strong random source, base64url without padding (43 characters for 32 bytes)';

CREATE FUNCTION covara.token_equals(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'covara_token_equals'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.token_equals(pg_catalog.text, pg_catalog.text) IS
'true when a and b are equal; the time taken depends on their lengths only, never on where they differ';

/* ---- search (covara 0.2.0, with the fixes of 0.5.0) ---- */

/*
 * Search in covara 0.2.0.
 *
 * covara.search_trigger() fills a weighted tsvector column from text, text[]
 * and jsonb fields (C, src/search.c).  A search index is a table in the
 * shape covara's search adapter uses (doc_id, source, search_vector) whose
 * search_vector is filled by such a trigger; attach_search() adds an AFTER
 * trigger, covara.search_sync_trigger(), to a source table that writes its
 * rows to the index in the same transaction.
 *
 * covara keeps no catalog of its own: an index's settings are the arguments
 * of the trigger on its table (named covara_index_<name>), and its sources
 * are the tables with a trigger covara_sync_<name> pointing at that table.
 * Triggers are part of the tables they belong to, so pg_dump and restore
 * carry the settings along, and only those who may alter those tables can
 * change them.  The management functions are SECURITY INVOKER: callers need
 * the privileges they would need to run the same DDL and DML by hand.
 */

CREATE FUNCTION covara.search_trigger()
RETURNS pg_catalog.trigger
AS 'MODULE_PATHNAME', 'covara_search_trigger'
LANGUAGE C;
COMMENT ON FUNCTION covara.search_trigger() IS
'BEFORE INSERT OR UPDATE row trigger: covara.search_trigger(tsvector_column, configuration_or_regconfig_column, field, ...) with fields column[.key...][:weight] (text, varchar, char, arrays of those, jsonb); recomputes only when a source field changed';

CREATE FUNCTION covara.search_sync_trigger()
RETURNS pg_catalog.trigger
AS 'MODULE_PATHNAME', 'covara_search_sync_trigger'
LANGUAGE C;
COMMENT ON FUNCTION covara.search_sync_trigger() IS
'AFTER INSERT OR UPDATE OR DELETE row trigger made by covara.attach_search(): writes the row to a search index table in the same transaction';

CREATE FUNCTION covara.search_vector(document pg_catalog.jsonb,
									 fields pg_catalog.jsonb DEFAULT NULL,
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english')
RETURNS pg_catalog.tsvector
AS 'MODULE_PATHNAME', 'covara_search_vector'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_vector(pg_catalog.jsonb, pg_catalog.jsonb, pg_catalog.regconfig) IS
'weighted tsvector of a document: fields {"key.path": "A".."D"} or ["key.path:A", ...] (NULL: every top-level key but id, weight D), as covara.search_trigger builds it; NULL when document or language is NULL';

CREATE FUNCTION covara.search_text(document pg_catalog.jsonb,
								   fields pg_catalog.jsonb DEFAULT NULL)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_search_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION covara.search_text(pg_catalog.jsonb, pg_catalog.jsonb) IS
'the string values the fields reach in the document, in order, joined by spaces (what covara.search() headlines)';

CREATE FUNCTION covara.trigger_arguments(trigger pg_catalog.oid)
RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'covara_trigger_arguments'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.trigger_arguments(pg_catalog.oid) IS
'the arguments of the trigger with this pg_trigger oid, as text[] (NULL when there is no such trigger)';

CREATE FUNCTION covara.check_search_trigger(tbl pg_catalog.regclass, trigger_name pg_catalog.name)
RETURNS pg_catalog.void
AS 'MODULE_PATHNAME', 'covara_check_search_trigger'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.check_search_trigger(pg_catalog.regclass, pg_catalog.name) IS
'checks a trigger using covara.search_trigger() or covara.search_sync_trigger() as its first row would (columns, types, weights, configuration, timing) and raises the same error';

/*
 * Names of search indexes: [A-Za-z0-9_]+, and short enough that every name
 * derived from them fits in NAMEDATALEN - 1 bytes.
 */
CREATE FUNCTION covara.search_check_name(index_name pg_catalog.text,
										 table_prefix pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
DECLARE
	derived pg_catalog.text;
BEGIN
	IF index_name IS NULL OR index_name OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]+$' THEN
		RAISE EXCEPTION 'invalid search index name %', COALESCE(pg_catalog.quote_literal(index_name), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Search index names consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	IF table_prefix IS NOT NULL AND table_prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_]*$' THEN
		RAISE EXCEPTION 'invalid table prefix %', pg_catalog.quote_literal(table_prefix)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Table prefixes consist of the letters A-Z and a-z, digits and underscores.';
	END IF;
	FOREACH derived IN ARRAY ARRAY[
		'covara_index_' OPERATOR(pg_catalog.||) index_name,
		'covara_sync_' OPERATOR(pg_catalog.||) index_name,
		COALESCE(table_prefix, '') OPERATOR(pg_catalog.||) index_name OPERATOR(pg_catalog.||) '_search_idx']
	LOOP
		IF pg_catalog.octet_length(derived) OPERATOR(pg_catalog.>) 63 THEN
			RAISE EXCEPTION 'search index name % is too long', pg_catalog.quote_literal(index_name)
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = pg_catalog.format('The name %s made from it would have %s bytes; names have at most 63.',
												 derived, pg_catalog.octet_length(derived)),
					  HINT = 'Use a shorter index name or table prefix.';
		END IF;
	END LOOP;
END
$covara$;
COMMENT ON FUNCTION covara.search_check_name(pg_catalog.text, pg_catalog.text) IS
'internal: raises invalid_parameter_value unless the search index name (and table prefix) are [A-Za-z0-9_] and every name made from them fits in 63 bytes';

/*
 * The table of a search index: the first schema of the search path (as
 * for an unqualified table name) with a table carrying the index trigger
 * covara_index_<name>.
 */
CREATE FUNCTION covara.search_index_table(index_name pg_catalog.text)
RETURNS pg_catalog.regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $covara$
DECLARE
	rel pg_catalog.regclass;
BEGIN
	PERFORM covara.search_check_name(index_name);
	SELECT t.tgrelid::pg_catalog.regclass INTO rel
	  FROM pg_catalog.pg_trigger t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name)
	   AND t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
	   AND n.nspname OPERATOR(pg_catalog.=) ANY (pg_catalog.current_schemas(true))
	 ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)
	 LIMIT 1;
	IF rel IS NULL THEN
		RAISE EXCEPTION 'search index "%" does not exist', index_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with covara.create_search_index(); covara looks for it in the schemas of search_path.';
	END IF;
	RETURN rel;
END
$covara$;
COMMENT ON FUNCTION covara.search_index_table(pg_catalog.text) IS
'the table of the search index of that name, looked up along search_path; raises undefined_object when there is none';

CREATE VIEW covara.search_indexes AS
SELECT n.nspname AS schema_name,
	   pg_catalog.substr(t.tgname::pg_catalog.text, 14) AS index_name,
	   c.oid::pg_catalog.regclass AS index_table,
	   a.args[2] AS language,
	   (SELECT pg_catalog.jsonb_agg(pg_catalog.substr(f.arg, 8) ORDER BY f.i)
		  FROM pg_catalog.unnest(a.args[3:]) WITH ORDINALITY AS f(arg, i)
		 WHERE pg_catalog.starts_with(f.arg, 'source.')) AS fields,
	   ARRAY(SELECT s.tgrelid::pg_catalog.regclass
			   FROM pg_catalog.pg_trigger s
			  WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
				AND s.tgparentid OPERATOR(pg_catalog.=) 0	-- not the clones on partitions
				AND (covara.trigger_arguments(s.oid))[1:2]
					OPERATOR(pg_catalog.=) ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text]
			  ORDER BY 1) AS sources
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  CROSS JOIN LATERAL (SELECT covara.trigger_arguments(t.oid) AS args) a
 WHERE t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
   AND pg_catalog.starts_with(t.tgname::pg_catalog.text, 'covara_index_');
COMMENT ON VIEW covara.search_indexes IS
'covara search indexes in this database: schema, name, table, language, fields (NULL: every top-level key but id) and attached source tables, read from their triggers';
GRANT SELECT ON covara.search_indexes TO PUBLIC;

/*
 * Trigger arguments ("column.path:W") for a fields value: a jsonb object
 * {"path": "W"} (by weight, A first, then in jsonb key order, as
 * covara.search_vector() takes them) or an array ["path:W", ...]; each path
 * gets prefix in front.  Checks the syntax with covara.search_vector().
 */
CREATE FUNCTION covara.search_field_args(fields pg_catalog.jsonb, prefix pg_catalog.text)
RETURNS pg_catalog.text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
DECLARE
	result pg_catalog.text[];
BEGIN
	PERFORM covara.search_vector('{}'::pg_catalog.jsonb, fields, 'pg_catalog.simple'::pg_catalog.regconfig);
	IF pg_catalog.jsonb_typeof(fields) OPERATOR(pg_catalog.=) 'object' THEN
		SELECT pg_catalog.array_agg(prefix OPERATOR(pg_catalog.||) e.key OPERATOR(pg_catalog.||) ':'
									OPERATOR(pg_catalog.||) pg_catalog.upper(e.value)
									ORDER BY pg_catalog.upper(e.value), e.i)
		  INTO result
		  FROM pg_catalog.jsonb_each_text(fields) WITH ORDINALITY AS e(key, value, i);
	ELSE
		SELECT pg_catalog.array_agg(prefix OPERATOR(pg_catalog.||) e.value ORDER BY e.i)
		  INTO result
		  FROM pg_catalog.jsonb_array_elements_text(fields) WITH ORDINALITY AS e(value, i);
	END IF;
	IF result IS NULL THEN
		RAISE EXCEPTION 'no fields given'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give at least one field, e.g. {"title": "A", "body": "B"}, or NULL for every top-level key but id.';
	END IF;
	RETURN result;
END
$covara$;
COMMENT ON FUNCTION covara.search_field_args(pg_catalog.jsonb, pg_catalog.text) IS
'internal: turns a fields value ({"path": "A".."D"} or ["path:W", ...]) into search trigger arguments with prefix in front of each path';

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
	old_rel pg_catalog.regclass;
	old_args pg_catalog.text[];
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
	SELECT t.tgrelid::pg_catalog.regclass, covara.trigger_arguments(t.oid)
	  INTO old_rel, old_args
	  FROM pg_catalog.pg_trigger t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE t.tgname OPERATOR(pg_catalog.=) tg
	   AND t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_trigger()'::pg_catalog.regprocedure
	   AND n.nspname OPERATOR(pg_catalog.=) nsp;
	IF old_rel IS NOT NULL THEN
		IF old_args OPERATOR(pg_catalog.=) args
		   AND old_rel OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl)) THEN
			RETURN old_rel;
		END IF;
		RAISE EXCEPTION 'search index "%" already exists in schema "%" with other settings', name, nsp
			USING ERRCODE = 'duplicate_object',
				  DETAIL = pg_catalog.format('Its table is %s; its trigger %I has the arguments %s.', old_rel, tg, old_args),
				  HINT = 'Drop it with covara.drop_search_index() first, or use another name.';
	END IF;

	rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl));
	IF rel IS NULL THEN
		EXECUTE pg_catalog.format('CREATE TABLE %I.%I (doc_id pg_catalog.text PRIMARY KEY, '
								  'source pg_catalog.jsonb NOT NULL, search_vector pg_catalog.tsvector)',
								  nsp, tbl);
		EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (search_vector)',
								  tbl OPERATOR(pg_catalog.||) '_search_idx', nsp, tbl);
		rel := pg_catalog.format('%I.%I', nsp, tbl)::pg_catalog.regclass;
	ELSE
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
		IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tbl OPERATOR(pg_catalog.||) '_search_idx')) IS NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.%I USING gin (search_vector)',
									  tbl OPERATOR(pg_catalog.||) '_search_idx', nsp, tbl);
		END IF;
	END IF;

	EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I.%I '
							  'FOR EACH ROW EXECUTE FUNCTION covara.search_trigger(%s)',
							  tg, nsp, tbl,
							  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
								 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	PERFORM covara.check_search_trigger(rel, tg::pg_catalog.name);
	-- adopted rows without a vector get one (a NULL vector is recomputed)
	EXECUTE pg_catalog.format('UPDATE %I.%I SET search_vector = NULL WHERE search_vector IS NULL', nsp, tbl);
	RETURN rel;
END
$covara$;
COMMENT ON FUNCTION covara.create_search_index(pg_catalog.text, pg_catalog.jsonb, pg_catalog.regconfig, pg_catalog.text) IS
'creates (or adopts) the search index table <table_prefix><name> in the current schema: doc_id text primary key, source jsonb, search_vector tsvector filled from source by covara.search_trigger (fields {"key": "A".."D"}; NULL: every top-level key but id, weight D), GIN index <table>_search_idx; repeating an identical call changes nothing';

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
									 language pg_catalog.regconfig DEFAULT 'pg_catalog.english')
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
AS $covara$
DECLARE
	idx pg_catalog.regclass;
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	tg pg_catalog.text := 'covara_sync_' OPERATOR(pg_catalog.||) index_name;
	lang pg_catalog.text;
	specs pg_catalog.text[];
	args pg_catalog.text[];
	prev pg_catalog.record;
	nrows pg_catalog.int8;
BEGIN
	IF source IS NULL OR id_column IS NULL OR language IS NULL THEN
		RAISE EXCEPTION 'source, id_column and language must not be null'
			USING ERRCODE = 'null_value_not_allowed';
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
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
				   WHERE a.attrelid OPERATOR(pg_catalog.=) source
					 AND a.attname OPERATOR(pg_catalog.=) id_column
					 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, source
			USING ERRCODE = 'undefined_column',
				  HINT = 'Name the column that identifies a row with id_column; its text form becomes doc_id.';
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
	args := ARRAY[idx_nsp, idx_tbl, id_column::pg_catalog.text, lang] OPERATOR(pg_catalog.||) specs;

	SELECT t.tgfoid, t.tgtype, t.tgparentid, covara.trigger_arguments(t.oid) AS args INTO prev
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) source AND t.tgname OPERATOR(pg_catalog.=) tg;
	IF FOUND THEN
		IF prev.tgfoid OPERATOR(pg_catalog.<>) 'covara.search_sync_trigger()'::pg_catalog.regprocedure THEN
			RAISE EXCEPTION 'trigger "%" on table % already exists and is not covara''s', tg, source
				USING ERRCODE = 'duplicate_object';
		END IF;
		IF prev.args OPERATOR(pg_catalog.=) args AND prev.tgtype OPERATOR(pg_catalog.=) 29 THEN
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

	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION covara.search_sync_trigger(%s)',
							  tg, source,
							  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a.arg), ', ' ORDER BY a.i)
								 FROM pg_catalog.unnest(args) WITH ORDINALITY AS a(arg, i)));
	PERFORM covara.check_search_trigger(source, tg::pg_catalog.name);

	-- backfill: the rows as the trigger would write them
	EXECUTE pg_catalog.format(
		'INSERT INTO %I.%I AS i (doc_id, source, search_vector) '
		'SELECT pg_catalog.format(''%%s'', s.%I), pg_catalog.to_jsonb(s), '
		'       covara.search_vector(pg_catalog.to_jsonb(s), $1, $2) '
		'  FROM %s AS s WHERE s.%I IS NOT NULL '
		'ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, search_vector = excluded.search_vector',
		idx_nsp, idx_tbl, id_column, source, id_column)
		USING pg_catalog.to_jsonb(specs), language;
	GET DIAGNOSTICS nrows = ROW_COUNT;
	-- move the backfill out of the GIN pending list, so that searches use the
	-- index at once (PostgreSQL lets only the index's owner do this)
	IF nrows OPERATOR(pg_catalog.>) 0 AND EXISTS (
			SELECT FROM pg_catalog.pg_class c
			 WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) '_search_idx'))
			   AND c.relam OPERATOR(pg_catalog.=) (SELECT am.oid FROM pg_catalog.pg_am am WHERE am.amname OPERATOR(pg_catalog.=) 'gin')
			   AND pg_catalog.pg_has_role(c.relowner, 'USAGE')) THEN
		PERFORM pg_catalog.gin_clean_pending_list(pg_catalog.format('%I.%I', idx_nsp, idx_tbl OPERATOR(pg_catalog.||) '_search_idx')::pg_catalog.regclass);
	END IF;
	RETURN nrows;
END
$covara$;
COMMENT ON FUNCTION covara.attach_search(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.name, pg_catalog.regconfig) IS
'keeps the search index in step with a table: an AFTER row trigger covara_sync_<index> writes inserts, updates (a changed id moves the document) and deletes to the index in the same transaction; backfills the existing rows and returns how many; an identical second call changes nothing and returns 0';

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
	idx_nsp pg_catalog.text;
	idx_tbl pg_catalog.text;
	s pg_catalog.record;
BEGIN
	SELECT n.nspname, c.relname INTO idx_nsp, idx_tbl
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) idx;
	FOR s IN
		SELECT t.tgname, t.tgrelid::pg_catalog.regclass AS rel
		  FROM pg_catalog.pg_trigger t
		 WHERE t.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
		   AND t.tgparentid OPERATOR(pg_catalog.=) 0	-- dropping it drops its clones
		   AND (covara.trigger_arguments(t.oid))[1:2]
			   OPERATOR(pg_catalog.=) ARRAY[idx_nsp, idx_tbl]
		 ORDER BY 2
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', s.tgname, s.rel);
	END LOOP;
	EXECUTE pg_catalog.format('DROP TABLE %s', idx);
END
$covara$;
COMMENT ON FUNCTION covara.drop_search_index(pg_catalog.text) IS
'detaches every source table from the search index and drops its table';

CREATE FUNCTION covara.search(index_name pg_catalog.text,
							  query pg_catalog.text,
							  "limit" pg_catalog.int4 DEFAULT 20,
							  "offset" pg_catalog.int4 DEFAULT 0)
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
BEGIN
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
			SELECT s.tgrelid, a.i, a.arg
			  FROM pg_catalog.pg_trigger s,
				   LATERAL pg_catalog.unnest((covara.trigger_arguments(s.oid))[5:]) WITH ORDINALITY AS a(arg, i)
			 WHERE s.tgfoid OPERATOR(pg_catalog.=) 'covara.search_sync_trigger()'::pg_catalog.regprocedure
			   AND s.tgparentid OPERATOR(pg_catalog.=) 0
			   AND s.tgname OPERATOR(pg_catalog.=) ('covara_sync_' OPERATOR(pg_catalog.||) index_name)
			   AND (covara.trigger_arguments(s.oid))[1:2] OPERATOR(pg_catalog.=)
				   (SELECT ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text]
					  FROM pg_catalog.pg_class c
					  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
					 WHERE c.oid OPERATOR(pg_catalog.=) idx)
			   AND NOT pg_catalog.starts_with(a.arg, 'exclude=')) AS f
			 ORDER BY pg_catalog.regexp_replace(f.spec, ':[A-Da-d]$', ''), f.src, f.i) AS d;
	q := pg_catalog.websearch_to_tsquery(lang, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT r.doc_id, r.score, r.source, '
		'       pg_catalog.ts_headline($1, COALESCE(NULLIF(covara.search_text(r.source, $2), ''''), '
		'                                           covara.search_text(r.source, NULL)), $3) '
		'  FROM (SELECT t.doc_id, t.source, pg_catalog.ts_rank(t.search_vector, $3) AS score '
		'          FROM %s AS t '
		'         WHERE t.search_vector OPERATOR(pg_catalog.@@) $3 '
		'         ORDER BY 3 DESC, 1 '
		'         LIMIT $4 OFFSET $5) AS r '
		' ORDER BY r.score DESC, r.doc_id', idx)
		USING lang, hl_fields, q, "limit", COALESCE("offset", 0);
END
$covara$;
COMMENT ON FUNCTION covara.search(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
'searches an index with websearch_to_tsquery in its language: (doc_id, score, source, headline), best first (ts_rank, which honours the weights; ties by doc_id), at most limit rows (NULL: all) after offset; a blank query returns no rows; the headline (ts_headline) is over the fields of the index and of its attached tables';

CREATE FUNCTION covara.search_count(index_name pg_catalog.text, query pg_catalog.text)
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
	SELECT (covara.trigger_arguments(t.oid))[2]::pg_catalog.regconfig INTO lang
	  FROM pg_catalog.pg_trigger t
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) idx
	   AND t.tgname OPERATOR(pg_catalog.=) ('covara_index_' OPERATOR(pg_catalog.||) index_name);
	q := pg_catalog.websearch_to_tsquery(lang, query);
	IF pg_catalog.numnode(q) OPERATOR(pg_catalog.=) 0 THEN
		RETURN 0;
	END IF;
	EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s AS t '
							  'WHERE t.search_vector OPERATOR(pg_catalog.@@) $1', idx)
		INTO n USING q;
	RETURN n;
END
$covara$;
COMMENT ON FUNCTION covara.search_count(pg_catalog.text, pg_catalog.text) IS
'how many documents of the index match the query (websearch_to_tsquery in the index''s language); 0 for a blank query';

/* ---- seeding and connection pools (covara 0.3.0) ---- */

/*
 * Seeding (contract section 3): insert-or-ignore from JSON rows, in C (see
 * src/seed.c).  Both run with the caller's privileges.
 */
CREATE FUNCTION covara.seed(target pg_catalog.regclass, rows pg_catalog.jsonb)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'covara_seed'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION covara.seed(pg_catalog.regclass, pg_catalog.jsonb) IS
'insert rows (a JSON array of objects keyed by column name; absent keys take the column default) into target with ON CONFLICT DO NOTHING, all or nothing; returns the number of rows inserted';

CREATE FUNCTION covara.seed(plan pg_catalog.jsonb)
RETURNS TABLE(table_name pg_catalog.text, inserted pg_catalog.int8)
AS 'MODULE_PATHNAME', 'covara_seed_plan'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY INVOKER
ROWS 4;
COMMENT ON FUNCTION covara.seed(pg_catalog.jsonb) IS
'seed several tables from {"table": [rows], ...} in foreign-key order (parents first) in the caller''s transaction; one row per table with the number of rows inserted';

/*
 * Connection-pool guidance (contract section 4), in C (see src/pool.c).
 */
CREATE FUNCTION covara.recommended_pool_config(driver pg_catalog.text)
RETURNS TABLE(max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, notes pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_recommended_pool_config'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 1;
COMMENT ON FUNCTION covara.recommended_pool_config(pg_catalog.text) IS
'covara''s recommended pool settings for a driver: postgres-js, neon, pglite, libsql, d1 or hyperdrive';

CREATE FUNCTION covara.recommended_pool_config(driver pg_catalog.text, instances pg_catalog.int4)
RETURNS TABLE(max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, notes pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_recommended_pool_config_capped'
LANGUAGE C STABLE STRICT PARALLEL SAFE
ROWS 1;
COMMENT ON FUNCTION covara.recommended_pool_config(pg_catalog.text, pg_catalog.int4) IS
'covara''s recommended pool settings for a driver, with max capped so that instances processes cannot exhaust this server''s connections (max_connections, superuser_reserved_connections, other roles'' connection limits)';

/* ---- the auth flows (covara 0.4.0, with the fixes of 0.6.0) ---- */

/*
 * Sessions, API keys, verification tokens and purging, as single calls in
 * schema covara that read and write the canonical columns of the auth
 * tables (so rows are interchangeable with those covara's Drizzle code
 * writes).
 *
 * How the pieces fit:
 *
 * - Every table access is in a function with an SQL-standard body (BEGIN
 *   ATOMIC / RETURN), where @extschema@ is written unquoted and every name
 *   and operator is bound when the function is created, so nothing a caller
 *   puts on its search_path can redirect it.  Those that need procedural
 *   logic (argument checks, loops, branches) are PL/pgSQL wrappers that call
 *   internal helpers named covara._auth_*; the hot read paths
 *   (verify_api_key, get_session) are C functions (src/auth.c) that run one
 *   cached plan over such a helper.  The one exception: verify_api_key
 *   records a key's use with an UPDATE whose kept plan names the table the
 *   key's row was just read from (by its tableoid), see src/auth.c.
 * - The read helpers are STABLE, non-STRICT set-returning SQL functions, so
 *   the planner inlines them into the caller's cached plan.
 * - The flows are SECURITY DEFINER with search_path pinned to
 *   pg_catalog, pg_temp and every reference schema-qualified.  EXECUTE on
 *   them is revoked from PUBLIC: grant them to an application role with
 *   CALL covara.grant_auth_flows(role).  The internal helpers are not
 *   executable by PUBLIC at all.
 * - All timestamps are UTC wall-clock timestamp without time zone,
 *   compared with (now() AT TIME ZONE 'UTC'), so no result depends on the
 *   session's TimeZone.
 */

--------------------------------------------------------------------------
-- Internal helpers
--------------------------------------------------------------------------

-- Reject a missing or non-positive interval with a clear error.
CREATE FUNCTION covara._auth_check_ttl(ttl pg_catalog.interval)
RETURNS pg_catalog.void
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF ttl IS NULL OR ttl OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval THEN
		RAISE EXCEPTION 'ttl must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The ttl given was %s.', COALESCE(ttl::pg_catalog.text, 'NULL')),
				  HINT = 'Pass an interval such as interval ''30 days''.';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) IS
'internal: raise invalid_parameter_value unless ttl is a positive interval';

-- Reject a NULL or empty text argument with a clear error.
CREATE FUNCTION covara._auth_check_text(val pg_catalog.text, arg pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $covara$
BEGIN
	IF val IS NULL OR val OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION '% must not be null or empty', arg
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$covara$;
COMMENT ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) IS
'internal: raise invalid_parameter_value when val is NULL or empty';

--------------------------------------------------------------------------
-- Sessions
--------------------------------------------------------------------------

CREATE FUNCTION covara._auth_session_row(session_id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, "createdAt" pg_catalog.timestamp,
			  "expiresAt" pg_catalog.timestamp, data pg_catalog.text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
	SELECT s.id, s."userId", s."createdAt", s."expiresAt", s.data
	  FROM @extschema@.auth_sessions s
	 WHERE s.id OPERATOR(pg_catalog.=) session_id
	   AND s."expiresAt" OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC');
END;
COMMENT ON FUNCTION covara._auth_session_row(pg_catalog.text) IS
'internal: the session with this id while it has not expired (inlined into get_session''s plan)';

CREATE FUNCTION covara._auth_session_insert(session_id pg_catalog.text, user_id pg_catalog.text,
											created_at pg_catalog.timestamp,
											expires_at pg_catalog.timestamp,
											session_data pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	INSERT INTO @extschema@.auth_sessions (id, "userId", "createdAt", "expiresAt", data)
	VALUES (session_id, user_id, created_at, expires_at, session_data);
END;
COMMENT ON FUNCTION covara._auth_session_insert(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.text) IS
'internal: insert one session row';

CREATE FUNCTION covara._auth_session_touch(session_id pg_catalog.text,
										   expires_at pg_catalog.timestamp)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH touched AS (
		UPDATE @extschema@.auth_sessions s
		   SET "expiresAt" = expires_at
		 WHERE s.id OPERATOR(pg_catalog.=) session_id
		   AND s."expiresAt" OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC')
		RETURNING 1)
	SELECT EXISTS (SELECT FROM touched);
END;
COMMENT ON FUNCTION covara._auth_session_touch(pg_catalog.text, pg_catalog.timestamp) IS
'internal: move an unexpired session''s expiry; true when it was found';

CREATE FUNCTION covara.create_session(user_id pg_catalog.text, ttl pg_catalog.interval,
									  data pg_catalog.jsonb DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	session_id	pg_catalog.text;
BEGIN
	PERFORM covara._auth_check_text(user_id, 'user_id');
	PERFORM covara._auth_check_ttl(ttl);
	session_id := covara.generate_token();
	PERFORM covara._auth_session_insert(session_id, user_id, now_utc,
										now_utc OPERATOR(pg_catalog.+) ttl,
										data::pg_catalog.text);
	RETURN session_id;
END
$covara$;
COMMENT ON FUNCTION covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb) IS
'create a session for user_id lasting ttl (data is stored as JSON text); returns its id, a fresh generate_token()';

CREATE FUNCTION covara.get_session(id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, "createdAt" pg_catalog.timestamp,
			  "expiresAt" pg_catalog.timestamp, data pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_get_session'
LANGUAGE C STABLE STRICT SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION covara.get_session(pg_catalog.text) IS
'the session row with this id, only while "expiresAt" (UTC) is in the future; no row otherwise';

CREATE FUNCTION covara.touch_session(id pg_catalog.text, ttl pg_catalog.interval)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
BEGIN
	PERFORM covara._auth_check_ttl(ttl);
	RETURN COALESCE(covara._auth_session_touch(id,
		(pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(pg_catalog.+) ttl), false);
END
$covara$;
COMMENT ON FUNCTION covara.touch_session(pg_catalog.text, pg_catalog.interval) IS
'sliding expiry: set an unexpired session''s "expiresAt" to now (UTC) + ttl; false when there is no such unexpired session';

CREATE FUNCTION covara.revoke_session(id pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s.id OPERATOR(pg_catalog.=) revoke_session.id
		RETURNING 1)
	SELECT EXISTS (SELECT FROM gone);
END;
COMMENT ON FUNCTION covara.revoke_session(pg_catalog.text) IS
'delete the session with this id; true when there was one';

CREATE FUNCTION covara.revoke_user_sessions(user_id pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s."userId" OPERATOR(pg_catalog.=) revoke_user_sessions.user_id
		RETURNING 1)
	SELECT pg_catalog.count(*)::pg_catalog.int4 FROM gone;
END;
COMMENT ON FUNCTION covara.revoke_user_sessions(pg_catalog.text) IS
'delete every session of user_id; returns how many there were';

--------------------------------------------------------------------------
-- API keys
--------------------------------------------------------------------------

CREATE FUNCTION covara._auth_api_key_row(key_id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, name pg_catalog.text,
			  scopes pg_catalog.jsonb, "expiresAt" pg_catalog.timestamp,
			  "keyHash" pg_catalog.text, "keyPrefix" pg_catalog.text,
			  "revokedAt" pg_catalog.timestamp, "lastUsedAt" pg_catalog.timestamp,
			  table_oid pg_catalog.oid)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
	SELECT k.id, k."userId", k.name, k.scopes, k."expiresAt", k."keyHash",
		   k."keyPrefix", k."revokedAt", k."lastUsedAt", k.tableoid
	  FROM @extschema@.auth_api_keys k
	 WHERE k.id OPERATOR(pg_catalog.=) key_id;
END;
COMMENT ON FUNCTION covara._auth_api_key_row(pg_catalog.text) IS
'internal: the API key row with this id and the OID of the table it is in (inlined into verify_api_key''s plan)';

CREATE FUNCTION covara._auth_api_key_touch(key_id pg_catalog.text, used_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	UPDATE @extschema@.auth_api_keys k
	   SET "lastUsedAt" = used_at
	 WHERE k.id IN (
		SELECT l.id FROM @extschema@.auth_api_keys l
		 WHERE l.id OPERATOR(pg_catalog.=) key_id
		   AND (l."lastUsedAt" IS NULL
				OR l."lastUsedAt" OPERATOR(pg_catalog.<=)
				   (used_at OPERATOR(pg_catalog.-) '1 minute'::pg_catalog.interval))
		   FOR NO KEY UPDATE SKIP LOCKED);
END;
COMMENT ON FUNCTION covara._auth_api_key_touch(pg_catalog.text, pg_catalog.timestamp) IS
'internal: set "lastUsedAt" unless it was set within the last minute or another transaction holds the row';

/*
 * Called by verify_api_key in REPEATABLE READ transactions (in READ
 * COMMITTED it runs the same UPDATE from a kept plan): record a use without
 * ever failing the caller.
 */
CREATE FUNCTION covara._auth_api_key_record_use(key_id pg_catalog.text, used_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $covara$
BEGIN
	PERFORM covara._auth_api_key_touch(key_id, used_at);
EXCEPTION
	-- REPEATABLE READ: the row changed after our snapshot; skip this time
	WHEN serialization_failure OR lock_not_available THEN
		NULL;
END
$covara$;
COMMENT ON FUNCTION covara._auth_api_key_record_use(pg_catalog.text, pg_catalog.timestamp) IS
'internal: _auth_api_key_touch in a subtransaction, skipping the update on serialization failures';

-- The prefix a key's replacement gets: what precedes "_<id>" in "keyPrefix".
CREATE FUNCTION covara._auth_api_key_prefix(key_prefix pg_catalog.text, key_id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN key_prefix OPERATOR(pg_catalog.=) key_id THEN ''
	WHEN pg_catalog."right"(key_prefix, 17) OPERATOR(pg_catalog.=) ('_' OPERATOR(pg_catalog.||) key_id)
		 AND pg_catalog."left"(key_prefix, -17) OPERATOR(pg_catalog.~) '^[A-Za-z0-9_-]{1,32}$'
		THEN pg_catalog."left"(key_prefix, -17)
	ELSE 'cvk'
END;
COMMENT ON FUNCTION covara._auth_api_key_prefix(pg_catalog.text, pg_catalog.text) IS
'internal: the prefix of a stored key (the part of "keyPrefix" before "_<id>"), for its replacement';

-- Fresh key material: <prefix>_<16 hex>.<base64url of 24 random bytes>.
CREATE FUNCTION covara._auth_api_key_new(prefix pg_catalog.text,
										 OUT key_id pg_catalog.text, OUT key_prefix pg_catalog.text,
										 OUT key pg_catalog.text, OUT key_hash pg_catalog.text)
LANGUAGE plpgsql VOLATILE PARALLEL SAFE
AS $covara$
BEGIN
	-- 8 random bytes as 16 lowercase hex digits (generate_token gives them
	-- as 11 base64url characters; turn those into padded base64 and decode)
	key_id := pg_catalog.encode(pg_catalog.decode(
		pg_catalog.translate(covara.generate_token(8), '-_', '+/') OPERATOR(pg_catalog.||) '=',
		'base64'), 'hex');
	key_prefix := CASE WHEN prefix OPERATOR(pg_catalog.=) '' THEN key_id
					   ELSE prefix OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) key_id END;
	key := key_prefix OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) covara.generate_token(24);
	key_hash := covara.hash_token(key);
END
$covara$;
COMMENT ON FUNCTION covara._auth_api_key_new(pg_catalog.text) IS
'internal: a new API key (id, "keyPrefix", the key itself and its hash) with the given prefix';

CREATE FUNCTION covara._auth_api_key_insert(key_id pg_catalog.text, user_id pg_catalog.text,
											key_name pg_catalog.text, key_hash pg_catalog.text,
											key_prefix pg_catalog.text, key_scopes pg_catalog.jsonb,
											created_at pg_catalog.timestamp,
											expires_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	INSERT INTO @extschema@.auth_api_keys (id, "userId", name, "keyHash", "keyPrefix",
										   scopes, "createdAt", "expiresAt")
	VALUES (key_id, user_id, key_name, key_hash, key_prefix, key_scopes, created_at, expires_at);
END;
COMMENT ON FUNCTION covara._auth_api_key_insert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.timestamp) IS
'internal: insert one API key row';

CREATE FUNCTION covara.create_api_key(user_id pg_catalog.text, name pg_catalog.text,
									  scopes pg_catalog.jsonb DEFAULT NULL,
									  expires_at pg_catalog.timestamp DEFAULT NULL,
									  prefix pg_catalog.text DEFAULT 'cvk')
RETURNS TABLE(id pg_catalog.text, key pg_catalog.text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	k			pg_catalog.record;
BEGIN
	PERFORM covara._auth_check_text(user_id, 'user_id');
	IF name IS NULL THEN
		RAISE EXCEPTION 'name must not be null'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF scopes IS NOT NULL AND (
		pg_catalog.jsonb_typeof(scopes) OPERATOR(pg_catalog.<>) 'array'
		OR EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(scopes) e(v)
				   WHERE pg_catalog.jsonb_typeof(e.v) OPERATOR(pg_catalog.<>) 'string')) THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The scopes given were %s.', scopes),
				  HINT = 'Pass NULL for no scopes, or an array such as ''["read", "write"]''::jsonb.';
	END IF;
	IF expires_at OPERATOR(pg_catalog.<=) now_utc THEN
		RAISE EXCEPTION 'expires_at must be in the future'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('expires_at is %s and now is %s (UTC).', expires_at, now_utc),
				  HINT = 'expires_at is a UTC wall-clock timestamp, e.g. (now() AT TIME ZONE ''UTC'') + interval ''90 days''; NULL means the key does not expire.';
	END IF;
	IF prefix IS NULL OR (prefix OPERATOR(pg_catalog.<>) ''
						  AND prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_-]{1,32}$') THEN
		RAISE EXCEPTION 'invalid API key prefix %', COALESCE(pg_catalog.quote_literal(prefix), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A prefix is 1 to 32 letters, digits, "_" or "-", or '''' for keys without a prefix.';
	END IF;

	SELECT * INTO k FROM covara._auth_api_key_new(prefix);
	PERFORM covara._auth_api_key_insert(k.key_id, user_id, name, k.key_hash, k.key_prefix,
										scopes, now_utc, expires_at);
	id := k.key_id;
	key := k.key;
	RETURN NEXT;
END
$covara$;
COMMENT ON FUNCTION covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text) IS
'create an API key <prefix>_<id>.<secret> for user_id; returns its id and the key, which is shown only this once (only its hash is stored)';

CREATE FUNCTION covara.verify_api_key(key pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, "userId" pg_catalog.text, name pg_catalog.text,
			  scopes pg_catalog.jsonb, "expiresAt" pg_catalog.timestamp)
AS 'MODULE_PATHNAME', 'covara_verify_api_key'
LANGUAGE C VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION covara.verify_api_key(pg_catalog.text) IS
'the key''s row when it is known, unexpired and unrevoked (constant-time hash comparison), no row otherwise, never an error; records "lastUsedAt" at most once a minute, and not at all in read-only transactions';

CREATE FUNCTION covara.revoke_api_key(id pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH revoked AS (
		UPDATE @extschema@.auth_api_keys k
		   SET "revokedAt" = (pg_catalog.now() AT TIME ZONE 'UTC')
		 WHERE k.id OPERATOR(pg_catalog.=) revoke_api_key.id
		   AND k."revokedAt" IS NULL
		RETURNING 1)
	SELECT EXISTS (SELECT FROM revoked);
END;
COMMENT ON FUNCTION covara.revoke_api_key(pg_catalog.text) IS
'set "revokedAt" on the API key with this id; true when it was found and not revoked yet';

/*
 * One statement: the UPDATE locks the old row and revokes it only while it
 * is live, so of many concurrent rotations of one key exactly one finds it
 * live (the others wait for its lock, then see it revoked) and issues the
 * replacement; the others return no row.
 */
CREATE FUNCTION covara.rotate_api_key(id pg_catalog.text)
RETURNS TABLE(id pg_catalog.text, key pg_catalog.text)
LANGUAGE sql VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE ROWS 1
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH old AS (
		UPDATE @extschema@.auth_api_keys k
		   SET "revokedAt" = (pg_catalog.now() AT TIME ZONE 'UTC')
		 WHERE k.id OPERATOR(pg_catalog.=) rotate_api_key.id
		   AND k."revokedAt" IS NULL
		   AND (k."expiresAt" IS NULL
				OR k."expiresAt" OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC'))
		RETURNING k.id, k."userId", k.name, k.scopes, k."expiresAt", k."keyPrefix"),
	fresh AS MATERIALIZED (
		SELECT o."userId", o.name, o.scopes, o."expiresAt",
			   n.key_id, n.key_prefix, n.key, n.key_hash
		  FROM old o,
			   covara._auth_api_key_new(covara._auth_api_key_prefix(o."keyPrefix", o.id)) n),
	inserted AS (
		INSERT INTO @extschema@.auth_api_keys (id, "userId", name, "keyHash", "keyPrefix",
											   scopes, "createdAt", "expiresAt")
		SELECT f.key_id, f."userId", f.name, f.key_hash, f.key_prefix, f.scopes,
			   (pg_catalog.now() AT TIME ZONE 'UTC'), f."expiresAt"
		  FROM fresh f
		RETURNING 1)
	SELECT f.key_id, f.key FROM fresh f;
END;
COMMENT ON FUNCTION covara.rotate_api_key(pg_catalog.text) IS
'revoke a live API key and issue its replacement (same user, name, scopes, expiry and prefix) atomically; returns the new id and key, or no row when the key is unknown, revoked or expired';

--------------------------------------------------------------------------
-- Verification tokens
--------------------------------------------------------------------------

CREATE FUNCTION covara._auth_token_replace(token_identifier pg_catalog.text,
										   token_hash pg_catalog.text,
										   expires_at pg_catalog.timestamp)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	DELETE FROM @extschema@.auth_verification_tokens t
	 WHERE t.identifier OPERATOR(pg_catalog.=) token_identifier;
	INSERT INTO @extschema@.auth_verification_tokens (identifier, token, expires)
	VALUES (token_identifier, token_hash, expires_at);
END;
COMMENT ON FUNCTION covara._auth_token_replace(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp) IS
'internal: delete the identifier''s tokens and store one new (hashed) token';

CREATE FUNCTION covara._auth_token_clear(identifier pg_catalog.text)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'covara_auth_token_clear'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION covara._auth_token_clear(pg_catalog.text) IS
'internal: delete the identifier''s tokens, including ones committed after the transaction''s snapshot (a serialization failure in REPEATABLE READ or SERIALIZABLE when there are any)';

CREATE FUNCTION covara.issue_verification_token(identifier pg_catalog.text, ttl pg_catalog.interval)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	token		pg_catalog.text;
BEGIN
	PERFORM covara._auth_check_text(identifier, 'identifier');
	PERFORM covara._auth_check_ttl(ttl);
	/*
	 * Serialize issues for one identifier (advisory lock class 1668702578,
	 * "cvar", keyed by hashtext(identifier), held to the end of the
	 * transaction), so that each issue removes every token issued before it
	 * and at most one token per identifier survives concurrent issues.
	 */
	PERFORM pg_catalog.pg_advisory_xact_lock(1668702578, pg_catalog.hashtext(identifier));
	/*
	 * In REPEATABLE READ or SERIALIZABLE the snapshot may predate a token the
	 * previous holder of the lock committed: this delete sees it and raises a
	 * serialization failure rather than leave two live tokens.
	 */
	PERFORM covara._auth_token_clear(identifier);
	token := covara.generate_token();
	PERFORM covara._auth_token_replace(identifier, covara.hash_token(token),
		(pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(pg_catalog.+) ttl);
	RETURN token;
END
$covara$;
COMMENT ON FUNCTION covara.issue_verification_token(pg_catalog.text, pg_catalog.interval) IS
'remove the identifier''s earlier tokens and issue a new one valid for ttl; returns the plain token (only its SHA-256 is stored)';

CREATE FUNCTION covara.consume_verification_token(identifier pg_catalog.text, token pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (
		DELETE FROM @extschema@.auth_verification_tokens t
		 WHERE t.identifier OPERATOR(pg_catalog.=) consume_verification_token.identifier
		   AND t.token OPERATOR(pg_catalog.=) covara.hash_token(consume_verification_token.token)
		RETURNING t.expires)
	SELECT COALESCE((SELECT g.expires OPERATOR(pg_catalog.>) (pg_catalog.now() AT TIME ZONE 'UTC')
					   FROM gone g), false);
END;
COMMENT ON FUNCTION covara.consume_verification_token(pg_catalog.text, pg_catalog.text) IS
'delete the identifier''s token; true only when it existed and had not expired (of concurrent callers exactly one gets true)';

--------------------------------------------------------------------------
-- Purging
--------------------------------------------------------------------------

/*
 * Each batch helper takes the next batch_size rows in an index's order
 * after a position (inclusive for the first batch), locks those that are
 * due with FOR UPDATE SKIP LOCKED, deletes them by ctid, and returns how
 * many rows it examined and deleted and the position of the last one
 * examined.  Sessions walk the "expiresAt" index (only expired rows);
 * verification tokens and API keys, which have no index on their expiry,
 * walk their primary key.  So every statement touches at most batch_size
 * rows, never waits for a lock, and one purge reads each index once.
 */
CREATE FUNCTION covara._auth_purge_sessions_batch(
	after_expires pg_catalog.timestamp, after_id pg_catalog.text, inclusive pg_catalog.bool,
	batch_size pg_catalog.int4, cutoff pg_catalog.timestamp,
	OUT n_examined pg_catalog.int8, OUT n_deleted pg_catalog.int8,
	OUT last_expires pg_catalog.timestamp, OUT last_id pg_catalog.text)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH chunk AS MATERIALIZED (
		SELECT s.ctid AS tid, s."expiresAt" AS expires, s.id
		  FROM @extschema@.auth_sessions s
		 WHERE s."expiresAt" OPERATOR(pg_catalog.<) cutoff
		   AND ROW(s."expiresAt", s.id) OPERATOR(pg_catalog.>=) ROW(after_expires, after_id)
		   AND (inclusive OR ROW(s."expiresAt", s.id) OPERATOR(pg_catalog.<>) ROW(after_expires, after_id))
		 ORDER BY s."expiresAt", s.id
		 LIMIT batch_size),
	locked AS (
		SELECT s.ctid AS tid
		  FROM @extschema@.auth_sessions s
		 WHERE s.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.tid FROM chunk c))
		   AND s."expiresAt" OPERATOR(pg_catalog.<) cutoff
		   FOR UPDATE SKIP LOCKED),
	gone AS (
		DELETE FROM @extschema@.auth_sessions s
		 WHERE s.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.tid FROM locked l))
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM chunk),
		   (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT c.expires FROM chunk c ORDER BY c.expires DESC, c.id DESC LIMIT 1),
		   (SELECT c.id FROM chunk c ORDER BY c.expires DESC, c.id DESC LIMIT 1);
END;
COMMENT ON FUNCTION covara._auth_purge_sessions_batch(pg_catalog.timestamp, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) IS
'internal: delete one batch of expired sessions, walking the "expiresAt" index';

CREATE FUNCTION covara._auth_purge_tokens_batch(
	after_identifier pg_catalog.text, after_token pg_catalog.text, inclusive pg_catalog.bool,
	batch_size pg_catalog.int4, cutoff pg_catalog.timestamp,
	OUT n_examined pg_catalog.int8, OUT n_deleted pg_catalog.int8,
	OUT last_identifier pg_catalog.text, OUT last_token pg_catalog.text)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH chunk AS MATERIALIZED (
		SELECT t.ctid AS tid, t.identifier, t.token, t.expires
		  FROM @extschema@.auth_verification_tokens t
		 WHERE ROW(t.identifier, t.token) OPERATOR(pg_catalog.>=) ROW(after_identifier, after_token)
		   AND (inclusive OR ROW(t.identifier, t.token) OPERATOR(pg_catalog.<>) ROW(after_identifier, after_token))
		 ORDER BY t.identifier, t.token
		 LIMIT batch_size),
	locked AS (
		SELECT t.ctid AS tid
		  FROM @extschema@.auth_verification_tokens t
		 WHERE t.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(
				SELECT c.tid FROM chunk c WHERE c.expires OPERATOR(pg_catalog.<) cutoff))
		   AND t.expires OPERATOR(pg_catalog.<) cutoff
		   FOR UPDATE SKIP LOCKED),
	gone AS (
		DELETE FROM @extschema@.auth_verification_tokens t
		 WHERE t.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.tid FROM locked l))
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM chunk),
		   (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT c.identifier FROM chunk c ORDER BY c.identifier DESC, c.token DESC LIMIT 1),
		   (SELECT c.token FROM chunk c ORDER BY c.identifier DESC, c.token DESC LIMIT 1);
END;
COMMENT ON FUNCTION covara._auth_purge_tokens_batch(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) IS
'internal: delete the expired verification tokens among the next batch in primary-key order';

CREATE FUNCTION covara._auth_purge_api_keys_batch(
	after_id pg_catalog.text, inclusive pg_catalog.bool,
	batch_size pg_catalog.int4, cutoff pg_catalog.timestamp,
	OUT n_examined pg_catalog.int8, OUT n_deleted pg_catalog.int8,
	OUT last_id pg_catalog.text)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	WITH chunk AS MATERIALIZED (
		SELECT k.ctid AS tid, k.id,
			   (k."revokedAt" OPERATOR(pg_catalog.<) cutoff
				OR k."expiresAt" OPERATOR(pg_catalog.<) cutoff) AS due
		  FROM @extschema@.auth_api_keys k
		 WHERE k.id OPERATOR(pg_catalog.>=) after_id
		   AND (inclusive OR k.id OPERATOR(pg_catalog.<>) after_id)
		 ORDER BY k.id
		 LIMIT batch_size),
	locked AS (
		SELECT k.ctid AS tid
		  FROM @extschema@.auth_api_keys k
		 WHERE k.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.tid FROM chunk c WHERE c.due))
		   AND (k."revokedAt" OPERATOR(pg_catalog.<) cutoff
				OR k."expiresAt" OPERATOR(pg_catalog.<) cutoff)
		   FOR UPDATE SKIP LOCKED),
	gone AS (
		DELETE FROM @extschema@.auth_api_keys k
		 WHERE k.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.tid FROM locked l))
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM chunk),
		   (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT c.id FROM chunk c ORDER BY c.id DESC LIMIT 1);
END;
COMMENT ON FUNCTION covara._auth_purge_api_keys_batch(pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) IS
'internal: delete the API keys revoked or expired before cutoff among the next batch in primary-key order';

CREATE FUNCTION covara.purge_expired(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS TABLE(table_name pg_catalog.text, deleted pg_catalog.int8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE ROWS 3
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	now_utc		pg_catalog.timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
	-- API keys stay visible (as revoked or expired) for 30 days
	key_cutoff	pg_catalog.timestamp := now_utc OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval;
	sb			pg_catalog.record;
	tb			pg_catalog.record;
	kb			pg_catalog.record;
	total		pg_catalog.int8;
	first		pg_catalog.bool;
	pos_ts		pg_catalog.timestamp;
	pos_a		pg_catalog.text;
	pos_b		pg_catalog.text;
BEGIN
	IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<) 1 THEN
		RAISE EXCEPTION 'batch_size must be a positive integer'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The batch_size given was %s.', COALESCE(batch_size::pg_catalog.text, 'NULL'));
	END IF;

	total := 0; first := true; pos_ts := '-infinity'; pos_a := '';
	LOOP
		SELECT * INTO sb FROM covara._auth_purge_sessions_batch(pos_ts, pos_a, first, batch_size, now_utc);
		total := total OPERATOR(pg_catalog.+) sb.n_deleted;
		EXIT WHEN sb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_ts := sb.last_expires; pos_a := sb.last_id; first := false;
	END LOOP;
	table_name := 'auth_sessions'; deleted := total;
	RETURN NEXT;

	total := 0; first := true; pos_a := ''; pos_b := '';
	LOOP
		SELECT * INTO tb FROM covara._auth_purge_tokens_batch(pos_a, pos_b, first, batch_size, now_utc);
		total := total OPERATOR(pg_catalog.+) tb.n_deleted;
		EXIT WHEN tb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_a := tb.last_identifier; pos_b := tb.last_token; first := false;
	END LOOP;
	table_name := 'auth_verification_tokens'; deleted := total;
	RETURN NEXT;

	total := 0; first := true; pos_a := '';
	LOOP
		SELECT * INTO kb FROM covara._auth_purge_api_keys_batch(pos_a, first, batch_size, key_cutoff);
		total := total OPERATOR(pg_catalog.+) kb.n_deleted;
		EXIT WHEN kb.n_examined OPERATOR(pg_catalog.<) batch_size;
		pos_a := kb.last_id; first := false;
	END LOOP;
	table_name := 'auth_api_keys'; deleted := total;
	RETURN NEXT;
END
$covara$;
COMMENT ON FUNCTION covara.purge_expired(pg_catalog.int4) IS
'delete expired sessions and verification tokens, and API keys revoked or expired more than 30 days ago, in batches of at most batch_size rows that skip rows other transactions hold locked; returns the count per table';

--------------------------------------------------------------------------
-- Privileges
--------------------------------------------------------------------------

-- The functions an application role needs to run every flow.
CREATE FUNCTION covara._auth_flow_functions()
RETURNS pg_catalog.regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN ARRAY[
	'covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb)',
	'covara.get_session(pg_catalog.text)',
	'covara.touch_session(pg_catalog.text, pg_catalog.interval)',
	'covara.revoke_session(pg_catalog.text)',
	'covara.revoke_user_sessions(pg_catalog.text)',
	'covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text)',
	'covara.verify_api_key(pg_catalog.text)',
	'covara.revoke_api_key(pg_catalog.text)',
	'covara.rotate_api_key(pg_catalog.text)',
	'covara.issue_verification_token(pg_catalog.text, pg_catalog.interval)',
	'covara.consume_verification_token(pg_catalog.text, pg_catalog.text)'
]::pg_catalog.regprocedure[];
COMMENT ON FUNCTION covara._auth_flow_functions() IS
'internal: the auth flow functions that grant_auth_flows grants';

CREATE PROCEDURE covara.grant_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA covara TO %I', role_name);
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION covara.%I(%s) TO %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) IS
'grant a role what it needs to run every auth flow: USAGE on schema covara and EXECUTE on the flow functions (not purge_expired, and no access to the tables)';

CREATE PROCEDURE covara.revoke_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION covara.%I(%s) FROM %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) IS
'revoke what grant_auth_flows granted (EXECUTE on the flow functions; USAGE on schema covara stays, PUBLIC has it)';

/*
 * Nothing here is executable by PUBLIC: the flows are granted per role
 * (grant_auth_flows), purge_expired is for the owner or a maintenance
 * role, and the helpers are internal.
 */
REVOKE ALL ON FUNCTION covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.get_session(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.touch_session(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_session(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_user_sessions(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.verify_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.rotate_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.issue_verification_token(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.consume_verification_token(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.purge_expired(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) FROM PUBLIC;
REVOKE ALL ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) FROM PUBLIC;

REVOKE ALL ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_row(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_insert(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_touch(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_row(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_touch(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_record_use(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_prefix(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_new(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_insert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_token_replace(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_token_clear(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_sessions_batch(pg_catalog.timestamp, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_tokens_batch(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_api_keys_batch(pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_flow_functions() FROM PUBLIC;
