/*-------------------------------------------------------------------------
 *
 * token.h
 *	  covara's token functions as a C API (token.c): hashing a token, the
 *	  constant-time comparison of two tokens and random token generation.
 *	  The SQL functions hash_token, generate_token and token_equals wrap
 *	  them; auth.c calls them directly.
 *
 * Include it after "postgres.h".
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_TOKEN_H
#define COVARA_TOKEN_H

/* How a digest is written as text. */
typedef enum CovaraDigestEncoding
{
	COVARA_ENC_HEX,				/* lowercase hex */
	COVARA_ENC_BASE64,			/* base64 with '=' padding */
	COVARA_ENC_BASE64URL		/* base64url without padding */
} CovaraDigestEncoding;

extern text *covara_token_hash(text *token, CovaraDigestEncoding enc);
extern bool covara_token_equal(text *a, text *b);
extern text *covara_token_generate(int32 nbytes);

#endif							/* COVARA_TOKEN_H */
