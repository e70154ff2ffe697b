/*
 * check_tls: the HTTPS listener (--tls-port). The whole server started in-process with an
 * ephemeral TLS port, driven by libcurl with and without trusting the certificate; the made
 * certificate's names and extensions read back with OpenSSL; its reuse across restarts; the
 * failures that must stop the start (a missing or mismatched pair); and, under the frame, the
 * HTTP server telling a handler which listener a request came in on.
 */
#include "config.h"

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/tls_cert.h"
#include "http/http.h"
#include "util/log.h"
#include "server.h"
#include "testutil.h"

static struct settings settings;
static struct server *srv;
static const struct tls_names us_east_1 = {.region = "us-east-1"};

/* Parse cognito-emu --port 0 --threads 2 --log-level error plus extra (NULL-ended) and start. */
static int start(const char *const *extra)
{
    const char *argv[32] = {"cognito-emu", "--port", "0", "--threads", "2", "--log-level", "error"};
    int argc = 7;

    for (; *extra != NULL; extra++)
        argv[argc++] = *extra;
    argv[argc] = NULL;
    ck_assert_int_eq(settings_parse(&settings, argc, (char **)argv), SETTINGS_RUN);
    srv = NULL;
    return server_start(&settings, &srv);
}

static void stop(void)
{
    server_stop(srv);
    srv = NULL;
}

