/*-------------------------------------------------------------------------
 *
 * search_fields.c
 *	  Field specifications (column[.key...][:weight]) and the weighted
 *	  tsvector builder behind covara's search triggers and functions.
 *
 * The builder parses every field with the text search parser directly
 * (parsetext(), as to_tsvector does) and merges the fields' lexemes the way
 * setweight() and the tsvector || operator would, so that for text fields
 *
 *	 covara vector == setweight(to_tsvector(cfg, f1), 'A')
 *					  || setweight(to_tsvector(cfg, f2), 'B') || ...
 *
 * exactly (same lexemes, positions and weights, including the limits of
 * 256 positions per lexeme and position 16383), without building and
 * concatenating one tsvector per field.  A jsonb field contributes what
 * to_tsvector(cfg, jsonb) would for the node its path reaches (its string
 * values, depth first, one position apart), and a text[] field what
 * to_tsvector(cfg, to_jsonb(array)) would.  NULL contributes nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "common/string.h"
#include "miscadmin.h"
#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "search.h"

/* A sorted list of distinct lexemes with their positions. */
typedef struct CovaraLexList
{
	int			n;
	char	  **word;
	uint16	   *len;
	int		   *posoff;			/* first position in pos[] */
	uint16	   *npos;
	WordEntryPos *pos;
	int			posused;
	int			maxpos;			/* largest position in the list */
} CovaraLexList;

/* An exclusion being matched while walking a jsonb value. */
typedef struct CovaraExclState
{
	const CovaraPath *path;
	int			matched;		/* parts matched so far */
} CovaraExclState;

/* Append one name to a path under construction. */
static void
covara_path_append(CovaraPath *path, int *cap, char *name, int len)
{
	if (path->nparts == *cap)
	{
		*cap *= 2;
		path->parts = repalloc(path->parts, sizeof(char *) * *cap);
		path->lens = repalloc(path->lens, sizeof(int) * *cap);
	}
	path->parts[path->nparts] = name;
	path->lens[path->nparts] = len;
	path->nparts++;
}

/*
 * Parse name[.name...] from str, where a name is either a run of characters
 * other than '.', ':' and '"', taken literally (no case folding: trigger
 * arguments name columns exactly), or a double-quoted name in which "" is a
 * quote.  Stops at the first character that cannot continue the path and
 * sets *endp to it.  Returns false with *problem set on bad syntax.
 */
bool
covara_parse_path(const char *str, const char **endp, CovaraPath *path,
				  const char **problem)
{
	const char *p = str;
	int			cap = 4;

	path->nparts = 0;
	path->parts = palloc(sizeof(char *) * cap);
	path->lens = palloc(sizeof(int) * cap);

	for (;;)
	{
		StringInfoData name;

		initStringInfo(&name);
		if (*p == '"')
		{
			p++;
			for (;;)
			{
				if (*p == '\0')
				{
					*problem = "A double-quoted name is not closed.";
					return false;
				}
				if (*p == '"')
				{
					if (p[1] != '"')
						break;
					p++;
				}
				appendStringInfoChar(&name, *p);
				p++;
			}
			p++;				/* closing quote */
			if (name.len == 0)
			{
				*problem = "A name is empty.";
				return false;
			}
		}
		else
		{
			while (*p != '\0' && *p != '.' && *p != ':' && *p != '"')
				appendStringInfoChar(&name, *p++);
			if (*p == '"')
			{
				*problem = "A double quote may only enclose a whole name.";
				return false;
			}
			if (name.len == 0)
			{
				*problem = "A name is empty.";
				return false;
			}
		}
		covara_path_append(path, &cap, name.data, name.len);
		if (*p != '.')
			break;
		p++;
	}
	*endp = p;
	return true;
}

