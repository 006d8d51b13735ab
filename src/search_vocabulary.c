/*-------------------------------------------------------------------------
 *
 * search_vocabulary.c
 *	  Words near a misspelled one, from a search index's own vocabulary.
 *
 * The vocabulary is the keys of the index table's GIN index on
 * search_vector: every lexeme of every document, kept in step by
 * PostgreSQL itself in the writing transaction, with no table or trigger of
 * covara's.  covara._search_vocabulary_near() reads the keys that start
 * with the word's first character (GIN's entry tree keeps them in order, so
 * that is one range of leaf pages) and those in the GIN pending list (where
 * fastupdate puts new keys until VACUUM or the list's size moves them into
 * the tree), and keeps those within a few edits of the word (PostgreSQL's
 * own Levenshtein distance, the one behind its "did you mean" hints).
 *
 * A key's entries count the rows that hold it, deleted ones too until
 * VACUUM; GIN keeps a key whose rows are all deleted or rolled back (VACUUM
 * empties its posting list, never removes it), so the caller keeps only
 * the keys some visible document holds (covara._search_suggestions).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/gin_private.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "compat.h"

/* the most keys one call reads (its range, plus the pending list) */
#define COVARA_VOCABULARY_SCAN_LIMIT 200000

/* the longest word (and key) compared, in bytes, as for levenshtein() */
#define COVARA_VOCABULARY_WORD_MAX 255

/* A key near the word. */
typedef struct CovaraNearWord
{
	char	   *word;
	int			len;
	int			distance;
	int64		postings;		/* entries, counted from its posting tree if any */
	BlockNumber tree;			/* that tree's root, else InvalidBlockNumber */
} CovaraNearWord;

/* What one call collects. */
typedef struct CovaraNearState
{
	const char *word;
	int			wordlen;
	const char *first;			/* the word's first character */
	int			firstlen;
	int			max_distance;
	int64		scanned;
	List	   *found;			/* CovaraNearWord * */
} CovaraNearState;

/* Consider one key: keep it when it starts with the first character and is near; false past the range. */
static bool
covara_near_consider(CovaraNearState *st, text *key, int64 postings, BlockNumber tree,
					 bool in_range_order)
{
	const char *k = VARDATA_ANY(key);
	int			klen = VARSIZE_ANY_EXHDR(key);
	int			d;
	ListCell   *lc;

	st->scanned++;
	if (klen < st->firstlen || memcmp(k, st->first, st->firstlen) != 0)
		return !in_range_order;
	if (klen > COVARA_VOCABULARY_WORD_MAX)
		return true;
	d = varstr_levenshtein_less_equal(st->word, st->wordlen, k, klen, 1, 1, 1,
									  st->max_distance, true);
	if (d > st->max_distance)
		return true;
	foreach(lc, st->found)
	{
		CovaraNearWord *w = lfirst(lc);

		if (w->len == klen && memcmp(w->word, k, klen) == 0)
		{
			w->postings += postings;
			if (tree != InvalidBlockNumber)
				w->tree = tree;
			return true;
		}
	}
	{
		CovaraNearWord *w = palloc(sizeof(CovaraNearWord));

		w->word = pnstrdup(k, klen);
		w->len = klen;
		w->distance = d;
		w->postings = postings;
		w->tree = tree;
		st->found = lappend(st->found, w);
	}
	return true;
}

/* The keys of the pending list (one posting each). */
static void
covara_near_pending(Relation index, GinState *ginstate, CovaraNearState *st)
{
	Buffer		metabuffer = ReadBuffer(index, GIN_METAPAGE_BLKNO);
	BlockNumber blkno;

	LockBuffer(metabuffer, GIN_SHARE);
	blkno = GinPageGetMeta(BufferGetPage(metabuffer))->head;
	UnlockReleaseBuffer(metabuffer);

	while (blkno != InvalidBlockNumber && st->scanned < COVARA_VOCABULARY_SCAN_LIMIT)
	{
		Buffer		buffer = ReadBuffer(index, blkno);
		Page		page;

		CHECK_FOR_INTERRUPTS();
		LockBuffer(buffer, GIN_SHARE);
		page = BufferGetPage(buffer);
		/* a page the list's cleanup removed meanwhile: its keys are in the tree now */
		if (GinPageIsDeleted(page))
		{
			UnlockReleaseBuffer(buffer);
			break;
		}
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			IndexTuple	itup = (IndexTuple) PageGetItem(page, PageGetItemId(page, off));
			GinNullCategory category;
			Datum		key = gintuple_get_key(ginstate, itup, &category);

			if (category == GIN_CAT_NORM_KEY)
				covara_near_consider(st, DatumGetTextPP(key), 1, InvalidBlockNumber, false);
		}
		blkno = GinPageGetOpaque(page)->rightlink;
		UnlockReleaseBuffer(buffer);
	}
}

