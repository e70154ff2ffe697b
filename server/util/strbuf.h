/*
 * strbuf: a string that grows as it is appended to. An allocation failure sets oom once and
 * makes every later append a no-op, so a caller appends freely and checks once at the end.
 */
#ifndef COG_STRBUF_H
#define COG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *p; /* NUL-terminated once anything was appended; NULL before */
    size_t len, cap;
    bool oom;
};

/* Append n bytes of s / the string s. */
void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);

/*
 * Append s percent-encoded (%XX, upper case): RFC 3986's unreserved characters and those in
 * keep (e.g. "/" for a SigV4 path) stay as they are.
 */
void strbuf_percent_encode(struct strbuf *b, const char *s, const char *keep);

/* The text (the caller frees it; "" when nothing was appended), or NULL after oom; b is
 * emptied either way. */
char *strbuf_take(struct strbuf *b);

void strbuf_free(struct strbuf *b);

#endif