/* Report a field argument that cannot be parsed. */
static void
covara_bad_field(const char *arg, const char *where, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid field \"%s\" in %s", arg, where),
			 errdetail_internal("%s", problem),
			 errhint("Write a field as column[.key[.key...]][:weight] with weight A, B, C or D (D when omitted); "
					 "double-quote a name that contains \".\", \":\" or \"\"\".")));
}

/* Parse one field argument, column[.key...][:weight], into *field. */
void
covara_parse_field(const char *arg, const char *where, CovaraField *field)
{
	const char *end;
	const char *problem = NULL;

	memset(field, 0, sizeof(CovaraField));
	field->arg = pstrdup(arg);
	field->weight = COVARA_WEIGHT_D;
	if (!covara_parse_path(arg, &end, &field->path, &problem))
		covara_bad_field(arg, where, problem);
	if (*end == ':')
	{
		char		w = end[1];

		if (w >= 'a' && w <= 'd')
			w = w - 'a' + 'A';
		if (w < 'A' || w > 'D' || end[2] != '\0')
			covara_bad_field(arg, where, "The weight must be one of A, B, C or D.");
		field->weight = 'D' - w;	/* A = 3, B = 2, C = 1, D = 0 */
	}
	else if (*end != '\0')
		covara_bad_field(arg, where, "Unexpected characters after the name.");
}

/* True when prefix names the same node as path or one above it. */
bool
covara_path_is_prefix(const CovaraPath *prefix, const CovaraPath *path)
{
	int			i;

	if (prefix->nparts > path->nparts)
		return false;
	for (i = 0; i < prefix->nparts; i++)
	{
		if (prefix->lens[i] != path->lens[i] ||
			memcmp(prefix->parts[i], path->parts[i], path->lens[i]) != 0)
			return false;
	}
	return true;
}

/*
 * Parse an exclusion (the path after "exclude=") and attach it, relative to
 * the field, to every field whose node lies above the excluded one.
 */
void
covara_add_exclusion(CovaraField *fields, int nfields, const char *arg,
					 const char *spec, const char *where)
{
	CovaraPath	path;
	const char *end;
	const char *problem = NULL;
	int			i;
	bool		used = false;

	if (!covara_parse_path(spec, &end, &path, &problem) || *end != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid option \"%s\" in %s", arg, where),
				 errdetail_internal("%s", problem ? problem : "An exclusion is a path without a weight."),
				 errhint("Write an exclusion as exclude=column.key[.key...], naming a key inside a jsonb field.")));

	for (i = 0; i < nfields; i++)
	{
		CovaraField *f = &fields[i];
		CovaraPath *rel;

		if (f->path.nparts >= path.nparts ||
			!covara_path_is_prefix(&f->path, &path))
			continue;
		f->excl = f->nexcl == 0 ? palloc(sizeof(CovaraPath))
			: repalloc(f->excl, sizeof(CovaraPath) * (f->nexcl + 1));
		rel = &f->excl[f->nexcl++];
		rel->nparts = path.nparts - f->path.nparts;
		rel->parts = path.parts + f->path.nparts;
		rel->lens = path.lens + f->path.nparts;
		used = true;
	}
	if (!used)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exclusion \"%s\" in %s is not inside any field", spec, where),
				 errhint("An exclusion names a key inside a jsonb field, e.g. exclude=source.id with the field source.")));
}

/* Start building a vector with the given text search configuration. */
void
covara_vb_init(CovaraVectorBuilder *b, Oid cfgId)
{
	b->cfgId = cfgId;
	b->prs.lenwords = 64;
	b->prs.curwords = 0;
	b->prs.pos = 0;
	b->prs.words = (ParsedWord *) palloc(sizeof(ParsedWord) * b->prs.lenwords);
	b->nfields = 0;
	b->maxfields = 4;
	b->field_start = palloc(sizeof(int) * b->maxfields);
	b->field_weight = palloc(sizeof(int) * b->maxfields);
}

