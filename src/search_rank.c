/*-------------------------------------------------------------------------
 *
 * search_rank.c
 *	  Ranked top-k without ranking every match: impact tiers.
 *
 * For a one-term query, ts_rank (default weights, normalization 0) depends
 * only on the positions and weights of that term in the document: call it
 * the term's impact in the document.  covara.search_impacts(vector, w)
 * turns a document's vector into a second, small one that records, for each
 * lexeme whose impact is above that of a single occurrence at weight w (the
 * index's lowest field weight), which tier its impact falls in: the entry
 * "<tier>:<lexeme>", tier 1 the lowest.  A GIN index on that expression lets a query ask
 * for "documents where zebra has an impact of at least tier T" without
 * reading any of them.
 *
 * covara.search then ranks only the documents in the top tiers, going down
 * a tier at a time until the k-th best score it has found is above the
 * floor of the tier it stopped at: every document it did not read scores
 * below that floor, so the k it returns are exactly the best k.
 *
 * The score of a document (covara.search_score) is the mean, over the
 * query's distinct positive terms, of the term's impact (for a prefix term,
 * the best impact among the lexemes it matches).  For one term it is
 * exactly ts_rank; for several it is ts_rank's formula for an OR query,
 * which is what lets tiers bound it (ts_rank's AND formula weighs the
 * distances between terms and has no such bound).
 *
 * The tiers (COVARA_TIERS, COVARA_TIER_GROWTH, the "<tier>:" entries) are
 * stored in every impact index on disk and search_impacts() is IMMUTABLE:
 * never change them under the same C symbol.  A new scale needs a new
 * function (and a REINDEX of the indexes built on the old one).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "compat.h"
#include "search.h"

/*
 * Tiers 1 .. COVARA_TIERS; the floor of each is COVARA_TIER_GROWTH times the
 * last, so that the ranks ts_rank gives the few occurrences a word usually
 * has, a few percent apart (one A: 0.608, an A and a D: 0.623, ...), fall
 * in different tiers, and tiers reach the highest rank (just under 1) from
 * the lowest base (a single D, 0.0608).
 */
#define COVARA_TIERS		300
#define COVARA_TIER_GROWTH	1.01

/* the most distinct terms a tier query takes (search_tier_query) */
#define COVARA_TIER_QUERY_TERMS 32

/* the longest tier prefix of an impact entry: "300:" */
#define COVARA_TIER_PREFIX_MAX 4

/* ts_rank's default weights, D C B A (tsrank.c) */
static const float covara_weights[] = {0.1f, 0.2f, 0.4f, 1.0f};

/* A distinct positive operand of a query. */
typedef struct CovaraTerm
{
	char	   *word;
	int			len;
	bool		prefix;
} CovaraTerm;

/* The impact of one term with these positions: ts_rank's one-term formula. */
static float4
covara_positions_impact(const WordEntryPos *post, int dimt)
{
	float		resj = 0.0;
	float		wjm = -1.0;
	int32		jm = 0;
	float		res = 0.0;

	for (int j = 0; j < dimt; j++)
	{
		float		w = covara_weights[WEP_GETWEIGHT(post[j])];

		resj = resj + w / ((j + 1) * (j + 1));
		if (w > wjm)
		{
			wjm = w;
			jm = j;
		}
	}
	/* the same expression, in the same types, as calc_rank_or */
	res = res + (wjm + resj - wjm / ((jm + 1) * (jm + 1))) / 1.64493406685;
	if (res < 0)
		res = 1e-20f;
	return res;
}

/* The impact of one lexeme entry of a vector. */
static float4
covara_entry_impact(TSVector t, WordEntry *e)
{
	WordEntryPos posnull = 0;

	if (e->haspos)
		return covara_positions_impact(POSDATAPTR(t, e), POSDATALEN(t, e));
	return covara_positions_impact(&posnull, 1);
}

/* The impact of a single occurrence at weight w (0 = D .. 3 = A). */
static float4
covara_base_impact(int weight)
{
	WordEntryPos p = 0;

	WEP_SETWEIGHT(p, weight);
	return covara_positions_impact(&p, 1);
}

/* The lowest impact of tier (1 .. COVARA_TIERS) over base; tier 1's is base itself. */
static double
covara_tier_floor(float4 base, int tier)
{
	return (double) base * pow(COVARA_TIER_GROWTH, tier - 1);
}

/* The tier of an impact: 0 at or below base, else the highest tier whose floor it reaches. */
static int
covara_impact_tier(float4 impact, float4 base)
{
	int			tier;

	if (impact <= base)
		return 0;
	/* the logarithm's guess, then the floors themselves decide */
	tier = 1 + (int) floor(log((double) impact / base) / log(COVARA_TIER_GROWTH));
	tier = Max(1, Min(tier, COVARA_TIERS));
	while (tier < COVARA_TIERS && (double) impact >= covara_tier_floor(base, tier + 1))
		tier++;
	while (tier > 1 && (double) impact < covara_tier_floor(base, tier))
		tier--;
	return tier;
}

