#include "CNTSupport.h"

/* build_info.h is written by `make` (scripts/build-info.sh) and ignored by git; without it the values say so. */
#if __has_include("build_info.h")
#include "build_info.h"
#endif
#ifndef NT_BUILD_COMMIT
#define NT_BUILD_COMMIT "unknown"
#endif
#ifndef NT_BUILD_DATE
#define NT_BUILD_DATE "unknown"
#endif

const char *nt_build_commit(void) { return NT_BUILD_COMMIT; }
const char *nt_build_date(void) { return NT_BUILD_DATE; }