/* Start a new field: its words get their own positions, from 1. */
void
covara_vb_begin_field(CovaraVectorBuilder *b, int weight)
{
	if (b->nfields == b->maxfields)
	{
		b->maxfields *= 2;
		b->field_start = repalloc(b->field_start, sizeof(int) * b->maxfields);
		b->field_weight = repalloc(b->field_weight, sizeof(int) * b->maxfields);
	}
	b->field_start[b->nfields] = b->prs.curwords;
	b->field_weight[b->nfields] = weight;
	b->nfields++;
	b->prs.pos = 0;
}

/*
 * Parse one string of the current field.  Like to_tsvector(jsonb), leave a
 * one-position gap after a string that produced words, so that a phrase
 * never spans two strings (for a lone text value the gap changes nothing).
 */
void
covara_vb_sink(void *arg, const char *str, int len)
{
	CovaraVectorBuilder *b = (CovaraVectorBuilder *) arg;
	int32		prevwords = b->prs.curwords;

	parsetext(b->cfgId, &b->prs, unconstify(char *, str), len);
	if (b->prs.curwords > prevwords)
		b->prs.pos += 1;
}

/* qsort comparator: by lexeme (tsvector order), then position (as core). */
static int
covara_compare_word(const void *a, const void *b)
{
	const ParsedWord *wa = (const ParsedWord *) a;
	const ParsedWord *wb = (const ParsedWord *) b;
	int			res;

	res = tsCompareString(wa->word, wa->len, wb->word, wb->len, false);
	if (res == 0)
	{
		if (wa->pos.pos == wb->pos.pos)
			return 0;
		res = (wa->pos.pos > wb->pos.pos) ? 1 : -1;
	}
	return res;
}

/*
 * Turn one field's words into distinct lexemes with positions, with the
 * rules of to_tsvector (uniqueWORD): at most MAXNUMPOS - 1 positions per
 * lexeme, none after MAXENTRYPOS - 1, no repeated position.
 */
static void
covara_field_lexemes(ParsedWord *w, int n, CovaraLexList *out)
{
	int			i;

	if (n > 1)
		qsort(w, n, sizeof(ParsedWord), covara_compare_word);

	out->n = 0;
	out->word = palloc(sizeof(char *) * n);
	out->len = palloc(sizeof(uint16) * n);
	out->posoff = palloc(sizeof(int) * n);
	out->npos = palloc(sizeof(uint16) * n);
	out->pos = palloc(sizeof(WordEntryPos) * n);
	out->posused = 0;
	out->maxpos = 0;

	for (i = 0; i < n; i++)
	{
		uint16		p = LIMITPOS(w[i].pos.pos);
		int			cur = out->n - 1;

		if (cur < 0 || !(w[i].len == out->len[cur] &&
						 strncmp(w[i].word, out->word[cur], out->len[cur]) == 0))
		{
			cur = out->n++;
			out->word[cur] = w[i].word;
			out->len[cur] = w[i].len;
			out->posoff[cur] = out->posused;
			out->npos[cur] = 1;
			out->pos[out->posused++] = p;
		}
		else
		{
			uint16		last = out->pos[out->posoff[cur] + out->npos[cur] - 1];

			if (out->npos[cur] < MAXNUMPOS - 1 && last != MAXENTRYPOS - 1 &&
				last != p)
			{
				out->pos[out->posused++] = p;
				out->npos[cur]++;
			}
		}
	}
}

/*
 * Append a field lexeme's positions to the entry being written, shifted by
 * shift and with the field's weight, under the limits of tsvector || (at
 * most MAXNUMPOS positions, nothing after MAXENTRYPOS - 1).
 */
