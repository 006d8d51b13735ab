/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) for covara.
 *
 * PostgreSQL's own sha256() goes through the cryptohash layer, which
 * allocates a context and registers it with the resource owner on every
 * call.  Token hashing is called once per row, so covara keeps a small,
 * allocation-free implementation whose block function uses the x86-64 SHA
 * instructions where the CPU has them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "sha256.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define COVARA_HAVE_SHANI_CODE 1
#include <cpuid.h>
#include <immintrin.h>
#endif

typedef void (*CovaraSha256BlocksFn) (uint32 *state, const uint8 *data,
									  size_t nblocks);

static const uint32 covara_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static const uint32 covara_sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

#define COVARA_ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

/* Blocks hashed between checks for query cancel: 1 MB. */
#define COVARA_SHA256_BLOCKS_PER_CHECK	16384

/* Read a big-endian 32-bit word. */
static inline uint32
covara_load_be32(const uint8 *p)
{
	return ((uint32) p[0] << 24) | ((uint32) p[1] << 16) |
		((uint32) p[2] << 8) | (uint32) p[3];
}

/* Write a big-endian 32-bit word. */
static inline void
covara_store_be32(uint8 *p, uint32 v)
{
	p[0] = (uint8) (v >> 24);
	p[1] = (uint8) (v >> 16);
	p[2] = (uint8) (v >> 8);
	p[3] = (uint8) v;
}

/* Compress whole 64-byte blocks into the state, portable C version. */
static void
covara_sha256_blocks_c(uint32 *state, const uint8 *data, size_t nblocks)
{
	uint32		w[64];

	while (nblocks-- > 0)
	{
		uint32		a = state[0],
					b = state[1],
					c = state[2],
					d = state[3],
					e = state[4],
					f = state[5],
					g = state[6],
					h = state[7];
		int			i;

		for (i = 0; i < 16; i++)
			w[i] = covara_load_be32(data + 4 * i);
		for (i = 16; i < 64; i++)
		{
			uint32		s0 = COVARA_ROTR(w[i - 15], 7) ^
				COVARA_ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32		s1 = COVARA_ROTR(w[i - 2], 17) ^
				COVARA_ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}

		for (i = 0; i < 64; i++)
		{
			uint32		s1 = COVARA_ROTR(e, 6) ^ COVARA_ROTR(e, 11) ^
				COVARA_ROTR(e, 25);
			uint32		ch = (e & f) ^ (~e & g);
			uint32		t1 = h + s1 + ch + covara_sha256_k[i] + w[i];
			uint32		s0 = COVARA_ROTR(a, 2) ^ COVARA_ROTR(a, 13) ^
				COVARA_ROTR(a, 22);
			uint32		maj = (a & b) ^ (a & c) ^ (b & c);
			uint32		t2 = s0 + maj;

			h = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}

		state[0] += a;
		state[1] += b;
		state[2] += c;
		state[3] += d;
		state[4] += e;
		state[5] += f;
		state[6] += g;
		state[7] += h;
		data += COVARA_SHA256_BLOCK_LENGTH;
	}
}

#ifdef COVARA_HAVE_SHANI_CODE

/*
 * Four rounds with the SHA extensions.  "cur" holds the message words of
 * this group; the schedule for later groups is advanced in between, as the
 * instructions' latencies allow.
 */
#define COVARA_SHANI_ROUNDS_A(cur, k) \
	do { \
		msg = _mm_add_epi32((cur), \
							_mm_loadu_si128((const __m128i *) &covara_sha256_k[(k)])); \
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg); \
	} while (0)
#define COVARA_SHANI_ROUNDS_B() \
	do { \
		msg = _mm_shuffle_epi32(msg, 0x0E); \
		st0 = _mm_sha256rnds2_epu32(st0, st1, msg); \
	} while (0)
#define COVARA_SHANI_SCHED2(next, cur, prev) \
	do { \
		tmp = _mm_alignr_epi8((cur), (prev), 4); \
		(next) = _mm_add_epi32((next), tmp); \
		(next) = _mm_sha256msg2_epu32((next), (cur)); \
	} while (0)
#define COVARA_SHANI_SCHED1(prev, cur) \
	((prev) = _mm_sha256msg1_epu32((prev), (cur)))