/* A weight letter (A..D, either case) as 3..0, or an error. */
static int
covara_weight_arg(char c)
{
	int			w = covara_weight_code(c);

	if (w < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 c > ' ' && c < 127 ? errmsg("unrecognized weight: \"%c\"", c)
				 : errmsg("unrecognized weight: byte %d", (unsigned char) c),
				 errhint("A weight is one of A, B, C or D.")));
	return w;
}

/* Refuse a tier number outside 1 .. COVARA_TIERS. */
static void
covara_check_tier(int32 tier)
{
	if (tier < 1 || tier > COVARA_TIERS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("tier %d is out of range", tier),
				 errhint("Tiers run from 1 to %d.", COVARA_TIERS)));
}

/* One entry of the impacts vector being built. */
typedef struct CovaraImpact
{
	char	   *str;			/* tier number, ':', lexeme */
	int			len;
} CovaraImpact;

/* qsort comparator: tsvector order of the entries' strings. */
static int
covara_impact_cmp(const void *a, const void *b)
{
	const CovaraImpact *x = a;
	const CovaraImpact *y = b;

	return tsCompareString(x->str, x->len, y->str, y->len, false);
}

PG_FUNCTION_INFO_V1(covara_search_impacts);
/* covara.search_impacts(tsvector, "char"): the tiers of the lexemes above a single occurrence at that weight. */
Datum
covara_search_impacts(PG_FUNCTION_ARGS)
{
	TSVector	t = PG_GETARG_TSVECTOR(0);
	float4		base = covara_base_impact(covara_weight_arg(PG_GETARG_CHAR(1)));
	WordEntry  *e = ARRPTR(t);
	CovaraImpact *out = palloc(sizeof(CovaraImpact) * Max(t->size, 1));
	int			n = 0;
	int			strlen_total = 0;
	TSVector	res;
	char	   *str;

	for (int i = 0; i < t->size; i++)
	{
		int			tier = covara_impact_tier(covara_entry_impact(t, &e[i]), base);
		char	   *s;

		if (tier == 0)
			continue;
		/* a lexeme of the longest lengths leaves no room for the tier */
		if (e[i].len + COVARA_TIER_PREFIX_MAX > MAXSTRLEN)
			continue;
		s = palloc(e[i].len + COVARA_TIER_PREFIX_MAX + 1);
		out[n].len = sprintf(s, "%d:", tier);
		memcpy(s + out[n].len, STRPTR(t) + e[i].pos, e[i].len);
		out[n].len += e[i].len;
		out[n].str = s;
		strlen_total += out[n].len;
		n++;
	}
	if (strlen_total > MAXSTRPOS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the impacts of this document are too long for a tsvector (%d bytes, maximum %d)",
						strlen_total, MAXSTRPOS)));
	qsort(out, n, sizeof(CovaraImpact), covara_impact_cmp);

	res = (TSVector) palloc0(CALCDATASIZE(n, strlen_total));
	SET_VARSIZE(res, CALCDATASIZE(n, strlen_total));
	res->size = n;
	str = STRPTR(res);
	for (int i = 0, pos = 0; i < n; i++)
	{
		WordEntry  *r = ARRPTR(res) + i;

		r->haspos = 0;
		r->len = out[i].len;
		r->pos = pos;
		memcpy(str + pos, out[i].str, out[i].len);
		pos += out[i].len;
		pfree(out[i].str);
	}
	pfree(out);
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_TSVECTOR(res);
}

/* Collect the positive operands (not under a NOT) of the query subtree at item. */
static void
covara_collect_terms(TSQuery q, QueryItem *item, CovaraTerm *terms, int *n)
{
	check_stack_depth();
	if (item->type == QI_VAL)
	{
		QueryOperand *op = &item->qoperand;

		terms[*n].word = GETOPERAND(q) + op->distance;
		terms[*n].len = op->length;
		terms[*n].prefix = op->prefix;
		(*n)++;
		return;
	}
	if (item->qoperator.oper == OP_NOT)
		return;
	covara_collect_terms(q, item + 1, terms, n);
	covara_collect_terms(q, item + item->qoperator.left, terms, n);
}

/* qsort comparator: terms by lexeme, then exact before prefix. */
static int
covara_term_cmp(const void *a, const void *b)
{
	const CovaraTerm *x = a;
	const CovaraTerm *y = b;
	int			c = tsCompareString(x->word, x->len, y->word, y->len, false);

	return c != 0 ? c : (int) x->prefix - (int) y->prefix;
}