/* How many entries a posting tree holds: its leaf pages' items, left to right. */
static int64
covara_posting_tree_count(Relation index, BlockNumber root)
{
	Buffer		buffer = ReadBuffer(index, root);
	Page		page;
	int64		n = 0;

	LockBuffer(buffer, GIN_SHARE);
	page = BufferGetPage(buffer);
	while (!GinPageIsLeaf(page))
	{
		BlockNumber child = PostingItemGetBlockNumber(GinDataPageGetPostingItem(page, FirstOffsetNumber));

		UnlockReleaseBuffer(buffer);
		buffer = ReadBuffer(index, child);
		LockBuffer(buffer, GIN_SHARE);
		page = BufferGetPage(buffer);
	}
	for (;;)
	{
		ItemPointerData min;
		ItemPointer items;
		int			nitems;

		CHECK_FOR_INTERRUPTS();
		ItemPointerSetMin(&min);
		items = GinDataLeafPageGetItems(page, &nitems, min);
		n += nitems;
		if (items)
			pfree(items);
		if (GinPageRightMost(page))
			break;
		buffer = ginStepRight(buffer, index, GIN_SHARE);
		page = BufferGetPage(buffer);
	}
	UnlockReleaseBuffer(buffer);
	return n;
}

/* The keys of the entry tree from the first character on, while they start with it. */
static void
covara_near_tree(Relation index, GinState *ginstate, CovaraNearState *st)
{
	GinBtreeData btree;
	GinBtreeStack *stack;
	Page		page;
	OffsetNumber off;

	ginPrepareEntryScan(&btree, FirstOffsetNumber,
						PointerGetDatum(cstring_to_text_with_len(st->first, st->firstlen)),
						GIN_CAT_NORM_KEY, ginstate);
	stack = covara_gin_find_leaf_page(&btree);
	btree.findItem(&btree, stack);
	off = stack->off;
	page = BufferGetPage(stack->buffer);
	for (;;)
	{
		IndexTuple	itup;
		GinNullCategory category;
		Datum		key;

		if (off > PageGetMaxOffsetNumber(page))
		{
			if (GinPageRightMost(page))
				break;
			stack->buffer = ginStepRight(stack->buffer, index, GIN_SHARE);
			page = BufferGetPage(stack->buffer);
			off = FirstOffsetNumber;
			continue;
		}
		if (st->scanned >= COVARA_VOCABULARY_SCAN_LIMIT)
			break;
		itup = (IndexTuple) PageGetItem(page, PageGetItemId(page, off));
		key = gintuple_get_key(ginstate, itup, &category);
		/* NULL and empty items sort after every key */
		if (category != GIN_CAT_NORM_KEY)
			break;
		if (!covara_near_consider(st, DatumGetTextPP(key),
								  GinIsPostingTree(itup) ? 0 : GinGetNPosting(itup),
								  GinIsPostingTree(itup) ? GinGetPostingTree(itup) : InvalidBlockNumber,
								  true))
			break;
		off++;
	}
	LockBuffer(stack->buffer, GIN_UNLOCK);
	freeGinBtreeStack(stack);
}

PG_FUNCTION_INFO_V1(covara_search_vocabulary_near);
/* covara._search_vocabulary_near(regclass, text, int4): keys of a GIN tsvector index near the word, with their entries. */
Datum
covara_search_vocabulary_near(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	text	   *word = PG_GETARG_TEXT_PP(1);
	int32		max_distance = PG_GETARG_INT32(2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CovaraNearState st;
	Relation	index;
	GinState	ginstate;
	Oid			heapoid;
	ListCell   *lc;

	if (max_distance < 0 || max_distance > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_distance must be between 0 and 3, not %d", max_distance)));
	if (VARSIZE_ANY_EXHDR(word) == 0 || VARSIZE_ANY_EXHDR(word) > COVARA_VOCABULARY_WORD_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a word to find near ones must have 1 to %d bytes, not %d",
						COVARA_VOCABULARY_WORD_MAX, (int) VARSIZE_ANY_EXHDR(word))));
	if (get_rel_relkind(indexoid) != RELKIND_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", get_rel_name(indexoid))));
	/* the vocabulary is the table's content: its readers' to see */
	heapoid = IndexGetRelation(indexoid, false);
	if (pg_class_aclcheck(heapoid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(heapoid))));

	InitMaterializedSRF(fcinfo, 0);
	index = index_open(indexoid, AccessShareLock);
	if (index->rd_rel->relam != GIN_AM_OID || RelationGetNumberOfAttributes(index) != 1 ||
		index->rd_opcintype[0] != TSVECTOROID ||
		TupleDescAttr(RelationGetDescr(index), 0)->atttypid != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("index \"%s\" is not a GIN index on one tsvector column", RelationGetRelationName(index))));
	initGinState(&ginstate, index);

	st.word = VARDATA_ANY(word);
	st.wordlen = VARSIZE_ANY_EXHDR(word);
	st.first = st.word;
	st.firstlen = pg_mblen(st.word);
	st.max_distance = max_distance;
	st.scanned = 0;
	st.found = NIL;
	/* the pending list first: what its cleanup moves meanwhile, the tree then holds */
	covara_near_pending(index, &ginstate, &st);
	covara_near_tree(index, &ginstate, &st);
	/* with no entry page locked, as GIN's own scans read posting trees */
	foreach(lc, st.found)
	{
		CovaraNearWord *w = lfirst(lc);

		if (w->tree != InvalidBlockNumber)
			w->postings += covara_posting_tree_count(index, w->tree);
	}
	index_close(index, AccessShareLock);

	foreach(lc, st.found)
	{
		CovaraNearWord *w = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = PointerGetDatum(cstring_to_text_with_len(w->word, w->len));
		values[1] = Int32GetDatum(w->distance);
		values[2] = Int64GetDatum(w->postings);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
