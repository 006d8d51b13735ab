/*-------------------------------------------------------------------------
 *
 * seed.c
 *	  covara.seed(regclass, jsonb) and covara.seed(jsonb): insert-or-ignore
 *	  seeding of any table from JSON rows, with INSERT ... ON CONFLICT DO
 *	  NOTHING, as covara's seed() does (contract section 3).
 *
 * A key absent from a row must leave the column to its default, so rows
 * are grouped by their set of keys and each group is inserted by one
 * set-based statement naming exactly those columns:
 *
 *	 INSERT INTO t (k1, k2) SELECT r.k1, r.k2
 *	   FROM pg_catalog.unnest($2) AS i(n),
 *			LATERAL pg_catalog.jsonb_to_record($1 -> i.n) AS r(k1 type1, k2 type2)
 *	   ON CONFLICT DO NOTHING
 *
 * where $1 is the caller's array, read in place, and $2 the positions of
 * the group's rows.  Values convert exactly as PostgreSQL's json-to-record
 * conversion does (jsonb_to_record and jsonb_populate_recordset share it); streaming the rows one by one into the INSERT measures at least as
 * fast as the usual jsonb_populate_recordset, which first materializes all
 * of them in a tuplestore (see test/bench/seed.sh).  Groups run
 * in the order of their first row and keep the order of their rows, so
 * when all rows share one key set (the usual case) the order is the
 * caller's.
 *
 * Everything that can be checked from the JSON and the catalogs (shape,
 * unknown keys, generated columns, the kind of relation) is checked before
 * anything is inserted.  The inserts run in one internal subtransaction;
 * when one fails with a data exception (a value that does not convert) the
 * failing row and column are found afterwards, by re-converting parts of
 * the group in probe subtransactions, and reported with their position,
 * column and value.  The fast path pays for one subtransaction per call.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "compat.h"
#include "spi.h"

/* Longest JSON text of a value quoted in an error message. */
#define COVARA_SEED_MAX_VALUE_TEXT	200

/* One set of keys shared by some of the rows of a target. */
typedef struct CovaraSeedGroup
{
	int			nkeys;
	const char **keys;			/* point into the rows jsonb; not terminated */
	int		   *keylens;
	uint32		hash;
	int			next_same_hash; /* chain in the key-set hash table, or -1 */
	int			first;			/* 0-based position of its first row */
	int			nrows;
	int		   *rows;			/* 0-based positions of its rows, in order */
	bool		override;		/* names a GENERATED ALWAYS identity column */
	char	  **keytypes;		/* each key's column type, schema-qualified */
	char	   *coldefs;		/* "k1" type1, ...: the record its rows form */
	char	   *sql;			/* the INSERT that seeds the group */
} CovaraSeedGroup;

/* One table to seed and its rows. */
typedef struct CovaraSeedTarget
{
	Oid			relid;
	Relation	rel;			/* open, RowExclusiveLock, until the end */
	char	   *display;		/* the table as regclass prints it */
	char	   *what;			/* "rows" or "plan entry "x"", for messages */
	char	   *key;			/* the plan's key naming the table, or NULL */
	Jsonb	   *rows;
	int			nelems;
	int			ngroups;
	int			maxgroups;
	CovaraSeedGroup *groups;
	int		   *buckets;		/* key-set hash table: first group, or -1 */
	int			nbuckets;
	uint64		inserted;
} CovaraSeedTarget;

PG_FUNCTION_INFO_V1(covara_seed);
PG_FUNCTION_INFO_V1(covara_seed_plan);

/* Name of the JSON type of an array element, for messages. */
static const char *
covara_seed_jentry_type(JEntry je, JsonbContainer *container)
{
	if (JBE_ISSTRING(je))
		return "a string";
	if (JBE_ISNUMERIC(je))
		return "a number";
	if (JBE_ISBOOL(je))
		return "a boolean";
	if (JBE_ISNULL(je))
		return "null";
	if (container != NULL && JsonContainerIsArray(container))
		return "an array";
	return "an object";
}

/* Name of the JSON type of a whole jsonb value, for messages. */
static const char *
covara_seed_root_type(Jsonb *jb)
{
	if (JB_ROOT_IS_SCALAR(jb))
		return covara_seed_jentry_type(jb->root.children[0], NULL);
	if (JB_ROOT_IS_OBJECT(jb))
		return "an object";
	return "an array";
}

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

