/*
 * strbuf: see strbuf.h.
 */
#include "config.h"

#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

void strbuf_add(struct strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *grown = realloc(b->p, cap);
        if (grown == NULL) {
            b->oom = true;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
    strbuf_add(b, s, strlen(s));
}

void strbuf_percent_encode(struct strbuf *b, const char *s, const char *keep)
{
    static const char HEX[] = "0123456789ABCDEF";

    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        bool plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                     (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL ||
                     (keep != NULL && strchr(keep, *c) != NULL);
        char esc[3] = {'%', HEX[*c >> 4], HEX[*c & 15]};

        if (plain)
            strbuf_add(b, (const char *)c, 1);
        else
            strbuf_add(b, esc, 3);
    }
}

char *strbuf_take(struct strbuf *b)
{
    char *p;

    strbuf_add(b, "", 0); /* "" rather than NULL for an empty buffer */
    p = b->oom ? NULL : b->p;
    if (p == NULL)
        free(b->p);
    *b = (struct strbuf){0};
    return p;
}

void strbuf_free(struct strbuf *b)
{
    free(b->p);
    *b = (struct strbuf){0};
}
