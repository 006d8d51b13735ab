/*-------------------------------------------------------------------------
 *
 * search_inspect.c
 *	  covara.trigger_arguments() and covara.check_search_trigger(): a
 *	  trigger's arguments as text[], and the check of a search trigger that
 *	  attach_search() and users run when the trigger is made, so that a
 *	  mistake shows then rather than on the first row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "compat.h"
#include "search_config.h"

PG_FUNCTION_INFO_V1(covara_trigger_arguments);
PG_FUNCTION_INFO_V1(covara_check_search_trigger);

/* Decode the arguments of a pg_trigger row. */
static char **
covara_decode_tgargs(HeapTuple tup, TupleDesc tgdesc, int *nargs)
{
	Form_pg_trigger tg = (Form_pg_trigger) GETSTRUCT(tup);
	char	  **args;
	bool		isnull;
	Datum		d;
	bytea	   *val;
	char	   *p;
	int			i;

	*nargs = tg->tgnargs;
	args = palloc(sizeof(char *) * Max(tg->tgnargs, 1));
	if (tg->tgnargs == 0)
		return args;
	d = fastgetattr(tup, Anum_pg_trigger_tgargs, tgdesc, &isnull);
	if (isnull)
		elog(ERROR, "tgargs is null for trigger %u", tg->oid);
	val = DatumGetByteaPP(d);
	p = (char *) VARDATA_ANY(val);
	for (i = 0; i < tg->tgnargs; i++)
	{
		args[i] = pstrdup(p);
		p += strlen(p) + 1;
	}
	return args;
}

/* covara.trigger_arguments(trigger oid): the trigger's arguments as text[]. */
Datum
covara_trigger_arguments(PG_FUNCTION_ARGS)
{
	Oid			tgoid = PG_GETARG_OID(0);
	Relation	tgrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	ArrayType  *result = NULL;

	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(tgoid));
	scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		int			nargs;
		char	  **args = covara_decode_tgargs(tup, RelationGetDescr(tgrel), &nargs);
		Datum	   *elems = palloc(sizeof(Datum) * Max(nargs, 1));
		int			i;

		for (i = 0; i < nargs; i++)
			elems[i] = CStringGetTextDatum(args[i]);
		result = construct_array(elems, nargs, TEXTOID, -1, false, TYPALIGN_INT);
	}
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * covara.check_search_trigger(tbl regclass, trigger name): check a trigger
 * that uses covara.search_trigger() or covara.search_sync_trigger() the way
 * its first row would (columns, types, weights, configuration, timing), so
 * that a mistake shows when the trigger is made rather than on first use.
 */
Datum
covara_check_search_trigger(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Name		tgname = PG_GETARG_NAME(1);
	Relation	rel;
	Relation	tgrel;
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	Form_pg_trigger tg;
	HeapTuple	proctup;
	char	   *prosrc;
	CovaraTriggerKind kind;
	int			nargs;
	char	  **args;
	bool		ok;
	CovaraTriggerConfig *conf;

	/* as for SELECT or CREATE TRIGGER: no lock on a table one may not use */
	if (pg_class_aclmask(relid, GetUserId(), ACL_SELECT | ACL_TRIGGER,
						 ACLMASK_ANY) == 0)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
	rel = table_open(relid, AccessShareLock);
	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&keys[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber, F_NAMEEQ,
				NameGetDatum(tgname));
	scan = systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL, 2, keys);
	tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("trigger \"%s\" for table \"%s\" does not exist",
						NameStr(*tgname), RelationGetRelationName(rel))));
	tup = heap_copytuple(tup);
	systable_endscan(scan);
	tg = (Form_pg_trigger) GETSTRUCT(tup);

	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(tg->tgfoid));
	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", tg->tgfoid);
	prosrc = TextDatumGetCString(SysCacheGetAttr(PROCOID, proctup,
												 Anum_pg_proc_prosrc, &ok));
	ok = ((Form_pg_proc) GETSTRUCT(proctup))->prolang == ClanguageId;
	ReleaseSysCache(proctup);
	if (ok && strcmp(prosrc, "covara_search_trigger") == 0)
		kind = COVARA_TRIGGER_SEARCH;
	else if (ok && strcmp(prosrc, "covara_search_sync_trigger") == 0)
		kind = COVARA_TRIGGER_SYNC;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trigger \"%s\" on table \"%s\" does not use covara.search_trigger() or covara.search_sync_trigger()",
						NameStr(*tgname), RelationGetRelationName(rel))));

	if (kind == COVARA_TRIGGER_SEARCH)
		ok = TRIGGER_FOR_ROW(tg->tgtype) && TRIGGER_FOR_BEFORE(tg->tgtype) &&
			!TRIGGER_FOR_DELETE(tg->tgtype) && !TRIGGER_FOR_TRUNCATE(tg->tgtype);
	else
		ok = TRIGGER_FOR_ROW(tg->tgtype) && TRIGGER_FOR_AFTER(tg->tgtype) &&
			!TRIGGER_FOR_TRUNCATE(tg->tgtype);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" must be %s",
						NameStr(*tgname), RelationGetRelationName(rel),
						kind == COVARA_TRIGGER_SEARCH ?
						"a BEFORE INSERT OR UPDATE ... FOR EACH ROW trigger" :
						"an AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger")));

	args = covara_decode_tgargs(tup, RelationGetDescr(tgrel), &nargs);
	conf = covara_trigger_config_build(CurrentMemoryContext, kind, rel,
									   tg->oid, NameStr(*tgname), nargs, args);
	MemoryContextDelete(conf->cxt);

	table_close(tgrel, AccessShareLock);
	table_close(rel, AccessShareLock);
	PG_RETURN_VOID();
}