/* The query's distinct positive terms, sorted; *n is how many. */
static CovaraTerm *
covara_query_terms(TSQuery q, int *n)
{
	CovaraTerm *terms = palloc(sizeof(CovaraTerm) * Max(q->size, 1));
	int			m = 0;

	*n = 0;
	if (q->size == 0)
		return terms;
	covara_collect_terms(q, GETQUERY(q), terms, n);
	if (*n < 2)
		return terms;
	qsort(terms, *n, sizeof(CovaraTerm), covara_term_cmp);
	for (int i = 1; i < *n; i++)
		if (covara_term_cmp(&terms[m], &terms[i]) != 0)
			terms[++m] = terms[i];
	*n = m + 1;
	return terms;
}

/* The best impact in the vector of a lexeme the term matches; 0 if none does. */
static float4
covara_term_impact(TSVector t, CovaraTerm *term)
{
	WordEntry  *e = ARRPTR(t);
	int			lo = 0;
	int			hi = t->size;
	float4		best = 0;

	/* the first entry not below the term */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (tsCompareString(STRPTR(t) + e[mid].pos, e[mid].len, term->word, term->len, false) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < t->size; i++)
	{
		char	   *s = STRPTR(t) + e[i].pos;

		if (term->prefix ? tsCompareString(term->word, term->len, s, e[i].len, true) != 0
			: tsCompareString(s, e[i].len, term->word, term->len, false) != 0)
			break;
		best = Max(best, covara_entry_impact(t, &e[i]));
		if (!term->prefix)
			break;
	}
	return best;
}

/* The terms of a query, kept across the rows of a statement: the query a ranking passes is one constant. */
typedef struct CovaraTermsCache
{
	TSQuery		query;			/* a copy, which the terms point into */
	CovaraTerm *terms;
	int			n;
} CovaraTermsCache;

/* The query's terms, parsed once per query a call site sees (fn_extra). */
static CovaraTerm *
covara_cached_terms(FunctionCallInfo fcinfo, TSQuery q, int *n)
{
	CovaraTermsCache *cache = fcinfo->flinfo->fn_extra;
	MemoryContext old;

	if (cache == NULL || VARSIZE(cache->query) != VARSIZE(q) ||
		memcmp(cache->query, q, VARSIZE(q)) != 0)
	{
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		if (cache == NULL)
			cache = palloc0(sizeof(CovaraTermsCache));
		else
		{
			pfree(cache->query);
			pfree(cache->terms);
		}
		cache->query = palloc(VARSIZE(q));
		memcpy(cache->query, q, VARSIZE(q));
		cache->terms = covara_query_terms(cache->query, &cache->n);
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
	}
	*n = cache->n;
	return cache->terms;
}

PG_FUNCTION_INFO_V1(covara_search_score);
/* covara.search_score(tsvector, tsquery): the mean impact of the query's positive terms. */
Datum
covara_search_score(PG_FUNCTION_ARGS)
{
	TSVector	t = PG_GETARG_TSVECTOR(0);
	TSQuery		q = PG_GETARG_TSQUERY(1);
	int			n;
	CovaraTerm *terms = covara_cached_terms(fcinfo, q, &n);
	float4		sum = 0;
	float4		res;

	for (int i = 0; i < n; i++)
		sum += covara_term_impact(t, &terms[i]);
	res = n > 0 ? sum / n : 0;
	PG_FREE_IF_COPY(t, 0);
	PG_FREE_IF_COPY(q, 1);
	PG_RETURN_FLOAT4(res);
}

/* Append a tsquery operand to buf: the tier entry, quoted, with its prefix mark. */
static void
covara_append_operand(StringInfo buf, int tier, CovaraTerm *term)
{
	appendStringInfo(buf, "'%d:", tier);
	for (int i = 0; i < term->len; i++)
	{
		if (term->word[i] == '\'' || term->word[i] == '\\')
			appendStringInfoChar(buf, term->word[i]);
		appendStringInfoChar(buf, term->word[i]);
	}
	appendStringInfoChar(buf, '\'');
	if (term->prefix)
		appendStringInfoString(buf, ":*");
}

/*
 * Append the OR of operands first .. last (numbered over terms x tiers from
 * the lowest tier wanted) as a balanced tree, so that its depth, which the
 * evaluation of a tsquery recurses through, stays logarithmic.
 */
