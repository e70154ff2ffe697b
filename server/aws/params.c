/*
 * params: request validation driven by the AWS models (the contract is in params.h).
 *
 * One walk over the request, guided by the generated shape tables (model_tables.c), does
 * both jobs AWS's front end does in two: it checks JSON types, and a wrong type ends the walk
 * with SerializationException whatever else was found (AWS deserializes before it validates);
 * and it collects constraint violations in the model's member order, reporting them as one
 * InvalidParameterException. Nothing here allocates except PCRE2 (compiled patterns, kept for
 * the life of the process, and one match block per call), so the walk cannot half-fail.
 *
 * The wording copies AWS's (Coral) validator, as seen in real Cognito messages and in the
 * messages other AWS services send for the same constructs:
 * - "Value 'v' at 'path' failed to satisfy constraint: <constraint>", with "Value null at" for
 *   a missing required member and "Value at" (no value) for sensitive shapes;
 * - "1 validation error detected: ..." or "N validation errors detected: a; b", at most ten
 *   (dynalite, an emulator that copies DynamoDB's front end closely, stops collecting at ten);
 * - one violation per failed constraint of a member, length before pattern before enum (the
 *   usual order; one real CreateUserPool message lists a pattern before a length, so AWS's
 *   order may vary by shape);
 * - paths in lower camel case, 'list.1.member', 'map.<key>.member' (DynamoDB's
 *   'requestItems.<table>.member.keys');
 * - a list of scalars whose elements fail is reported once at the list, listing all the
 *   element's constraints: "Member must satisfy constraint: [Member must have length less than
 *   or equal to 6, Member must have length greater than or equal to 0, ...]"; maps likewise
 *   once for keys and once for values: "Map keys must satisfy constraint: [...]",
 *   "Map value must satisfy constraint: [...]" (Lambda, ACM, Cognito Identity 'logins').
 *   We append "Member must not be null" to such a list only when an element is null.
 *
 * Patterns are Java regular expressions matched with PCRE2 in UTF mode, anchored at both ends
 * (Java's String.matches), without PCRE2_UCP because Java's \w, \d and \s are ASCII-only.
 * PCRE2_DOTALL copies an AWS quirk: the only model pattern with a bare '.',
 * SmsVerificationMessageType's ".*\{####\}.*", runs on the real service as
 * "(?s).*\{####\}(?s).*" (a real CreateUserPool error message quotes it), so a message spanning
 * lines is accepted there, and here. Each pattern is compiled the first time it is needed and
 * published with a compare-exchange, so concurrent workers share it without a lock; a pattern
 * that does not compile is treated as matching (the unit suite checks that every pattern
 * compiles). No JIT: the interpreter validates a typical request in under 2 microseconds, and
 * JIT code makes valgrind (which runs the unit suites) report false positives.
 */
#include "config.h"

#include "aws/params.h"

#include <float.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "aws/model_tables.h"

#define MAX_VIOLATIONS 10 /* AWS reports at most ten */
#define MAX_DEPTH 64      /* shape nesting; the current models nest 7 deep, without cycles */
#define PATH_CAP 256      /* bytes of a member path in a message */
#define VALUE_CAP 100     /* bytes of a value echoed in a message, then "..." */
#define ECHO_DEPTH 4      /* nesting of a list, map or structure echoed in a message */
#define TEXT_CAP 2048     /* the joined violations (cog_err cuts the message further) */

/* Constraints a scalar value can fail, in the order AWS reports them. */
enum {
    FAIL_MIN = 1,
    FAIL_MAX = 2,
    FAIL_PATTERN = 4,
    FAIL_ENUM = 8,
};

/* A NUL-terminated string in a fixed buffer that cuts, at a UTF-8 boundary, instead of growing. */
struct text {
    char *buf;
    size_t cap; /* bytes in buf, including the NUL */
    size_t len;
    bool cut; /* something did not fit */
};

