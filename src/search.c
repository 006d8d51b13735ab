/*-------------------------------------------------------------------------
 *
 * search.c
 *	  covara's full-text search in C: the search trigger (fills a weighted
 *	  tsvector column from text, text[] and jsonb fields), the sync trigger
 *	  (keeps a search index table in step with a source table), and the
 *	  SQL-callable helpers search_vector, search_text, trigger_arguments and
 *	  check_search_trigger.
 *
 * Both triggers parse and check their arguments once per statement (on the
 * first row) and keep the result in fn_extra, keyed by trigger OID and the
 * relation's tuple descriptor, so later rows do no catalog look-ups.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_language.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "compat.h"
#include "search.h"
#include "spi.h"

PG_FUNCTION_INFO_V1(covara_search_trigger);
PG_FUNCTION_INFO_V1(covara_search_sync_trigger);
PG_FUNCTION_INFO_V1(covara_search_vector);
PG_FUNCTION_INFO_V1(covara_search_text);
PG_FUNCTION_INFO_V1(covara_trigger_arguments);
PG_FUNCTION_INFO_V1(covara_check_search_trigger);

/* Which of the two triggers a configuration is for. */
typedef enum CovaraTriggerKind
{
	COVARA_TRIGGER_SEARCH,
	COVARA_TRIGGER_SYNC
} CovaraTriggerKind;

/* A trigger's parsed and checked arguments, valid for one statement. */
typedef struct CovaraTriggerConfig
{
	CovaraTriggerKind kind;
	Oid			tgoid;
	Oid			relid;
	TupleDesc	tupdesc;		/* descriptor it was checked against */
	MemoryContext cxt;

	/* the text search configuration: fixed, or read per row from a column */
	Oid			tsconfig;
	AttrNumber	tsconfig_attnum;
	const char *tsconfig_column;

	int			nfields;
	CovaraField *fields;

	/* distinct source columns, compared on UPDATE */
	int			nsrc;
	AttrNumber *src_attnum;
	int16	   *src_typlen;
	bool	   *src_typbyval;

	/* search trigger */
	AttrNumber	tsv_attnum;
	Oid			tsv_domain;		/* the column's domain, or InvalidOid */
	void	   *tsv_domain_extra;	/* domain_check()'s cache, in cxt */
	bool		keep_given;

	/* sync trigger */
	char	   *idx_schema;
	char	   *idx_table;
	char	   *idx_sql;		/* quoted schema.table of the index */
	char	   *src_sql;		/* quoted schema.table of the source */
	char	   *id_sql;			/* quoted id column */
	char	   *id_eqop_sql;	/* OPERATOR(schema.=), or NULL */
	AttrNumber	id_attnum;
	Oid			id_type;
	int16		id_typlen;
	bool		id_typbyval;
	FmgrInfo	id_out;
	Oid			id_eqop;		/* InvalidOid: no equality operator */
	char	   *signature;		/* what the cached SPI plans were made for */
} CovaraTriggerConfig;

/*
 * Saved SPI plans of one sync trigger (backend lifetime).  Each plan is
 * prepared when first needed and stored only once SPI_keepplan() has saved
 * it, so an error while preparing never leaves a pointer to memory that the
 * error frees; NULL means not prepared yet.
 */
typedef struct CovaraSyncPlans
{
	Oid			tgoid;			/* hash key */
	char	   *signature;		/* what the plans below were made for */
	SPIPlanPtr	upsert;
	SPIPlanPtr	touch;
	SPIPlanPtr	del;
	SPIPlanPtr	probe;			/* run as the source table's owner */
} CovaraSyncPlans;

static HTAB *covara_sync_plans = NULL;

/*
 * Cached fields of search_vector()/search_text() for one call site.  The
 * parsed fields live in cxt, which is reset whenever they change (per row,
 * when fields is a column), so the cache never grows.
 */
typedef struct CovaraDocFieldsCache
{
	MemoryContext cxt;			/* child of fn_mcxt, holds what follows */
	bool		valid;
	bool		is_default;
	Jsonb	   *fields_copy;
	int			nfields;
	CovaraField *fields;
} CovaraDocFieldsCache;

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
					col, tgname, relname),
			 errdetail("Trigger \"%s\" names it as %s.", tgname, role)));
}

