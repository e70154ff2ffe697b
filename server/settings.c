/*
 * settings: flags and environment variables into a struct settings. See settings.h.
 *
 * Each option has one row in a table: its flag, its environment variable and how to apply
 * its value, so --help, the environment and the flags cannot drift apart.
 */
#include "config.h"

#include "settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_FILE_NAME "cognito-emu.db"

struct option_row {
    const char *flag; /* long option name */
    const char *env;  /* environment variable */
    const char *arg;  /* argument name for --help */
    const char *help;
    int (*apply)(struct settings *s, const char *value);
};

static int copy_into(char *dst, size_t n, const char *value)
{
    size_t len = strlen(value);
    if (len == 0 || len >= n)
        return -1;
    memcpy(dst, value, len + 1);
    return 0;
}

static int parse_int(const char *value, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A TCP port number (0 included) into *out; 0, or -1. */
static int parse_port(const char *value, int *out)
{
    long v;
    if (parse_int(value, 0, 65535, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

static int apply_port(struct settings *s, const char *v)
{
    return parse_port(v, &s->port);
}

static int apply_bind(struct settings *s, const char *v)
{
    return copy_into(s->bind, sizeof(s->bind), v);
}

static int apply_data_dir(struct settings *s, const char *v)
{
    int n = snprintf(s->db_path, sizeof(s->db_path), "%s/%s", v, DB_FILE_NAME);
    return n > 0 && (size_t)n < sizeof(s->db_path) && v[0] != '\0' ? 0 : -1;
}

static int apply_db(struct settings *s, const char *v)
{
    return copy_into(s->db_path, sizeof(s->db_path), v);
}

static int apply_region(struct settings *s, const char *v)
{
    /* Region names are lower-case letters, digits and dashes (us-east-1, eu-central-2). */
    if (strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v))
        return -1;
    return copy_into(s->region, sizeof(s->region), v);
}

static int apply_account_id(struct settings *s, const char *v)
{
    if (strlen(v) != 12 || strspn(v, "0123456789") != 12)
        return -1;
    return copy_into(s->account_id, sizeof(s->account_id), v);
}

static int apply_public_url(struct settings *s, const char *v)
{
    size_t len = strlen(v);
    if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
        return -1;
    if (copy_into(s->public_url, sizeof(s->public_url), v) != 0)
        return -1;
    /* The base URL is joined with "/<poolId>": keep it without a trailing slash. */
    while (len > 0 && s->public_url[len - 1] == '/')
        s->public_url[--len] = '\0';
    s->public_url_set = 1;
    return 0;
}

static int apply_threads(struct settings *s, const char *v)
{
    long n;
    if (parse_int(v, 1, 256, &n) != 0)
        return -1;
    s->threads = (int)n;
    return 0;
}

static int apply_log_level(struct settings *s, const char *v)
{
    return log_level_parse(v, &s->log_level);
}

static int apply_max_body(struct settings *s, const char *v)
{
    long n;
    if (parse_int(v, 1024, 64L * 1024 * 1024, &n) != 0)
        return -1;
    s->max_body = (size_t)n;
    return 0;
}

static int apply_idle_timeout(struct settings *s, const char *v)
{
    long n;
    if (parse_int(v, 1, 3600, &n) != 0)
        return -1;
    s->idle_timeout = (unsigned)n;
    return 0;
}

static int apply_issuer(struct settings *s, const char *v)
{
    if (strcmp(v, "local") != 0 && strcmp(v, "aws") != 0)
        return -1;
    s->aws_issuer = strcmp(v, "aws") == 0;
    return 0;
}

static int apply_fixtures(struct settings *s, const char *v)
{
    return copy_into(s->fixtures, sizeof(s->fixtures), v);
}

static int apply_fixed_code(struct settings *s, const char *v)
{
    if (strlen(v) != 6 || strspn(v, "0123456789") != 6)
        return -1;
    return copy_into(s->fixed_code, sizeof(s->fixed_code), v);
}

/* A URL of an AWS Lambda Invoke API endpoint (http or https, no path), or "none". */
static int apply_lambda_endpoint(struct settings *s, const char *v)
{
    size_t n = strlen(v);

    if (strcmp(v, "none") != 0 && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
        return -1;
    while (n > 0 && v[n - 1] == '/') /* "http://h:3002/" means "http://h:3002" */
        n--;
    if (n >= sizeof(s->lambda_endpoint))
        return -1;
    memcpy(s->lambda_endpoint, v, n);
    s->lambda_endpoint[n] = '\0';
    return 0;
}

/* "auto" for any free port, else a port number (0: no HTTPS listener). */
static int apply_tls_port(struct settings *s, const char *v)
{
    if (strcmp(v, "auto") != 0)
        return parse_port(v, &s->tls_port);
    s->tls_port = SETTINGS_TLS_PORT_ANY;
    return 0;
}

static int apply_tls_cert(struct settings *s, const char *v)
{
    return copy_into(s->tls_cert, sizeof(s->tls_cert), v);
}

static int apply_tls_key(struct settings *s, const char *v)
{
    return copy_into(s->tls_key, sizeof(s->tls_key), v);
}

static const struct option_row options[] = {
    {"port", "COGNITO_EMU_PORT", "PORT", "TCP port to listen on; 0 picks a free one (9229)",
     apply_port},
    {"bind", "COGNITO_EMU_BIND", "ADDR", "address to bind (127.0.0.1; 0.0.0.0 for all)",
     apply_bind},
    {"data-dir", "COGNITO_EMU_DATA_DIR", "DIR",
     "directory of the database file " DB_FILE_NAME " (./.cognito-emu)", apply_data_dir},
    {"db", "COGNITO_EMU_DB", "PATH", "database file instead, or :memory: for a throwaway one",
     apply_db},
    {"region", "COGNITO_EMU_REGION", "REGION",
     "region for requests that are not SigV4-signed (us-east-1)", apply_region},
    {"account-id", "COGNITO_EMU_ACCOUNT_ID", "ID", "12-digit account id in ARNs (123456789012)",
     apply_account_id},
    {"public-url", "COGNITO_EMU_PUBLIC_URL", "URL",
     "base URL clients reach the emulator at, for issuers (http://localhost:PORT)",
     apply_public_url},
    {"issuer", "COGNITO_EMU_ISSUER", "local|aws",
     "token issuer: <public URL>/<pool> (local) or AWS's https://cognito-idp.<region>... (aws)",
     apply_issuer},
    {"threads", "COGNITO_EMU_THREADS", "N", "worker threads (number of cores)", apply_threads},
    {"log-level", "COGNITO_EMU_LOG_LEVEL", "LEVEL", "debug, info, warn or error (info)",
     apply_log_level},
    {"max-body", "COGNITO_EMU_MAX_BODY", "BYTES", "largest request body accepted (1048576)",
     apply_max_body},
    {"idle-timeout", "COGNITO_EMU_IDLE_TIMEOUT", "SECONDS", "close connections idle this long (30)",
     apply_idle_timeout},
    {"fixtures", "COGNITO_EMU_FIXTURES", "PATH",
     "fixture file, or directory of *.json, loaded at start and on reset (none)", apply_fixtures},
    {"fixed-code", "COGNITO_EMU_FIXED_CODE", "CODE",
     "send this 6-digit code in every message instead of random ones (off)", apply_fixed_code},
    {"lambda-endpoint", "COGNITO_EMU_LAMBDA_ENDPOINT", "URL|none",
     "AWS Lambda Invoke API that runs the pools' triggers, e.g. http://127.0.0.1:3002 (unset)",
     apply_lambda_endpoint},
    {"tls-port", "COGNITO_EMU_TLS_PORT", "PORT|auto",
     "also serve every route over HTTPS on this port; auto picks a free one (off)", apply_tls_port},
    {"tls-cert", "COGNITO_EMU_TLS_CERT", "FILE",
     "HTTPS certificate (PEM, chain may follow), with --tls-key (self-signed, in the data dir)",
     apply_tls_cert},
    {"tls-key", "COGNITO_EMU_TLS_KEY", "FILE", "private key of --tls-cert (PEM, unencrypted)",
     apply_tls_key},
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void set_defaults(struct settings *s)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    memset(s, 0, sizeof(*s));
    s->port = 9229;
    memcpy(s->bind, "127.0.0.1", sizeof("127.0.0.1"));
    apply_data_dir(s, "./.cognito-emu");
    memcpy(s->region, "us-east-1", sizeof("us-east-1"));
    memcpy(s->account_id, "123456789012", sizeof("123456789012"));
    s->threads = cores > 0 && cores <= 256 ? (int)cores : 2;
    s->log_level = LOG_LEVEL_INFO;
    s->max_body = 1024 * 1024;
    s->idle_timeout = 30;
}

static void print_help(void)
{
    printf("Usage: cognito-emu [OPTION]...\n"
           "A local emulator of Amazon Cognito user pools and identity pools.\n\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s %s", options[i].flag, options[i].arg);
        printf("  %-26s %s\n  %-26s [env %s]\n", left, options[i].help, "", options[i].env);
    }
    printf("  %-26s exit 0 when the server at URL (default: this port on 127.0.0.1)\n"
           "  %-26s answers GET /health, else 1 (for container health checks)\n",
           "--healthcheck[=URL]", "");
    printf("  %-26s show this help\n  %-26s show the version\n", "--help", "--version");
}

static int apply_or_complain(struct settings *s, const struct option_row *row, const char *value,
                             const char *source)
{
    if (row->apply(s, value) == 0)
        return 0;
    fprintf(stderr, "cognito-emu: invalid value '%s' for %s (%s)\n", value, source, row->help);
    return -1;
}

enum settings_result settings_parse(struct settings *s, int argc, char **argv)
{
    struct option longopts[NOPTIONS + 4];
    const char *healthcheck = NULL;
    int c;

    set_defaults(s);
    for (size_t i = 0; i < NOPTIONS; i++) {
        const char *v = getenv(options[i].env);
        if (v != NULL && *v != '\0' && apply_or_complain(s, &options[i], v, options[i].env) != 0)
            return SETTINGS_EXIT_USAGE;
        longopts[i] = (struct option){options[i].flag, required_argument, NULL, (int)i};
    }
    longopts[NOPTIONS] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[NOPTIONS + 1] = (struct option){"version", no_argument, NULL, 'V'};
    longopts[NOPTIONS + 2] = (struct option){"healthcheck", optional_argument, NULL, 'H'};
    longopts[NOPTIONS + 3] = (struct option){NULL, 0, NULL, 0};

    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'h') {
            print_help();
            return SETTINGS_EXIT_OK;
        }
        if (c == 'H') {
            healthcheck = optarg ? optarg : "";
            continue;
        }
        if (c == 'V') {
            printf("cognito-emu %s\n", PACKAGE_VERSION);
            return SETTINGS_EXIT_OK;
        }
        if (c < 0 || (size_t)c >= NOPTIONS) {
            fprintf(stderr, "Try 'cognito-emu --help'.\n");
            return SETTINGS_EXIT_USAGE;
        }
        char source[64];
        snprintf(source, sizeof(source), "--%s", options[c].flag);
        if (apply_or_complain(s, &options[c], optarg, source) != 0)
            return SETTINGS_EXIT_USAGE;
    }
    if (healthcheck != NULL) {
        /* Without a URL, probe this configuration's own port on the loopback address. */
        if (*healthcheck != '\0')
            snprintf(s->healthcheck_url, sizeof(s->healthcheck_url), "%s", healthcheck);
        else
            snprintf(s->healthcheck_url, sizeof(s->healthcheck_url), "http://127.0.0.1:%d/health",
                     s->port);
        return SETTINGS_HEALTHCHECK;
    }
    if ((s->tls_cert[0] == '\0') != (s->tls_key[0] == '\0')) {
        fprintf(stderr, "cognito-emu: --tls-cert and --tls-key go together (or neither, for a "
                        "self-signed certificate)\n");
        return SETTINGS_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "cognito-emu: unexpected argument '%s'\nTry 'cognito-emu --help'.\n",
                argv[optind]);
        return SETTINGS_EXIT_USAGE;
    }
    return SETTINGS_RUN;
}

