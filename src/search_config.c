/*-------------------------------------------------------------------------
 *
 * search_config.c
 *	  The configuration of a search trigger: its arguments (the tsvector
 *	  column, or the index table and id column; the text search
 *	  configuration; fields and options) parsed and checked against its
 *	  table, with errors that name the trigger and the table; and the check
 *	  that a trigger function was called as the kind of trigger it is.
 *
 * Both triggers parse and check their arguments once per statement (on the
 * first row) and keep the result in fn_extra, keyed by trigger OID and the
 * relation's tuple descriptor, so later rows do no catalog look-ups;
 * check_search_trigger() builds the same configuration to check a trigger
 * when it is made.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "compat.h"
#include "report.h"
#include "search_config.h"

/* True when arg looks like an option (lowercase name and '='). */
static bool
covara_is_option(const char *arg)
{
	const char *p = arg;

	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	return p > arg && *p == '=';
}

/* Number of the live column called name, or InvalidAttrNumber. */
static AttrNumber
covara_find_column(TupleDesc td, const char *name)
{
	int			i;

	for (i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i + 1;
	}
	return InvalidAttrNumber;
}

/* True for text, varchar and char. */
static bool
covara_is_text_type(Oid typid)
{
	return typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID;
}

/*
 * True for the types an id column may have: those whose text form (the
 * doc_id) does not depend on session settings, and domains over them.
 */
static bool
covara_is_id_type(Oid typid)
{
	switch (getBaseType(typid))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case UUIDOID:
			return true;
		default:
			return false;
	}
}

/* Report a column that does not exist. */
static void
covara_no_column(const char *col, const char *role, const char *tgname,
				 const char *relname)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" named in trigger \"%s\" does not exist in table \"%s\"",
					covara_report_cut(col), tgname, relname),
			 errdetail("Trigger \"%s\" names it as %s.", tgname, role)));
}

/* Resolve a field's column and check its type. */
static void
covara_resolve_field(CovaraTriggerConfig *conf, CovaraField *f, TupleDesc td,
					 const char *tgname, const char *relname)
{
	const char *arg = covara_report_cut(f->arg);	/* as messages quote it */
	const char *col = covara_report_cut(f->path.parts[0]);
	AttrNumber	attnum = covara_find_column(td, f->path.parts[0]);
	Form_pg_attribute att;
	Oid			base;
	Oid			elem;

	if (attnum == InvalidAttrNumber)
		covara_no_column(col, psprintf("the column of field \"%s\"", arg),
						 tgname, relname);
	if (attnum == conf->tsv_attnum)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("field \"%s\" of trigger \"%s\" on table \"%s\" is its tsvector column",
						arg, tgname, relname)));
	att = TupleDescAttr(td, attnum - 1);
	base = getBaseType(att->atttypid);
	f->attnum = attnum;

	/* a BEFORE trigger runs before stored generated columns are computed */
	if (conf->kind == COVARA_TRIGGER_SEARCH && att->attgenerated)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("field \"%s\" of trigger \"%s\" is the generated column \"%s\" of table \"%s\"",
						arg, tgname, col, relname),
				 errdetail("A BEFORE trigger runs before generated columns are computed, so it never sees their values."),
				 errhint("Name the columns the generated column is computed from as fields instead.")));

	if (base == JSONBOID)
		f->kind = COVARA_FIELD_JSONB;
	else if (f->path.nparts > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("field \"%s\" of trigger \"%s\" has a key path, but column \"%s\" of table \"%s\" is of type %s",
						arg, tgname, col, relname,
						format_type_be(att->atttypid)),
				 errhint("Key paths (column.key...) need a jsonb column.")));
	else if (covara_is_text_type(base))
		f->kind = COVARA_FIELD_TEXT;
	else if ((elem = get_element_type(base)) != InvalidOid &&
			 covara_is_text_type(getBaseType(elem)))
	{
		f->kind = COVARA_FIELD_TEXT_ARRAY;
		f->elemtype = elem;
		get_typlenbyvalalign(elem, &f->elmlen, &f->elmbyval, &f->elmalign);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table \"%s\" is of type %s, which trigger \"%s\" cannot index",
						col, relname, format_type_be(att->atttypid), tgname),
				 errhint(base == JSONOID ?
						 "Fields must be text, varchar, char, arrays of those, or jsonb; convert json columns to jsonb." :
						 "Fields must be text, varchar, char, arrays of those, or jsonb.")));

	if (f->nexcl > 0 && f->kind != COVARA_FIELD_JSONB)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("trigger \"%s\" excludes keys inside field \"%s\", but column \"%s\" of table \"%s\" is not jsonb",
						tgname, arg, col, relname)));
}

