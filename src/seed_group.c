/*-------------------------------------------------------------------------
 *
 * seed_group.c
 *	  covara.seed's rows checked and grouped by their set of keys, and the
 *	  INSERT that seeds each group.
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
 * conversion does (jsonb_to_record and jsonb_populate_recordset share it);
 * streaming the rows one by one into the INSERT measures at least as fast
 * as the usual jsonb_populate_recordset, which first materializes all of
 * them in a tuplestore (see test/bench/seed.sh).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_attribute.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varlena.h"

#include "compat.h"
#include "report.h"
#include "seed.h"

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
const char *
covara_seed_root_type(Jsonb *jb)
{
	if (JB_ROOT_IS_SCALAR(jb))
		return covara_seed_jentry_type(jb->root.children[0], NULL);
	if (JB_ROOT_IS_OBJECT(jb))
		return "an object";
	return "an array";
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
							covara_report_cut(key), relname),
					 errdetail("Element %d of %s has the key \"%s\"; keys must match column names exactly.",
							   g->first + 1, t->what, covara_report_cut(key)),
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
	if (nkeys > 0)				/* keys is NULL while only empty objects were seen */
	{
		memcpy(g->keys, keys, sizeof(char *) * nkeys);
		memcpy(g->keylens, keylens, sizeof(int) * nkeys);
	}
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
void
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
