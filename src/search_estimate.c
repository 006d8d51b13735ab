/*-------------------------------------------------------------------------
 *
 * search_estimate.c
 *	  The planner's estimate of how many documents of a search index match
 *	  a query, without running it.
 *
 * search() asks it whether ranking every match is cheap enough to skip the
 * impact tiers, and search_count(index, query, exact_up_to) reports it
 * beyond the exact count.  It plans the query a count would run (through
 * SPI, the tsquery as a constant so that the planner's text search
 * statistics apply) and reads the estimated rows off the plan, as EXPLAIN
 * would, without EXPLAIN's need for a volatile caller.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "tsearch/ts_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "compat.h"
#include "spi.h"

PG_FUNCTION_INFO_V1(covara_search_estimate);
/* covara._search_estimate(regclass, tsquery): the planner's estimate of the rows whose search_vector matches. */
Datum
covara_search_estimate(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Datum		query = PG_GETARG_DATUM(1);
	char	   *relname = get_rel_name(relid);
	StringInfoData sql;
	SPIPlanPtr	plan;
	CachedPlan *cplan;
	PlannedStmt *stmt;
	double		rows;

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	/* the statistics behind the estimate are the table's readers' to see */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", relname)));

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT FROM %s AS t WHERE t.search_vector OPERATOR(pg_catalog.@@) %s::pg_catalog.tsquery",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname),
					 quote_literal_cstr(DatumGetCString(DirectFunctionCall1(tsqueryout, query))));
	covara_spi_connect();
	plan = covara_spi_prepare(sql.data, 0, NULL);
	cplan = SPI_plan_get_cached_plan(plan);
	if (cplan == NULL || list_length(cplan->stmt_list) != 1)
		elog(ERROR, "planning the estimate of search matches gave no single plan");
	stmt = linitial_node(PlannedStmt, cplan->stmt_list);
	rows = stmt->planTree->plan_rows;
	/* an unsaved SPI plan's cached plan belongs to no resource owner */
	ReleaseCachedPlan(cplan, NULL);
	covara_spi_finish();
	pfree(sql.data);
	PG_RETURN_FLOAT8(rows);
}
