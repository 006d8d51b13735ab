/*-------------------------------------------------------------------------
 *
 * search_document.c
 *	  covara.search_vector(), covara.search_text() and
 *	  covara.search_source(): a jsonb document's weighted vector, its text
 *	  and the part of it a search index keeps, from the same fields as the
 *	  triggers take, for documents that are not rows of a table with a
 *	  trigger (and for the sync trigger's stored source).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "compat.h"
#include "search.h"

PG_FUNCTION_INFO_V1(covara_search_vector);
PG_FUNCTION_INFO_V1(covara_search_text);
PG_FUNCTION_INFO_V1(covara_search_source);

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

/*
 * Push a value (a scalar, or a container token by token) where the builder
 * expects one; seq is WJB_VALUE or WJB_ELEM.
 */
static void
covara_push_value(CovaraJsonbBuild *b, JsonbIteratorToken seq, JsonbValue *v)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	part;

	if (v->type != jbvBinary)
	{
		covara_jsonb_push(b, seq, v);
		return;
	}
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &part, false)) != WJB_DONE)
		covara_jsonb_push(b, tok, tok < WJB_BEGIN_ARRAY ? &part : NULL);
}

/*
 * Push the part of object c that paths reach, each path from its part
 * depth on: a key some path ends at is kept whole, a key that paths go
 * through is pruned the same way below it when it holds an object, and kept
 * whole when it holds an array (so that array positions in paths still
 * reach the same elements).  Keys no path names are left out.
 */
static void
covara_push_pruned(CovaraJsonbBuild *b, JsonbContainer *c,
				   const CovaraPath **paths, int npaths, int depth)
{
	const CovaraPath **sub = palloc(sizeof(CovaraPath *) * npaths);
	int			i;

	check_stack_depth();
	covara_jsonb_push(b, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < npaths; i++)
	{
		const char *name = paths[i]->parts[depth];
		int			len = paths[i]->lens[depth];
		bool		whole = false;
		int			nsub = 0;
		int			j;
		JsonbValue	buf;
		JsonbValue *v;
		JsonbValue	key;

		/* each key once: at its first path */
		for (j = 0; j < i; j++)
			if (paths[j]->lens[depth] == len &&
				memcmp(paths[j]->parts[depth], name, len) == 0)
				break;
		if (j < i)
			continue;
		v = getKeyJsonValueFromContainer(c, name, len, &buf);
		if (v == NULL)
			continue;
		for (j = i; j < npaths; j++)
		{
			if (paths[j]->lens[depth] != len ||
				memcmp(paths[j]->parts[depth], name, len) != 0)
				continue;
			if (paths[j]->nparts == depth + 1)
				whole = true;
			else
				sub[nsub++] = paths[j];
		}
		if (!whole && (v->type != jbvBinary))
			continue;			/* paths go on below a scalar: nothing */
		key.type = jbvString;
		key.val.string.val = (char *) name;
		key.val.string.len = len;
		covara_jsonb_push(b, WJB_KEY, &key);
		if (whole || !JsonContainerIsObject(v->val.binary.data))
			covara_push_value(b, WJB_VALUE, v);
		else
			covara_push_pruned(b, v->val.binary.data, sub, nsub, depth + 1);
	}
	covara_jsonb_push(b, WJB_END_OBJECT, NULL);
	pfree(sub);
}

/*
 * covara.search_source(document jsonb, fields jsonb, keep text[]): the part
 * of a document that a search index stores for it: the top-level keys in
 * keep, whole, and what the fields' paths reach (search_text() and
 * search_vector() give the same on it as on the whole document with those
 * fields).  NULL fields: the whole document; a document that is no object
 * is returned as it is.
 */
Datum
covara_search_source(PG_FUNCTION_ARGS)
{
	CovaraDocFieldsCache *cache;
	Jsonb	   *doc;
	const CovaraPath **paths;
	CovaraPath *keep = NULL;
	int			nkeep = 0;
	int			npaths = 0;
	int			i;
	CovaraJsonbBuild b;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	doc = PG_GETARG_JSONB_P(0);
	if (PG_ARGISNULL(1) || !JB_ROOT_IS_OBJECT(doc))
		PG_RETURN_JSONB_P(doc);
	cache = covara_doc_fields(fcinfo, 1, "the fields argument");

	if (!PG_ARGISNULL(2))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &nkeep);
		keep = palloc(sizeof(CovaraPath) * Max(nkeep, 1));
		for (i = 0; i < nkeep; i++)
		{
			text	   *t;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the keys to keep must not be null"),
						 errhint("Name each top-level key to keep, or pass NULL for none.")));
			t = DatumGetTextPP(elems[i]);
			keep[i].nparts = 1;
			keep[i].parts = palloc(sizeof(char *));
			keep[i].lens = palloc(sizeof(int));
			keep[i].parts[0] = VARDATA_ANY(t);
			keep[i].lens[0] = VARSIZE_ANY_EXHDR(t);
		}
	}

	paths = palloc(sizeof(CovaraPath *) * (cache->nfields + nkeep + 1));
	for (i = 0; i < nkeep; i++)
		paths[npaths++] = &keep[i];
	for (i = 0; i < cache->nfields; i++)
		if (cache->fields[i].path.nparts > 0)
			paths[npaths++] = &cache->fields[i].path;

	memset(&b, 0, sizeof(b));
	covara_push_pruned(&b, &doc->root, paths, npaths, 0);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(covara_jsonb_result(&b)));
}
