/* covara--0.1.0.sql: install script for covara 0.1.0 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION covara" to load this file. \quit

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
	r			record;
	s			record;
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
			   c.relforcerowsecurity, c.relhasrules
		  INTO r FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) old_rel;
		IF r.relkind OPERATOR(pg_catalog.<>) 'r' OR r.relispartition THEN
			problems := problems OPERATOR(pg_catalog.||)
				pg_catalog.format('it is not a plain table (relkind %s)', r.relkind);
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

		-- constraints: only the primary key (NOT NULL is checked above)
		FOR s IN
			SELECT c.conname, c.contype FROM pg_catalog.pg_constraint c
			 WHERE c.conrelid OPERATOR(pg_catalog.=) old_rel
			   AND c.contype OPERATOR(pg_catalog.<>) 'p'
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
					pg_catalog.format('index %s %s is missing',
						pg_catalog.quote_ident((SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.ref_idx)),
						s.ref_def);
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

		-- behaviour attached to the table
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
					  DETAIL = pg_catalog.array_to_string(problems, E';\n'),
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