/* Resolve the configuration argument: a regconfig column or a name. */
static void
covara_resolve_tsconfig(CovaraTriggerConfig *conf, const char *arg,
						TupleDesc td, const char *tgname, const char *relname)
{
	AttrNumber	attnum = covara_find_column(td, arg);
	List	   *names;

	if (attnum != InvalidAttrNumber &&
		getBaseType(TupleDescAttr(td, attnum - 1)->atttypid) == REGCONFIGOID)
	{
		if (conf->kind == COVARA_TRIGGER_SEARCH &&
			TupleDescAttr(td, attnum - 1)->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("configuration column \"%s\" of trigger \"%s\" is a generated column of table \"%s\"",
							arg, tgname, relname),
					 errdetail("A BEFORE trigger runs before generated columns are computed, so it never sees their values."),
					 errhint("Use a regconfig column that is not generated, or a fixed configuration.")));
		conf->tsconfig_attnum = attnum;
		conf->tsconfig_column = arg;
		conf->tsconfig = InvalidOid;
		return;
	}

	names = covara_qualified_name_list(arg);
	conf->tsconfig = get_ts_config_oid(names, true);
	if (OidIsValid(conf->tsconfig))
		return;

	if (attnum != InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("configuration column \"%s\" of table \"%s\" is of type %s, not regconfig",
						covara_report_cut(arg), relname, format_type_be(TupleDescAttr(td, attnum - 1)->atttypid)),
				 errdetail("Trigger \"%s\" names it as its text search configuration.", tgname),
				 errhint("Use a column of type regconfig, or the name of a text search configuration.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("text search configuration \"%s\" named in trigger \"%s\" on table \"%s\" does not exist",
					covara_report_cut(arg), tgname, relname),
			 errhint("Name an existing text search configuration (\\dF lists them), preferably schema-qualified "
					 "such as pg_catalog.english, or a column of type regconfig.")));
}

/* Note a source column for change detection (once). */
static void
covara_add_source_column(CovaraTriggerConfig *conf, TupleDesc td,
						 AttrNumber attnum)
{
	int			i;

	for (i = 0; i < conf->nsrc; i++)
		if (conf->src_attnum[i] == attnum)
			return;
	conf->src_attnum[conf->nsrc] = attnum;
	conf->src_typlen[conf->nsrc] = TupleDescAttr(td, attnum - 1)->attlen;
	conf->src_typbyval[conf->nsrc] = TupleDescAttr(td, attnum - 1)->attbyval;
	conf->nsrc++;
}

/* The equality operator of a type, schema-qualified for SQL text. */
static char *
covara_qualified_eqop(Oid typid, Oid *opno)
{
	TypeCacheEntry *tce = lookup_type_cache(typid, TYPECACHE_EQ_OPR);
	HeapTuple	tup;
	Form_pg_operator op;
	char	   *res;

	*opno = tce->eq_opr;
	if (!OidIsValid(tce->eq_opr))
		return NULL;
	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(tce->eq_opr));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", tce->eq_opr);
	op = (Form_pg_operator) GETSTRUCT(tup);
	res = psprintf("OPERATOR(%s.%s)",
				   quote_identifier(get_namespace_name(op->oprnamespace)),
				   NameStr(op->oprname));
	ReleaseSysCache(tup);
	return res;
}

/*
 * The table of the trigger at the top of a cloned trigger's tgparentid
 * chain: the table attach_search() ran on (the trigger's own table when it
 * is no clone).
 */
