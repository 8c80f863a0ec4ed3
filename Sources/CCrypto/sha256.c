#include "CCrypto.h"

#include <openssl/evp.h>
#include <pthread.h>

// The SHA-256 implementation is fetched from the default provider once: an implicit fetch inside every
// EVP_DigestInit_ex (what EVP_sha256() does in OpenSSL 3) takes a lock on each new state.
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) {
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void) {
    pthread_once(&sha256_once, fetch_sha256);
    return sha256_md;
}

nt_sha256 *nt_sha256_new(void) {
    const EVP_MD *md = sha256();
    if (md == NULL) return NULL;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return NULL;
    if (EVP_DigestInit_ex(context, md, NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return (nt_sha256 *)context;
}

nt_sha256 *nt_sha256_copy(const nt_sha256 *state) {
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    if (copy == NULL) return NULL;
    if (EVP_MD_CTX_copy_ex(copy, (const EVP_MD_CTX *)state) != 1) {
        EVP_MD_CTX_free(copy);
        return NULL;
    }
    return (nt_sha256 *)copy;
}

void nt_sha256_free(nt_sha256 *state) {
    EVP_MD_CTX_free((EVP_MD_CTX *)state);
}

int nt_sha256_update(nt_sha256 *state, const void *bytes, size_t count) {
    if (count == 0) return 1;
    return EVP_DigestUpdate((EVP_MD_CTX *)state, bytes, count);
}

int nt_sha256_finalize(nt_sha256 *state, unsigned char digest[32]) {
    EVP_MD_CTX *context = (EVP_MD_CTX *)state;
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context, digest, &length) != 1 || length != 32) return 0;
    return EVP_DigestInit_ex(context, sha256(), NULL);
}