/* Compress whole 64-byte blocks into the state with the SHA extensions. */
__attribute__((target("sha,sse4.1,ssse3")))
static void
covara_sha256_blocks_shani(uint32 *state, const uint8 *data, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
										 0x0405060700010203ULL);
	__m128i		st0,
				st1,
				save0,
				save1,
				msg,
				tmp,
				m0,
				m1,
				m2,
				m3;

	/* the instructions want the state as ABEF and CDGH */
	tmp = _mm_loadu_si128((const __m128i *) &state[0]);
	st1 = _mm_loadu_si128((const __m128i *) &state[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);
	st1 = _mm_shuffle_epi32(st1, 0x1B);
	st0 = _mm_alignr_epi8(tmp, st1, 8);
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);

	while (nblocks-- > 0)
	{
		save0 = st0;
		save1 = st1;

		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (data + 0)), bswap);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (data + 16)), bswap);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (data + 32)), bswap);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (data + 48)), bswap);

		COVARA_SHANI_ROUNDS_A(m0, 0);
		COVARA_SHANI_ROUNDS_B();

		COVARA_SHANI_ROUNDS_A(m1, 4);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m0, m1);

		COVARA_SHANI_ROUNDS_A(m2, 8);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m1, m2);

		COVARA_SHANI_ROUNDS_A(m3, 12);
		COVARA_SHANI_SCHED2(m0, m3, m2);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m2, m3);

		COVARA_SHANI_ROUNDS_A(m0, 16);
		COVARA_SHANI_SCHED2(m1, m0, m3);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m3, m0);

		COVARA_SHANI_ROUNDS_A(m1, 20);
		COVARA_SHANI_SCHED2(m2, m1, m0);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m0, m1);

		COVARA_SHANI_ROUNDS_A(m2, 24);
		COVARA_SHANI_SCHED2(m3, m2, m1);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m1, m2);

		COVARA_SHANI_ROUNDS_A(m3, 28);
		COVARA_SHANI_SCHED2(m0, m3, m2);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m2, m3);

		COVARA_SHANI_ROUNDS_A(m0, 32);
		COVARA_SHANI_SCHED2(m1, m0, m3);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m3, m0);

		COVARA_SHANI_ROUNDS_A(m1, 36);
		COVARA_SHANI_SCHED2(m2, m1, m0);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m0, m1);

		COVARA_SHANI_ROUNDS_A(m2, 40);
		COVARA_SHANI_SCHED2(m3, m2, m1);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m1, m2);

		COVARA_SHANI_ROUNDS_A(m3, 44);
		COVARA_SHANI_SCHED2(m0, m3, m2);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m2, m3);

		COVARA_SHANI_ROUNDS_A(m0, 48);
		COVARA_SHANI_SCHED2(m1, m0, m3);
		COVARA_SHANI_ROUNDS_B();
		COVARA_SHANI_SCHED1(m3, m0);

		COVARA_SHANI_ROUNDS_A(m1, 52);
		COVARA_SHANI_SCHED2(m2, m1, m0);
		COVARA_SHANI_ROUNDS_B();

		COVARA_SHANI_ROUNDS_A(m2, 56);
		COVARA_SHANI_SCHED2(m3, m2, m1);
		COVARA_SHANI_ROUNDS_B();

		COVARA_SHANI_ROUNDS_A(m3, 60);
		COVARA_SHANI_ROUNDS_B();

		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
		data += COVARA_SHA256_BLOCK_LENGTH;
	}

	/* back from ABEF/CDGH to ABCD/EFGH */
	tmp = _mm_shuffle_epi32(st0, 0x1B);
	st1 = _mm_shuffle_epi32(st1, 0xB1);
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);
	st1 = _mm_alignr_epi8(st1, tmp, 8);
	_mm_storeu_si128((__m128i *) &state[0], st0);
	_mm_storeu_si128((__m128i *) &state[4], st1);
}

/* Does this CPU have the SHA extensions and the SSE levels they need? */
static bool
covara_cpu_has_shani(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return false;
	if (!(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1))
		return false;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return (ebx & bit_SHA) != 0;
}
#endif							/* COVARA_HAVE_SHANI_CODE */

static CovaraSha256BlocksFn covara_sha256_blocks = covara_sha256_blocks_c;
static const char *covara_sha256_blocks_name = "portable";

/* Pick the fastest block function this CPU supports. */
void
covara_sha256_select_impl(void)
{
#ifdef COVARA_HAVE_SHANI_CODE
	if (covara_cpu_has_shani())
	{
		covara_sha256_blocks = covara_sha256_blocks_shani;
		covara_sha256_blocks_name = "sha-ni";
		return;
	}
#endif
	covara_sha256_blocks = covara_sha256_blocks_c;
	covara_sha256_blocks_name = "portable";
}

/* Force the portable block function (used by tests of both versions). */
void
covara_sha256_use_portable(void)
{
	covara_sha256_blocks = covara_sha256_blocks_c;
	covara_sha256_blocks_name = "portable";
}

/* Name of the block function in use: "sha-ni" or "portable". */
const char *
covara_sha256_impl_name(void)
{
	return covara_sha256_blocks_name;
}

/* Start a streaming hash. */
void
covara_sha256_init(CovaraSha256Ctx *ctx)
{
	memcpy(ctx->state, covara_sha256_iv, sizeof(ctx->state));
	ctx->bitcount = 0;
	ctx->buflen = 0;
}

