#!/usr/bin/env bash
# Benchmark: covara.hash_token over 1,000,000 tokens of 43 characters, side
# by side with PostgreSQL's built-in expression and pgcrypto, each measured
# against a SELECT that only passes the tokens through.  Prints a table of
# median times and ratios from one run.  Not part of test/run-all.
#
#   test/bench/hash.sh            (ROUNDS=7 by default)
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
covara_install_deps
covara_build_install
export ROUNDS=${ROUNDS:-7}
covara_with_cluster bash -c '
set -euo pipefail
psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION covara;
CREATE EXTENSION pgcrypto;
-- 1M tokens like covara session ids (43 characters of base64url), plus
-- copies differing in the first and in the last character for token_equals
CREATE TABLE tok AS
  SELECT t, overlay(t placing (CASE WHEN left(t, 1) = \$\$A\$\$ THEN \$\$B\$\$ ELSE \$\$A\$\$ END) from 1 for 1) AS t_first,
            overlay(t placing (CASE WHEN right(t, 1) = \$\$A\$\$ THEN \$\$B\$\$ ELSE \$\$A\$\$ END) from 43 for 1) AS t_last
    FROM (SELECT covara.generate_token() AS t FROM generate_series(1, 1000000)) s;
VACUUM ANALYZE tok;
CREATE TABLE variants (ord int, name text, expr text, setting text);
INSERT INTO variants VALUES
  (1, \$\$pass-through (baseline)\$\$, \$\$t\$\$, \$\$auto\$\$),
  (2, \$\$covara.hash_token(t)\$\$, \$\$covara.hash_token(t)\$\$, \$\$auto\$\$),
  (3, \$\$covara.hash_token(t), portable C\$\$, \$\$covara.hash_token(t)\$\$, \$\$portable\$\$),
  (4, \$\$encode(sha256(convert_to(t,UTF8)),hex)\$\$, \$\$encode(sha256(convert_to(t, \$q\$UTF8\$q\$)), \$q\$hex\$q\$)\$\$, \$\$auto\$\$),
  (5, \$\$encode(digest(t,sha256),hex) (pgcrypto)\$\$, \$\$encode(digest(t, \$q\$sha256\$q\$), \$q\$hex\$q\$)\$\$, \$\$auto\$\$),
  (6, \$\$token_equals, differ at first char\$\$, \$\$covara.token_equals(t, t_first)\$\$, \$\$auto\$\$),
  (7, \$\$token_equals, differ at last char\$\$, \$\$covara.token_equals(t, t_last)\$\$, \$\$auto\$\$);
CREATE TABLE timings (ord int, secs float8);
SQL
for r in $(seq 1 "$ROUNDS"); do
  psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET max_parallel_workers_per_gather = 0;
DO \$\$
DECLARE v record; t0 timestamptz;
BEGIN
  FOR v IN SELECT * FROM variants ORDER BY ord LOOP
    PERFORM set_config(\$q\$covara.sha256_implementation\$q\$, v.setting, false);
    t0 := clock_timestamp();
    EXECUTE format(\$q\$SELECT count(%s) FROM tok\$q\$, v.expr);
    INSERT INTO timings VALUES (v.ord, extract(epoch FROM clock_timestamp() - t0));
  END LOOP;
END
\$\$;
SQL
done
echo
echo "covara.hash_token benchmark: 1,000,000 tokens of 43 characters, median of $ROUNDS rounds, one backend, no parallel workers"
echo "(SHA-256 code in use: $(psql -X -q -At -c "LOAD \$\$covara\$\$" -c "SHOW covara.sha256_in_use"))"
psql -X -q -P footer=off <<SQL
WITH m AS (
  SELECT ord, percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS med FROM timings GROUP BY ord
), b AS (SELECT med FROM m WHERE ord = 1),
   builtin AS (SELECT med FROM m WHERE ord = 4)
SELECT v.name AS "expression",
       round(m.med::numeric, 3) AS "median s",
       round((m.med - b.med)::numeric, 3) AS "minus pass-through s",
       round((builtin.med / m.med)::numeric, 2) AS "built-in / this (total)",
       CASE WHEN m.ord > 1 THEN round(((builtin.med - b.med) / NULLIF(m.med - b.med, 0))::numeric, 2) END
         AS "built-in / this (net)"
  FROM m JOIN variants v USING (ord), b, builtin
 ORDER BY m.ord;
SQL
psql -X -At <<SQL
WITH m AS (SELECT ord, percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS med FROM timings GROUP BY ord)
SELECT format(\$\$target: covara.hash_token at least 2x faster than the built-in expression: %sx -> %s\$\$,
              round(((SELECT med FROM m WHERE ord = 4) / (SELECT med FROM m WHERE ord = 2))::numeric, 2),
              CASE WHEN (SELECT med FROM m WHERE ord = 4) >= 2 * (SELECT med FROM m WHERE ord = 2)
                   THEN \$\$met\$\$ ELSE \$\$NOT met\$\$ END);
WITH m AS (SELECT ord, percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS med FROM timings GROUP BY ord)
SELECT format(\$\$token_equals: differing at the last vs the first character takes %sx the time (1.00 = independent of where they differ)\$\$,
              round(((SELECT med FROM m WHERE ord = 7) / (SELECT med FROM m WHERE ord = 6))::numeric, 2));
SQL
'
