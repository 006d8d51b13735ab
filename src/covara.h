/*-------------------------------------------------------------------------
 *
 * covara.h
 *	  Declarations shared by covara's C sources.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_H
#define COVARA_H

#include "postgres.h"

extern const char *covara_text_utf8(text *t, size_t *len);
extern void covara_random_bytes(uint8 *buf, size_t len);
extern text *covara_bytes_to_base64url(const uint8 *bytes, size_t len);

/* SQL-callable token functions (token.c), also called directly by auth.c */
#include "fmgr.h"
extern PGDLLEXPORT Datum covara_hash_token(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum covara_token_equals(PG_FUNCTION_ARGS);

#endif							/* COVARA_H */
