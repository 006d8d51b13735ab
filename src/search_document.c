/*-------------------------------------------------------------------------
 *
 * search_document.c
 *	  covara.search_vector() and covara.search_text(): a jsonb document's
 *	  weighted vector and its text, from the same fields as the triggers
 *	  take, for documents that are not rows of a table with a trigger.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "compat.h"
#include "search.h"

PG_FUNCTION_INFO_V1(covara_search_vector);
PG_FUNCTION_INFO_V1(covara_search_text);

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
