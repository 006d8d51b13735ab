/*-------------------------------------------------------------------------
 *
 * sha256.h
 *	  SHA-256 and HMAC-SHA-256 for covara's token functions.
 *
 * The block function uses the x86-64 SHA extensions when the CPU has them
 * and a portable C implementation otherwise; the choice is made once, by
 * covara_sha256_select_impl() at library load time.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_SHA256_H
#define COVARA_SHA256_H

#include "c.h"

#define COVARA_SHA256_BLOCK_LENGTH	64
#define COVARA_SHA256_DIGEST_LENGTH 32

typedef struct CovaraSha256Ctx
{
	uint32		state[8];
	uint64		bitcount;		/* bytes hashed so far, times 8 */
	uint8		buffer[COVARA_SHA256_BLOCK_LENGTH];
	size_t		buflen;			/* bytes waiting in buffer */
} CovaraSha256Ctx;

extern void covara_sha256_select_impl(void);
extern void covara_sha256_use_portable(void);
extern const char *covara_sha256_impl_name(void);

extern void covara_sha256_init(CovaraSha256Ctx *ctx);
extern void covara_sha256_update(CovaraSha256Ctx *ctx, const uint8 *data,
								 size_t len);
extern void covara_sha256_final(CovaraSha256Ctx *ctx,
								uint8 digest[COVARA_SHA256_DIGEST_LENGTH]);
extern void covara_sha256(const uint8 *data, size_t len,
						  uint8 digest[COVARA_SHA256_DIGEST_LENGTH]);
extern void covara_hmac_sha256(const uint8 *key, size_t keylen,
							   const uint8 *data, size_t len,
							   uint8 digest[COVARA_SHA256_DIGEST_LENGTH]);

#endif							/* COVARA_SHA256_H */