/* A new empty directory (the caller removes it with rm_dir()). */
static void make_dir(char *dir, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, n, "%s/check-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_dir(const char *dir)
{
    const char *names[] = {"cognito-emu.db", "cognito-emu.db-wal", "cognito-emu.db-shm",
                           TLS_CERT_FILE, TLS_KEY_FILE};
    char path[4200];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The whole file at path as a new string (free()); fails the test when unreadable. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    char *text = calloc(1, 65536);

    ck_assert_msg(fp != NULL, "cannot open %s", path);
    ck_assert_uint_lt(fread(text, 1, 65535, fp), 65535);
    fclose(fp);
    return text;
}

struct fetched {
    CURLcode rc;
    long status;
    char body[65536];
    size_t len;
};

static size_t take(char *data, size_t size, size_t nmemb, void *arg)
{
    struct fetched *f = arg;
    size_t n = size * nmemb;

    if (n > sizeof(f->body) - 1 - f->len)
        n = sizeof(f->body) - 1 - f->len;
    memcpy(f->body + f->len, data, n);
    f->len += n;
    f->body[f->len] = '\0';
    return size * nmemb;
}

/*
 * GET url, or POST body as the AWS operation target when target is set; verify the server
 * with the certificate file cainfo (NULL: libcurl's default trust store).
 */
static void fetch(const char *url, const char *cainfo, const char *target, const char *body,
                  struct fetched *out)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char target_header[160];

    memset(out, 0, sizeof(*out));
    ck_assert_ptr_nonnull(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    if (cainfo != NULL)
        curl_easy_setopt(curl, CURLOPT_CAINFO, cainfo);
    if (target != NULL) {
        snprintf(target_header, sizeof(target_header), "X-Amz-Target: %s", target);
        headers = curl_slist_append(headers, "Content-Type: application/x-amz-json-1.1");
        headers = curl_slist_append(headers, target_header);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }
    out->rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}

/* The server's HTTPS URL for path, by host name (localhost) or address. */
static void tls_url(const char *host, const char *path, char *out, size_t n)
{
    snprintf(out, n, "https://%s:%d%s", host, server_tls_port(srv), path);
}

START_TEST(test_tls_serves_the_same_routes_to_a_client_that_trusts_the_cert)
{
    char dir[256], url[128], plain[128], pool[128];
    struct fetched f;

    make_dir(dir, sizeof(dir));
    const char *args[] = {"--data-dir", dir, "--tls-port", "auto", NULL};
    ck_assert_int_eq(start(args), 0);
    ck_assert_int_gt(server_tls_port(srv), 0);
    ck_assert_int_ne(server_tls_port(srv), server_port(srv));
    const char *cert = server_tls_cert_path(srv);
    ck_assert_ptr_nonnull(cert);
    ck_assert_str_eq(strrchr(cert, '/') + 1, TLS_CERT_FILE);

    tls_url("localhost", "/health", url, sizeof(url));
    fetch(url, cert, NULL, NULL, &f);
    ck_assert_msg(f.rc == CURLE_OK, "%s", curl_easy_strerror(f.rc));
    ck_assert_int_eq(f.status, 200);
    ck_assert_ptr_nonnull(strstr(f.body, "\"ok\""));
    tls_url("127.0.0.1", "/health", url, sizeof(url)); /* the IP address SAN */
    fetch(url, cert, NULL, NULL, &f);
    ck_assert_int_eq(f.rc, CURLE_OK);

    /* An AWS call over HTTPS; the pool it made is the one plain HTTP sees. */
    tls_url("localhost", "/", url, sizeof(url));
    fetch(url, cert, IDP "CreateUserPool", "{\"PoolName\":\"tls\"}", &f);
    ck_assert_int_eq(f.rc, CURLE_OK);
    ck_assert_msg(f.status == 200, "%ld %s", f.status, f.body);
    cJSON *json = cJSON_Parse(f.body);
    snprintf(pool, sizeof(pool), "{\"UserPoolId\":\"%s\"}", tu_str(tu_get(json, "UserPool"), "Id"));
    cJSON_Delete(json);
    snprintf(plain, sizeof(plain), "http://127.0.0.1:%d/", server_port(srv));
    fetch(plain, NULL, IDP "DescribeUserPool", pool, &f);
    ck_assert_msg(f.status == 200, "%ld %s", f.status, f.body);
    ck_assert_ptr_nonnull(strstr(f.body, "\"tls\""));

    ck_assert_str_eq(settings_public_url(&settings, false), settings.public_url);
    snprintf(url, sizeof(url), "https://localhost:%d", server_tls_port(srv));
    ck_assert_str_eq(settings_public_url(&settings, true), url);
    stop();
    rm_dir(dir);
}
END_TEST

START_TEST(test_tls_refuses_a_client_that_does_not_trust_the_cert)
{
    char dir[256], other[256], url[128];
    struct tls_cert stranger;
    char err[512];
    struct fetched f;

    make_dir(dir, sizeof(dir));
    make_dir(other, sizeof(other));
    ck_assert_int_eq(tls_cert_kept(&stranger, other, &us_east_1, err, sizeof(err)), 0);
    const char *args[] = {"--data-dir", dir, "--tls-port", "auto", NULL};
    ck_assert_int_eq(start(args), 0);
    tls_url("localhost", "/health", url, sizeof(url));

    fetch(url, stranger.path, NULL, NULL, &f); /* another self-signed certificate */
    ck_assert_int_eq(f.rc, CURLE_PEER_FAILED_VERIFICATION);
    fetch(url, NULL, NULL, NULL, &f); /* the system's trust store */
    ck_assert_int_ne(f.rc, CURLE_OK);
    ck_assert_int_eq(f.status, 0);

    stop();
    tls_cert_free(&stranger);
    rm_dir(dir);
    rm_dir(other);
}
END_TEST

/* The certificate at path, parsed; fails the test when it is not one. */
static X509 *read_cert(const char *path)
{
    FILE *fp = fopen(path, "r");
    X509 *x = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;

    if (fp != NULL)
        fclose(fp);
    ck_assert_msg(x != NULL, "no certificate in %s", path);
    return x;
}

START_TEST(test_tls_made_cert_names_localhost_and_the_region_domains)
{
    char dir[256];

    make_dir(dir, sizeof(dir));
    const char *args[] = {"--data-dir", dir,         "--tls-port",   "auto",
                          "--region",   "eu-west-2", "--public-url", "http://cognito:9229",
                          NULL};
    ck_assert_int_eq(start(args), 0);
    X509 *x = read_cert(server_tls_cert_path(srv));

    ck_assert_int_eq(X509_check_host(x, "localhost", 0, 0, NULL), 1);
    ck_assert_int_eq(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    ck_assert_int_eq(X509_check_ip_asc(x, "::1", 0), 1);
    ck_assert_int_eq(X509_check_host(x, "myapp.auth.eu-west-2.amazoncognito.com", 0, 0, NULL), 1);
    ck_assert_int_eq(X509_check_host(x, "cognito-idp.eu-west-2.amazonaws.com", 0, 0, NULL), 1);
    ck_assert_int_ne(X509_check_host(x, "myapp.auth.us-east-1.amazoncognito.com", 0, 0, NULL), 1);
    ck_assert_int_eq(X509_check_host(x, "cognito", 0, 0, NULL), 1); /* --public-url's host */
    ck_assert_int_ne(X509_check_host(x, "example.com", 0, 0, NULL), 1);
    ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
    ck_assert_int_eq(X509_check_ca(x), 0);                                  /* not a CA */
    ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1); /* serverAuth */
    ck_assert(X509_get_extended_key_usage(x) == XKU_SSL_SERVER);
    /* Valid now, and for years. */
    time_t in_two_years = time(NULL) + 2L * 365 * 86400;
    ck_assert_int_lt(X509_cmp_current_time(X509_get0_notBefore(x)), 0);
    ck_assert_int_gt(X509_cmp_time(X509_get0_notAfter(x), &in_two_years), 0);
    X509_free(x);

    /* The key stays with its owner. */
    char key[300];
    struct stat st;
    snprintf(key, sizeof(key), "%s/%s", dir, TLS_KEY_FILE);
    ck_assert_int_eq(stat(key, &st), 0);
    ck_assert_int_eq(st.st_mode & 077, 0);
    stop();
    rm_dir(dir);
}
END_TEST

START_TEST(test_tls_restart_reuses_the_kept_cert)
{
    char dir[256], url[128], path[300];
    struct fetched f;

    make_dir(dir, sizeof(dir));
    const char *args[] = {"--data-dir", dir, "--tls-port", "auto", NULL};
    ck_assert_int_eq(start(args), 0);
    snprintf(path, sizeof(path), "%s", server_tls_cert_path(srv));
    char *first = slurp(path);
    stop();

    ck_assert_int_eq(start(args), 0);
    ck_assert_str_eq(server_tls_cert_path(srv), path);
    char *second = slurp(path);
    ck_assert_str_eq(first, second);
    tls_url("localhost", "/health", url, sizeof(url));
    fetch(url, path, NULL, NULL, &f); /* a client that trusted the first still trusts it */
    ck_assert_int_eq(f.rc, CURLE_OK);
    stop();

    /* Another region's domains are not in it: a new certificate replaces it. */
    const char *other_region[] = {"--data-dir", dir,          "--tls-port", "auto",
                                  "--region",   "ap-south-1", NULL};
    ck_assert_int_eq(start(other_region), 0);
    char *third = slurp(path);
    ck_assert_str_ne(first, third);
    stop();
    /* So is a new --public-url host; the same one again keeps it. */
    const char *named[] = {"--data-dir", dir,          "--tls-port",   "auto",
                           "--region",   "ap-south-1", "--public-url", "http://emu:9229",
                           NULL};
    ck_assert_int_eq(start(named), 0);
    char *fourth = slurp(path);
    ck_assert_str_ne(third, fourth);
    stop();
    ck_assert_int_eq(start(named), 0);
    char *fifth = slurp(path);
    ck_assert_str_eq(fourth, fifth);
    stop();
    free(first);
    free(second);
    free(third);
    free(fourth);
    free(fifth);
    rm_dir(dir);
}
END_TEST

START_TEST(test_tls_serves_the_given_cert_and_key)
{
    char dir[256], url[128], cert[300], key[300], err[512];
    struct tls_cert made;
    struct fetched f;

    make_dir(dir, sizeof(dir));
    ck_assert_int_eq(tls_cert_kept(&made, dir, &us_east_1, err, sizeof(err)), 0);
    tls_cert_free(&made);
    snprintf(cert, sizeof(cert), "%s/%s", dir, TLS_CERT_FILE);
    snprintf(key, sizeof(key), "%s/%s", dir, TLS_KEY_FILE);
    const char *args[] = {"--db", ":memory:",  "--tls-port", "auto", "--tls-cert",
                          cert,   "--tls-key", key,          NULL};
    ck_assert_int_eq(start(args), 0);
    ck_assert_str_eq(server_tls_cert_path(srv), cert);
    tls_url("localhost", "/health", url, sizeof(url));
    fetch(url, cert, NULL, NULL, &f);
    ck_assert_int_eq(f.rc, CURLE_OK);
    ck_assert_int_eq(f.status, 200);
    stop();
    rm_dir(dir);
}
END_TEST

START_TEST(test_tls_bad_cert_or_key_fails_the_start)
{
    char a[256], b[256], cert_a[300], key_b[300], err[512];
    struct tls_cert made;

    const char *missing[] = {"--db",       ":memory:",
                             "--tls-port", "auto",
                             "--tls-cert", "/nonexistent/cert.pem",
                             "--tls-key",  "/nonexistent/key.pem",
                             NULL};
    ck_assert_int_eq(start(missing), -1);
    ck_assert_ptr_null(srv);

    /* Two made pairs: the certificate of one with the key of the other. */
    make_dir(a, sizeof(a));
    make_dir(b, sizeof(b));
    ck_assert_int_eq(tls_cert_kept(&made, a, &us_east_1, err, sizeof(err)), 0);
    tls_cert_free(&made);
    ck_assert_int_eq(tls_cert_kept(&made, b, &us_east_1, err, sizeof(err)), 0);
    tls_cert_free(&made);
    snprintf(cert_a, sizeof(cert_a), "%s/%s", a, TLS_CERT_FILE);
    snprintf(key_b, sizeof(key_b), "%s/%s", b, TLS_KEY_FILE);
    ck_assert_int_eq(tls_cert_load(&made, cert_a, key_b, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "is not the key of the certificate"));
    const char *mismatched[] = {"--db", ":memory:",  "--tls-port", "auto", "--tls-cert",
                                cert_a, "--tls-key", key_b,        NULL};
    ck_assert_int_eq(start(mismatched), -1);

    /* A kept pair that no longer matches is reported, not silently replaced. */
    FILE *fp = fopen(key_b, "w");
    fputs("not a key\n", fp);
    fclose(fp);
    ck_assert_int_eq(tls_cert_kept(&made, b, &us_east_1, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "no unencrypted PEM private key"));
    const char *broken[] = {"--data-dir", b, "--tls-port", "auto", NULL};
    ck_assert_int_eq(start(broken), -1);
    rm_dir(a);
    rm_dir(b);
}
END_TEST

START_TEST(test_tls_memory_database_uses_a_temporary_cert)
{
    char path[4096], url[128];
    struct stat st;
    struct fetched f;

    const char *args[] = {"--db", ":memory:", "--tls-port", "auto", NULL};
    ck_assert_int_eq(start(args), 0);
    snprintf(path, sizeof(path), "%s", server_tls_cert_path(srv));
    ck_assert_ptr_nonnull(strstr(path, "cognito-emu-tls-"));
    ck_assert_int_eq(stat(path, &st), 0);
    tls_url("localhost", "/health", url, sizeof(url));
    fetch(url, path, NULL, NULL, &f);
    ck_assert_int_eq(f.rc, CURLE_OK);
    stop();
    ck_assert_int_ne(stat(path, &st), 0); /* gone with the server */
}
END_TEST

START_TEST(test_tls_is_off_by_default)
{
    const char *args[] = {"--db", ":memory:", NULL};

    ck_assert_int_eq(start(args), 0);
    ck_assert_int_eq(server_tls_port(srv), 0);
    ck_assert_ptr_null(server_tls_cert_path(srv));
    ck_assert_str_eq(settings.tls_url, "");
    ck_assert_str_eq(settings_public_url(&settings, true), settings.public_url);
    stop();
}
END_TEST

/* A handler that answers which listener the request came in on. */
static void which_listener(void *arg, const struct http_request *req, struct http_response *resp)
{
    (void)arg;
    http_response_set_json(resp, 200, "text/plain", http_request_is_tls(req) ? "tls" : "plain");
}

START_TEST(test_tls_request_knows_its_listener)
{
    struct tls_cert cert;
    struct http_server *http = NULL;
    char err[512], url[128];
    struct fetched f;

    ck_assert_int_eq(tls_cert_temporary(&cert, &us_east_1, err, sizeof(err)), 0);
    for (int wait = 0; wait < 2; wait++) { /* handlers on the event loops, then off them */
        struct http_config cfg = {.bind = "127.0.0.1",
                                  .threads = 2,
                                  .max_body = 1024,
                                  .idle_timeout = 5,
                                  .handler = which_listener,
                                  .too_large = which_listener,
                                  .handlers_wait = wait == 1,
                                  .tls = true,
                                  .tls_cert_pem = cert.cert_pem,
                                  .tls_key_pem = cert.key_pem};
        ck_assert_int_eq(http_start(&cfg, &http), 0);
        snprintf(url, sizeof(url), "https://localhost:%d/x", http_tls_port(http));
        fetch(url, cert.path, NULL, NULL, &f);
        ck_assert_int_eq(f.rc, CURLE_OK);
        ck_assert_str_eq(f.body, "tls");
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", http_port(http));
        fetch(url, NULL, NULL, NULL, &f);
        ck_assert_str_eq(f.body, "plain");
        http_stop(http);
    }
    ck_assert(!http_request_is_tls(&(struct http_request){.method = "GET", .path = "/"}));
    tls_cert_free(&cert);
}
END_TEST

/* settings_parse() of cognito-emu with up to two arguments (NULL: fewer). */
static enum settings_result parse(struct settings *s, const char *a1, const char *a2)
{
    const char *argv[] = {"cognito-emu", a1, a2, NULL};
    int argc = a1 == NULL ? 1 : (a2 == NULL ? 2 : 3);

    return settings_parse(s, argc, (char **)argv);
}

/* The data directory of --db path, or "-" when it has none. */
static const char *data_dir_of(const char *path, char *dir, size_t n)
{
    struct settings s;

    ck_assert_int_eq(parse(&s, "--db", path), SETTINGS_RUN);
    if (settings_data_dir(&s, dir, n) != 0)
        snprintf(dir, n, "-");
    return dir;
}

/* settings_public_host() of --public-url url. */
static const char *public_host_of(const char *url, char *host, size_t n)
{
    struct settings s;

    ck_assert_int_eq(parse(&s, "--public-url", url), SETTINGS_RUN);
    settings_public_host(&s, host, n);
    return host;
}

START_TEST(test_tls_settings)
{
    struct settings s;
    char dir[4096];

    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_int_eq(s.tls_port, 0); /* off unless asked */
    ck_assert_int_eq(parse(&s, "--tls-port", "auto"), SETTINGS_RUN);
    ck_assert_int_eq(s.tls_port, SETTINGS_TLS_PORT_ANY);
    ck_assert_int_eq(parse(&s, "--tls-port", "8443"), SETTINGS_RUN);
    ck_assert_int_eq(s.tls_port, 8443);
    ck_assert_int_eq(parse(&s, "--tls-port", "0"), SETTINGS_RUN);
    ck_assert_int_eq(s.tls_port, 0);
    ck_assert_int_eq(parse(&s, "--tls-port", "https"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--tls-cert", "c.pem"), SETTINGS_EXIT_USAGE); /* no key */
    setenv("COGNITO_EMU_TLS_PORT", "9230", 1);
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_int_eq(s.tls_port, 9230);
    unsetenv("COGNITO_EMU_TLS_PORT");

    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_int_eq(settings_data_dir(&s, dir, sizeof(dir)), 0);
    ck_assert_str_eq(dir, "./.cognito-emu");
    ck_assert_str_eq(data_dir_of("x.db", dir, sizeof(dir)), ".");
    ck_assert_str_eq(data_dir_of("/x.db", dir, sizeof(dir)), "/");
    ck_assert_str_eq(data_dir_of("/var/lib/emu/x.db", dir, sizeof(dir)), "/var/lib/emu");
    ck_assert_str_eq(data_dir_of(":memory:", dir, sizeof(dir)), "-");

    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    settings_public_host(&s, dir, sizeof(dir));
    ck_assert_str_eq(dir, ""); /* localhost, already named */
    ck_assert_str_eq(public_host_of("http://cognito:9229", dir, sizeof(dir)), "cognito");
    ck_assert_str_eq(public_host_of("https://auth.test/base/", dir, sizeof(dir)), "auth.test");
    ck_assert_str_eq(public_host_of("http://10.0.0.5", dir, sizeof(dir)), "10.0.0.5");
    ck_assert_str_eq(public_host_of("http://[fd00::5]:9229", dir, sizeof(dir)), "fd00::5");
    ck_assert_str_eq(public_host_of("http://a,DNS:evil:1", dir, sizeof(dir)), "");
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("tls");

    log_set_level(LOG_LEVEL_WARN); /* what the suite calls outside a server, too */
    unsetenv("COGNITO_EMU_TLS_CERT");
    unsetenv("COGNITO_EMU_TLS_KEY");
    unsetenv("COGNITO_EMU_TLS_PORT");
    tcase_add_test(tc, test_tls_serves_the_same_routes_to_a_client_that_trusts_the_cert);
    tcase_add_test(tc, test_tls_refuses_a_client_that_does_not_trust_the_cert);
    tcase_add_test(tc, test_tls_made_cert_names_localhost_and_the_region_domains);
    tcase_add_test(tc, test_tls_restart_reuses_the_kept_cert);
    tcase_add_test(tc, test_tls_serves_the_given_cert_and_key);
    tcase_add_test(tc, test_tls_bad_cert_or_key_fails_the_start);
    tcase_add_test(tc, test_tls_memory_database_uses_a_temporary_cert);
    tcase_add_test(tc, test_tls_is_off_by_default);
    tcase_add_test(tc, test_tls_request_knows_its_listener);
    tcase_add_test(tc, test_tls_settings);
    suite_add_tcase(s, tc);
    return s;
}
