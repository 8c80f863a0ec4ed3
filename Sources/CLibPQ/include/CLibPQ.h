#ifndef NT_CLIBPQ_H
#define NT_CLIBPQ_H

// The vendored minimal libpq (scripts/build-libpq.sh, ADR 0019), found by a relative path so that neither C nor
// Swift needs an extra -I flag. libpq's API has no variadic functions, so Swift calls it directly; the archives are
// linked by CCurl's ordered list (libpq's OpenSSL references must come before libssl and libcrypto).
#include "../../../vendor/libpq/include/libpq-fe.h"

#endif