void settings_set_port(struct settings *s, int bound_port)
{
    s->port = bound_port;
    if (!s->public_url_set)
        snprintf(s->public_url, sizeof(s->public_url), "http://localhost:%d", bound_port);
}

void settings_set_tls_port(struct settings *s, int bound_port)
{
    s->tls_port = bound_port;
    snprintf(s->tls_url, sizeof(s->tls_url), "https://localhost:%d", bound_port);
}

const char *settings_public_url(const struct settings *s, bool tls)
{
    return tls && !s->public_url_set && s->tls_url[0] != '\0' ? s->tls_url : s->public_url;
}

void settings_public_host(const struct settings *s, char *out, size_t n)
{
    const char *host = strstr(s->public_url, "://");
    size_t len;

    out[0] = '\0';
    if (!s->public_url_set || host == NULL)
        return;
    host += 3;
    if (*host == '[') /* an IPv6 address */
        len = strcspn(++host, "]");
    else
        len = strcspn(host, ":/?#");
    /* Letters, digits, dots, dashes, and the colons of an IPv6 address: nothing that could
     * change the meaning of the certificate's name list. */
    if (len == 0 || len >= n ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") < len)
        return;
    memcpy(out, host, len);
    out[len] = '\0';
}

int settings_data_dir(const struct settings *s, char *out, size_t n)
{
    const char *slash = strrchr(s->db_path, '/');
    size_t len = slash == NULL ? 1 : (slash == s->db_path ? 1 : (size_t)(slash - s->db_path));

    if (strcmp(s->db_path, ":memory:") == 0 || len >= n)
        return -1;
    memcpy(out, slash == NULL ? "." : s->db_path, len); /* "/x.db" lives in "/" */
    out[len] = '\0';
    return 0;
}

void settings_issuer(const struct settings *s, const char *pool_id, char *out, size_t n)
{
    size_t region_len = strcspn(pool_id, "_");

    if (s->aws_issuer)
        snprintf(out, n, "https://cognito-idp.%.*s.amazonaws.com/%s", (int)region_len, pool_id,
                 pool_id);
    else
        snprintf(out, n, "%s/%s", s->public_url, pool_id);
}