/* Resolve a field's column and check its type. */
static void
covara_resolve_field(CovaraTriggerConfig *conf, CovaraField *f, TupleDesc td,
					 const char *tgname, const char *relname)
{
	const char *arg = f->arg;
	AttrNumber	attnum = covara_find_column(td, f->path.parts[0]);
	Form_pg_attribute att;
	Oid			base;
	Oid			elem;

	if (attnum == InvalidAttrNumber)
		covara_no_column(f->path.parts[0], psprintf("the column of field \"%s\"", arg),
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
						arg, tgname, f->path.parts[0], relname),
				 errdetail("A BEFORE trigger runs before generated columns are computed, so it never sees their values."),
				 errhint("Name the columns the generated column is computed from as fields instead.")));

	if (base == JSONBOID)
		f->kind = COVARA_FIELD_JSONB;
	else if (f->path.nparts > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("field \"%s\" of trigger \"%s\" has a key path, but column \"%s\" of table \"%s\" is of type %s",
						arg, tgname, f->path.parts[0], relname,
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
						f->path.parts[0], relname, format_type_be(att->atttypid), tgname),
				 errhint(base == JSONOID ?
						 "Fields must be text, varchar, char, arrays of those, or jsonb; convert json columns to jsonb." :
						 "Fields must be text, varchar, char, arrays of those, or jsonb.")));

	if (f->nexcl > 0 && f->kind != COVARA_FIELD_JSONB)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("trigger \"%s\" excludes keys inside field \"%s\", but column \"%s\" of table \"%s\" is not jsonb",
						tgname, arg, f->path.parts[0], relname)));
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
						arg, relname, format_type_be(TupleDescAttr(td, attnum - 1)->atttypid)),
				 errdetail("Trigger \"%s\" names it as its text search configuration.", tgname),
				 errhint("Use a column of type regconfig, or the name of a text search configuration.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("text search configuration \"%s\" named in trigger \"%s\" on table \"%s\" does not exist",
					arg, tgname, relname),
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
 * Parse and check a trigger's arguments against its relation.  Errors name
 * the trigger and the table.  The configuration lives in a new child of
 * parent.
 */
static CovaraTriggerConfig *
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
	for (i = first; i < nargs; i++)
	{
		const char *arg = args[i];

		if (!covara_is_option(arg))
		{
			covara_parse_field(arg, where, &conf->fields[conf->nfields++]);
			continue;
		}
		if (strncmp(arg, "exclude=", 8) == 0)
			continue;			/* below, once all fields are known */
		if (kind == COVARA_TRIGGER_SEARCH && strcmp(arg, "given_vector=keep") == 0)
			conf->keep_given = true;
		else if (kind == COVARA_TRIGGER_SEARCH && strcmp(arg, "given_vector=replace") == 0)
			conf->keep_given = false;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" in %s", arg, where),
					 errhint(kind == COVARA_TRIGGER_SEARCH ?
							 "The options are given_vector=keep, given_vector=replace and exclude=column.key...; "
							 "double-quote a column name that contains \"=\"." :
							 "The only option is exclude=column.key...")));
	}
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
		Oid			typoutput;
		bool		typisvarlena;
		char	   *eqop;

		if (!OidIsValid(RangeVarGetRelid(rv, NoLock, true)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("search index table %s.%s of trigger \"%s\" on table \"%s\" does not exist",
							quote_identifier(conf->idx_schema), quote_identifier(conf->idx_table),
							tgname, relname),
					 errhint("Detach the source with covara.detach_search() and attach it again.")));
		getTypeOutputInfo(conf->id_type, &typoutput, &typisvarlena);
		fmgr_info_cxt(typoutput, &conf->id_out, cxt);
		eqop = covara_qualified_eqop(conf->id_type, &conf->id_eqop);
		conf->id_eqop_sql = eqop;
		conf->idx_sql = psprintf("%s.%s", quote_identifier(conf->idx_schema),
								 quote_identifier(conf->idx_table));
		conf->src_sql = psprintf("%s.%s",
								 quote_identifier(get_namespace_name(RelationGetNamespace(rel))),
								 quote_identifier(relname));
		conf->id_sql = pstrdup(quote_identifier(args[2]));

		/*
		 * What the saved plans depend on: the text of their statements and
		 * the types of all their arguments (the id's type and typmod, the
		 * row type; doc_id is text, the vector tsvector), so that ALTER
		 * TABLE ... ALTER COLUMN id TYPE makes new plans.
		 */
		conf->signature = psprintf("%s|%s|%s|%s|id %u/%d|eq %u|row %u",
								   conf->idx_sql, conf->src_sql, conf->id_sql,
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
static CovaraTriggerConfig *
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

/* Equality of two non-null column values, looking through TOAST. */
static bool
covara_values_equal(Datum a, Datum b, int16 typlen, bool typbyval)
{
	struct varlena *va;
	struct varlena *vb;
	bool		res;

	if (datumIsEqual(a, b, typbyval, typlen))
		return true;
	if (typlen != -1)
		return false;
	if (toast_raw_datum_size(a) != toast_raw_datum_size(b))
		return false;
	va = PG_DETOAST_DATUM_PACKED(a);
	vb = PG_DETOAST_DATUM_PACKED(b);
	res = VARSIZE_ANY_EXHDR(va) == VARSIZE_ANY_EXHDR(vb) &&
		memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), VARSIZE_ANY_EXHDR(va)) == 0;
	if ((Pointer) va != DatumGetPointer(a))
		pfree(va);
	if ((Pointer) vb != DatumGetPointer(b))
		pfree(vb);
	return res;
}

