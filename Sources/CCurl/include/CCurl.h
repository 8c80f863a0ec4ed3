#ifndef NT_CCURL_H
#define NT_CCURL_H

// The vendored minimal libcurl (scripts/build-curl.sh, ADR 0003), found by a relative path so that neither C nor
// Swift needs an extra -I flag. The type-checking macros of typecheck-gcc.h are switched off: Swift never sees
// macros, and the typed wrappers below are the only callers of the variadic functions.
#define CURL_DISABLE_TYPECHECK 1
#include "../../../vendor/curl/include/curl/curl.h"

// Swift cannot call C variadic functions (curl_easy_setopt, curl_multi_setopt, curl_easy_getinfo), so each
// argument type gets a typed `static inline` wrapper. A `CURL *` / `CURLM *` arrives in Swift as
// `UnsafeMutableRawPointer`.

// MARK: curl_easy_setopt

static inline CURLcode nt_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode nt_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// String options are copied by libcurl (except CURLOPT_POSTFIELDS, which the Swift side never uses).
static inline CURLcode nt_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode nt_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode nt_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets CURLOPT_POSTFIELDSIZE_LARGE and then CURLOPT_COPYPOSTFIELDS, in the order libcurl requires for
/// binary bodies. libcurl keeps its own copy, so `body` may be freed after the call.
static inline CURLcode nt_easy_set_body(CURL *handle, const void *body, curl_off_t length) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, length);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_COPYPOSTFIELDS, length > 0 ? body : "");
}

// MARK: callbacks (each takes a `void *` userdata set with the matching *DATA option)

/// CURLOPT_WRITEFUNCTION: `size_t (*)(char *data, size_t size, size_t nmemb, void *userdata)`.
static inline CURLcode nt_easy_setopt_write_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/// CURLOPT_HEADERFUNCTION: same signature as the write callback; one call per header line.
static inline CURLcode nt_easy_setopt_header_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

/// CURLOPT_XFERINFOFUNCTION: `int (*)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
/// curl_off_t ultotal, curl_off_t ulnow)`; needs CURLOPT_NOPROGRESS = 0 to be called.
static inline CURLcode nt_easy_setopt_xferinfo_function(CURL *handle, curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

// MARK: curl_multi_setopt

static inline CURLMcode nt_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode nt_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

/// CURLMOPT_SOCKETFUNCTION: `int (*)(CURL *easy, curl_socket_t socket, int what, void *userdata,
/// void *socketdata)`; userdata is CURLMOPT_SOCKETDATA.
static inline CURLMcode nt_multi_setopt_socket_function(CURLM *multi, curl_socket_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}

/// CURLMOPT_TIMERFUNCTION: `int (*)(CURLM *multi, long timeout_ms, void *userdata)`; userdata is
/// CURLMOPT_TIMERDATA.
static inline CURLMcode nt_multi_setopt_timer_function(CURLM *multi, curl_multi_timer_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}

// MARK: curl_easy_getinfo

static inline CURLcode nt_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode nt_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode nt_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, (char **)value);
}

static inline CURLcode nt_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

// MARK: curl_slist

/// Appends a copy of `line` to `list`; returns the new head, or NULL on allocation failure (the old list is
/// then still owned by the caller and must be freed with nt_slist_free).
static inline struct curl_slist *nt_slist_append(struct curl_slist *list, const char *line) {
    return curl_slist_append(list, line);
}

/// Frees a whole list; NULL is allowed.
static inline void nt_slist_free(struct curl_slist *list) {
    curl_slist_free_all(list);
}

// MARK: constants that Swift does not import (composite macros)

static inline CURLcode nt_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }
static inline int nt_pause_continue(void) { return CURLPAUSE_CONT; }
static inline size_t nt_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline long nt_pipe_multiplex(void) { return CURLPIPE_MULTIPLEX; }
static inline curl_socket_t nt_socket_timeout(void) { return CURL_SOCKET_TIMEOUT; }

// MARK: the curl thread (Swift's Glibc module does not show these headers)

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

/// Names the calling thread (shown by `top -H`, `/proc/<pid>/task/*/comm`, debuggers); at most 15 characters.
static inline void nt_name_current_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

#endif
