/*
 * sigv4: AWS Signature Version 4. See sigv4.h.
 *
 * The steps are AWS's ("Create a signed AWS API request", IAM user guide): the canonical
 * request (method, the path URI-encoded once more, the query pairs sorted, the signed headers
 * lower-cased and sorted, the hex SHA-256 of the body), the string to sign (algorithm, time,
 * scope, hash of the canonical request), the signing key (HMAC-SHA256 chain over date, region,
 * service and "aws4_request"), and the signature. Where AWS's description leaves a choice
 * (re-encoding the path, sorting the query as sent), this follows botocore, whose signer the
 * test vectors come from.
 */
#include "config.h"

#include "crypto/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/strbuf.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

static void put_hex(struct strbuf *b, const unsigned char *bytes, size_t n)
{
    char hex[3];

    for (size_t i = 0; i < n; i++) {
        snprintf(hex, sizeof(hex), "%02x", bytes[i]);
        strbuf_add(b, hex, 2);
    }
}

static void put_sha256_hex(struct strbuf *b, const void *data, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) != 1)
        b->oom = true;
    else
        put_hex(b, md, len);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The query as sent, its name=value pairs sorted (botocore sorts the pairs as they are sent,
 * by name then value; '=' sorts below every character allowed in a name).
 */
static void put_canonical_query(struct strbuf *b, const char *query)
{
    char *copy, **pairs = NULL, *next;
    size_t n = 0, cap = 0;

    if (query == NULL || *query == '\0')
        return;
    next = copy = strdup(query);
    if (copy == NULL) {
        b->oom = true;
        return;
    }
    while (next != NULL) {
        char *pair = next, *amp = strchr(next, '&'), **grown;
        if (amp != NULL)
            *amp = '\0';
        next = amp != NULL ? amp + 1 : NULL;
        if (*pair == '\0')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            if ((grown = realloc(pairs, cap * sizeof(*pairs))) == NULL) {
                b->oom = true;
                break;
            }
            pairs = grown;
        }
        pairs[n++] = pair;
    }
    qsort(pairs, n, sizeof(*pairs), compare_strings);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strbuf_add(b, "&", 1);
        strbuf_puts(b, pairs[i]);
        if (strchr(pairs[i], '=') == NULL)
            strbuf_add(b, "=", 1);
    }
    free(pairs);
    free(copy);
}

/* One signed header: lower-case name, value trimmed with inner runs of spaces folded. */
struct signed_header {
    char *name;
    char *value;
};

static int compare_headers(const void *a, const void *b)
{
    return strcmp(((const struct signed_header *)a)->name, ((const struct signed_header *)b)->name);
}

/* A copy of s lower-cased (lower) or trimmed and folded; NULL when out of memory. */
static char *header_text(const char *s, bool lower)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    bool space = false;

    if (out == NULL)
        return NULL;
    for (; *s == ' ' || *s == '\t'; s++)
        ;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t') {
            space = true;
            continue;
        }
        if (space && o != out)
            *o++ = ' ';
        space = false;
        *o++ = lower && *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
    }
    *o = '\0';
    return out;
}

/*
 * The canonical headers and the signed-header list of r (with host and x-amz-date) into
 * canonical and names. Header names or values with CR or LF are refused (-1).
 */
static int put_headers(struct strbuf *canonical, struct strbuf *names,
                       const struct sigv4_request *r, const char *amz_date)
{
    size_t n = r->nheaders + 2;
    struct signed_header *h = calloc(n, sizeof(*h));
    int rc = 0;

    if (h == NULL)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = i < r->nheaders    ? r->headers[i].name
                           : i == r->nheaders ? "host"
                                              : "x-amz-date";
        const char *value = i < r->nheaders    ? r->headers[i].value
                            : i == r->nheaders ? r->host
                                               : amz_date;
        if (name == NULL || value == NULL || strpbrk(name, "\r\n: ") != NULL ||
            strpbrk(value, "\r\n") != NULL || *name == '\0')
            rc = -1;
        else if ((h[i].name = header_text(name, true)) == NULL ||
                 (h[i].value = header_text(value, false)) == NULL)
            rc = -1;
    }
    if (rc == 0)
        qsort(h, n, sizeof(*h), compare_headers);
    for (size_t i = 0; i < n && rc == 0; i++) {
        strbuf_puts(canonical, h[i].name);
        strbuf_add(canonical, ":", 1);
        strbuf_puts(canonical, h[i].value);
        strbuf_add(canonical, "\n", 1);
        if (i > 0)
            strbuf_add(names, ";", 1);
        strbuf_puts(names, h[i].name);
    }
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
    return rc;
}