/* The state of one params_validate() call. */
struct walk {
    struct text path; /* the member being checked, e.g. "policies.passwordPolicy" */
    char path_buf[PATH_CAP];
    struct text out; /* the violations so far, joined with "; " */
    char out_buf[TEXT_CAP];
    int violations;
    bool bad_type; /* a wrong JSON type: SerializationException, the walk stops */
    char bad_type_msg[sizeof(((struct cog_err *)0)->message)];
    bool oom;
    pcre2_match_data *match;
};

/* ---- compiled patterns ------------------------------------------------------------------- */

/* One slot per model pattern: NULL until compiled; broken once PCRE2 refused it. */
static _Atomic(pcre2_code *) pattern_code[MODEL_PATTERN_MAX];
static atomic_bool pattern_broken[MODEL_PATTERN_MAX];

/*
 * Compile pattern index. Returns the code, or NULL; *broken is set when PCRE2 rejected the
 * pattern itself (as opposed to running out of memory, which a later call may survive).
 */
static pcre2_code *pattern_compile(size_t index, bool *broken)
{
    pcre2_code *code;
    int errcode;
    PCRE2_SIZE erroff;

    code = pcre2_compile((PCRE2_SPTR)model_patterns[index], PCRE2_ZERO_TERMINATED,
                         PCRE2_UTF | PCRE2_DOTALL | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &errcode,
                         &erroff, NULL);
    *broken = false;
    if (code == NULL) {
        *broken = errcode != PCRE2_ERROR_NOMEMORY;
        return NULL;
    }
    return code;
}

/* The compiled pattern index, compiling it on first use; NULL when it cannot be compiled. */
static pcre2_code *pattern_get(size_t index)
{
    pcre2_code *code, *expected = NULL;
    bool broken;

    if (index >= model_pattern_count || index >= MODEL_PATTERN_MAX)
        return NULL;
    code = atomic_load_explicit(&pattern_code[index], memory_order_acquire);
    if (code != NULL || atomic_load_explicit(&pattern_broken[index], memory_order_acquire))
        return code;
    code = pattern_compile(index, &broken);
    if (code == NULL) {
        if (broken)
            atomic_store_explicit(&pattern_broken[index], true, memory_order_release);
        return NULL;
    }
    if (!atomic_compare_exchange_strong_explicit(&pattern_code[index], &expected, code,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        /* Another worker published the same pattern first: use theirs. */
        pcre2_code_free(code);
        return expected;
    }
    return code;
}

/*
 * True when pattern index compiles with the options validation uses. For the unit suite
 * (declared in model_tables.h); compiles and caches the pattern as validation would.
 */
bool params_pattern_compiles(size_t index)
{
    return pattern_get(index) != NULL;
}

/*
 * Whether s (len bytes) matches pattern index as a whole. Invalid UTF-8 and PCRE2's match
 * limits count as a mismatch; a pattern that cannot be compiled counts as a match.
 */
static bool pattern_matches(struct walk *w, int index, const char *s, size_t len)
{
    pcre2_code *code = pattern_get((size_t)index);
    int rc;

    if (code == NULL)
        return true;
    if (w->match == NULL) {
        w->match = pcre2_match_data_create(1, NULL);
        if (w->match == NULL) {
            w->oom = true;
            return true;
        }
    }
    rc = pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, w->match, NULL);
    return rc >= 0; /* 0: matched, ovector too small for the groups (we need none) */
}

/* ---- text -------------------------------------------------------------------------------- */

static void text_init(struct text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->cut = false;
    buf[0] = '\0';
}

/*
 * The length of the valid UTF-8 sequence at s (1 to 4 bytes), or 0 when the bytes there are not
 * valid UTF-8 (stray continuation, overlong form, surrogate, beyond U+10FFFF, truncated).
 */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* Append n bytes of s; what does not fit is cut at a character boundary. */