/* The key-set hash of an object's keys. */
static uint32
covara_seed_hash_keys(int nkeys, const char **keys, const int *keylens)
{
	uint32		h = (uint32) nkeys;
	int			i;

	for (i = 0; i < nkeys; i++)
		h = hash_combine(h, hash_bytes((const unsigned char *) keys[i], keylens[i]));
	return h;
}

/* Whether a group has exactly these keys (in jsonb's key order). */
static bool
covara_seed_same_keys(const CovaraSeedGroup *g, int nkeys, const char **keys,
					  const int *keylens)
{
	int			i;

	if (g->nkeys != nkeys)
		return false;
	for (i = 0; i < nkeys; i++)
		if (g->keylens[i] != keylens[i] ||
			memcmp(g->keys[i], keys[i], keylens[i]) != 0)
			return false;
	return true;
}

/*
 * The column of the table closest to an unknown key: a match ignoring case
 * first, else the smallest edit distance (core's Levenshtein, as the
 * parser's "Perhaps you meant" hints use) when at most half of the longer
 * name differs.  NULL when nothing is close.
 */
static const char *
covara_seed_closest_column(TupleDesc desc, const char *key, int keylen)
{
	const char *best = NULL;
	int			bestdist = INT_MAX;
	int			i;

	if (keylen > NAMEDATALEN * 4)
		return NULL;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);
		int			namelen = strlen(name);
		int			dist;

		if (att->attisdropped || att->attgenerated)
			continue;
		if (namelen == keylen && pg_strncasecmp(name, key, keylen) == 0)
			return name;
		dist = varstr_levenshtein(key, keylen, name, namelen, 1, 1, 1, true);
		if (dist <= Max(keylen, namelen) / 2 && dist < bestdist)
		{
			best = name;
			bestdist = dist;
		}
	}
	return best;
}

/* The table's insertable columns, comma-separated, for a hint. */
static char *
covara_seed_column_list(TupleDesc desc)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated)
			continue;
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
						 quote_identifier(NameStr(att->attname)));
	}
	return buf.data;
}

/*
 * Check a new group's keys against the table's columns: each must name a
 * column that takes a value.  Notes whether OVERRIDING SYSTEM VALUE is
 * needed, and builds the group's INSERT statement.
 */
static void
covara_seed_check_group(CovaraSeedTarget *t, CovaraSeedGroup *g)
{
	TupleDesc	desc = RelationGetDescr(t->rel);
	const char *relname = RelationGetRelationName(t->rel);
	StringInfoData cols;
	StringInfoData sel;
	StringInfoData defs;
	int			k;

	initStringInfo(&cols);
	initStringInfo(&sel);
	initStringInfo(&defs);
	g->keytypes = palloc(sizeof(char *) * Max(g->nkeys, 1));
	for (k = 0; k < g->nkeys; k++)
	{
		Form_pg_attribute found = NULL;
		char	   *key = pnstrdup(g->keys[k], g->keylens[k]);
		int			i;

		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), key) == 0)
			{
				found = att;
				break;
			}
		}
		if (found == NULL)
		{
			const char *closest = covara_seed_closest_column(desc, g->keys[k],
															 g->keylens[k]);

			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							key, relname),
					 errdetail("Element %d of %s has the key \"%s\"; keys must match column names exactly.",
							   g->first + 1, t->what, key),
					 closest ?
					 errhint("Perhaps you meant \"%s\".", closest) :
					 errhint("The columns of \"%s\" are: %s.", relname,
							 covara_seed_column_list(desc))));
		}
		if (found->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_GENERATED_ALWAYS),
					 errmsg("cannot insert a value into generated column \"%s\" of relation \"%s\"",
							key, relname),
					 errdetail("Element %d of %s has the key \"%s\".",
							   g->first + 1, t->what, key),
					 errhint("Leave the key out: the column is computed from the others.")));
		if (found->attidentity == ATTRIBUTE_IDENTITY_ALWAYS)
			g->override = true;
		appendStringInfo(&cols, "%s%s", k > 0 ? ", " : "", quote_identifier(key));
		appendStringInfo(&sel, "%scovara_r.%s", k > 0 ? ", " : "",
						 quote_identifier(key));
		g->keytypes[k] = format_type_extended(found->atttypid, found->atttypmod,
											  FORMAT_TYPE_TYPEMOD_GIVEN |
											  FORMAT_TYPE_FORCE_QUALIFY);
		appendStringInfo(&defs, "%s%s %s", k > 0 ? ", " : "",
						 quote_identifier(key), g->keytypes[k]);
		pfree(key);
	}
	g->coldefs = defs.data;

	/*
	 * The group's rows are read from the array by position ($2), each
	 * converted by jsonb_to_record into a record of the group's columns only
	 * (the json-to-record conversion of jsonb_populate_recordset, streamed
	 * row by row into the INSERT rather than materialized in a tuplestore
	 * first).  Only the group's columns: a column the rows leave out is not
	 * converted from a missing value at all, so a NOT NULL domain with a
	 * default gets its default.  A group of empty objects inserts defaults.
	 */
	if (g->nkeys > 0)
		g->sql = psprintf("INSERT INTO %s (%s)%s SELECT %s FROM pg_catalog.unnest($2) AS covara_i(n), "
						  "LATERAL pg_catalog.jsonb_to_record($1 OPERATOR(pg_catalog.->) covara_i.n) "
						  "AS covara_r(%s) ON CONFLICT DO NOTHING",
						  quote_qualified_identifier(get_namespace_name(RelationGetNamespace(t->rel)),
													 relname),
						  cols.data, g->override ? " OVERRIDING SYSTEM VALUE" : "",
						  sel.data, g->coldefs);
	else
		g->sql = psprintf("INSERT INTO %s SELECT FROM pg_catalog.unnest($2) AS covara_i(n) "
						  "ON CONFLICT DO NOTHING",
						  quote_qualified_identifier(get_namespace_name(RelationGetNamespace(t->rel)),
													 relname));
}

