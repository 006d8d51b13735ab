-- Prints, for every table that belongs to the covara extension, its row
-- count and a checksum of its whole content, one line per table, so that
-- two databases can be compared with diff.
-- Usage: psql -X -At -f test/lib/rows.sql
\set ON_ERROR_STOP 1
SET search_path = pg_catalog;
SET DateStyle = ISO;
SET IntervalStyle = postgres;
SET extra_float_digits = 0;
SELECT format('SELECT %L || '' rows='' || count(*) || '' md5='' || md5(COALESCE(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C"), '''')) FROM %s t',
              c.oid::regclass, c.oid::regclass)
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
 WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')
 ORDER BY c.oid::regclass::text COLLATE "C"
\gexec
