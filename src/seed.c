/*-------------------------------------------------------------------------
 *
 * seed.c
 *	  covara.seed(regclass, jsonb) and covara.seed(jsonb): insert-or-ignore
 *	  seeding of any table from JSON rows, with INSERT ... ON CONFLICT DO
 *	  NOTHING, as the framework's seed() does.  This file opens and checks
 *	  the tables and, for a plan of several, orders them parents first; the
 *	  rows are checked and grouped by seed_group.c, inserted by
 *	  seed_insert.c, and a row that does not convert is found by
 *	  seed_diagnose.c.
 *
 * Everything that can be checked from the JSON and the catalogs (shape,
 * unknown keys, generated columns, the kind of relation) is checked before
 * anything is inserted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "report.h"
#include "seed.h"
#include "spi.h"

PG_FUNCTION_INFO_V1(covara_seed);
PG_FUNCTION_INFO_V1(covara_seed_plan);

/*
 * Open the target table, checking that it is one covara.seed writes into:
 * an ordinary or a partitioned table.
 */
static void
covara_seed_open(CovaraSeedTarget *t, Oid relid, const char *what)
{
	char		relkind = get_rel_relkind(relid);
	AclResult	aclresult;

	if (relkind == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", get_rel_name(relid)),
				 errdetail_relkind_not_supported(relkind),
				 errhint("covara.seed inserts into ordinary and partitioned tables only.")));

	/*
	 * Like LOCK TABLE, take no lock on a table the caller may not insert into
	 * (in any column): without this, seeding an empty array would lock any
	 * table without a single privilege check.
	 */
	aclresult = pg_class_aclcheck(relid, GetUserId(), ACL_INSERT);
	if (aclresult != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(relid, GetUserId(), ACL_INSERT,
								  ACLMASK_ANY) != ACLCHECK_OK)
		aclcheck_error(aclresult, get_relkind_objtype(relkind),
					   get_rel_name(relid));

	t->relid = relid;
	t->rel = relation_open(relid, RowExclusiveLock);
	t->display = DatumGetCString(DirectFunctionCall1(regclassout,
													 ObjectIdGetDatum(relid)));
	t->what = pstrdup(what);
}

/*
 * covara.seed(target regclass, rows jsonb) returns bigint: insert the rows
 * with ON CONFLICT DO NOTHING; the number of rows actually inserted.
 */
Datum
covara_seed(PG_FUNCTION_ARGS)
{
	CovaraSeedTarget t;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rows must not be null")));

	memset(&t, 0, sizeof(t));
	covara_seed_open(&t, PG_GETARG_OID(0), "rows");
	covara_seed_prepare(&t, PG_GETARG_JSONB_P(1));

	covara_spi_connect();
	covara_seed_run(&t, 1);
	covara_spi_finish();

	relation_close(t.rel, NoLock);
	PG_RETURN_INT64((int64) t.inserted);
}

/*
 * Order the plan's targets parents first: a table comes after every other
 * plan table its foreign keys reference (self-references are fine).  Ties
 * keep the plan's order.  A cycle is an error naming its tables.
 */
static int *
covara_seed_order(CovaraSeedTarget *targets, int n)
{
	/* refs[i][j]: table i has a foreign key referencing table j */
	bool	  **refs = palloc(sizeof(bool *) * Max(n, 1));
	bool	   *placed = palloc0(sizeof(bool) * Max(n, 1));
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	int			norder = 0;
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		List	   *fks = RelationGetFKeyList(targets[i].rel);
		ListCell   *lc;

		refs[i] = palloc0(sizeof(bool) * n);
		foreach(lc, fks)
		{
			ForeignKeyCacheInfo *fk = lfirst_node(ForeignKeyCacheInfo, lc);

			for (j = 0; j < n; j++)
				if (j != i && fk->confrelid == targets[j].relid)
					refs[i][j] = true;
		}
	}

	while (norder < n)
	{
		int			next = -1;

		for (i = 0; i < n && next < 0; i++)
		{
			if (placed[i])
				continue;
			for (j = 0; j < n; j++)
				if (refs[i][j] && !placed[j])
					break;
			if (j == n)
				next = i;
		}
		if (next < 0)
		{
			/*
			 * Every unplaced table references another unplaced one: walk
			 * those references from the first until one repeats.
			 */
			int		   *seen = palloc(sizeof(int) * n);
			int			nseen = 0;
			int			cur;
			int			start;
			StringInfoData cycle;

			for (cur = 0; placed[cur]; cur++)
				;
			for (;;)
			{
				for (start = 0; start < nseen && seen[start] != cur; start++)
					;
				if (start < nseen)
					break;
				seen[nseen++] = cur;
				for (j = 0; j < n; j++)
					if (refs[cur][j] && !placed[j])
						break;
				cur = j;
			}
			initStringInfo(&cycle);
			for (i = start; i < nseen; i++)
				appendStringInfo(&cycle, "%s -> ", targets[seen[i]].display);
			appendStringInfoString(&cycle, targets[seen[start]].display);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_RECURSION),
					 errmsg("cannot order the plan's tables: their foreign keys form a cycle: %s",
							cycle.data),
					 errdetail("Each table in the cycle has a foreign key referencing the next, so no order inserts parents first."),
					 errhint("Seed the tables of the cycle with separate covara.seed(target, rows) calls inside one transaction, with the foreign keys DEFERRABLE and SET CONSTRAINTS ALL DEFERRED.")));
		}
		placed[next] = true;
		order[norder++] = next;
	}
	return order;
}