/* Add a group for a key set first seen at element pos; returns its index. */
static int
covara_seed_add_group(CovaraSeedTarget *t, int nkeys, const char **keys,
					  const int *keylens, uint32 hash, int pos)
{
	CovaraSeedGroup *g;
	int			gi;

	if (t->ngroups == t->maxgroups)
	{
		t->maxgroups *= 2;
		t->groups = repalloc(t->groups, sizeof(CovaraSeedGroup) * t->maxgroups);
	}
	gi = t->ngroups++;
	g = &t->groups[gi];
	memset(g, 0, sizeof(CovaraSeedGroup));
	g->nkeys = nkeys;
	g->keys = palloc(sizeof(char *) * Max(nkeys, 1));
	g->keylens = palloc(sizeof(int) * Max(nkeys, 1));
	memcpy(g->keys, keys, sizeof(char *) * nkeys);
	memcpy(g->keylens, keylens, sizeof(int) * nkeys);
	g->hash = hash;
	g->first = pos;

	/* grow the hash table to keep chains short, then link the group in */
	if (t->ngroups > t->nbuckets)
	{
		int			i;

		t->nbuckets *= 4;
		t->buckets = repalloc(t->buckets, sizeof(int) * t->nbuckets);
		for (i = 0; i < t->nbuckets; i++)
			t->buckets[i] = -1;
		for (i = 0; i < t->ngroups; i++)
		{
			int			b = t->groups[i].hash & (t->nbuckets - 1);

			t->groups[i].next_same_hash = t->buckets[b];
			t->buckets[b] = i;
		}
	}
	else
	{
		int			b = hash & (t->nbuckets - 1);

		g->next_same_hash = t->buckets[b];
		t->buckets[b] = gi;
	}
	return gi;
}

/*
 * Check the rows of a target and group them by key set, before anything is
 * written: rows must be an array of objects whose keys name insertable
 * columns.  Reads the jsonb in place (no copies): an object's keys are the
 * first half of its children, in jsonb's key order, so two objects have the
 * same key set exactly when their key lists are equal.
 */
