--
-- covara auth flows: the update path from 0.1.0 gives exactly what a fresh
-- install of 0.4.0 gives (test/tap/upgrade_paths.sh compares every version
-- with the newest in full), and the C functions' cached plans follow the extension
-- when it is dropped and created again in the same session, even in
-- another schema.
--
CREATE EXTENSION covara VERSION '0.1.0';
SELECT count(*) AS auth_functions_in_010 FROM pg_proc
 WHERE pronamespace = 'covara'::regnamespace AND proname LIKE '%session%';
ALTER EXTENSION covara UPDATE TO '0.4.0';
SELECT extversion FROM pg_extension WHERE extname = 'covara';

-- remember the updated extension's members and function properties
CREATE TEMP TABLE updated_members AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara');
CREATE TEMP TABLE updated_functions AS
SELECT p.oid::regprocedure::text AS f, p.prosecdef, p.provolatile, p.proisstrict, p.proparallel,
	   p.prorows, p.proconfig, p.proacl::text AS acl, obj_description(p.oid, 'pg_proc') AS comment
  FROM pg_proc p WHERE p.pronamespace = 'covara'::regnamespace;

-- use the C functions once, so that their plans are cached in this session
SELECT id AS kid, key AS k FROM covara.create_api_key('u1', 'before') \gset
SELECT covara.create_session('u1', '1 hour') AS sid \gset
SELECT count(*) AS verifies_before FROM covara.verify_api_key(:'k');
SELECT count(*) AS session_before FROM covara.get_session(:'sid');

DROP EXTENSION covara;
CREATE EXTENSION covara VERSION '0.4.0';
SELECT extversion FROM pg_extension WHERE extname = 'covara';

SELECT member AS only_after_update FROM updated_members
EXCEPT
SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara');
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS only_after_fresh_install
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')
EXCEPT
SELECT member FROM updated_members;
SELECT count(*) AS functions_that_differ FROM (
	(SELECT * FROM updated_functions
	 EXCEPT
	 SELECT p.oid::regprocedure::text, p.prosecdef, p.provolatile, p.proisstrict, p.proparallel,
			p.prorows, p.proconfig, p.proacl::text, obj_description(p.oid, 'pg_proc')
	   FROM pg_proc p WHERE p.pronamespace = 'covara'::regnamespace)
	UNION ALL
	(SELECT p.oid::regprocedure::text, p.prosecdef, p.provolatile, p.proisstrict, p.proparallel,
			p.prorows, p.proconfig, p.proacl::text, obj_description(p.oid, 'pg_proc')
	   FROM pg_proc p WHERE p.pronamespace = 'covara'::regnamespace
	 EXCEPT
	 SELECT * FROM updated_functions)) d;
SELECT count(*) AS functions_without_comment FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;

-- the dropped rows are gone, and the same session's cached plans see the
-- new tables
SELECT count(*) AS old_key_verifies FROM covara.verify_api_key(:'k');
SELECT count(*) AS old_session_found FROM covara.get_session(:'sid');
SELECT id AS kid, key AS k FROM covara.create_api_key('u2', 'after') \gset
SELECT covara.create_session('u2', '1 hour') AS sid \gset
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "userId" FROM covara.get_session(:'sid');

-- again, with the tables in another schema, and a decoy table left behind
-- in public under the old name
DROP EXTENSION covara;
CREATE SCHEMA covara_auth_elsewhere;
CREATE EXTENSION covara SCHEMA covara_auth_elsewhere;
CREATE TABLE public.auth_api_keys (LIKE covara_auth_elsewhere.auth_api_keys);
CREATE TABLE public.auth_sessions (LIKE covara_auth_elsewhere.auth_sessions);
INSERT INTO public.auth_api_keys SELECT id, 'decoy', name, covara.hash_token(key), 'cvk_' || id, NULL,
	now() AT TIME ZONE 'UTC', NULL, NULL, NULL
  FROM (VALUES ('0123456789abcdef', 'cvk_0123456789abcdef.decoy', 'decoy')) v(id, key, name);
INSERT INTO public.auth_sessions VALUES ('decoy-session', 'decoy', 'epoch', 'infinity', NULL);
SELECT count(*) AS decoy_key_verifies FROM covara.verify_api_key('cvk_0123456789abcdef.decoy');
SELECT count(*) AS decoy_session_found FROM covara.get_session('decoy-session');
SELECT id AS kid, key AS k FROM covara.create_api_key('u3', 'elsewhere') \gset
SELECT covara.create_session('u3', '1 hour') AS sid \gset
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "userId" FROM covara.get_session(:'sid');
SELECT count(*) AS recorded_in_extension_schema FROM covara_auth_elsewhere.auth_api_keys
 WHERE id = :'kid' AND "lastUsedAt" IS NOT NULL;
-- the decoy holds a row with the same id: recording a use must not touch it
INSERT INTO public.auth_api_keys SELECT * FROM covara_auth_elsewhere.auth_api_keys WHERE id = :'kid';
UPDATE public.auth_api_keys SET "lastUsedAt" = NULL WHERE id = :'kid';
UPDATE covara_auth_elsewhere.auth_api_keys SET "lastUsedAt" = NULL WHERE id = :'kid';
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT (SELECT "lastUsedAt" IS NOT NULL FROM covara_auth_elsewhere.auth_api_keys WHERE id = :'kid') AS recorded_in_extension_table,
	   (SELECT "lastUsedAt" IS NULL FROM public.auth_api_keys WHERE id = :'kid') AS decoy_untouched;
SELECT * FROM covara.purge_expired();

-- and after the extension's schema is renamed, in the same session
ALTER SCHEMA covara_auth_elsewhere RENAME TO covara_auth_renamed;
UPDATE covara_auth_renamed.auth_api_keys SET "lastUsedAt" = NULL WHERE id = :'kid';
SELECT "userId" FROM covara.verify_api_key(:'k');
SELECT "userId" FROM covara.get_session(:'sid');
SELECT "lastUsedAt" IS NOT NULL AS recorded_after_rename FROM covara_auth_renamed.auth_api_keys WHERE id = :'kid';
SELECT (SELECT "lastUsedAt" IS NULL FROM public.auth_api_keys WHERE id = :'kid') AS decoy_untouched;

DROP TABLE public.auth_api_keys, public.auth_sessions;
DROP EXTENSION covara;
DROP SCHEMA covara_auth_renamed;