/* True when any source column differs between the two slots. */
static bool
covara_sources_changed(CovaraTriggerConfig *conf, TupleTableSlot *oldslot,
					   TupleTableSlot *newslot)
{
	int			i;

	for (i = 0; i < conf->nsrc; i++)
	{
		bool		oldnull;
		bool		newnull;
		Datum		o = slot_getattr(oldslot, conf->src_attnum[i], &oldnull);
		Datum		n = slot_getattr(newslot, conf->src_attnum[i], &newnull);

		if (oldnull != newnull)
			return true;
		if (!oldnull &&
			!covara_values_equal(o, n, conf->src_typlen[i], conf->src_typbyval[i]))
			return true;
	}
	return false;
}

/* Build the row's vector from its fields. */
static TSVector
covara_row_vector(CovaraTriggerConfig *conf, TupleTableSlot *slot,
				  const char *tgname, const char *relname)
{
	CovaraVectorBuilder b;
	Oid			tsconfig = conf->tsconfig;
	int			i;

	if (conf->tsconfig_attnum != InvalidAttrNumber)
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, conf->tsconfig_attnum, &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("configuration column \"%s\" of table \"%s\" is null",
							conf->tsconfig_column, relname),
					 errdetail("Trigger \"%s\" reads the row's text search configuration from it.", tgname),
					 errhint("Give the column a value (it could have a default such as 'english').")));
		tsconfig = DatumGetObjectId(d);
	}

	covara_vb_init(&b, tsconfig);
	for (i = 0; i < conf->nfields; i++)
	{
		CovaraField *f = &conf->fields[i];
		bool		isnull;
		Datum		d;

		covara_vb_begin_field(&b, f->weight);
		d = slot_getattr(slot, f->attnum, &isnull);
		if (!isnull)
			covara_datum_field_texts(d, f, covara_vb_sink, &b);
	}
	return covara_vb_finish(&b);
}

/* Refuse to run as anything but the trigger kind this function is. */
static TriggerData *
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

/*
 * covara.search_trigger(tsvector_column, configuration, field, ...):
 * BEFORE INSERT OR UPDATE row trigger that fills the tsvector column.
 */
Datum
covara_search_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = covara_trigger_check_call(fcinfo, COVARA_TRIGGER_SEARCH);
	CovaraTriggerConfig *conf = covara_trigger_config_get(fcinfo,
														  COVARA_TRIGGER_SEARCH);
	Relation	rel = td->tg_relation;
	HeapTuple	tuple;
	TupleTableSlot *slot;
	TSVector	vec;
	Datum		value;
	bool		isnull = false;
	int			col;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		tuple = td->tg_trigtuple;
		slot = td->tg_trigslot;
		if (conf->keep_given && !slot_attisnull(slot, conf->tsv_attnum))
			return PointerGetDatum(tuple);
	}
	else
	{
		tuple = td->tg_newtuple;
		slot = td->tg_newslot;
		if (!slot_attisnull(slot, conf->tsv_attnum))
		{
			if (bms_is_member(conf->tsv_attnum - FirstLowInvalidHeapAttributeNumber,
							  td->tg_updatedcols))
			{
				/*
				 * A vector written by the statement itself: kept when asked
				 * (given_vector=keep), else replaced by the computed one.
				 */
				if (conf->keep_given)
					return PointerGetDatum(tuple);
			}
			else if (!covara_sources_changed(conf, td->tg_trigslot, slot))
			{
				/* no source changed: keep the vector, parse nothing */
				return PointerGetDatum(tuple);
			}
		}
	}

	vec = covara_row_vector(conf, slot, td->tg_trigger->tgname,
							RelationGetRelationName(rel));
	value = PointerGetDatum(vec);
	if (OidIsValid(conf->tsv_domain))
		domain_check(value, false, conf->tsv_domain, &conf->tsv_domain_extra,
					 conf->cxt);
	col = conf->tsv_attnum;
	tuple = heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), 1,
									  &col, &value, &isnull);
	pfree(vec);
	return PointerGetDatum(tuple);
}