static void
covara_seed_prepare(CovaraSeedTarget *t, Jsonb *rows)
{
	JsonbContainer *root = &rows->root;
	const char *base;
	uint32		offset = 0;
	int		   *group_of;
	const char **keys = NULL;
	int		   *keylens = NULL;
	int			keycap = 0;
	int			prev = -1;
	int			n;
	int			i;

	if (!JB_ROOT_IS_ARRAY(rows) || JB_ROOT_IS_SCALAR(rows))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON array of objects", t->what),
				 errdetail("It is %s.", covara_seed_root_type(rows)),
				 JB_ROOT_IS_OBJECT(rows) && t->key == NULL ?
				 errhint("Wrap a single row in [ ]; to seed several tables, use covara.seed(plan) with the table names as keys.") : 0));

	t->rows = rows;
	n = t->nelems = JsonContainerSize(root);
	t->maxgroups = 4;
	t->groups = palloc(sizeof(CovaraSeedGroup) * t->maxgroups);
	t->nbuckets = 16;
	t->buckets = palloc(sizeof(int) * t->nbuckets);
	for (i = 0; i < t->nbuckets; i++)
		t->buckets[i] = -1;
	group_of = palloc(sizeof(int) * Max(n, 1));

	base = (const char *) &root->children[n];
	for (i = 0; i < n; i++)
	{
		JEntry		je = root->children[i];
		JsonbContainer *obj = NULL;
		uint32		start = offset;
		const char *kbase;
		uint32		koff = 0;
		int			nkeys;
		int			k;
		uint32		hash;
		int			gi;

		JBE_ADVANCE_OFFSET(offset, je);
		if (JBE_ISCONTAINER(je))
			obj = (JsonbContainer *) (base + INTALIGN(start));
		if (obj == NULL || !JsonContainerIsObject(obj))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of %s is not a JSON object", i + 1, t->what),
					 errdetail("It is %s; each row must be an object whose keys are column names.",
							   covara_seed_jentry_type(je, obj))));

		/* the object's keys, in place */
		nkeys = JsonContainerSize(obj);
		if (nkeys > keycap)
		{
			keycap = Max(nkeys, 16);
			keys = keys ? repalloc(keys, sizeof(char *) * keycap) :
				palloc(sizeof(char *) * keycap);
			keylens = keylens ? repalloc(keylens, sizeof(int) * keycap) :
				palloc(sizeof(int) * keycap);
		}
		kbase = (const char *) &obj->children[nkeys * 2];
		for (k = 0; k < nkeys; k++)
		{
			uint32		kstart = koff;

			JBE_ADVANCE_OFFSET(koff, obj->children[k]);
			keys[k] = kbase + kstart;
			keylens[k] = koff - kstart;
		}

		/* most rows have the key set of the row before */
		if (prev >= 0 && covara_seed_same_keys(&t->groups[prev], nkeys, keys, keylens))
			gi = prev;
		else
		{
			hash = covara_seed_hash_keys(nkeys, keys, keylens);
			for (gi = t->buckets[hash & (t->nbuckets - 1)]; gi >= 0;
				 gi = t->groups[gi].next_same_hash)
				if (t->groups[gi].hash == hash &&
					covara_seed_same_keys(&t->groups[gi], nkeys, keys, keylens))
					break;
			if (gi < 0)
				gi = covara_seed_add_group(t, nkeys, keys, keylens, hash, i);
		}
		t->groups[gi].nrows++;
		group_of[i] = gi;
		prev = gi;
		CHECK_FOR_INTERRUPTS();
	}

	/* each group's rows, in order: the positions its INSERT reads */
	for (i = 0; i < t->ngroups; i++)
	{
		t->groups[i].rows = palloc(sizeof(int) * t->groups[i].nrows);
		t->groups[i].nrows = 0;
	}
	for (i = 0; i < n; i++)
	{
		CovaraSeedGroup *g = &t->groups[group_of[i]];

		g->rows[g->nrows++] = i;
	}
	pfree(group_of);

	for (i = 0; i < t->ngroups; i++)
		covara_seed_check_group(t, &t->groups[i]);
}

/* An int4[] of the positions rows[lo..hi). */
static Datum
covara_seed_positions(const int *rows, int lo, int hi)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(hi - lo, 1));
	ArrayType  *arr;
	int			i;

	for (i = lo; i < hi; i++)
		elems[i - lo] = Int32GetDatum(rows[i]);
	arr = construct_array(elems, hi - lo, INT4OID, sizeof(int32), true,
						  TYPALIGN_INT);
	pfree(elems);
	return PointerGetDatum(arr);
}

/* Run one group's INSERT (SPI connected); returns the rows inserted. */
static uint64
covara_seed_exec_group(CovaraSeedTarget *t, CovaraSeedGroup *g)
{
	Oid			types[2] = {JSONBOID, INT4ARRAYOID};
	Datum		values[2];
	uint64		inserted;

	values[0] = PointerGetDatum(t->rows);
	values[1] = covara_seed_positions(g->rows, 0, g->nrows);
	inserted = covara_spi_execute_once(g->sql, 2, types, values, false,
									   SPI_OK_INSERT, "covara.seed's insert");
	pfree(DatumGetPointer(values[1]));
	return inserted;
}