static void
covara_append_or(StringInfo buf, CovaraTerm *terms, int tier, int ntiers, int first, int last)
{
	int			mid;

	check_stack_depth();
	if (first == last)
	{
		covara_append_operand(buf, tier + first % ntiers, &terms[first / ntiers]);
		return;
	}
	mid = first + (last - first) / 2;
	appendStringInfoChar(buf, '(');
	covara_append_or(buf, terms, tier, ntiers, first, mid);
	appendStringInfoString(buf, " | ");
	covara_append_or(buf, terms, tier, ntiers, mid + 1, last);
	appendStringInfoChar(buf, ')');
}

PG_FUNCTION_INFO_V1(covara_search_tier_query);
/* covara._search_tier_query(tsquery, int4): documents with a positive term at that tier or above; NULL when tiers cannot answer (no such term, or more than COVARA_TIER_QUERY_TERMS). */
Datum
covara_search_tier_query(PG_FUNCTION_ARGS)
{
	TSQuery		q = PG_GETARG_TSQUERY(0);
	int32		tier = PG_GETARG_INT32(1);
	int			n;
	CovaraTerm *terms;
	StringInfoData buf;
	Datum		res;

	covara_check_tier(tier);
	terms = covara_query_terms(q, &n);
	/* each term adds a query term per tier: past a few, ranking every match is cheaper */
	if (n == 0 || n > COVARA_TIER_QUERY_TERMS)
		PG_RETURN_NULL();
	for (int i = 0; i < n; i++)
		if (terms[i].len + COVARA_TIER_PREFIX_MAX > MAXSTRLEN)
			PG_RETURN_NULL();

	initStringInfo(&buf);
	covara_append_or(&buf, terms, tier, COVARA_TIERS - tier + 1, 0, n * (COVARA_TIERS - tier + 1) - 1);
	res = DirectFunctionCall1(tsqueryin, CStringGetDatum(buf.data));
	pfree(buf.data);
	pfree(terms);
	PG_RETURN_DATUM(res);
}

PG_FUNCTION_INFO_V1(covara_search_tier_floor);
/* covara._search_tier_floor("char", int4): the lowest impact of a tier for an index whose lowest weight is given. */
Datum
covara_search_tier_floor(PG_FUNCTION_ARGS)
{
	float4		base = covara_base_impact(covara_weight_arg(PG_GETARG_CHAR(0)));
	int32		tier = PG_GETARG_INT32(1);

	covara_check_tier(tier);
	PG_RETURN_FLOAT8(covara_tier_floor(base, tier));
}

/* The last operand of the subtree at item, in the order the query reads. */
static QueryOperand *
covara_last_operand(QueryItem *item)
{
	check_stack_depth();
	if (item->type == QI_VAL)
		return &item->qoperand;
	/* a binary operator's right operand, or NOT's only one, is item + 1 */
	return covara_last_operand(item + 1);
}

PG_FUNCTION_INFO_V1(covara_search_prefix_query);
/* covara.search_prefix_query(tsquery): the query with its last term made a prefix (search as you type). */
Datum
covara_search_prefix_query(PG_FUNCTION_ARGS)
{
	TSQuery		q = PG_GETARG_TSQUERY_COPY(0);

	if (q->size > 0)
		covara_last_operand(GETQUERY(q))->prefix = true;
	PG_RETURN_TSQUERY(q);
}

PG_FUNCTION_INFO_V1(covara_search_tiers);
/* covara._search_tiers("char"): the highest tier an impact can reach over that lowest weight. */
Datum
covara_search_tiers(PG_FUNCTION_ARGS)
{
	float4		base = covara_base_impact(covara_weight_arg(PG_GETARG_CHAR(0)));
	WordEntryPos best[MAXNUMPOS];

	/* the highest impact: as many positions as a lexeme keeps, all weight A */
	for (int i = 0; i < MAXNUMPOS; i++)
	{
		best[i] = 0;
		WEP_SETWEIGHT(best[i], 3);
	}
	PG_RETURN_INT32(covara_impact_tier(covara_positions_impact(best, MAXNUMPOS), base));
}

PG_FUNCTION_INFO_V1(covara_search_query_terms);
/* covara._search_query_terms(tsquery): the query's distinct positive whole-word terms, sorted. */
Datum
covara_search_query_terms(PG_FUNCTION_ARGS)
{
	TSQuery		q = PG_GETARG_TSQUERY(0);
	int			n;
	CovaraTerm *terms = covara_query_terms(q, &n);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (!terms[i].prefix)
			elems[m++] = PointerGetDatum(cstring_to_text_with_len(terms[i].word, terms[i].len));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, m, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(covara_search_positive_terms);
/* covara._search_positive_terms(tsquery): how many distinct terms the query has that are not negated (prefixes too). */
Datum
covara_search_positive_terms(PG_FUNCTION_ARGS)
{
	TSQuery		q = PG_GETARG_TSQUERY(0);
	int			n;

	pfree(covara_query_terms(q, &n));
	PG_RETURN_INT32(n);
}