/* Error context while a plan's key is resolved to a table. */
static void
covara_seed_plan_key_context(void *arg)
{
	errcontext("resolving the plan key \"%s\" as a table name",
			   covara_report_cut((const char *) arg));
}

/*
 * covara.seed(plan jsonb) returns table(table_name text, inserted bigint):
 * seed several tables, given as {"table": [rows...], ...}, parents before
 * children, in the caller's transaction.  One row per table, in the order
 * applied.
 */
Datum
covara_seed_plan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *plan;
	CovaraSeedTarget *targets;
	int			ntargets = 0;
	int		   *order;
	CovaraSeedTarget *ordered;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;
	ErrorContextCallback keycontext;
	int			i,
				j;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("plan must not be null")));
	plan = PG_GETARG_JSONB_P(0);
	if (!JB_ROOT_IS_OBJECT(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("plan must be a JSON object mapping table names to arrays of rows"),
				 errdetail("It is %s.", covara_seed_root_type(plan)),
				 JB_ROOT_IS_ARRAY(plan) && !JB_ROOT_IS_SCALAR(plan) ?
				 errhint("To seed one table, use covara.seed(target, rows).") : 0));

	InitMaterializedSRF(fcinfo, 0);

	/* resolve the table names, as regclass input does */
	targets = palloc0(sizeof(CovaraSeedTarget) * Max(JB_ROOT_COUNT(plan), 1));
	it = JsonbIteratorInit(&plan->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			CovaraSeedTarget *t = &targets[ntargets];
			Oid			relid;

			keycontext.callback = covara_seed_plan_key_context;
			keycontext.arg = key;
			keycontext.previous = error_context_stack;
			error_context_stack = &keycontext;
			relid = DatumGetObjectId(DirectFunctionCall1(regclassin,
														 CStringGetDatum(key)));
			error_context_stack = keycontext.previous;
			covara_seed_open(t, relid, psprintf("plan entry \"%s\"", covara_report_cut(key)));
			t->key = key;
			for (j = 0; j < ntargets; j++)
				if (targets[j].relid == relid)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("plan names table %s more than once", t->display),
							 errdetail("Keys \"%s\" and \"%s\" both name it.",
									   covara_report_cut(targets[j].key), covara_report_cut(key))));
			if (v.type != jbvBinary)
			{
				JsonbValue	scalar = v;

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s must be a JSON array of objects", t->what),
						 errdetail("It is %s.",
								   covara_seed_root_type(JsonbValueToJsonb(&scalar)))));
			}
			/* a copy of the entry's array as a jsonb datum of its own */
			t->rows = JsonbValueToJsonb(&v);
			ntargets++;
		}
	}

	order = covara_seed_order(targets, ntargets);

	/* check and group every table's rows, in the order they will be seeded */
	for (i = 0; i < ntargets; i++)
	{
		CovaraSeedTarget *t = &targets[order[i]];

		covara_seed_prepare(t, t->rows);
	}

	/*
	 * The seeding order, allocated before SPI_connect: SPI_finish frees
	 * everything palloc'd while connected, and the rows are read afterwards.
	 */
	ordered = palloc(sizeof(CovaraSeedTarget) * Max(ntargets, 1));
	for (i = 0; i < ntargets; i++)
		ordered[i] = targets[order[i]];

	covara_spi_connect();
	covara_seed_run(ordered, ntargets);
	covara_spi_finish();

	for (i = 0; i < ntargets; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(ordered[i].display);
		values[1] = Int64GetDatum((int64) ordered[i].inserted);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		relation_close(ordered[i].rel, NoLock);
	}
	return (Datum) 0;
}
