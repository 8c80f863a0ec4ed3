// CLibPQ is a header module: SwiftPM needs one C source in a C target.
#include "CLibPQ.h"
