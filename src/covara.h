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

#endif							/* COVARA_H */