static void
covara_append_positions(CovaraLexList *dst, int entry, const CovaraLexList *src,
						int srcentry, int shift, int weight)
{
	const WordEntryPos *sp = src->pos + src->posoff[srcentry];
	int			k;

	for (k = 0; k < src->npos[srcentry]; k++)
	{
		int			cnt = dst->npos[entry];
		WordEntryPos e = 0;

		if (cnt >= MAXNUMPOS)
			break;
		if (cnt > 0 &&
			WEP_GETPOS(dst->pos[dst->posoff[entry] + cnt - 1]) == MAXENTRYPOS - 1)
			break;
		WEP_SETWEIGHT(e, weight);
		WEP_SETPOS(e, LIMITPOS(WEP_GETPOS(sp[k]) + shift));
		dst->pos[dst->posused++] = e;
		dst->npos[entry]++;
		if (WEP_GETPOS(e) > dst->maxpos)
			dst->maxpos = WEP_GETPOS(e);
	}
}

/*
 * acc || setweight(field, weight): field positions are shifted by the
 * largest position in acc, as tsvector_concat does.
 */
static void
covara_merge(CovaraLexList *acc, const CovaraLexList *fl, int weight)
{
	CovaraLexList out;
	int			i = 0,
				j = 0;
	int			shift = acc->maxpos;
	int			cap = acc->n + fl->n;

	out.n = 0;
	out.word = palloc(sizeof(char *) * cap);
	out.len = palloc(sizeof(uint16) * cap);
	out.posoff = palloc(sizeof(int) * cap);
	out.npos = palloc(sizeof(uint16) * cap);
	out.pos = palloc(sizeof(WordEntryPos) * Max(acc->posused + fl->posused, 1));
	out.posused = 0;
	out.maxpos = acc->maxpos;

	while (i < acc->n || j < fl->n)
	{
		int			cmp;
		int			e = out.n++;

		if (i >= acc->n)
			cmp = 1;
		else if (j >= fl->n)
			cmp = -1;
		else
			cmp = tsCompareString(acc->word[i], acc->len[i],
								  fl->word[j], fl->len[j], false);

		out.posoff[e] = out.posused;
		out.npos[e] = 0;
		if (cmp <= 0)
		{
			out.word[e] = acc->word[i];
			out.len[e] = acc->len[i];
			memcpy(out.pos + out.posused, acc->pos + acc->posoff[i],
				   sizeof(WordEntryPos) * acc->npos[i]);
			out.posused += acc->npos[i];
			out.npos[e] = acc->npos[i];
			i++;
		}
		else
		{
			out.word[e] = fl->word[j];
			out.len[e] = fl->len[j];
		}
		if (cmp >= 0)
		{
			covara_append_positions(&out, e, fl, j, shift, weight);
			j++;
		}
	}
	*acc = out;
}

/* Finish: merge the fields in order and form the tsvector. */
TSVector
covara_vb_finish(CovaraVectorBuilder *b)
{
	CovaraLexList acc;
	int			f;
	int			i;
	int			lenstr = 0;
	int			totallen;
	int			stroff;
	TSVector	out;
	WordEntry  *ptr;
	char	   *str;

	memset(&acc, 0, sizeof(acc));
	for (f = 0; f < b->nfields; f++)
	{
		int			start = b->field_start[f];
		int			end = (f + 1 < b->nfields) ? b->field_start[f + 1] : b->prs.curwords;
		CovaraLexList fl;

		if (end == start)
			continue;			/* an empty vector changes nothing */
		covara_field_lexemes(b->prs.words + start, end - start, &fl);
		covara_merge(&acc, &fl, b->field_weight[f]);
	}

	for (i = 0; i < acc.n; i++)
	{
		lenstr += acc.len[i];
		lenstr = SHORTALIGN(lenstr);
		lenstr += sizeof(uint16) + acc.npos[i] * sizeof(WordEntryPos);
	}
	if (lenstr > MAXSTRPOS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string is too long for tsvector (%d bytes, max %d bytes)",
						lenstr, MAXSTRPOS)));

	totallen = CALCDATASIZE(acc.n, lenstr);
	out = (TSVector) palloc0(totallen);
	SET_VARSIZE(out, totallen);
	out->size = acc.n;
	ptr = ARRPTR(out);
	str = STRPTR(out);
	stroff = 0;
	for (i = 0; i < acc.n; i++)
	{
		ptr->len = acc.len[i];
		ptr->pos = stroff;
		memcpy(str + stroff, acc.word[i], acc.len[i]);
		stroff += acc.len[i];
		ptr->haspos = 1;
		stroff = SHORTALIGN(stroff);
		*(uint16 *) (str + stroff) = acc.npos[i];
		memcpy(POSDATAPTR(out, ptr), acc.pos + acc.posoff[i],
			   acc.npos[i] * sizeof(WordEntryPos));
		stroff += sizeof(uint16) + acc.npos[i] * sizeof(WordEntryPos);
		ptr++;
	}
	return out;
}

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