/*
 * The saved SPI plans of a sync trigger: the entry for its OID, emptied
 * when it was made for another signature (the plans are then prepared anew
 * as they are needed).
 */
static CovaraSyncPlans *
covara_get_sync_plans(CovaraTriggerConfig *conf)
{
	CovaraSyncPlans *sp;
	bool		found;

	if (covara_sync_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CovaraSyncPlans);
		covara_sync_plans = hash_create("covara sync trigger plans", 16, &ctl,
										HASH_ELEM | HASH_BLOBS);
	}
	sp = hash_search(covara_sync_plans, &conf->tgoid, HASH_ENTER, &found);
	if (!found)
	{
		sp->signature = NULL;
		sp->upsert = sp->touch = sp->del = sp->probe = NULL;
	}
	if (sp->signature != NULL && strcmp(sp->signature, conf->signature) == 0)
		return sp;

	/* every stored plan is a kept one, so freeing them is safe */
	if (sp->upsert)
		SPI_freeplan(sp->upsert);
	if (sp->touch)
		SPI_freeplan(sp->touch);
	if (sp->del)
		SPI_freeplan(sp->del);
	if (sp->probe)
		SPI_freeplan(sp->probe);
	sp->upsert = sp->touch = sp->del = sp->probe = NULL;
	if (sp->signature)
		pfree(sp->signature);
	sp->signature = MemoryContextStrdup(TopMemoryContext, conf->signature);
	return sp;
}

/* The upsert of a document: (doc_id, row, vector). */
static SPIPlanPtr
covara_sync_upsert(CovaraTriggerConfig *conf, CovaraSyncPlans *sp,
				   Relation rel)
{
	Oid			argtypes[3];

	if (sp->upsert != NULL)
		return sp->upsert;
	argtypes[0] = TEXTOID;
	argtypes[1] = rel->rd_rel->reltype;
	argtypes[2] = TSVECTOROID;
	sp->upsert = covara_spi_prepare_kept(
		psprintf("INSERT INTO %s AS i (doc_id, source, search_vector) "
				 "VALUES ($1, pg_catalog.to_jsonb($2), $3) "
				 "ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, "
				 "search_vector = excluded.search_vector", conf->idx_sql),
		3, argtypes);
	return sp->upsert;
}

/*
 * The refresh of a document's source that keeps its vector: (doc_id, row).
 * search_vector = search_vector keeps it under given_vector=keep.
 */
static SPIPlanPtr
covara_sync_touch(CovaraTriggerConfig *conf, CovaraSyncPlans *sp,
				  Relation rel)
{
	Oid			argtypes[2];

	if (sp->touch != NULL)
		return sp->touch;
	argtypes[0] = TEXTOID;
	argtypes[1] = rel->rd_rel->reltype;
	sp->touch = covara_spi_prepare_kept(
		psprintf("UPDATE %s AS i SET source = pg_catalog.to_jsonb($2), "
				 "search_vector = i.search_vector "
				 "WHERE i.doc_id OPERATOR(pg_catalog.=) $1", conf->idx_sql),
		2, argtypes);
	return sp->touch;
}

/* The delete of a document: (doc_id). */
static SPIPlanPtr
covara_sync_del(CovaraTriggerConfig *conf, CovaraSyncPlans *sp)
{
	Oid			argtypes[1];

	if (sp->del != NULL)
		return sp->del;
	argtypes[0] = TEXTOID;
	sp->del = covara_spi_prepare_kept(
		psprintf("DELETE FROM %s AS i WHERE i.doc_id OPERATOR(pg_catalog.=) $1",
				 conf->idx_sql),
		1, argtypes);
	return sp->del;
}

/*
 * True when a row of the source table has the id (as when ids swap within
 * one statement), so its document must stay.  The probe runs as the table's
 * owner, the way core's foreign key checks do: the writer needs neither
 * SELECT on the table nor any right on the schema of the id type's equality
 * operator, and row security policies hide no row from it.
 */
