#ifndef NT_CCRYPTO_H
#define NT_CCRYPTO_H
#include <stddef.h>

// SHA-256 from OpenSSL's libcrypto, which the binary links already for libcurl's TLS (ADR 0003, ADR 0007).
// OpenSSL's headers stay inside sha256.c: Swift sees only these functions and an opaque hashing state.

/// A streaming SHA-256 state (an EVP_MD_CTX).
typedef struct nt_sha256 nt_sha256;

/// A fresh state, or NULL when libcrypto cannot allocate or find SHA-256.
nt_sha256 *nt_sha256_new(void);

/// An independent copy of `state` (what was hashed so far), or NULL on failure.
nt_sha256 *nt_sha256_copy(const nt_sha256 *state);

/// Releases a state; NULL is ignored.
void nt_sha256_free(nt_sha256 *state);

/// Adds `count` bytes at `bytes` to the message; returns 1 on success, 0 on failure.
int nt_sha256_update(nt_sha256 *state, const void *bytes, size_t count);

/// Writes the 32-byte digest to `digest` and starts `state` over with an empty message; returns 1 or 0.
int nt_sha256_finalize(nt_sha256 *state, unsigned char digest[32]);

#endif
