/*
 * form: urlencoded bodies, Cookie headers and Set-Cookie values. See form.h.
 *
 * The urlencoded parser follows the WHATWG URL standard's application/x-www-form-urlencoded
 * parser (empty pairs skipped, a pair without '=' has an empty value, '+' is a space) except
 * that it refuses a malformed percent escape instead of keeping it as text: a client that
 * sends one is broken, and guessing what it meant is how two parsers come to disagree.
 */
#include "config.h"

#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of hex digit c, or -1. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum form_result form_decode(const char *s, size_t n, bool plus_is_space, char **out)
{
    char *d = malloc(n + 1), *p = d;

    *out = NULL;
    if (d == NULL)
        return FORM_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int hi = -1, lo = -1;

        if (s[i] == '%') {
            hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0))
                goto malformed;
            *p++ = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '\0') {
            goto malformed;
        } else {
            *p++ = s[i] == '+' && plus_is_space ? ' ' : s[i];
        }
    }
    *p = '\0';
    *out = d;
    return FORM_OK;
malformed:
    free(d);
    return FORM_MALFORMED;
}

/* Append a field to f, taking name and value (freed here on failure). */
static enum form_result add_field(struct form *f, char *name, char *value)
{
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        struct form_field *grown = realloc(f->fields, cap * sizeof(*grown));
        if (grown == NULL) {
            free(name);
            free(value);
            return FORM_NOMEM;
        }
        f->fields = grown;
        f->cap = cap;
    }
    f->fields[f->count++] = (struct form_field){name, value};
    return FORM_OK;
}

/* Decode one "name=value" pair (n bytes, not empty) and append it to f. */
static enum form_result add_pair(struct form *f, const char *pair, size_t n)
{
    const char *eq = memchr(pair, '=', n);
    size_t name_len = eq ? (size_t)(eq - pair) : n;
    char *name = NULL, *value = NULL;
    enum form_result rc = form_decode(pair, name_len, true, &name);

    if (rc == FORM_OK)
        rc = eq ? form_decode(eq + 1, n - name_len - 1, true, &value)
                : form_decode("", 0, true, &value);
    if (rc != FORM_OK) {
        free(name);
        return rc;
    }
    return add_field(f, name, value);
}

enum form_result form_parse(const char *body, size_t len, struct form **out)
{
    struct form *f = calloc(1, sizeof(*f));
    const char *p = body, *end = body ? body + len : NULL;
    enum form_result rc = f ? FORM_OK : FORM_NOMEM;

    *out = NULL;
    while (rc == FORM_OK && p != NULL && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);

        if (n > 0)
            rc = add_pair(f, p, n);
        p = amp ? amp + 1 : end;
    }
    if (rc != FORM_OK) {
        form_free(f);
        return rc;
    }
    *out = f;
    return FORM_OK;
}

/* Narrow [*s, *e) past the spaces and tabs at both ends. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/* A new string of the n bytes at s. */
static char *copy_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Append the cookie "name=value" in [s, e) to f, unless it has no '=' or no name. */
static enum form_result add_cookie(struct form *f, const char *s, const char *e)
{
    const char *eq = memchr(s, '=', (size_t)(e - s)), *name_end = eq, *v = eq ? eq + 1 : NULL;
    char *name, *value;

    if (eq == NULL)
        return FORM_OK;
    trim(&s, &name_end);
    trim(&v, &e);
    if (name_end == s)
        return FORM_OK;
    if (e - v >= 2 && *v == '"' && e[-1] == '"') {
        v++;
        e--;
    }
    name = copy_bytes(s, (size_t)(name_end - s));
    value = copy_bytes(v, (size_t)(e - v));
    if (name == NULL || value == NULL) {
        free(name);
        free(value);
        return FORM_NOMEM;
    }
    return add_field(f, name, value);
}

enum form_result form_parse_cookies(const char *header, struct form **out)
{
    struct form *f = calloc(1, sizeof(*f));
    const char *p = header ? header : "";
    enum form_result rc = f ? FORM_OK : FORM_NOMEM;

    *out = NULL;
    while (rc == FORM_OK && *p != '\0') {
        size_t n = strcspn(p, ";");

        rc = add_cookie(f, p, p + n);
        p += n + (p[n] == ';');
    }
    if (rc != FORM_OK) {
        form_free(f);
        return rc;
    }
    *out = f;
    return FORM_OK;
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; f != NULL && i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

void form_free(struct form *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->count; i++) {
        free(f->fields[i].name);
        free(f->fields[i].value);
    }
    free(f->fields);
    free(f);
}

bool form_is_token(const char *name)
{
    if (*name == '\0')
        return false;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("!#$%&'*+-.^_`|~", c) != NULL))
            return false;
    }
    return true;
}

/* Whether value is all cookie-octets (RFC 6265 4.1.1): visible ASCII but '"', ',', ';', '\'. */
static bool is_cookie_value(const char *value)
{
    for (const char *p = value; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
            return false;
    }
    return true;
}

/* Whether a Path attribute value is safe: no control characters and no ';'. */
static bool is_path_value(const char *path)
{
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == ';')
            return false;
    }
    return true;
}

/* Whether c may be formatted (see form.h). */
static bool cookie_ok(const struct form_cookie *c)
{
    const char *ss = c->same_site;

    if (c->name == NULL || !form_is_token(c->name) || c->value == NULL ||
        !is_cookie_value(c->value))
        return false;
    if (c->path != NULL && !is_path_value(c->path))
        return false;
    if (ss != NULL && strcmp(ss, "Strict") != 0 && strcmp(ss, "Lax") != 0 &&
        strcmp(ss, "None") != 0)
        return false;
    return ss == NULL || strcmp(ss, "None") != 0 || c->secure;
}

/* snprintf the Set-Cookie value of c (age: "" or "; Max-Age=n") into buf; its length. */
static int format_cookie(char *buf, size_t size, const struct form_cookie *c, const char *age)
{
    return snprintf(buf, size, "%s=%s%s%s%s%s%s%s%s", c->name, c->value, c->path ? "; Path=" : "",
                    c->path ? c->path : "", age, c->http_only ? "; HttpOnly" : "",
                    c->secure ? "; Secure" : "", c->same_site ? "; SameSite=" : "",
                    c->same_site ? c->same_site : "");
}

char *form_cookie_format(const struct form_cookie *c)
{
    char age[40] = "";
    char *text;
    int n;

    if (!cookie_ok(c))
        return NULL;
    if (c->max_age != 0)
        snprintf(age, sizeof(age), "; Max-Age=%lld", c->max_age > 0 ? c->max_age : 0);
    n = format_cookie(NULL, 0, c, age);
    if (n < 0 || (text = malloc((size_t)n + 1)) == NULL)
        return NULL;
    format_cookie(text, (size_t)n + 1, c, age);
    return text;
}
