/*-------------------------------------------------------------------------
 *
 * token.c
 *	  covara's token functions: the C API of token.h (hashing, constant-time
 *	  comparison, random tokens) and the SQL functions hash_token,
 *	  hmac_token, generate_token and token_equals, which wrap it.
 *
 * They follow the conventions of covara's Node code (crypto.createHash,
 * crypto.randomBytes, crypto.timingSafeEqual): text is hashed as UTF-8,
 * digests are lowercase hex unless asked otherwise, and random tokens are
 * base64url without padding.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/builtins.h"

#include "compat.h"
#include "report.h"
#include "sha256.h"
#include "token.h"

#define COVARA_TOKEN_MIN_BYTES	1
#define COVARA_TOKEN_MAX_BYTES	1024

static const char covara_hex_digits[] = "0123456789abcdef";
static const char covara_b64_std[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char covara_b64_url[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Length of the base64 text for len bytes, with or without '=' padding. */
static inline size_t
covara_b64_length(size_t len, bool pad)
{
	return pad ? ((len + 2) / 3) * 4 : (len * 4 + 2) / 3;
}

/* Write base64 of src into dst (no terminator); returns bytes written. */
static size_t
covara_b64_write(const uint8 *src, size_t len, char *dst,
				 const char *alphabet, bool pad)
{
	char	   *p = dst;
	size_t		i = 0;

	for (; i + 3 <= len; i += 3)
	{
		uint32		v = ((uint32) src[i] << 16) | ((uint32) src[i + 1] << 8) |
			src[i + 2];

		*p++ = alphabet[(v >> 18) & 0x3f];
		*p++ = alphabet[(v >> 12) & 0x3f];
		*p++ = alphabet[(v >> 6) & 0x3f];
		*p++ = alphabet[v & 0x3f];
	}
	if (len - i == 1)
	{
		uint32		v = (uint32) src[i] << 16;

		*p++ = alphabet[(v >> 18) & 0x3f];
		*p++ = alphabet[(v >> 12) & 0x3f];
		if (pad)
		{
			*p++ = '=';
			*p++ = '=';
		}
	}
	else if (len - i == 2)
	{
		uint32		v = ((uint32) src[i] << 16) | ((uint32) src[i + 1] << 8);

		*p++ = alphabet[(v >> 18) & 0x3f];
		*p++ = alphabet[(v >> 12) & 0x3f];
		*p++ = alphabet[(v >> 6) & 0x3f];
		if (pad)
			*p++ = '=';
	}
	return p - dst;
}

/* Build a text datum holding a digest in the requested encoding. */
static text *
covara_digest_to_text(const uint8 *digest, CovaraDigestEncoding enc)
{
	text	   *result;
	char	   *out;
	size_t		outlen;
	int			i;

	switch (enc)
	{
		case COVARA_ENC_HEX:
			outlen = COVARA_SHA256_DIGEST_LENGTH * 2;
			result = (text *) palloc(VARHDRSZ + outlen);
			out = VARDATA(result);
			for (i = 0; i < COVARA_SHA256_DIGEST_LENGTH; i++)
			{
				out[2 * i] = covara_hex_digits[digest[i] >> 4];
				out[2 * i + 1] = covara_hex_digits[digest[i] & 0x0f];
			}
			break;
		case COVARA_ENC_BASE64:
		case COVARA_ENC_BASE64URL:
			{
				bool		std = (enc == COVARA_ENC_BASE64);

				outlen = covara_b64_length(COVARA_SHA256_DIGEST_LENGTH, std);
				result = (text *) palloc(VARHDRSZ + outlen);
				out = VARDATA(result);
				covara_b64_write(digest, COVARA_SHA256_DIGEST_LENGTH, out,
								 std ? covara_b64_std : covara_b64_url, std);
			}
			break;
		default:
			elog(ERROR, "unexpected digest encoding %d", (int) enc);
			return NULL;		/* keep compiler quiet */
	}
	SET_VARSIZE(result, VARHDRSZ + outlen);
	return result;
}