static void text_put(struct text *t, const char *s, size_t n)
{
    size_t room = t->cap - 1 - t->len;

    if (n > room) {
        n = room;
        /* Back off to the start of a UTF-8 sequence so the text stays valid. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        t->cut = true;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_put(t, s, strlen(s));
}

/* Append s with each invalid UTF-8 byte replaced by U+FFFD, so messages stay valid JSON text. */
static void text_put_utf8(struct text *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0' && !t->cut) {
        size_t n = utf8_seq(p);

        if (n == 0) {
            text_puts(t, "\xEF\xBF\xBD");
            p++;
        } else {
            text_put(t, (const char *)p, n);
            p += n;
        }
    }
}

__attribute__((format(printf, 2, 3))) static void text_printf(struct text *t, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        text_put(t, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* ---- values ------------------------------------------------------------------------------ */

/* A number as Java would show it in a message: integral values without a fraction. */
static void put_number(struct text *t, double d)
{
    char buf[40];

    if (d == d && d > -9.0e18 && d < 9.0e18 && d == (double)(long long)d) {
        text_printf(t, "%lld", (long long)d);
        return;
    }
    snprintf(buf, sizeof(buf), "%.15g", d);
    if (strtod(buf, NULL) != d)
        snprintf(buf, sizeof(buf), "%.17g", d);
    text_puts(t, buf);
}

/*
 * Echo a JSON value the way AWS's Java front end prints it: strings raw, lists '[a, b]',
 * maps and structures '{k=v}' (Java's toString). Stops as soon as the text is full.
 */
static void put_value(struct text *t, const cJSON *v, int depth)
{
    const cJSON *c;

    if (cJSON_IsString(v)) {
        text_put_utf8(t, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        put_number(t, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        text_puts(t, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool object = cJSON_IsObject(v);

        text_puts(t, object ? "{" : "[");
        if (depth >= ECHO_DEPTH && v->child != NULL)
            text_puts(t, "...");
        else
            for (c = v->child; c != NULL && !t->cut; c = c->next) {
                if (c != v->child)
                    text_puts(t, ", ");
                if (object) {
                    text_put_utf8(t, c->string != NULL ? c->string : "");
                    text_puts(t, "=");
                }
                put_value(t, c, depth + 1);
            }
        text_puts(t, object ? "}" : "]");
    } else {
        text_puts(t, "null");
    }
}

/* Java's String.length(): UTF-16 code units. Invalid bytes count one each. */
static size_t utf16_length(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t units = 0;

    while (*p != '\0') {
        size_t n = utf8_seq(p);

        if (n == 0) {
            units++;
            p++;
        } else {
            units += n == 4 ? 2 : 1;
            p += n;
        }
    }
    return units;
}

/*
 * The decoded length of a standard, padded base64 string, or -1 when s is not one (the form
 * every AWS SDK sends blobs in).
 */
static long long base64_length(const char *s)
{
    size_t len = strlen(s), i, pad = 0;

    if (len % 4 != 0)
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '=') {
            if (i < len - 2 || (i == len - 2 && s[len - 1] != '='))
                return -1;
            pad++;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/')) {
            return -1;
        }
    }
    return (long long)(len / 4 * 3 - pad);
}

static size_t child_count(const cJSON *v)
{
    size_t n = 0;
    const cJSON *c;

    for (c = v->child; c != NULL; c = c->next)
        n++;
    return n;
}

/* ---- paths ------------------------------------------------------------------------------- */

/* Append ".name" (or "name" at the top) with the first letter lowered. Returns the old length. */
static size_t path_push_member(struct walk *w, const char *name)
{
    size_t saved = w->path.len;
    char first[2] = {name[0], '\0'};

    if (saved > 0)
        text_puts(&w->path, ".");
    if (first[0] >= 'A' && first[0] <= 'Z')
        first[0] = (char)(first[0] - 'A' + 'a');
    text_puts(&w->path, first);
    if (name[0] != '\0')
        text_puts(&w->path, name + 1);
    return saved;
}

/* Append ".<n>.member" for list element n (1-based). Returns the old length. */
static size_t path_push_index(struct walk *w, size_t n)
{
    size_t saved = w->path.len;

    text_printf(&w->path, ".%zu.member", n);
    return saved;
}

/* Append ".<key>.member" for a map value. Returns the old length. */
static size_t path_push_key(struct walk *w, const char *key)
{
    size_t saved = w->path.len;

    text_puts(&w->path, ".");
    text_put_utf8(&w->path, key);
    text_puts(&w->path, ".member");
    return saved;
}

static void path_pop(struct walk *w, size_t saved)
{
    w->path.len = saved;
    w->path.buf[saved] = '\0';
    w->path.cut = false;
}

/* ---- reporting --------------------------------------------------------------------------- */

/*
 * Record one violation at the current path: "Value 'v' at 'path' failed to satisfy
 * constraint: <constraint>". value NULL means absent or null ("Value null"); a shape whose
 * value must not be echoed gives "Value at".
 */
static void violation(struct walk *w, const struct model_shape *shape, const cJSON *value,
                      const char *constraint)
{
    char vbuf[VALUE_CAP + 1];
    struct text v;

    if (w->violations >= MAX_VIOLATIONS)
        return;
    if (w->violations > 0)
        text_puts(&w->out, "; ");
    w->violations++;
    text_puts(&w->out, "Value ");
    if (value == NULL) {
        text_puts(&w->out, "null ");
    } else if (!(shape->flags & MODEL_REDACT)) {
        text_init(&v, vbuf, sizeof(vbuf));
        put_value(&v, value, 0);
        text_puts(&w->out, "'");
        text_puts(&w->out, vbuf);
        if (v.cut)
            text_puts(&w->out, "...");
        text_puts(&w->out, "' ");
    }
    text_puts(&w->out, "at '");
    text_puts(&w->out, w->path.buf);
    text_puts(&w->out, "' failed to satisfy constraint: ");
    text_puts(&w->out, constraint);
}

/* Stop the walk: the request does not deserialize. */
__attribute__((format(printf, 2, 3))) static void bad_type(struct walk *w, const char *fmt, ...)
{
    va_list ap;

    if (w->bad_type)
        return;
    w->bad_type = true;
    va_start(ap, fmt);
    vsnprintf(w->bad_type_msg, sizeof(w->bad_type_msg), fmt, ap);
    va_end(ap);
}

static bool is_number_type(const struct model_shape *s)
{
    return s->type == MODEL_INTEGER || s->type == MODEL_LONG || s->type == MODEL_FLOAT ||
           s->type == MODEL_DOUBLE;
}

/* Shapes validated one value at a time (as opposed to structures, lists, maps, documents). */
static bool is_scalar_type(const struct model_shape *s)
{
    return s->type != MODEL_STRUCTURE && s->type != MODEL_LIST && s->type != MODEL_MAP &&
           s->type != MODEL_DOCUMENT;
}

/* A bound as AWS prints it: "60" for integers, "1.0" for floating-point shapes. */
static void put_bound(struct text *t, const struct model_shape *s, long long bound)
{
    text_printf(t, "%lld", bound);
    if (s->type == MODEL_FLOAT || s->type == MODEL_DOUBLE)
        text_puts(t, ".0");
}

/* Append the wording of one constraint (a FAIL_* bit) of shape s. */
static void put_constraint(struct text *t, const struct model_shape *s, unsigned which)
{
    const char *kind = is_number_type(s) ? "value" : "length";
    uint16_t i;

    switch (which) {
    case FAIL_MIN:
        text_printf(t, "Member must have %s greater than or equal to ", kind);
        put_bound(t, s, (long long)s->min);
        break;
    case FAIL_MAX:
        text_printf(t, "Member must have %s less than or equal to ", kind);
        put_bound(t, s, (long long)s->max);
        break;
    case FAIL_PATTERN:
        text_puts(t, "Member must satisfy regular expression pattern: ");
        text_puts(t, model_patterns[s->pattern]);
        break;
    case FAIL_ENUM:
        text_puts(t, "Member must satisfy enum value set: [");
        for (i = 0; i < s->enum_count; i++) {
            if (i > 0)
                text_puts(t, ", ");
            text_puts(t, s->enum_values[i]);
        }
        text_puts(t, "]");
        break;
    default:
        break;
    }
}

/* The constraints shape s has at all, as FAIL_* bits. */
static unsigned constraints_of(const struct model_shape *s)
{
    unsigned all = 0;

    if (s->flags & MODEL_HAS_MIN)
        all |= FAIL_MIN;
    if (s->flags & MODEL_HAS_MAX)
        all |= FAIL_MAX;
    if (s->pattern >= 0)
        all |= FAIL_PATTERN;
    if (s->enum_count > 0)
        all |= FAIL_ENUM;
    return all;
}

/* One violation per failed constraint of a single value, in AWS's order. */
static void report_each(struct walk *w, const struct model_shape *s, const cJSON *v,
                        unsigned failed)
{
    static const unsigned order[] = {FAIL_MIN, FAIL_MAX, FAIL_PATTERN, FAIL_ENUM};
    char buf[TEXT_CAP];
    struct text t;
    size_t i;

    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(failed & order[i]))
            continue;
        text_init(&t, buf, sizeof(buf));
        put_constraint(&t, s, order[i]);
        violation(w, s, v, buf);
    }
}

/*
 * One violation at a list or map (container, value v) for elements, keys or values of shape
 * elem that failed: "<prefix>[<every constraint of elem>]", maximum before minimum as AWS
 * lists them, plus "Member must not be null" when an element was null.
 */
static void report_elements(struct walk *w, const struct model_shape *container, const cJSON *v,
                            const char *prefix, const struct model_shape *elem, bool null_seen)
{
    static const unsigned order[] = {FAIL_MAX, FAIL_MIN, FAIL_PATTERN, FAIL_ENUM};
    unsigned all = constraints_of(elem);
    char buf[TEXT_CAP];
    struct text t;
    bool first = true;
    size_t i;

    text_init(&t, buf, sizeof(buf));
    text_puts(&t, prefix);
    text_puts(&t, "[");
    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(all & order[i]))
            continue;
        if (!first)
            text_puts(&t, ", ");
        put_constraint(&t, elem, order[i]);
        first = false;
    }
    if (null_seen)
        text_puts(&t, first ? "Member must not be null" : ", Member must not be null");
    text_puts(&t, "]");
    violation(w, container, v, buf);
}