/* Report a fields argument of the wrong shape. */
static void
covara_bad_fields(const char *where, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s is not a valid list of fields", where),
			 errdetail_internal("%s", problem),
			 errhint("Give fields as a JSON object mapping keys to weights, e.g. {\"title\": \"A\", \"body\": \"B\"}, "
					 "or as an array of \"key[.key...][:weight]\" strings.")));
}

/*
 * Parse a document field list: a jsonb object {"path": "weight", ...} (by
 * weight, A first) or an array ["path[:weight]", ...] (in array order).
 * Paths start at the document's top-level keys.
 */
void
covara_parse_document_fields(Jsonb *fields, const char *where,
							 CovaraField **fieldsp, int *nfieldsp)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue	key;
	CovaraField *out;
	int			n = 0;
	int			cap;
	bool		is_object;

	if (JB_ROOT_IS_SCALAR(fields) ||
		!(JB_ROOT_IS_OBJECT(fields) || JB_ROOT_IS_ARRAY(fields)))
		covara_bad_fields(where, "The fields are neither an object nor an array.");
	is_object = JB_ROOT_IS_OBJECT(fields);
	cap = Max(JB_ROOT_COUNT(fields), 1);
	out = palloc0(sizeof(CovaraField) * cap);

	memset(&key, 0, sizeof(key));
	it = JsonbIteratorInit(&fields->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *spec;

		if (tok == WJB_KEY)
		{
			key = v;
			continue;
		}
		if (tok != WJB_VALUE && tok != WJB_ELEM)
			continue;
		if (is_object)
		{
			char	   *name = pnstrdup(key.val.string.val, key.val.string.len);
			char	   *weight;

			if (v.type != jbvString)
				covara_bad_fields(where, psprintf("The weight of \"%s\" is not a string.", name));
			weight = pnstrdup(v.val.string.val, v.val.string.len);
			if (strlen(weight) != 1)
				covara_bad_fields(where, psprintf("The weight of \"%s\" must be one of A, B, C or D.", name));
			if (strchr(name, ':') != NULL && name[0] != '"')
				covara_bad_fields(where, psprintf("The key \"%s\" contains \":\"; give the weight as the value and double-quote such a name.", name));
			spec = psprintf("%s:%s", name, weight);
		}
		else
		{
			if (v.type != jbvString)
				covara_bad_fields(where, "An element of the fields array is not a string.");
			spec = pnstrdup(v.val.string.val, v.val.string.len);
		}
		covara_parse_field(spec, where, &out[n]);
		n++;
	}

	/*
	 * jsonb keeps no key order, so an object's fields go by weight, A first,
	 * and keys of equal weight in jsonb order (insertion sort: stable).
	 */
	if (is_object)
	{
		int			i;

		for (i = 1; i < n; i++)
		{
			CovaraField tmp = out[i];
			int			j = i - 1;

			while (j >= 0 && out[j].weight < tmp.weight)
			{
				out[j + 1] = out[j];
				j--;
			}
			out[j + 1] = tmp;
		}
	}
	*fieldsp = out;
	*nfieldsp = n;
}
