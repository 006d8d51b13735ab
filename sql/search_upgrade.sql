--
-- covara 0.1.0 -> 0.2.0: the upgrade adds the search objects, and a fresh
-- install of 0.2.0 (0.1.0 script plus this upgrade) has exactly the same
-- objects.  (test/tap/upgrade_paths.sh compares every version with the
-- newest in full.)
--
CREATE EXTENSION covara VERSION '0.1.0';
SELECT count(*) AS search_functions FROM pg_proc WHERE pronamespace = 'covara'::regnamespace AND proname ~ 'search';
CREATE TABLE legacy_posts (id int PRIMARY KEY, title text);
INSERT INTO legacy_posts VALUES (1, 'Upgraded in place');
ALTER EXTENSION covara UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'covara';
CREATE TEMP TABLE upgraded AS
SELECT pg_describe_object(classid, objid, 0) AS obj
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara');
SELECT covara.create_search_index('up', '{"title": "A"}');
SELECT covara.attach_search('legacy_posts', 'up', '{"title": "A"}');
SELECT doc_id, headline FROM covara.search('up', 'upgraded');
SELECT covara.drop_search_index('up');
DROP TABLE legacy_posts;
DROP EXTENSION covara;

CREATE EXTENSION covara VERSION '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'covara';
CREATE TEMP TABLE fresh AS
SELECT pg_describe_object(classid, objid, 0) AS obj
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara');
(SELECT 'only upgraded' AS side, obj FROM upgraded EXCEPT SELECT 'only upgraded', obj FROM fresh)
UNION ALL
(SELECT 'only fresh', obj FROM fresh EXCEPT SELECT 'only fresh', obj FROM upgraded);
-- what 0.2.0 adds
SELECT obj FROM fresh WHERE obj ~ 'search|trigger_arguments' ORDER BY obj;
DROP EXTENSION covara CASCADE;