/* Map an encoding name to its code, or fail with the accepted names. */
static CovaraDigestEncoding
covara_parse_encoding(text *name)
{
	char	   *s = text_to_cstring(name);

	if (pg_strcasecmp(s, "hex") == 0)
		return COVARA_ENC_HEX;
	if (pg_strcasecmp(s, "base64") == 0)
		return COVARA_ENC_BASE64;
	if (pg_strcasecmp(s, "base64url") == 0)
		return COVARA_ENC_BASE64URL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized token encoding \"%s\"", covara_report_cut(s)),
			 errhint("Valid encodings are \"hex\", \"base64\" and \"base64url\".")));
	return COVARA_ENC_HEX;		/* keep compiler quiet */
}

/*
 * Return the UTF-8 bytes of a text value: the value itself in a UTF-8 (or
 * SQL_ASCII) database, else a converted copy.
 */
static const char *
covara_text_utf8(text *t, size_t *len)
{
	const char *data = VARDATA_ANY(t);
	int			srclen = VARSIZE_ANY_EXHDR(t);
	char	   *conv;
	int			enc = GetDatabaseEncoding();

	if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
	{
		*len = srclen;
		return data;
	}
	conv = pg_server_to_any(data, srclen, PG_UTF8);
	*len = (conv == data) ? (size_t) srclen : strlen(conv);
	return conv;
}

PG_FUNCTION_INFO_V1(covara_hash_token);
PG_FUNCTION_INFO_V1(covara_hash_token_bytea);
PG_FUNCTION_INFO_V1(covara_hash_token_encoded);
PG_FUNCTION_INFO_V1(covara_hmac_token);
PG_FUNCTION_INFO_V1(covara_hmac_token_bytea);
PG_FUNCTION_INFO_V1(covara_generate_token);
PG_FUNCTION_INFO_V1(covara_token_equals);

/* SHA-256 of the UTF-8 bytes of a text token, in the given encoding. */
text *
covara_token_hash(text *token, CovaraDigestEncoding enc)
{
	uint8		digest[COVARA_SHA256_DIGEST_LENGTH];
	const char *data;
	size_t		len;

	data = covara_text_utf8(token, &len);
	covara_sha256((const uint8 *) data, len, digest);
	return covara_digest_to_text(digest, enc);
}

/* SQL wrapper: covara_token_hash of the first argument. */
static inline Datum
covara_hash_text_arg(FunctionCallInfo fcinfo, CovaraDigestEncoding enc)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	text	   *result = covara_token_hash(token, enc);

	PG_FREE_IF_COPY(token, 0);
	PG_RETURN_TEXT_P(result);
}

/* hash_token(text): SHA-256 of the UTF-8 bytes, lowercase hex. */
Datum
covara_hash_token(PG_FUNCTION_ARGS)
{
	return covara_hash_text_arg(fcinfo, COVARA_ENC_HEX);
}

/* hash_token(bytea): SHA-256 of the bytes, lowercase hex. */
Datum
covara_hash_token_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *token = PG_GETARG_BYTEA_PP(0);
	uint8		digest[COVARA_SHA256_DIGEST_LENGTH];

	covara_sha256((const uint8 *) VARDATA_ANY(token),
				  VARSIZE_ANY_EXHDR(token), digest);
	PG_FREE_IF_COPY(token, 0);
	PG_RETURN_TEXT_P(covara_digest_to_text(digest, COVARA_ENC_HEX));
}

/* hash_token(text, encoding): SHA-256 of the UTF-8 bytes, hex or base64. */
Datum
covara_hash_token_encoded(PG_FUNCTION_ARGS)
{
	return covara_hash_text_arg(fcinfo, covara_parse_encoding(PG_GETARG_TEXT_PP(1)));
}

