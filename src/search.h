/*-------------------------------------------------------------------------
 *
 * search.h
 *	  Search fields and what turns them into text and vectors, shared by
 *	  covara's search triggers and its SQL functions: field specifications
 *	  (search_fields.c), the strings a field reaches (search_jsonb.c) and
 *	  the weighted tsvector builder (search_tsvector.c).
 *
 * Include it after "postgres.h".
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_SEARCH_H
#define COVARA_SEARCH_H

#include "access/attnum.h"
#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/jsonb.h"

/* Weights as stored in WordEntryPos: A = 3 ... D = 0 (as setweight). */
#define COVARA_WEIGHT_D 0

/*
 * A path as written in a field argument: column[.key[.key...]].  parts[0]
 * is the column (or, for documents, the top-level key).
 */
typedef struct CovaraPath
{
	int			nparts;
	char	  **parts;			/* NUL-terminated */
	int		   *lens;
} CovaraPath;

/* What a field's column holds. */
typedef enum CovaraFieldKind
{
	COVARA_FIELD_TEXT,			/* text, varchar, char (or a domain) */
	COVARA_FIELD_TEXT_ARRAY,	/* an array of those */
	COVARA_FIELD_JSONB			/* jsonb, optionally with a key path */
} CovaraFieldKind;

/* One field: where its text comes from and its weight. */
typedef struct CovaraField
{
	const char *arg;			/* the argument as written, for messages */
	CovaraPath	path;
	int			weight;			/* 3 = A, 2 = B, 1 = C, 0 = D */
	/* exclusions below this field's node, as key paths relative to it */
	int			nexcl;
	CovaraPath *excl;
	/* resolved against a relation (triggers only) */
	AttrNumber	attnum;
	CovaraFieldKind kind;
	Oid			elemtype;		/* for arrays */
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
} CovaraField;

/* Receives each string a field yields, in document order. */
typedef void (*CovaraTextSink) (void *arg, const char *str, int len);

/*
 * Builds one tsvector from several fields, equal to
 * setweight(to_tsvector(cfg, f1), w1) || setweight(to_tsvector(cfg, f2), w2)
 * || ... where a jsonb field counts as to_tsvector(cfg, jsonb) and a text[]
 * field as to_tsvector(cfg, to_jsonb(array)).
 */
typedef struct CovaraVectorBuilder
{
	Oid			cfgId;
	ParsedText	prs;
	int			nfields;
	int			maxfields;
	int		   *field_start;	/* index of each field's first word */
	int		   *field_weight;
} CovaraVectorBuilder;

/* search_fields.c */
extern int	covara_weight_code(char letter);
extern void covara_parse_field(const char *arg, const char *where,
							   CovaraField *field);
extern void covara_add_exclusion(CovaraField *fields, int nfields,
								 const char *arg, const char *spec,
								 const char *where);
extern void covara_parse_document_fields(Jsonb *fields, const char *where,
										 CovaraField **fieldsp, int *nfieldsp);

/* search_jsonb.c */
extern void covara_jsonb_field_texts(Jsonb *jb, int firstpart,
									 const CovaraField *field,
									 CovaraTextSink sink, void *arg);
extern void covara_datum_field_texts(Datum value, const CovaraField *field,
									 CovaraTextSink sink, void *arg);

/* search_tsvector.c */
extern void covara_vb_init(CovaraVectorBuilder *b, Oid cfgId);
extern void covara_vb_begin_field(CovaraVectorBuilder *b, int weight);
extern void covara_vb_sink(void *arg, const char *str, int len);
extern TSVector covara_vb_finish(CovaraVectorBuilder *b);

#endif							/* COVARA_SEARCH_H */