static Oid
covara_trigger_root_relid(Oid tgoid)
{
	Relation	tgrel = table_open(TriggerRelationId, AccessShareLock);
	Oid			relid = InvalidOid;

	while (OidIsValid(tgoid))
	{
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tup;
		Form_pg_trigger tg;

		ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(tgoid));
		scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &key);
		tup = systable_getnext(scan);
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "could not find trigger %u", tgoid);
		tg = (Form_pg_trigger) GETSTRUCT(tup);
		relid = tg->tgrelid;
		tgoid = tg->tgparentid;
		systable_endscan(scan);
	}
	table_close(tgrel, AccessShareLock);
	return relid;
}

/*
 * Refuse a sync trigger whose index is no plain table, or whose table's
 * owner may not write the index table (INSERT, UPDATE and DELETE, what
 * attach_search() needs): such a trigger is not one its table's owner
 * could have attached, so it writes nothing, whoever fires it.
 */
static void
covara_check_index_table(CovaraTriggerConfig *conf, Oid idx_relid,
							const char *tgname, const char *relname)
{
	static const AclMode modes[] = {ACL_INSERT, ACL_UPDATE, ACL_DELETE};
	static const char *const names[] = {"INSERT", "UPDATE", "DELETE"};
	int			i;

	if (get_rel_relkind(idx_relid) != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("search index table %s of trigger \"%s\" on table \"%s\" is not a table",
						conf->idx_sql, tgname, relname),
				 errhint("Search index tables are plain tables made by covara.create_search_index().")));
	for (i = 0; i < lengthof(modes); i++)
	{
		if (pg_class_aclcheck(idx_relid, conf->src_owner, modes[i]) == ACLCHECK_OK)
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" may not write search index table %s",
						tgname, relname, conf->idx_sql),
				 errdetail("Role %s, the owner of table %s, lacks the %s privilege on it.",
						   quote_identifier(GetUserNameFromId(conf->src_owner, false)),
						   conf->src_sql, names[i]),
				 errhint("The index's owner lets a table feed the index by granting INSERT, UPDATE and DELETE "
						 "on the index table to the table's owner; otherwise detach the table with covara.detach_search().")));
	}
}

/*
 * The stored source of row $2 under store=fields: the id, what the fields
 * reach and the display columns, as covara.search_source() cuts them from
 * the row's jsonb (attach_search() backfills with the same call).
 */
static char *
covara_stored_source_sql(CovaraTriggerConfig *conf, const char *id_column,
						 char **display, int ndisplay)
{
	StringInfoData fields;
	StringInfoData keep;
	int			i;

	initStringInfo(&fields);
	appendStringInfoChar(&fields, '[');
	for (i = 0; i < conf->nfields; i++)
	{
		if (i > 0)
			appendStringInfoString(&fields, ", ");
		escape_json(&fields, conf->fields[i].arg);
	}
	appendStringInfoChar(&fields, ']');

	initStringInfo(&keep);
	appendStringInfoString(&keep, quote_literal_cstr(id_column));
	for (i = 0; i < ndisplay; i++)
		appendStringInfo(&keep, ", %s", quote_literal_cstr(display[i]));

	return psprintf("covara.search_source(pg_catalog.to_jsonb($2), %s::pg_catalog.jsonb, "
					"ARRAY[%s]::pg_catalog.text[])",
					quote_literal_cstr(fields.data), keep.data);
}

/*
 * Parse and check a trigger's arguments against its relation.  Errors name
 * the trigger and the table.  The configuration lives in a new child of
 * parent.
 */