/* ---- checks ------------------------------------------------------------------------------ */

/* The FAIL_* constraints string s fails under shape sh (a string shape or a map key). */
static unsigned string_failures(struct walk *w, const struct model_shape *sh, const char *s)
{
    unsigned failed = 0;
    uint16_t i;

    if (sh->flags & (MODEL_HAS_MIN | MODEL_HAS_MAX)) {
        long long len = (long long)utf16_length(s);

        if ((sh->flags & MODEL_HAS_MIN) && len < sh->min)
            failed |= FAIL_MIN;
        if ((sh->flags & MODEL_HAS_MAX) && len > sh->max)
            failed |= FAIL_MAX;
    }
    if (sh->pattern >= 0 && !pattern_matches(w, sh->pattern, s, strlen(s)))
        failed |= FAIL_PATTERN;
    if (sh->enum_count > 0) {
        for (i = 0; i < sh->enum_count; i++)
            if (strcmp(s, sh->enum_values[i]) == 0)
                break;
        if (i == sh->enum_count)
            failed |= FAIL_ENUM;
    }
    return failed;
}

/* The FAIL_* constraints a scalar v (already of the right JSON type) fails under shape s. */
static unsigned scalar_failures(struct walk *w, const struct model_shape *s, const cJSON *v)
{
    unsigned failed = 0;

    switch (s->type) {
    case MODEL_STRING:
        return string_failures(w, s, v->valuestring);
    case MODEL_INTEGER:
    case MODEL_LONG:
    case MODEL_FLOAT:
    case MODEL_DOUBLE:
        if ((s->flags & MODEL_HAS_MIN) && v->valuedouble < (double)s->min)
            failed |= FAIL_MIN;
        if ((s->flags & MODEL_HAS_MAX) && v->valuedouble > (double)s->max)
            failed |= FAIL_MAX;
        return failed;
    case MODEL_BLOB: {
        long long len = base64_length(v->valuestring);

        if ((s->flags & MODEL_HAS_MIN) && len < s->min)
            failed |= FAIL_MIN;
        if ((s->flags & MODEL_HAS_MAX) && len > s->max)
            failed |= FAIL_MAX;
        return failed;
    }
    default:
        return 0;
    }
}

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsNumber(v))
        return "number";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsObject(v))
        return "object";
    return "null";
}

