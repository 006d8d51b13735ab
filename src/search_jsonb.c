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
 * One open container of a jsonb walk: the exclusions in force for its
 * values, and, in an object, those for the value of its current key.
 */
typedef struct CovaraWalkFrame
{
	CovaraExclState *ex;		/* in force for the container's values */
	int			nex;
	bool		is_object;
	CovaraExclState *keyex;		/* for the current key's value (objects) */
	int			nkeyex;
	bool		keyskip;		/* the current key is excluded */
} CovaraWalkFrame;

/*
 * Walk a jsonb container depth first, as to_tsvector(jsonb) does, handing
 * every string value to sink; skip the values of excluded keys.  Arrays do
 * not consume a part of an exclusion's path.  The walk keeps its own stack
 * of open containers rather than recursing, so it reaches any depth a jsonb
 * value can have.
 */
static void
covara_walk_container(JsonbContainer *c, CovaraExclState *ex, int nex,
					  CovaraTextSink sink, void *arg)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	CovaraWalkFrame *frames;
	int			maxframes = 16;
	int			nframes = 0;
	int			skipping = 0;	/* open containers inside an excluded value */

	frames = palloc(sizeof(CovaraWalkFrame) * maxframes);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		CovaraWalkFrame *top = nframes > 0 ? &frames[nframes - 1] : NULL;
		CovaraExclState *vex = ex;	/* in force for this value */
		int			vnex = nex;
		bool		vskip = false;

		if (top != NULL && top->is_object)
		{
			vex = top->keyex;
			vnex = top->nkeyex;
			vskip = top->keyskip;
		}
		else if (top != NULL)
		{
			vex = top->ex;
			vnex = top->nex;
		}

		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
			case WJB_BEGIN_OBJECT:
				if (skipping > 0 || vskip)
				{
					skipping++;
					break;
				}
				if (nframes == maxframes)
				{
					maxframes *= 2;
					frames = repalloc(frames, sizeof(CovaraWalkFrame) * maxframes);
				}
				top = &frames[nframes++];
				top->ex = vex;
				top->nex = vnex;
				top->is_object = (tok == WJB_BEGIN_OBJECT);
				top->keyex = (top->is_object && vnex > 0) ?
					palloc(sizeof(CovaraExclState) * vnex) : NULL;
				top->nkeyex = 0;
				top->keyskip = false;
				break;
			case WJB_END_ARRAY:
			case WJB_END_OBJECT:
				if (skipping > 0)
				{
					skipping--;
					break;
				}
				if (top->keyex != NULL)
					pfree(top->keyex);
				nframes--;
				break;
			case WJB_KEY:
				{
					int			k;

					if (skipping > 0)
						break;
					top->nkeyex = 0;
					top->keyskip = false;
					for (k = 0; k < top->nex; k++)
					{
						const CovaraPath *p = top->ex[k].path;
						int			m = top->ex[k].matched;

						if (p->lens[m] != v.val.string.len ||
							memcmp(p->parts[m], v.val.string.val, p->lens[m]) != 0)
							continue;
						if (m + 1 == p->nparts)
							top->keyskip = true;
						else
						{
							top->keyex[top->nkeyex].path = p;
							top->keyex[top->nkeyex].matched = m + 1;
							top->nkeyex++;
						}
					}
					break;
				}
			case WJB_VALUE:
			case WJB_ELEM:
				if (skipping == 0 && !vskip && v.type == jbvString)
					sink(arg, v.val.string.val, v.val.string.len);
				break;
			case WJB_DONE:
				break;
		}
	}
	pfree(frames);
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