/* hmac_token(text, bytea): HMAC-SHA-256 of the UTF-8 bytes, lowercase hex. */
Datum
covara_hmac_token(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	bytea	   *key = PG_GETARG_BYTEA_PP(1);
	uint8		digest[COVARA_SHA256_DIGEST_LENGTH];
	const char *data;
	size_t		len;

	data = covara_text_utf8(token, &len);
	covara_hmac_sha256((const uint8 *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
					   (const uint8 *) data, len, digest);
	PG_FREE_IF_COPY(token, 0);
	PG_FREE_IF_COPY(key, 1);
	PG_RETURN_TEXT_P(covara_digest_to_text(digest, COVARA_ENC_HEX));
}

/* hmac_token(bytea, bytea): HMAC-SHA-256 of the bytes, lowercase hex. */
Datum
covara_hmac_token_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *token = PG_GETARG_BYTEA_PP(0);
	bytea	   *key = PG_GETARG_BYTEA_PP(1);
	uint8		digest[COVARA_SHA256_DIGEST_LENGTH];

	covara_hmac_sha256((const uint8 *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
					   (const uint8 *) VARDATA_ANY(token),
					   VARSIZE_ANY_EXHDR(token), digest);
	PG_FREE_IF_COPY(token, 0);
	PG_FREE_IF_COPY(key, 1);
	PG_RETURN_TEXT_P(covara_digest_to_text(digest, COVARA_ENC_HEX));
}

/*
 * Fill buf with len bytes from the operating system's strong random source,
 * or fail.
 */
static void
covara_random_bytes(uint8 *buf, size_t len)
{
	if (!pg_strong_random(buf, len))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes")));
}

/* Return base64url (unpadded) text of len bytes. */
static text *
covara_bytes_to_base64url(const uint8 *bytes, size_t len)
{
	size_t		outlen = covara_b64_length(len, false);
	text	   *result = (text *) palloc(VARHDRSZ + outlen);

	covara_b64_write(bytes, len, VARDATA(result), covara_b64_url, false);
	SET_VARSIZE(result, VARHDRSZ + outlen);
	return result;
}

/*
 * nbytes (1 to COVARA_TOKEN_MAX_BYTES) bytes from the strong random source,
 * as base64url text without padding.
 */
text *
covara_token_generate(int32 nbytes)
{
	uint8		buf[COVARA_TOKEN_MAX_BYTES];
	text	   *result;

	if (nbytes < COVARA_TOKEN_MIN_BYTES || nbytes > COVARA_TOKEN_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of random bytes %d is out of range", nbytes),
				 errhint("nbytes must be between %d and %d.",
						 COVARA_TOKEN_MIN_BYTES, COVARA_TOKEN_MAX_BYTES)));

	covara_random_bytes(buf, nbytes);
	result = covara_bytes_to_base64url(buf, nbytes);
	explicit_bzero(buf, nbytes);
	return result;
}

/* generate_token(nbytes): nbytes strong random bytes, base64url unpadded. */
Datum
covara_generate_token(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(covara_token_generate(PG_GETARG_INT32(0)));
}

/*
 * Whether two tokens are equal, in a running time that depends only on
 * their lengths, never on their contents or where they differ.
 */
bool
covara_token_equal(text *a, text *b)
{
	const volatile uint8 *pa = (const uint8 *) VARDATA_ANY(a);
	const volatile uint8 *pb = (const uint8 *) VARDATA_ANY(b);
	size_t		la = VARSIZE_ANY_EXHDR(a);
	size_t		lb = VARSIZE_ANY_EXHDR(b);
	size_t		n = Max(la, lb);
	size_t		i;
	volatile uint32 diff = (la != lb);

	/*
	 * Walk the longer input entirely.  Positions past the end of the shorter
	 * one compare against zero; the length check above has already made the
	 * result false in that case.
	 */
	for (i = 0; i < n; i++)
	{
		uint8		ca = (i < la) ? pa[i] : 0;
		uint8		cb = (i < lb) ? pb[i] : 0;

		diff |= (uint32) (ca ^ cb);
		/* at fixed offsets, so the timing still depends on length only */
		if ((i & 0xFFFFF) == 0xFFFFF)
			CHECK_FOR_INTERRUPTS();
	}
	return diff == 0;
}

/* token_equals(a, b): covara_token_equal, for SQL. */
Datum
covara_token_equals(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	bool		result = covara_token_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}