static const char *shape_type_name(const struct model_shape *s)
{
    switch (s->type) {
    case MODEL_STRUCTURE:
    case MODEL_MAP:
        return "object";
    case MODEL_LIST:
        return "array";
    case MODEL_STRING:
        return "string";
    case MODEL_INTEGER:
    case MODEL_LONG:
        return "integer";
    case MODEL_FLOAT:
    case MODEL_DOUBLE:
        return "number";
    case MODEL_BOOLEAN:
        return "boolean";
    case MODEL_BLOB:
        return "base64 string";
    case MODEL_TIMESTAMP:
        return "timestamp (epoch seconds or string)";
    default:
        return "value";
    }
}

/* Whether a number fits an integer shape: integral and within int32_t or int64_t. */
static bool integral_in_range(const struct model_shape *s, double d)
{
    if (s->type == MODEL_INTEGER) {
        if (!(d >= -2147483648.0 && d <= 2147483647.0))
            return false;
        return d == (double)(int32_t)d;
    }
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;
    return d == (double)(long long)d;
}

/* Check that v (not null) has the JSON type shape s needs; on mismatch stop the walk. */
static bool type_ok(struct walk *w, const struct model_shape *s, const cJSON *v)
{
    bool ok;

    switch (s->type) {
    case MODEL_STRUCTURE:
    case MODEL_MAP:
        ok = cJSON_IsObject(v);
        break;
    case MODEL_LIST:
        ok = cJSON_IsArray(v);
        break;
    case MODEL_STRING:
        ok = cJSON_IsString(v);
        break;
    case MODEL_INTEGER:
    case MODEL_LONG:
        if (cJSON_IsNumber(v) && !integral_in_range(s, v->valuedouble)) {
            char buf[40];
            struct text t;

            text_init(&t, buf, sizeof(buf));
            put_number(&t, v->valuedouble);
            bad_type(w,
                     "Unexpected value type in payload: expected %s at '%s', found number %s "
                     "(not an integer or out of range)",
                     s->type == MODEL_INTEGER ? "32-bit integer" : "64-bit integer", w->path.buf,
                     buf);
            return false;
        }
        ok = cJSON_IsNumber(v);
        break;
    case MODEL_FLOAT:
    case MODEL_DOUBLE:
        ok = cJSON_IsNumber(v) && v->valuedouble == v->valuedouble && v->valuedouble >= -DBL_MAX &&
             v->valuedouble <= DBL_MAX;
        break;
    case MODEL_BOOLEAN:
        ok = cJSON_IsBool(v);
        break;
    case MODEL_BLOB:
        if (cJSON_IsString(v) && base64_length(v->valuestring) < 0) {
            bad_type(w,
                     "Unexpected value type in payload: expected base64 string at '%s', found "
                     "string that is not valid base64",
                     w->path.buf);
            return false;
        }
        ok = cJSON_IsString(v);
        break;
    case MODEL_TIMESTAMP:
        ok = cJSON_IsNumber(v) || cJSON_IsString(v);
        break;
    default: /* MODEL_DOCUMENT: any JSON value */
        ok = true;
        break;
    }
    if (!ok)
        bad_type(w, "Unexpected value type in payload: expected %s at '%s', found %s",
                 shape_type_name(s), w->path.buf, json_type_name(v));
    return ok;
}