/*
 * In PG_CATCH after BeginInternalSubTransaction: copy the error, roll the
 * subtransaction back and restore the caller's context and owner.
 */
static ErrorData *
covara_seed_subxact_error(MemoryContext oldcontext, ResourceOwner oldowner)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(oldcontext);
	edata = CopyErrorData();
	FlushErrorState();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcontext);
	CurrentResourceOwner = oldowner;
	return edata;
}

/*
 * Run a read-only statement in a subtransaction of its own and roll that
 * back.  Returns NULL when it succeeds, the error when it fails with a data
 * exception; any other error (a cancel, say) is raised.
 */
static ErrorData *
covara_seed_probe(const char *sql, int nargs, Oid *types, Datum *values)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		covara_spi_execute_once(sql, nargs, types, values, true, SPI_OK_SELECT,
								"covara.seed's conversion probe");
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		edata = covara_seed_subxact_error(oldcontext, oldowner);
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}

/* Whether converting the group's rows lo..hi-1 fails; the error if so. */
static ErrorData *
covara_seed_probe_rows(CovaraSeedTarget *t, CovaraSeedGroup *g, int lo, int hi)
{
	Oid			types[2] = {JSONBOID, INT4ARRAYOID};
	Datum		values[2];
	char	   *sql;
	ErrorData  *edata;

	/* a group of empty objects converts nothing */
	if (g->nkeys == 0)
		return NULL;
	sql = psprintf("SELECT FROM pg_catalog.unnest($2) AS covara_i(n), "
				   "LATERAL pg_catalog.jsonb_to_record($1 OPERATOR(pg_catalog.->) covara_i.n) "
				   "AS covara_r(%s)",
				   g->coldefs);
	values[0] = PointerGetDatum(t->rows);
	values[1] = covara_seed_positions(g->rows, lo, hi);
	edata = covara_seed_probe(sql, 2, types, values);
	pfree(DatumGetPointer(values[1]));
	pfree(sql);
	return edata;
}

/* The JSON text of element pos's value for key, shortened for a message. */
static char *
covara_seed_value_text(CovaraSeedTarget *t, int pos, const char *key, int keylen)
{
	JsonbValue *elem;
	JsonbValue *val;
	Jsonb	   *jb;
	char	   *s;

	elem = getIthJsonbValueFromContainer(&t->rows->root, pos);
	val = getKeyJsonValueFromContainer(elem->val.binary.data, key, keylen, NULL);
	if (val == NULL)
		return pstrdup("?");
	jb = JsonbValueToJsonb(val);
	s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	if (strlen(s) > COVARA_SEED_MAX_VALUE_TEXT)
	{
		int			cut = pg_mbcliplen(s, strlen(s), COVARA_SEED_MAX_VALUE_TEXT);

		s = psprintf("%.*s...", cut, s);
	}
	return s;
}

/*
 * After group g of target t failed with a data exception: find its first
 * row that does not convert (binary search over prefixes of the group, each
 * probe converting part of the rows in a subtransaction), then the column,
 * and raise an error naming the row's position, the column and the value,
 * with the conversion's own SQLSTATE and message.  Returns when the rows
 * all convert (the error came from elsewhere: a trigger, a generated
 * column's expression...), to let the caller re-raise the original error.
 */
