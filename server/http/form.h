/*
 * form: what a browser sends besides JSON, and the cookies it is sent back. It parses
 * application/x-www-form-urlencoded bodies (the OAuth token endpoint, the hosted pages' forms)
 * and Cookie request headers into a small list of name/value pairs with lookup, and formats a
 * Set-Cookie value.
 *
 * Pure C on the bytes http.h hands out: no libmicrohttpd, nothing about Cognito. Values are
 * C strings, so a NUL (raw, or decoded from %00) is refused rather than cut at.
 */
#ifndef COG_FORM_H
#define COG_FORM_H

#include <stdbool.h>
#include <stddef.h>

enum form_result {
    FORM_OK = 0,
    FORM_MALFORMED = -1, /* a bad percent escape, or a NUL byte */
    FORM_NOMEM = -2,
};

struct form_field {
    char *name;
    char *value;
};

/* Name/value pairs in the order they came; a name may repeat. */
struct form {
    struct form_field *fields;
    size_t count, cap;
};

/*
 * Parse an application/x-www-form-urlencoded body of len bytes (not NUL-terminated; may be
 * NULL when len is 0). Pairs are separated by '&' (empty ones skipped), a name without '='
 * has the value "", '+' decodes to a space and %XX to its byte. On FORM_OK, *out is a new
 * list the caller frees with form_free(); on FORM_MALFORMED (a '%' not followed by two hex
 * digits, %00 or a raw NUL) or FORM_NOMEM, *out is NULL.
 */
enum form_result form_parse(const char *body, size_t len, struct form **out);

/*
 * Percent-decode s (n bytes) into a new string in *out (free()): %XX as its byte, and '+' as
 * a space when plus_is_space (the form encoding; not for values that may hold a literal '+').
 * FORM_MALFORMED (a bad escape, %00 or a raw NUL) or FORM_NOMEM leave *out NULL.
 */
enum form_result form_decode(const char *s, size_t n, bool plus_is_space, char **out);

/*
 * Parse a Cookie request header ("a=1; b=2"; may be NULL: no cookies). Pairs are separated by
 * ';', spaces and tabs around names and values are dropped, a value in double quotes loses
 * them, and pairs without '=' or with an empty name are skipped; values are not decoded
 * (cookie values are opaque, RFC 6265 5.4). On FORM_OK, *out is a new list the caller frees
 * with form_free(); FORM_NOMEM leaves *out NULL.
 */
enum form_result form_parse_cookies(const char *header, struct form **out);

/* The value of the first field named name (case-sensitive), or NULL. Borrowed from f. */
const char *form_get(const struct form *f, const char *name);

/* Free a list from form_parse() or form_parse_cookies(). Accepts NULL. */
void form_free(struct form *f);

/* max_age for a cookie the browser should delete now (Max-Age=0). */
#define FORM_COOKIE_DELETE (-1)

/* A cookie to set. All-zero options make a session cookie without attributes. */
struct form_cookie {
    const char *name; /* a token (RFC 9110 5.6.2) */
    const char
        *value; /* cookie-octets (RFC 6265 4.1.1): no space, quote, comma, semicolon, backslash */
    const char *path;      /* Path, or NULL for none; no ';' or control characters */
    long long max_age;     /* Max-Age in seconds when > 0; 0: none; FORM_COOKIE_DELETE */
    bool http_only;        /* HttpOnly */
    bool secure;           /* Secure */
    const char *same_site; /* NULL, "Strict", "Lax", or "None" (which needs secure) */
};

/*
 * The Set-Cookie header value for c, e.g. "sid=abc; Path=/; Max-Age=3600; HttpOnly; Secure;
 * SameSite=Lax": a new string the caller frees. NULL when c breaks one of the rules above
 * (browsers would drop or misread such a cookie) or memory runs out.
 */
char *form_cookie_format(const struct form_cookie *c);

/*
 * Whether name is a token (RFC 9110 5.6.2): one or more of ALPHA, DIGIT and !#$%&'*+-.^_`|~,
 * as header and cookie names must be.
 */
bool form_is_token(const char *name);

#endif