static void check_value(struct walk *w, int16_t shape, const cJSON *v, int depth);

/* Members in the model's order: required ones absent or null, then each present value. */
static void check_structure(struct walk *w, const struct model_shape *s, const cJSON *obj,
                            int depth)
{
    uint16_t i;

    for (i = 0; i < s->member_count && !w->bad_type; i++) {
        const struct model_member *m = &s->members[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, m->name);
        size_t saved = path_push_member(w, m->name);

        if (v == NULL || cJSON_IsNull(v)) {
            if (m->required)
                violation(w, &model_shapes[m->shape], NULL, "Member must not be null");
        } else {
            check_value(w, m->shape, v, depth + 1);
        }
        path_pop(w, saved);
    }
}

/* The element count of a list or map against the shape's length bounds. */
static void check_count(struct walk *w, const struct model_shape *s, const cJSON *v)
{
    long long n = (long long)child_count(v);
    unsigned failed = 0;

    if ((s->flags & MODEL_HAS_MIN) && n < s->min)
        failed |= FAIL_MIN;
    if ((s->flags & MODEL_HAS_MAX) && n > s->max)
        failed |= FAIL_MAX;
    if (failed)
        report_each(w, s, v, failed);
}

static void check_list(struct walk *w, const struct model_shape *s, const cJSON *v, int depth)
{
    const struct model_shape *elem = &model_shapes[s->element];
    bool scalar = is_scalar_type(elem), failed = false, null_seen = false;
    const cJSON *c;
    size_t n = 0;

    check_count(w, s, v);
    for (c = v->child; c != NULL && !w->bad_type; c = c->next) {
        size_t saved = path_push_index(w, ++n);

        if (cJSON_IsNull(c)) {
            if (scalar)
                null_seen = true;
            else
                violation(w, elem, NULL, "Member must not be null");
        } else if (!scalar) {
            check_value(w, s->element, c, depth + 1);
        } else if (type_ok(w, elem, c) && !failed && w->violations < MAX_VIOLATIONS) {
            failed = scalar_failures(w, elem, c) != 0;
        }
        path_pop(w, saved);
    }
    if (!w->bad_type && (failed || null_seen))
        report_elements(w, s, v, "Member must satisfy constraint: ", elem, null_seen);
}

