/* aes_gcm.h: AES-256-GCM for SNP guest messages (NIST SP 800-38D, 96-bit IV, 16-byte tag), small
 * and table-light enough to read; only AES encryption is needed (CTR mode and GHASH). */
#ifndef AES_GCM_H
#define AES_GCM_H

#include "snp.h"

struct aes256 {
	u8 round_keys[15][16];
};

void aes256_init(struct aes256 *ctx, const u8 key[32]);
void aes256_encrypt_block(const struct aes256 *ctx, const u8 in[16], u8 out[16]);

/* Encrypts `len` bytes of `plain` into `cipher` and writes the tag. */
void aes256_gcm_seal(const u8 key[32], const u8 iv[12], const u8 *aad, size_t aad_len,
		     const u8 *plain, size_t len, u8 *cipher, u8 tag[16]);
/* Checks the tag, then decrypts; 0 on success, -1 (and nothing written) if it does not authenticate. */
int aes256_gcm_open(const u8 key[32], const u8 iv[12], const u8 *aad, size_t aad_len,
		    const u8 *cipher, size_t len, const u8 tag[16], u8 *plain);

#endif