CovaraTriggerConfig *
covara_trigger_config_build(MemoryContext parent, CovaraTriggerKind kind,
							Relation rel, Oid tgoid, const char *tgname,
							int nargs, char **args)
{
	MemoryContext cxt;
	MemoryContext old;
	CovaraTriggerConfig *conf;
	TupleDesc	td = RelationGetDescr(rel);
	const char *relname = RelationGetRelationName(rel);
	const char *where;
	int			first = (kind == COVARA_TRIGGER_SEARCH) ? 2 : 4;
	int			nexclude = 0;
	char	  **display;
	int			i;

	cxt = AllocSetContextCreate(parent, "covara trigger configuration",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);

	conf = palloc0(sizeof(CovaraTriggerConfig));
	conf->cxt = cxt;
	conf->kind = kind;
	conf->tgoid = tgoid;
	conf->relid = RelationGetRelid(rel);
	conf->tupdesc = td;
	tgname = pstrdup(tgname);
	relname = pstrdup(relname);
	where = psprintf("trigger \"%s\" on table \"%s\"", tgname, relname);

	if (nargs < first + 1)
	{
		if (kind == COVARA_TRIGGER_SEARCH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("trigger \"%s\" on table \"%s\" gives covara.search_trigger() %d arguments, it needs at least 3",
							tgname, relname, nargs),
					 errhint("The arguments are the tsvector column, the text search configuration (or a regconfig column), "
							 "then one or more fields column[.key...][:weight], e.g. "
							 "covara.search_trigger('tsv', 'pg_catalog.english', 'title:A', 'body:B').")));
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("trigger \"%s\" on table \"%s\" gives covara.search_sync_trigger() %d arguments, it needs at least 5",
							tgname, relname, nargs),
					 errhint("Create sync triggers with covara.attach_search().")));
	}

	if (kind == COVARA_TRIGGER_SEARCH)
	{
		const char *col = args[0];

		conf->tsv_attnum = covara_find_column(td, col);
		if (conf->tsv_attnum == InvalidAttrNumber)
			covara_no_column(col, "its tsvector column", tgname, relname);
		if (getBaseType(TupleDescAttr(td, conf->tsv_attnum - 1)->atttypid) != TSVECTOROID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"%s\" is of type %s, not tsvector",
							col, relname,
							format_type_be(TupleDescAttr(td, conf->tsv_attnum - 1)->atttypid)),
					 errdetail("Trigger \"%s\" names it as its tsvector column.", tgname)));
		/* a domain's constraints apply to what the trigger writes, too */
		if (TupleDescAttr(td, conf->tsv_attnum - 1)->atttypid != TSVECTOROID)
			conf->tsv_domain = TupleDescAttr(td, conf->tsv_attnum - 1)->atttypid;
		if (TupleDescAttr(td, conf->tsv_attnum - 1)->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tsvector column \"%s\" of table \"%s\" is a generated column",
							col, relname),
					 errdetail("Trigger \"%s\" cannot write it.", tgname)));
	}
	else
	{
		conf->idx_schema = pstrdup(args[0]);
		conf->idx_table = pstrdup(args[1]);
		conf->id_attnum = covara_find_column(td, args[2]);
		if (conf->id_attnum == InvalidAttrNumber)
			covara_no_column(args[2], "its id column", tgname, relname);
		conf->id_type = TupleDescAttr(td, conf->id_attnum - 1)->atttypid;
		if (!covara_is_id_type(conf->id_type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("id column \"%s\" of table \"%s\" is of type %s, which cannot identify search documents",
							args[2], relname, format_type_be(conf->id_type)),
					 errdetail("Trigger \"%s\" makes each doc_id from the id's text form, which must not depend on "
							   "session settings such as TimeZone, DateStyle or extra_float_digits.", tgname),
					 errhint("Use an id column of type smallint, integer, bigint, text, varchar, char or uuid, "
							 "or a domain over one of them.")));
		conf->id_typlen = TupleDescAttr(td, conf->id_attnum - 1)->attlen;
		conf->id_typbyval = TupleDescAttr(td, conf->id_attnum - 1)->attbyval;
	}

	covara_resolve_tsconfig(conf, args[first - 1], td, tgname, relname);

	/* fields and options */
	conf->fields = palloc0(sizeof(CovaraField) * nargs);
	display = palloc(sizeof(char *) * nargs);
	for (i = first; i < nargs; i++)
	{
		const char *arg = args[i];

		if (!covara_is_option(arg))
		{
			covara_parse_field(arg, where, &conf->fields[conf->nfields++]);
			continue;
		}
		if (strncmp(arg, "exclude=", 8) == 0)
		{
			nexclude++;
			continue;			/* below, once all fields are known */
		}
		if (kind == COVARA_TRIGGER_SEARCH && strcmp(arg, "given_vector=keep") == 0)
			conf->keep_given = true;
		else if (kind == COVARA_TRIGGER_SEARCH && strcmp(arg, "given_vector=replace") == 0)
			conf->keep_given = false;
		else if (kind == COVARA_TRIGGER_SYNC && strcmp(arg, "store=fields") == 0)
			conf->store_fields = true;
		else if (kind == COVARA_TRIGGER_SYNC && strncmp(arg, "display=", 8) == 0)
			display[conf->ndisplay++] = pstrdup(arg + 8);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" in %s", covara_report_cut(arg), where),
					 errhint(kind == COVARA_TRIGGER_SEARCH ?
							 "The options are given_vector=keep, given_vector=replace and exclude=column.key...; "
							 "double-quote a column name that contains \"=\"." :
							 "The options are store=fields, display=column and exclude=column.key...; "
							 "double-quote a column name that contains \"=\".")));
	}
	if (conf->ndisplay > 0 && !conf->store_fields)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s names display columns without store=fields", where),
				 errhint("Without store=fields the index stores every column of the row.")));
	if (nexclude > 0 && conf->store_fields)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s combines store=fields with exclude=", where),
				 errhint("Name the keys to index as fields (column.key) instead of excluding others.")));
	if (conf->nfields == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s names no fields", where),
				 errhint("Name at least one field, column[.key...][:weight].")));
	for (i = first; i < nargs; i++)
		if (covara_is_option(args[i]) && strncmp(args[i], "exclude=", 8) == 0)
			covara_add_exclusion(conf->fields, conf->nfields, args[i], args[i] + 8, where);

	conf->src_attnum = palloc(sizeof(AttrNumber) * (conf->nfields + 1));
	conf->src_typlen = palloc(sizeof(int16) * (conf->nfields + 1));
	conf->src_typbyval = palloc(sizeof(bool) * (conf->nfields + 1));
	for (i = 0; i < conf->nfields; i++)
	{
		covara_resolve_field(conf, &conf->fields[i], td, tgname, relname);
		covara_add_source_column(conf, td, conf->fields[i].attnum);
	}
	if (conf->tsconfig_attnum != InvalidAttrNumber)
		covara_add_source_column(conf, td, conf->tsconfig_attnum);

	if (kind == COVARA_TRIGGER_SYNC)
	{
		RangeVar   *rv = makeRangeVar(conf->idx_schema, conf->idx_table, -1);
		Oid			idx_relid = RangeVarGetRelid(rv, NoLock, true);
		Oid			root = covara_trigger_root_relid(tgoid);
		HeapTuple	classtup;
		Form_pg_class rootform;
		Oid			typoutput;
		bool		typisvarlena;
		char	   *eqop;

		if (!OidIsValid(idx_relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("search index table %s.%s of trigger \"%s\" on table \"%s\" does not exist",
							covara_report_cut(quote_identifier(conf->idx_schema)),
							covara_report_cut(quote_identifier(conf->idx_table)),
							tgname, relname),
					 errhint("Detach the source with covara.detach_search() and attach it again.")));
		getTypeOutputInfo(conf->id_type, &typoutput, &typisvarlena);
		fmgr_info_cxt(typoutput, &conf->id_out, cxt);
		eqop = covara_qualified_eqop(conf->id_type, &conf->id_eqop);
		conf->id_eqop_sql = eqop;
		conf->idx_sql = psprintf("%s.%s", quote_identifier(conf->idx_schema),
								 quote_identifier(conf->idx_table));

		/*
		 * The table attach_search() ran on (a partition's trigger is a clone
		 * of its trigger): the id probe looks there, so that ids moving
		 * between partitions are found, as its owner.
		 */
		classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(root));
		if (!HeapTupleIsValid(classtup))
			elog(ERROR, "cache lookup failed for relation %u", root);
		rootform = (Form_pg_class) GETSTRUCT(classtup);
		conf->src_owner = rootform->relowner;
		conf->src_sql = psprintf("%s.%s",
								 quote_identifier(get_namespace_name(rootform->relnamespace)),
								 quote_identifier(NameStr(rootform->relname)));
		ReleaseSysCache(classtup);
		covara_check_index_table(conf, idx_relid, tgname, relname);
		conf->id_sql = pstrdup(quote_identifier(args[2]));

		conf->display_attnum = palloc(sizeof(AttrNumber) * Max(conf->ndisplay, 1));
		conf->display_typlen = palloc(sizeof(int16) * Max(conf->ndisplay, 1));
		conf->display_typbyval = palloc(sizeof(bool) * Max(conf->ndisplay, 1));
		for (i = 0; i < conf->ndisplay; i++)
		{
			AttrNumber	attnum = covara_find_column(td, display[i]);

			if (attnum == InvalidAttrNumber)
				covara_no_column(display[i], "a column to display", tgname, relname);
			conf->display_attnum[i] = attnum;
			conf->display_typlen[i] = TupleDescAttr(td, attnum - 1)->attlen;
			conf->display_typbyval[i] = TupleDescAttr(td, attnum - 1)->attbyval;
		}
		conf->source_sql = conf->store_fields ?
			covara_stored_source_sql(conf, args[2], display, conf->ndisplay) :
			"pg_catalog.to_jsonb($2)";

		/*
		 * What the saved plans depend on: the text of their statements and
		 * the types of all their arguments (the id's type and typmod, the
		 * row type; doc_id is text, the vector tsvector), so that ALTER
		 * TABLE ... ALTER COLUMN id TYPE makes new plans.
		 */
		conf->signature = psprintf("%s|%s|%s|%s|%s|id %u/%d|eq %u|row %u",
								   conf->idx_sql, conf->src_sql, conf->id_sql,
								   conf->source_sql,
								   eqop ? eqop : "", conf->id_type,
								   TupleDescAttr(td, conf->id_attnum - 1)->atttypmod,
								   conf->id_eqop, rel->rd_rel->reltype);
	}

	MemoryContextSwitchTo(old);
	return conf;
}