/*
 * The maps whose null values Cognito takes as absent: a sign-in's AuthParameters and
 * ChallengeResponses. amazon-cognito-identity-js retries PASSWORD_VERIFIER with
 * "DEVICE_KEY": null after "Device does not exist." (amazon-cognito-identity-js#200, the
 * retry merged in #205), which only works if the service accepts it. Other maps refuse
 * nulls, as observed (Cognito Identity's Logins).
 */
static bool map_nulls_absent(const struct model_shape *s)
{
    static const char *const names[] = {"AuthParametersType", "ChallengeResponsesType"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(s->name, names[i]) == 0)
            return true;
    return false;
}

static void check_map(struct walk *w, const struct model_shape *s, const cJSON *v, int depth)
{
    const struct model_shape *key = &model_shapes[s->key];
    const struct model_shape *val = &model_shapes[s->element];
    bool scalar = is_scalar_type(val), key_failed = false, val_failed = false, null_seen = false;
    bool key_checks = constraints_of(key) != 0;
    const cJSON *c;

    check_count(w, s, v);
    for (c = v->child; c != NULL && !w->bad_type; c = c->next) {
        const char *k = c->string != NULL ? c->string : "";
        size_t saved;

        if (key_checks && !key_failed && w->violations < MAX_VIOLATIONS)
            key_failed = string_failures(w, key, k) != 0;
        if (scalar && cJSON_IsNull(c)) {
            null_seen |= !map_nulls_absent(s);
            continue;
        }
        saved = path_push_key(w, k);
        if (cJSON_IsNull(c))
            violation(w, val, NULL, "Member must not be null");
        else if (!scalar)
            check_value(w, s->element, c, depth + 1);
        else if (type_ok(w, val, c) && !val_failed && w->violations < MAX_VIOLATIONS)
            val_failed = scalar_failures(w, val, c) != 0;
        path_pop(w, saved);
    }
    if (w->bad_type)
        return;
    if (key_failed)
        report_elements(w, s, v, "Map keys must satisfy constraint: ", key, false);
    if (val_failed || null_seen)
        report_elements(w, s, v, "Map value must satisfy constraint: ", val, null_seen);
}