static bool
covara_id_in_use(CovaraTriggerConfig *conf, CovaraSyncPlans *sp, Relation rel,
				 Datum id)
{
	Oid			save_userid;
	int			save_sec_context;
	volatile bool found = false;

	if (conf->id_eqop_sql == NULL)
		return false;			/* no equality: ids cannot be compared */

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(rel->rd_rel->relowner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	PG_TRY();
	{
		if (sp->probe == NULL)
			sp->probe = covara_spi_prepare_kept(
				psprintf("SELECT FROM %s AS s WHERE s.%s %s $1 LIMIT 1",
						 conf->src_sql, conf->id_sql, conf->id_eqop_sql),
				1, &conf->id_type);
		found = covara_spi_execute_plan(sp->probe, &id, NULL, false, 1,
										SPI_OK_SELECT,
										"looking up a source row by id") > 0;
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	return found;
}

/* The id of a row as text (the doc_id), or NULL when the id is null. */
static text *
covara_row_doc_id(CovaraTriggerConfig *conf, TupleTableSlot *slot, Datum *id)
{
	bool		isnull;

	*id = slot_getattr(slot, conf->id_attnum, &isnull);
	if (isnull)
		return NULL;
	return cstring_to_text(OutputFunctionCall(&conf->id_out, *id));
}

/*
 * covara.search_sync_trigger(index_schema, index_table, id_column,
 * configuration, field, ...): AFTER INSERT OR UPDATE OR DELETE row trigger
 * on a source table that writes (doc_id, source, search_vector) to the
 * index table in the same transaction.  Made by covara.attach_search().
 */
Datum
covara_search_sync_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = covara_trigger_check_call(fcinfo, COVARA_TRIGGER_SYNC);
	CovaraTriggerConfig *conf = covara_trigger_config_get(fcinfo,
														  COVARA_TRIGGER_SYNC);
	Relation	rel = td->tg_relation;
	const char *tgname = td->tg_trigger->tgname;
	const char *relname = RelationGetRelationName(rel);
	CovaraSyncPlans *sp;
	TupleTableSlot *newslot = NULL;
	HeapTuple	newtuple = NULL;
	text	   *old_docid = NULL;
	text	   *new_docid = NULL;
	Datum		old_id = (Datum) 0;
	Datum		new_id = (Datum) 0;
	bool		id_changed = false;
	bool		fields_changed = true;
	TSVector	vec = NULL;
	Datum		values[3];

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		newslot = td->tg_trigslot;
		newtuple = td->tg_trigtuple;
		new_docid = covara_row_doc_id(conf, newslot, &new_id);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		newslot = td->tg_newslot;
		newtuple = td->tg_newtuple;
		old_docid = covara_row_doc_id(conf, td->tg_trigslot, &old_id);
		new_docid = covara_row_doc_id(conf, newslot, &new_id);
		if (old_docid == NULL || new_docid == NULL)
			id_changed = (old_docid != NULL || new_docid != NULL);
		else
			id_changed = !covara_values_equal(old_id, new_id, conf->id_typlen,
											  conf->id_typbyval);
		fields_changed = id_changed ||
			covara_sources_changed(conf, td->tg_trigslot, newslot);
	}
	else
		old_docid = covara_row_doc_id(conf, td->tg_trigslot, &old_id);

	/* parse before connecting to SPI, in the trigger's memory context */
	if (new_docid != NULL && fields_changed)
		vec = covara_row_vector(conf, newslot, tgname, relname);

	covara_spi_connect();
	sp = covara_get_sync_plans(conf);

	/* an old id goes only when no row of the source has it any more */
	if (old_docid != NULL && (id_changed || TRIGGER_FIRED_BY_DELETE(td->tg_event)) &&
		!covara_id_in_use(conf, sp, rel, old_id))
	{
		values[0] = PointerGetDatum(old_docid);
		covara_spi_execute_plan(covara_sync_del(conf, sp), values, NULL, false,
								0, SPI_OK_DELETE, "deleting a search document");
	}

	if (new_docid != NULL)
	{
		bool		done = false;

		values[0] = PointerGetDatum(new_docid);
		values[1] = heap_copy_tuple_as_datum(newtuple, RelationGetDescr(rel));
		if (vec == NULL)
		{
			/* only other columns changed: refresh source, keep the vector */
			done = covara_spi_execute_plan(covara_sync_touch(conf, sp, rel),
										   values, NULL, false, 0, SPI_OK_UPDATE,
										   "refreshing a search document's source") > 0;
			if (!done)
				vec = covara_row_vector(conf, newslot, tgname, relname);
		}
		if (!done)
		{
			values[2] = PointerGetDatum(vec);
			covara_spi_execute_plan(covara_sync_upsert(conf, sp, rel), values,
									NULL, false, 0, SPI_OK_INSERT,
									"writing a search document");
		}
	}

	covara_spi_finish();
	return PointerGetDatum(NULL);
}

