/*
 * html: escaping and slot templates. See html.h.
 */
#include "config.h"

#include "util/html.h"

#include <string.h>

void html_escape(struct strbuf *b, const char *s)
{
    for (const char *p = s; p != NULL && *p != '\0'; p++) {
        switch (*p) {
        case '&':
            strbuf_puts(b, "&amp;");
            break;
        case '<':
            strbuf_puts(b, "&lt;");
            break;
        case '>':
            strbuf_puts(b, "&gt;");
            break;
        case '"':
            strbuf_puts(b, "&quot;");
            break;
        case '\'':
            strbuf_puts(b, "&#39;");
            break;
        default:
            strbuf_add(b, p, 1);
        }
    }
}

/* The value of slot name (len bytes) among the n slots: NULL when none fills it. */
static const char *slot_value(const struct html_slot *slots, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(slots[i].name) == len && memcmp(slots[i].name, name, len) == 0)
            return slots[i].value;
    return NULL;
}

/* Bytes of a slot name at p: letters, digits, '_' and '-'. */
static size_t name_length(const char *p)
{
    return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
}

/*
 * If p starts a slot ("{{name}}" or "{{{name}}}"), append its value to b and return the
 * bytes it spans; else 0.
 */
static size_t render_slot(struct strbuf *b, const char *p, const struct html_slot *slots, size_t n)
{
    bool raw = strncmp(p, "{{{", 3) == 0;
    size_t open = raw ? 3 : 2, len = name_length(p + open);
    const char *close = raw ? "}}}" : "}}";
    const char *value;

    if (len == 0 || strncmp(p + open + len, close, open) != 0)
        return 0;
    value = slot_value(slots, n, p + open, len);
    if (raw)
        strbuf_puts(b, value != NULL ? value : "");
    else
        html_escape(b, value);
    return open + len + open;
}

char *html_render(const char *tmpl, const struct html_slot *slots, size_t n)
{
    struct strbuf b = {0};
    const char *p = tmpl;

    while (*p != '\0') {
        const char *brace = strstr(p, "{{");
        size_t used;

        if (brace == NULL) {
            strbuf_puts(&b, p);
            break;
        }
        strbuf_add(&b, p, (size_t)(brace - p));
        used = render_slot(&b, brace, slots, n);
        if (used == 0) {
            strbuf_add(&b, brace, 1);
            used = 1;
        }
        p = brace + used;
    }
    return strbuf_take(&b);
}