/*
 * The configuration for this call: reuse the one in fn_extra when it was
 * made for the same trigger and tuple descriptor, else build (and check) it.
 */
CovaraTriggerConfig *
covara_trigger_config_get(FunctionCallInfo fcinfo, CovaraTriggerKind kind)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	CovaraTriggerConfig *conf = (CovaraTriggerConfig *) fcinfo->flinfo->fn_extra;

	if (conf != NULL && conf->tgoid == tg->tgoid &&
		conf->relid == RelationGetRelid(rel) &&
		conf->tupdesc == RelationGetDescr(rel))
		return conf;
	if (conf != NULL)
	{
		MemoryContextDelete(conf->cxt);
		fcinfo->flinfo->fn_extra = NULL;
	}
	conf = covara_trigger_config_build(fcinfo->flinfo->fn_mcxt, kind, rel,
									   tg->tgoid, tg->tgname, tg->tgnargs,
									   tg->tgargs);
	fcinfo->flinfo->fn_extra = conf;
	return conf;
}

/* Refuse to run as anything but the trigger kind this function is. */
TriggerData *
covara_trigger_check_call(FunctionCallInfo fcinfo, CovaraTriggerKind kind)
{
	TriggerData *td;
	const char *fname = kind == COVARA_TRIGGER_SEARCH ?
		"covara.search_trigger()" : "covara.search_sync_trigger()";
	bool		ok;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s was not called by the trigger manager", fname),
				 errhint("Use it in CREATE TRIGGER ... EXECUTE FUNCTION %s.", fname)));
	td = (TriggerData *) fcinfo->context;
	if (kind == COVARA_TRIGGER_SEARCH)
		ok = TRIGGER_FIRED_FOR_ROW(td->tg_event) && TRIGGER_FIRED_BEFORE(td->tg_event) &&
			(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event));
	else
		ok = TRIGGER_FIRED_FOR_ROW(td->tg_event) && TRIGGER_FIRED_AFTER(td->tg_event) &&
			!TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" must be %s to use %s",
						td->tg_trigger->tgname, RelationGetRelationName(td->tg_relation),
						kind == COVARA_TRIGGER_SEARCH ?
						"a BEFORE INSERT OR UPDATE ... FOR EACH ROW trigger" :
						"an AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger",
						fname)));
	return td;
}