/* HMAC-SHA256 of data under key into out (32 bytes). */
static bool hmac(const void *key, size_t key_len, const char *data, unsigned char *out)
{
    unsigned int len = 0;

    return HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, strlen(data), out,
                &len) != NULL &&
           len == 32;
}

/* The signature of string_to_sign (hex, 65 bytes) with the key derived for date and r. */
static bool signature(const struct sigv4_request *r, const char *date, const char *string_to_sign,
                      char *hex)
{
    unsigned char k[32];
    char *secret = malloc(strlen(r->secret_key) + 5);
    bool ok = secret != NULL;

    if (ok) {
        memcpy(secret, "AWS4", 4);
        memcpy(secret + 4, r->secret_key, strlen(r->secret_key) + 1);
    }
    ok = ok && hmac(secret, strlen(secret), date, k) && hmac(k, 32, r->region, k) &&
         hmac(k, 32, r->service, k) && hmac(k, 32, "aws4_request", k) &&
         hmac(k, 32, string_to_sign, k);
    if (secret != NULL) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
    for (size_t i = 0; ok && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", k[i]);
    return ok;
}

int sigv4_sign(const struct sigv4_request *r, char *amz_date, char **authorization)
{
    struct strbuf creq = {0}, names = {0}, sts = {0}, auth = {0};
    char date[9], scope[256], sig[65];
    time_t t = (time_t)r->unix_seconds;
    struct tm tm;
    int rc = -1;

    *authorization = NULL;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(amz_date, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) == 0)
        return -1;
    memcpy(date, amz_date, 8);
    date[8] = '\0';
    snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date, r->region, r->service);
    strbuf_puts(&creq, r->method);
    strbuf_add(&creq, "\n", 1);
    strbuf_percent_encode(&creq, r->path && *r->path ? r->path : "/", "/");
    strbuf_add(&creq, "\n", 1);
    put_canonical_query(&creq, r->query);
    strbuf_add(&creq, "\n", 1);
    if (put_headers(&creq, &names, r, amz_date) != 0)
        goto out;
    strbuf_add(&creq, "\n", 1);
    strbuf_puts(&creq, names.p ? names.p : "");
    strbuf_add(&creq, "\n", 1);
    put_sha256_hex(&creq, r->body ? r->body : "", r->body ? r->body_len : 0);
    strbuf_puts(&sts, ALGORITHM "\n");
    strbuf_puts(&sts, amz_date);
    strbuf_add(&sts, "\n", 1);
    strbuf_puts(&sts, scope);
    strbuf_add(&sts, "\n", 1);
    if (!creq.oom)
        put_sha256_hex(&sts, creq.p, creq.len);
    if (creq.oom || names.oom || sts.oom || !signature(r, date, sts.p, sig))
        goto out;
    strbuf_puts(&auth, ALGORITHM " Credential=");
    strbuf_puts(&auth, r->access_key);
    strbuf_add(&auth, "/", 1);
    strbuf_puts(&auth, scope);
    strbuf_puts(&auth, ", SignedHeaders=");
    strbuf_puts(&auth, names.p);
    strbuf_puts(&auth, ", Signature=");
    strbuf_puts(&auth, sig);
    if (!auth.oom) {
        *authorization = auth.p;
        auth.p = NULL;
        rc = 0;
    }
out:
    free(creq.p);
    free(names.p);
    free(sts.p);
    free(auth.p);
    return rc;
}
