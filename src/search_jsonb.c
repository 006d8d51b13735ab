/*-------------------------------------------------------------------------
 *
 * search_jsonb.c
 *	  The strings a field reaches, handed to a sink in document order: the
 *	  walk of a jsonb value (as to_tsvector(jsonb) walks it), and a column
 *	  value of a field resolved against a table (text, text[] or jsonb).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "common/string.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "search.h"

/* An exclusion being matched while walking a jsonb value. */
typedef struct CovaraExclState
{
	const CovaraPath *path;
	int			matched;		/* parts matched so far */
} CovaraExclState;

/*
 * Walk a jsonb container depth first, as to_tsvector(jsonb) does, handing
 * every string value to sink; skip the values of excluded keys.  Arrays do
 * not consume a part of an exclusion's path.
 */
static void
covara_walk_container(JsonbContainer *c, CovaraExclState *ex, int nex,
					  CovaraTextSink sink, void *arg)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue	key;
	CovaraExclState *sub;

	/* documents nest as deep as jsonb allows: guard the recursion */
	check_stack_depth();
	it = JsonbIteratorInit(c);
	sub = nex > 0 ? palloc(sizeof(CovaraExclState) * nex) : NULL;

	memset(&key, 0, sizeof(key));
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			nsub = 0;
		bool		skip = false;

		if (tok == WJB_KEY)
		{
			key = v;
			continue;
		}
		if (tok != WJB_VALUE && tok != WJB_ELEM)
			continue;
		if (nex > 0)
		{
			int			k;

			if (tok == WJB_ELEM)
			{
				memcpy(sub, ex, sizeof(CovaraExclState) * nex);
				nsub = nex;
			}
			else
			{
				for (k = 0; k < nex; k++)
				{
					const CovaraPath *p = ex[k].path;
					int			m = ex[k].matched;

					if (p->lens[m] != key.val.string.len ||
						memcmp(p->parts[m], key.val.string.val, p->lens[m]) != 0)
						continue;
					if (m + 1 == p->nparts)
						skip = true;
					else
					{
						sub[nsub].path = p;
						sub[nsub].matched = m + 1;
						nsub++;
					}
				}
			}
		}
		if (skip)
			continue;
		if (v.type == jbvString)
			sink(arg, v.val.string.val, v.val.string.len);
		else if (v.type == jbvBinary)
			covara_walk_container(v.val.binary.data, sub, nsub, sink, arg);
	}
}

/*
 * Hand sink the strings of the node that field's path reaches in jb,
 * starting at path part firstpart (1 when part 0 is the column holding jb,
 * 0 for a document whose top-level keys are the first part).  Keys walk
 * objects; a number walks an array, as #> does.
 */
void
covara_jsonb_field_texts(Jsonb *jb, int firstpart, const CovaraField *field,
						 CovaraTextSink sink, void *arg)
{
	JsonbContainer *c = &jb->root;
	CovaraExclState *ex = NULL;
	int			i;

	if (field->nexcl > 0)
	{
		ex = palloc(sizeof(CovaraExclState) * field->nexcl);
		for (i = 0; i < field->nexcl; i++)
		{
			ex[i].path = &field->excl[i];
			ex[i].matched = 0;
		}
	}

	if (firstpart >= field->path.nparts)
	{
		covara_walk_container(c, ex, field->nexcl, sink, arg);
		return;
	}

	for (i = firstpart; i < field->path.nparts; i++)
	{
		JsonbValue	buf;
		JsonbValue *v;

		if (JsonContainerIsScalar(c))
			return;
		if (JsonContainerIsObject(c))
			v = getKeyJsonValueFromContainer(c, field->path.parts[i],
											 field->path.lens[i], &buf);
		else
		{
			char	   *endptr;
			int			idx;

			errno = 0;
			idx = strtoint(field->path.parts[i], &endptr, 10);
			if (endptr == field->path.parts[i] || *endptr != '\0' || errno != 0)
				return;
			if (idx < 0)
			{
				uint32		nelems = JsonContainerSize(c);

				if (idx == INT_MIN || (uint32) -idx > nelems)
					return;
				idx = nelems + idx;
			}
			v = getIthJsonbValueFromContainer(c, (uint32) idx);
		}
		if (v == NULL)
			return;
		if (i == field->path.nparts - 1)
		{
			if (v->type == jbvString)
				sink(arg, v->val.string.val, v->val.string.len);
			else if (v->type == jbvBinary)
				covara_walk_container(v->val.binary.data, ex, field->nexcl, sink, arg);
			return;
		}
		if (v->type != jbvBinary)
			return;
		c = v->val.binary.data;
	}
}

/* Hand sink the strings of a (non-null) column value of a resolved field. */
void
covara_datum_field_texts(Datum value, const CovaraField *field,
						 CovaraTextSink sink, void *arg)
{
	switch (field->kind)
	{
		case COVARA_FIELD_TEXT:
			{
				text	   *t = DatumGetTextPP(value);

				sink(arg, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				break;
			}
		case COVARA_FIELD_TEXT_ARRAY:
			{
				ArrayType  *arr = DatumGetArrayTypeP(value);
				Datum	   *elems;
				bool	   *nulls;
				int			n;
				int			i;

				deconstruct_array(arr, field->elemtype, field->elmlen,
								  field->elmbyval, field->elmalign,
								  &elems, &nulls, &n);
				for (i = 0; i < n; i++)
				{
					text	   *t;

					if (nulls[i])
						continue;
					t = DatumGetTextPP(elems[i]);
					sink(arg, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				}
				break;
			}
		case COVARA_FIELD_JSONB:
			covara_jsonb_field_texts(DatumGetJsonbP(value), 1, field, sink, arg);
			break;
	}
}
