#include "../../../vendor/curl/include/curl/curl.h"