/* The fields of search_vector()/search_text(), cached per call site. */
static CovaraDocFieldsCache *
covara_doc_fields(FunctionCallInfo fcinfo, int argno, const char *where)
{
	CovaraDocFieldsCache *cache = (CovaraDocFieldsCache *) fcinfo->flinfo->fn_extra;
	bool		is_default = PG_ARGISNULL(argno);
	Jsonb	   *fields = is_default ? NULL : PG_GETARG_JSONB_P(argno);
	MemoryContext old;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(CovaraDocFieldsCache));
		cache->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
										   "covara search fields",
										   ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = cache;
	}
	else if (cache->valid)
	{
		if (is_default && cache->is_default)
			return cache;
		if (!is_default && !cache->is_default &&
			VARSIZE(fields) == VARSIZE(cache->fields_copy) &&
			memcmp(fields, cache->fields_copy, VARSIZE(fields)) == 0)
			return cache;
	}

	/* other fields: forget the old ones (valid again once parsed) */
	cache->valid = false;
	MemoryContextReset(cache->cxt);
	cache->fields_copy = NULL;
	cache->fields = NULL;
	cache->nfields = 0;

	old = MemoryContextSwitchTo(cache->cxt);
	cache->is_default = is_default;
	if (is_default)
	{
		/* every top-level key but "id", weight D */
		cache->nfields = 1;
		cache->fields = palloc0(sizeof(CovaraField));
		cache->fields[0].path.nparts = 0;
		cache->fields[0].weight = COVARA_WEIGHT_D;
		cache->fields[0].nexcl = 1;
		cache->fields[0].excl = palloc(sizeof(CovaraPath));
		cache->fields[0].excl[0].nparts = 1;
		cache->fields[0].excl[0].parts = palloc(sizeof(char *));
		cache->fields[0].excl[0].parts[0] = pstrdup("id");
		cache->fields[0].excl[0].lens = palloc(sizeof(int));
		cache->fields[0].excl[0].lens[0] = 2;
	}
	else
	{
		cache->fields_copy = palloc(VARSIZE(fields));
		memcpy(cache->fields_copy, fields, VARSIZE(fields));
		covara_parse_document_fields(cache->fields_copy, where,
									 &cache->fields, &cache->nfields);
	}
	MemoryContextSwitchTo(old);
	cache->valid = true;
	return cache;
}

/*
 * covara.search_vector(document jsonb, fields jsonb, language regconfig):
 * the weighted vector of a document, as the search trigger would make it
 * from the same fields.  NULL fields: every top-level key but "id", D.
 */
Datum
covara_search_vector(PG_FUNCTION_ARGS)
{
	CovaraDocFieldsCache *cache;
	CovaraVectorBuilder b;
	Jsonb	   *doc;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	cache = covara_doc_fields(fcinfo, 1, "the fields argument");
	doc = PG_GETARG_JSONB_P(0);

	covara_vb_init(&b, PG_GETARG_OID(2));
	for (i = 0; i < cache->nfields; i++)
	{
		covara_vb_begin_field(&b, cache->fields[i].weight);
		covara_jsonb_field_texts(doc, 0, &cache->fields[i], covara_vb_sink, &b);
	}
	PG_RETURN_TSVECTOR(covara_vb_finish(&b));
}

/* Sink for search_text: join strings with a space. */
static void
covara_text_sink(void *arg, const char *str, int len)
{
	StringInfo	buf = (StringInfo) arg;

	if (buf->len > 0)
		appendStringInfoChar(buf, ' ');
	appendBinaryStringInfo(buf, str, len);
}

/*
 * covara.search_text(document jsonb, fields jsonb): the strings the fields
 * reach, in order, joined by spaces (the text search() headlines).
 */
Datum
covara_search_text(PG_FUNCTION_ARGS)
{
	CovaraDocFieldsCache *cache;
	StringInfoData buf;
	Jsonb	   *doc;
	int			i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	cache = covara_doc_fields(fcinfo, 1, "the fields argument");
	doc = PG_GETARG_JSONB_P(0);
	initStringInfo(&buf);
	for (i = 0; i < cache->nfields; i++)
		covara_jsonb_field_texts(doc, 0, &cache->fields[i], covara_text_sink, &buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

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