/* Check v, present and not null, against shape; the path names v. */
static void check_value(struct walk *w, int16_t shape, const cJSON *v, int depth)
{
    const struct model_shape *s = &model_shapes[shape];

    if (w->bad_type)
        return;
    if (depth > MAX_DEPTH) {
        bad_type(w, "Unexpected value in payload: nesting too deep at '%s'", w->path.buf);
        return;
    }
    if (!type_ok(w, s, v))
        return;
    switch (s->type) {
    case MODEL_STRUCTURE:
        check_structure(w, s, v, depth);
        break;
    case MODEL_LIST:
        check_list(w, s, v, depth);
        break;
    case MODEL_MAP:
        check_map(w, s, v, depth);
        break;
    case MODEL_DOCUMENT:
        break;
    default:
        if (w->violations < MAX_VIOLATIONS)
            report_each(w, s, v, scalar_failures(w, s, v));
        break;
    }
}

/* ---- entry points ------------------------------------------------------------------------ */

static const struct model_service *service_of(enum aws_service svc)
{
    switch (svc) {
    case SVC_IDP:
        return &model_service_idp;
    case SVC_IDENTITY:
        return &model_service_identity;
    }
    return NULL;
}

/* Binary search of the service's sorted operation table; NULL when absent. */
static const struct model_operation *find_operation(enum aws_service svc, const char *name)
{
    const struct model_service *service = service_of(svc);
    size_t lo = 0, hi;

    if (service == NULL || name == NULL)
        return NULL;
    hi = service->operation_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(name, service->operations[mid].name);

        if (cmp == 0)
            return &service->operations[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool params_has_operation(enum aws_service svc, const char *operation)
{
    return find_operation(svc, operation) != NULL;
}

/*
 * See params.h. Beyond the codes listed there: COG_E_UNKNOWN_OPERATION when the model has no
 * such operation (the dispatcher asks params_has_operation() first, so this is a caller bug),
 * and COG_E_INTERNAL_ERROR when PCRE2 cannot allocate its match block. A NULL input is
 * validated as an empty object.
 */
enum cog_error params_validate(enum aws_service svc, const char *operation, const cJSON *input,
                               struct cog_err *err)
{
    const struct model_operation *op = find_operation(svc, operation);
    enum cog_error code = COG_OK;
    struct walk w;

    if (op == NULL) {
        cog_err_set(err, COG_E_UNKNOWN_OPERATION, "Unknown operation %s",
                    operation != NULL ? operation : "(null)");
        return COG_E_UNKNOWN_OPERATION;
    }
    if (op->input < 0)
        return COG_OK;

    text_init(&w.path, w.path_buf, sizeof(w.path_buf));
    text_init(&w.out, w.out_buf, sizeof(w.out_buf));
    w.violations = 0;
    w.bad_type = false;
    w.bad_type_msg[0] = '\0';
    w.oom = false;
    w.match = NULL;

    if (input == NULL)
        check_structure(&w, &model_shapes[op->input], NULL, 0);
    else
        check_value(&w, op->input, input, 0);
    pcre2_match_data_free(w.match);

    if (w.bad_type) {
        code = COG_E_SERIALIZATION;
        cog_err_set(err, code, "%s", w.bad_type_msg);
    } else if (w.oom) {
        code = COG_E_INTERNAL_ERROR;
        cog_err_set(err, code, "Out of memory while validating the request");
    } else if (w.violations > 0) {
        code = COG_E_INVALID_PARAMETER;
        cog_err_set(err, code, "%d validation error%s detected: %s", w.violations,
                    w.violations == 1 ? "" : "s", w.out_buf);
    }
    return code;
}
