-- Every SECURITY DEFINER function of covara, read from the catalog (so the
-- check cannot drift from what CREATE EXTENSION made): its search_path is
-- pinned to pg_catalog with pg_temp last, it runs as the extension's owner,
-- and PUBLIC may not execute it.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(5);

CREATE TEMP VIEW definers AS
SELECT p.oid::regprocedure AS fn, p.proconfig, p.proowner, p.proacl
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')
   AND p.prosecdef;

SELECT set_eq(
  $$SELECT fn FROM definers$$,
  $$SELECT f FROM unnest(covara._auth_flow_functions()) f
    UNION ALL SELECT 'covara.purge_expired(integer)'::regprocedure$$,
  'the SECURITY DEFINER functions are the auth flows and purge_expired, no others');
SELECT is_empty(
  $$SELECT fn FROM definers
     WHERE proconfig IS NULL
        OR NOT 'search_path=pg_catalog, pg_temp' = ANY (proconfig)$$,
  'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp');
SELECT is_empty(
  $$SELECT fn, c FROM definers, unnest(proconfig) c
     WHERE c NOT LIKE 'search_path=%'$$,
  'and sets nothing else');
SELECT is_empty(
  $$SELECT fn FROM definers
     WHERE proowner <> (SELECT extowner FROM pg_extension WHERE extname = 'covara')$$,
  'each is owned by the extension''s owner');
SELECT is_empty(
  $$SELECT fn FROM definers
     WHERE has_function_privilege('public', fn, 'EXECUTE')$$,
  'PUBLIC may execute none of them (grant_auth_flows gives them to a role)');

SELECT * FROM finish();
ROLLBACK;
