-- Prints the whole footprint of the covara extension in the current
-- database as sorted, OID-free text lines, so two databases can be compared
-- with diff: the extension row, every member object, and for member tables,
-- functions and other objects their full definitions, privileges (current
-- and initial, as pg_dump sees them), comments and pg_dump registrations.
-- Usage: psql -X -At -f test/lib/footprint.sql
\set ON_ERROR_STOP 1
SET search_path = pg_catalog;
SET DateStyle = ISO;
SET extra_float_digits = 0;

CREATE TEMP VIEW covara_members AS
  SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d
   WHERE d.refclassid = 'pg_extension'::regclass
     AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')
     AND d.deptype = 'e';

-- Privileges as effective, sorted text: a NULL ACL and an explicit one equal
-- to the owner's defaults print the same.
CREATE FUNCTION pg_temp.acl(acl aclitem[], kind "char", owner oid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT string_agg(a::text, ',' ORDER BY a::text COLLATE "C")
    FROM unnest(COALESCE(acl, acldefault(kind, owner))) a
$$;

WITH lines(line) AS (
  -- the extension itself
  SELECT format('extension %s version=%s relocatable=%s schema=%s', extname, extversion,
                extrelocatable, extnamespace::regnamespace)
    FROM pg_extension WHERE extname = 'covara'
  UNION ALL
  -- pg_dump registrations (pg_extension_config_dump)
  SELECT format('config-dump %s condition=%L', c.rel::regclass, c.cond)
    FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS c(rel, cond)
   WHERE e.extname = 'covara'
  UNION ALL
  -- every member object
  SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM covara_members
  UNION ALL
  -- comments on members
  SELECT format('comment %s = %L', pg_describe_object(m.classid, m.objid, m.objsubid), ds.description)
    FROM covara_members m JOIN pg_description ds
      ON ds.classoid = m.classid AND ds.objoid = m.objid AND ds.objsubid = 0
  UNION ALL
  -- initial privileges recorded for pg_dump, where they differ from the
  -- owner's defaults
  SELECT format('init-privs %s = %s', pg_describe_object(ip.classoid, ip.objoid, ip.objsubid),
                pg_temp.acl(ip.initprivs, k.kind, k.owner))
    FROM pg_init_privs ip
    JOIN covara_members m ON m.classid = ip.classoid AND m.objid = ip.objoid
    CROSS JOIN LATERAL (
      SELECT 'r'::"char", relowner FROM pg_class WHERE ip.classoid = 'pg_class'::regclass AND oid = ip.objoid
      UNION ALL SELECT 'f', proowner FROM pg_proc WHERE ip.classoid = 'pg_proc'::regclass AND oid = ip.objoid
      UNION ALL SELECT 'n', nspowner FROM pg_namespace WHERE ip.classoid = 'pg_namespace'::regclass AND oid = ip.objoid
      UNION ALL SELECT 'T', typowner FROM pg_type WHERE ip.classoid = 'pg_type'::regclass AND oid = ip.objoid
    ) AS k(kind, owner)
   WHERE ip.objsubid = 0
     AND pg_temp.acl(ip.initprivs, k.kind, k.owner) IS DISTINCT FROM pg_temp.acl(NULL, k.kind, k.owner)
  UNION ALL
  -- relations: kind, options, security, privileges
  SELECT format('relation %s kind=%s persistence=%s options=%s rls=%s/%s acl=%s owner-is-extension-owner=%s',
                c.oid::regclass, c.relkind, c.relpersistence, c.reloptions, c.relrowsecurity,
                c.relforcerowsecurity, pg_temp.acl(c.relacl, 'r', c.relowner),
                c.relowner = (SELECT extowner FROM pg_extension WHERE extname = 'covara'))
    FROM covara_members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  UNION ALL
  -- columns, in order, with everything that defines them
  SELECT format('column %s #%s %I %s notnull=%s default=%s collation=%s identity=%s generated=%s acl=%s comment=%L',
                c.oid::regclass,
                row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
                a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(ad.adbin, ad.adrelid), a.attcollation::regcollation,
                a.attidentity, a.attgenerated, a.attacl, col_description(c.oid, a.attnum))
    FROM covara_members m
    JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
  UNION ALL
  -- constraints of member tables
  SELECT format('constraint %s %I %s', c.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
    FROM covara_members m
    JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    JOIN pg_constraint co ON co.conrelid = c.oid
  UNION ALL
  -- indexes of member tables
  SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM covara_members m
    JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
  UNION ALL
  -- triggers, rules, policies on member tables
  SELECT format('trigger %s', pg_get_triggerdef(t.oid))
    FROM covara_members m
    JOIN pg_trigger t ON m.classid = 'pg_class'::regclass AND t.tgrelid = m.objid AND NOT t.tgisinternal
  UNION ALL
  SELECT format('rule %s', pg_get_ruledef(r.oid))
    FROM covara_members m
    JOIN pg_rewrite r ON m.classid = 'pg_class'::regclass AND r.ev_class = m.objid
  UNION ALL
  SELECT format('policy %s %I %s', p.polrelid::regclass, p.polname, pg_get_expr(p.polqual, p.polrelid))
    FROM covara_members m
    JOIN pg_policy p ON m.classid = 'pg_class'::regclass AND p.polrelid = m.objid
  UNION ALL
  -- views
  SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM covara_members m
    JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid AND c.relkind IN ('v', 'm')
  UNION ALL
  -- functions and procedures: the complete definition (signature, body,
  -- language, volatility, strictness, parallel safety, security, SET
  -- clauses, cost), plus privileges
  SELECT format('function %s acl=%s definition=%s', p.oid::regprocedure, pg_temp.acl(p.proacl, 'f', p.proowner),
                CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid)
                     ELSE format('kind=%s', p.prokind) END)
    FROM covara_members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
  UNION ALL
  -- schemas, types, operators, casts and the like: identity and privileges
  SELECT format('schema %I owner-is-extension-owner=%s acl=%s', n.nspname,
                n.nspowner = (SELECT extowner FROM pg_extension WHERE extname = 'covara'),
                pg_temp.acl(n.nspacl, 'n', n.nspowner))
    FROM covara_members m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
  UNION ALL
  SELECT format('type %s kind=%s input=%s output=%s acl=%s', t.oid::regtype, t.typtype, t.typinput,
                t.typoutput, pg_temp.acl(t.typacl, 'T', t.typowner))
    FROM covara_members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
  UNION ALL
  SELECT format('operator %s code=%s', o.oid::regoperator, o.oprcode)
    FROM covara_members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
)
SELECT line FROM lines ORDER BY line COLLATE "C";
