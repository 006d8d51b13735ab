/*-------------------------------------------------------------------------
 *
 * search_tsvector.c
 *	  The weighted tsvector builder behind covara's search triggers and
 *	  search_vector().
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

#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/syscache.h"

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

/* Start building a vector with the given text search configuration. */
void
covara_vb_init(CovaraVectorBuilder *b, Oid cfgId)
{
	/* a regconfig value can name a configuration that is gone (or 0) */
	if (!SearchSysCacheExists1(TSCONFIGOID, ObjectIdGetDatum(cfgId)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("text search configuration with OID %u does not exist", cfgId),
				 errhint("Name an existing text search configuration, such as pg_catalog.english (\\dF lists them).")));
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
