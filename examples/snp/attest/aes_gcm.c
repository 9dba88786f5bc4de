/* aes_gcm.c: AES-256 (FIPS 197) and GCM (NIST SP 800-38D) as declared in aes_gcm.h. */
#include "aes_gcm.h"

static const u8 sbox[256] = {
	0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
	0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
	0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
	0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
	0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
	0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
	0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
	0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
	0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
	0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
	0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
	0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
	0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
	0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
	0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
	0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

/* Multiplication by x in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1. */
static u8 xtime(u8 b)
{
	return (u8)((b << 1) ^ ((b & 0x80) ? 0x1b : 0));
}

/* FIPS 197 §5.2 KeyExpansion for Nk = 8, Nr = 14: 60 words, viewed as 15 round keys. */
void aes256_init(struct aes256 *ctx, const u8 key[32])
{
	u8 *w = &ctx->round_keys[0][0];
	u8 rcon = 1;
	memcpy(w, key, 32);
	for (int i = 8; i < 60; i++) {
		u8 t[4];
		memcpy(t, w + 4 * (i - 1), 4);
		if (i % 8 == 0) {
			u8 first = t[0];
			t[0] = sbox[t[1]] ^ rcon;
			t[1] = sbox[t[2]];
			t[2] = sbox[t[3]];
			t[3] = sbox[first];
			rcon = xtime(rcon);
		} else if (i % 8 == 4) {
			for (int k = 0; k < 4; k++)
				t[k] = sbox[t[k]];
		}
		for (int k = 0; k < 4; k++)
			w[4 * i + k] = w[4 * (i - 8) + k] ^ t[k];
	}
}

/* FIPS 197 §5.1 Cipher: the state is column-major, s[4 * column + row]. */
void aes256_encrypt_block(const struct aes256 *ctx, const u8 in[16], u8 out[16])
{
	u8 s[16];
	for (int i = 0; i < 16; i++)
		s[i] = in[i] ^ ctx->round_keys[0][i];
	for (int round = 1; round <= 14; round++) {
		u8 t[16];
		/* SubBytes and ShiftRows: row r moves r columns to the left. */
		for (int c = 0; c < 4; c++)
			for (int r = 0; r < 4; r++)
				t[4 * c + r] = sbox[s[4 * ((c + r) % 4) + r]];
		if (round != 14) {
			/* MixColumns. */
			for (int c = 0; c < 4; c++) {
				u8 *col = &t[4 * c];
				u8 a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3], all = a0 ^ a1 ^ a2 ^ a3;
				col[0] = a0 ^ all ^ xtime(a0 ^ a1);
				col[1] = a1 ^ all ^ xtime(a1 ^ a2);
				col[2] = a2 ^ all ^ xtime(a2 ^ a3);
				col[3] = a3 ^ all ^ xtime(a3 ^ a0);
			}
		}
		for (int i = 0; i < 16; i++)
			s[i] = t[i] ^ ctx->round_keys[round][i];
	}
	memcpy(out, s, 16);
}

static u64 load_be64(const u8 *p)
{
	u64 v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void store_be64(u8 *p, u64 v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (u8)v;
}

/* SP 800-38D §6.3 Algorithm 1: X * H in GF(2^128), bits numbered from the left of the block. */
static void gf128_mul(u64 x[2], const u64 h[2])
{
	u64 z0 = 0, z1 = 0, v0 = h[0], v1 = h[1];
	for (int i = 0; i < 128; i++) {
		u64 bit = (i < 64 ? x[0] >> (63 - i) : x[1] >> (127 - i)) & 1;
		if (bit) {
			z0 ^= v0;
			z1 ^= v1;
		}
		u64 lsb = v1 & 1;
		v1 = (v1 >> 1) | (v0 << 63);
		v0 >>= 1;
		if (lsb)
			v0 ^= 0xe100000000000000ULL; /* R = 11100001 || 0^120 */
	}
	x[0] = z0;
	x[1] = z1;
}

/* GHASH over `len` bytes, the last block zero-padded. */
static void ghash_update(u64 x[2], const u64 h[2], const u8 *data, size_t len)
{
	while (len) {
		u8 block[16] = { 0 };
		size_t n = len < 16 ? len : 16;
		memcpy(block, data, n);
		x[0] ^= load_be64(block);
		x[1] ^= load_be64(block + 8);
		gf128_mul(x, h);
		data += n;
		len -= n;
	}
}

/* GCTR from counter block inc32(J0) (SP 800-38D §6.5), XORing `len` bytes from `in` into `out`. */
static void gctr(const struct aes256 *aes, const u8 iv[12], const u8 *in, size_t len, u8 *out)
{
	u8 counter[16], stream[16];
	u32 count = 2;
	memcpy(counter, iv, 12);
	for (size_t off = 0; off < len; off += 16, count++) {
		counter[12] = (u8)(count >> 24);
		counter[13] = (u8)(count >> 16);
		counter[14] = (u8)(count >> 8);
		counter[15] = (u8)count;
		aes256_encrypt_block(aes, counter, stream);
		for (size_t i = 0; i < 16 && off + i < len; i++)
			out[off + i] = in[off + i] ^ stream[i];
	}
}

/* The tag: GHASH(H, A, C) XOR E(K, J0), with J0 = IV || 0^31 || 1. */
static void gcm_tag(const struct aes256 *aes, const u8 iv[12], const u8 *aad, size_t aad_len,
		    const u8 *cipher, size_t len, u8 tag[16])
{
	u8 zero[16] = { 0 }, hb[16], j0[16], ek[16], lens[16];
	u64 h[2], x[2] = { 0, 0 };
	aes256_encrypt_block(aes, zero, hb);
	h[0] = load_be64(hb);
	h[1] = load_be64(hb + 8);
	ghash_update(x, h, aad, aad_len);
	ghash_update(x, h, cipher, len);
	store_be64(lens, (u64)aad_len * 8);
	store_be64(lens + 8, (u64)len * 8);
	ghash_update(x, h, lens, 16);
	memcpy(j0, iv, 12);
	j0[12] = j0[13] = j0[14] = 0;
	j0[15] = 1;
	aes256_encrypt_block(aes, j0, ek);
	store_be64(tag, x[0]);
	store_be64(tag + 8, x[1]);
	for (int i = 0; i < 16; i++)
		tag[i] ^= ek[i];
}

void aes256_gcm_seal(const u8 key[32], const u8 iv[12], const u8 *aad, size_t aad_len,
		     const u8 *plain, size_t len, u8 *cipher, u8 tag[16])
{
	struct aes256 aes;
	aes256_init(&aes, key);
	gctr(&aes, iv, plain, len, cipher);
	gcm_tag(&aes, iv, aad, aad_len, cipher, len, tag);
}

int aes256_gcm_open(const u8 key[32], const u8 iv[12], const u8 *aad, size_t aad_len,
		    const u8 *cipher, size_t len, const u8 tag[16], u8 *plain)
{
	struct aes256 aes;
	u8 expect[16], diff = 0;
	aes256_init(&aes, key);
	gcm_tag(&aes, iv, aad, aad_len, cipher, len, expect);
	for (int i = 0; i < 16; i++)
		diff |= expect[i] ^ tag[i];
	if (diff)
		return -1;
	gctr(&aes, iv, cipher, len, plain);
	return 0;
}