/* Feed bytes to a streaming hash. */
void
covara_sha256_update(CovaraSha256Ctx *ctx, const uint8 *data, size_t len)
{
	size_t		nblocks;

	ctx->bitcount += (uint64) len << 3;

	if (ctx->buflen > 0)
	{
		size_t		take = Min(len, COVARA_SHA256_BLOCK_LENGTH - ctx->buflen);

		memcpy(ctx->buffer + ctx->buflen, data, take);
		ctx->buflen += take;
		data += take;
		len -= take;
		if (ctx->buflen < COVARA_SHA256_BLOCK_LENGTH)
			return;
		covara_sha256_blocks(ctx->state, ctx->buffer, 1);
		ctx->buflen = 0;
	}

	/* whole blocks straight from the input, a megabyte at a time */
	nblocks = len / COVARA_SHA256_BLOCK_LENGTH;
	while (nblocks > 0)
	{
		size_t		n = Min(nblocks, COVARA_SHA256_BLOCKS_PER_CHECK);

		covara_sha256_blocks(ctx->state, data, n);
		data += n * COVARA_SHA256_BLOCK_LENGTH;
		len -= n * COVARA_SHA256_BLOCK_LENGTH;
		nblocks -= n;
		if (nblocks > 0)
			CHECK_FOR_INTERRUPTS();
	}

	if (len > 0)
	{
		memcpy(ctx->buffer, data, len);
		ctx->buflen = len;
	}
}

/* Pad, finish and write the 32-byte digest. */
void
covara_sha256_final(CovaraSha256Ctx *ctx,
					uint8 digest[COVARA_SHA256_DIGEST_LENGTH])
{
	uint8		tail[2 * COVARA_SHA256_BLOCK_LENGTH];
	size_t		taillen;
	uint64		bits = ctx->bitcount;
	int			i;

	/* message tail, 0x80, zeros, then the 64-bit big-endian bit length */
	memcpy(tail, ctx->buffer, ctx->buflen);
	taillen = ctx->buflen;
	tail[taillen++] = 0x80;
	while (taillen % COVARA_SHA256_BLOCK_LENGTH != 56)
		tail[taillen++] = 0;
	for (i = 7; i >= 0; i--)
		tail[taillen++] = (uint8) (bits >> (i * 8));

	covara_sha256_blocks(ctx->state, tail, taillen / COVARA_SHA256_BLOCK_LENGTH);

	for (i = 0; i < 8; i++)
		covara_store_be32(digest + 4 * i, ctx->state[i]);
	explicit_bzero(tail, sizeof(tail));
	explicit_bzero(ctx, sizeof(*ctx));
}

/* Hash a byte string in one call. */
void
covara_sha256(const uint8 *data, size_t len,
			  uint8 digest[COVARA_SHA256_DIGEST_LENGTH])
{
	CovaraSha256Ctx ctx;

	/*
	 * Whole blocks go straight from the input; only the tail is copied, so a
	 * typical 43-character token costs one copy and one block.
	 */
	covara_sha256_init(&ctx);
	covara_sha256_update(&ctx, data, len);
	covara_sha256_final(&ctx, digest);
}

/* HMAC-SHA-256 (RFC 2104) of data under key. */
void
covara_hmac_sha256(const uint8 *key, size_t keylen,
				   const uint8 *data, size_t len,
				   uint8 digest[COVARA_SHA256_DIGEST_LENGTH])
{
	uint8		k0[COVARA_SHA256_BLOCK_LENGTH];
	uint8		pad[COVARA_SHA256_BLOCK_LENGTH];
	uint8		inner[COVARA_SHA256_DIGEST_LENGTH];
	CovaraSha256Ctx ctx;
	int			i;

	/* keys longer than a block are replaced by their hash */
	memset(k0, 0, sizeof(k0));
	if (keylen > COVARA_SHA256_BLOCK_LENGTH)
		covara_sha256(key, keylen, k0);
	else if (keylen > 0)
		memcpy(k0, key, keylen);

	for (i = 0; i < COVARA_SHA256_BLOCK_LENGTH; i++)
		pad[i] = k0[i] ^ 0x36;
	covara_sha256_init(&ctx);
	covara_sha256_update(&ctx, pad, sizeof(pad));
	covara_sha256_update(&ctx, data, len);
	covara_sha256_final(&ctx, inner);

	for (i = 0; i < COVARA_SHA256_BLOCK_LENGTH; i++)
		pad[i] = k0[i] ^ 0x5c;
	covara_sha256_init(&ctx);
	covara_sha256_update(&ctx, pad, sizeof(pad));
	covara_sha256_update(&ctx, inner, sizeof(inner));
	covara_sha256_final(&ctx, digest);

	explicit_bzero(k0, sizeof(k0));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(inner, sizeof(inner));
}