static void
covara_seed_diagnose(CovaraSeedTarget *t, CovaraSeedGroup *g)
{
	ErrorData  *rowerr;
	int			lo = 0;
	int			hi = g->nrows;
	int			pos;
	int			k;

	rowerr = covara_seed_probe_rows(t, g, lo, hi);
	if (rowerr == NULL)
		return;
	while (hi - lo > 1)
	{
		int			mid = lo + (hi - lo) / 2;

		if (covara_seed_probe_rows(t, g, lo, mid) != NULL)
			hi = mid;
		else
			lo = mid;
	}
	{
		ErrorData  *e = covara_seed_probe_rows(t, g, lo, lo + 1);

		if (e != NULL)
			rowerr = e;
	}
	pos = g->rows[lo];

	/* the first of the row's keys whose value alone does not convert */
	for (k = 0; k < g->nkeys; k++)
	{
		Oid			types[3] = {JSONBOID, INT4OID, TEXTOID};
		Datum		values[3];
		char	   *key = pnstrdup(g->keys[k], g->keylens[k]);
		char	   *sql;
		ErrorData  *e;

		sql = psprintf("SELECT FROM pg_catalog.jsonb_to_record(pg_catalog.jsonb_build_object($3, "
					   "($1 OPERATOR(pg_catalog.->) $2) OPERATOR(pg_catalog.->) $3)) AS covara_r(%s %s)",
					   quote_identifier(key), g->keytypes[k]);
		values[0] = PointerGetDatum(t->rows);
		values[1] = Int32GetDatum(pos);
		values[2] = CStringGetTextDatum(key);
		e = covara_seed_probe(sql, 3, types, values);
		if (e != NULL)
			ereport(ERROR,
					(errcode(e->sqlerrcode),
					 errmsg("invalid value for column \"%s\" of relation \"%s\" in element %d of %s: %s",
							key, RelationGetRelationName(t->rel), pos + 1, t->what,
							covara_seed_value_text(t, pos, g->keys[k], g->keylens[k])),
					 e->detail ?
					 errdetail("%s: %s", e->message, e->detail) :
					 errdetail("%s", e->message),
					 e->hint ? errhint("%s", e->hint) : 0));
	}

	/* no single value fails alone: name the row */
	ereport(ERROR,
			(errcode(rowerr->sqlerrcode),
			 errmsg("invalid row for relation \"%s\" in element %d of %s",
					RelationGetRelationName(t->rel), pos + 1, t->what),
			 rowerr->detail ?
			 errdetail("%s: %s", rowerr->message, rowerr->detail) :
			 errdetail("%s", rowerr->message),
			 rowerr->hint ? errhint("%s", rowerr->hint) : 0));
}

/*
 * In an error raised by a group's INSERT, replace SPI's context line quoting
 * the generated statement with one saying which rows were being inserted.
 */
static void
covara_seed_replace_context(ErrorData *edata, CovaraSeedTarget *t,
							CovaraSeedGroup *g)
{
	char	   *spi_line;
	size_t		len;
	StringInfoData buf;
	int			k;

	if (edata->context == NULL)
		return;
	spi_line = psprintf("SQL statement \"%s\"", g->sql);
	len = strlen(spi_line);
	if (strncmp(edata->context, spi_line, len) != 0 ||
		(edata->context[len] != '\0' && edata->context[len] != '\n'))
		return;

	initStringInfo(&buf);
	appendStringInfo(&buf, "covara.seed into %s: inserting %d row%s with the keys (",
					 t->display, g->nrows, g->nrows == 1 ? "" : "s");
	for (k = 0; k < g->nkeys; k++)
		appendStringInfo(&buf, "%s%.*s", k > 0 ? ", " : "", g->keylens[k], g->keys[k]);
	appendStringInfo(&buf, "), the first being element %d of %s", g->first + 1, t->what);
	appendStringInfoString(&buf, edata->context + len);
	edata->context = buf.data;
}

/*
 * Seed the targets in order, all in one internal subtransaction, with SPI
 * connected.  On a data exception, diagnose the failing group after the
 * subtransaction is rolled back; any other error is re-raised unchanged.
 */
static void
covara_seed_run(CovaraSeedTarget *targets, int ntargets)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile int cur_t = -1;
	volatile int cur_g = -1;
	int			i;

	/* nothing to insert at all: no subtransaction */
	for (i = 0; i < ntargets; i++)
		if (targets[i].ngroups > 0)
			break;
	if (i == ntargets)
		return;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		for (i = 0; i < ntargets; i++)
		{
			CovaraSeedTarget *t = &targets[i];
			int			g;

			for (g = 0; g < t->ngroups; g++)
			{
				cur_t = i;
				cur_g = g;
				t->inserted += covara_seed_exec_group(t, &t->groups[g]);
			}
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata = covara_seed_subxact_error(oldcontext, oldowner);

		if (cur_t >= 0)
		{
			CovaraSeedTarget *t = &targets[cur_t];
			CovaraSeedGroup *g = &t->groups[cur_g];

			if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_DATA_EXCEPTION)
				covara_seed_diagnose(t, g);
			covara_seed_replace_context(edata, t, g);
		}
		ReThrowError(edata);
	}
	PG_END_TRY();
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
	errcontext("resolving the plan key \"%s\" as a table name", (const char *) arg);
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
			covara_seed_open(t, relid, psprintf("plan entry \"%s\"", key));
			t->key = key;
			for (j = 0; j < ntargets; j++)
				if (targets[j].relid == relid)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("plan names table %s more than once", t->display),
							 errdetail("Keys \"%s\" and \"%s\" both name it.",
									   targets[j].key, key)));
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
