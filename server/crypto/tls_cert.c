/*
 * tls_cert: the HTTPS listener's certificate, read or made. See tls_cert.h.
 *
 * Only this file knows X.509. The HTTP server gets PEM text: the user's certificate file as
 * it is (so that a chain after the certificate reaches the client), and the key re-encoded as
 * unencrypted PKCS #8, a form GnuTLS (libmicrohttpd's TLS) reads whatever form OpenSSL read.
 */
#include "config.h"

#include "crypto/tls_cert.h"

#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/log.h"

/* A certificate or key file larger than this is not one. */
#define PEM_MAX (1024 * 1024)

/* Write the reason into err, with OpenSSL's last error when it has one; returns -1. */
static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
    unsigned long e = ERR_peek_last_error();
    char ssl[256] = "";
    size_t len;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    if (e != 0)
        ERR_error_string_n(e, ssl, sizeof(ssl));
    len = strlen(err);
    if (ssl[0] != '\0' && len < n)
        snprintf(err + len, n - len, " (%s)", ssl);
    ERR_clear_error();
    return -1;
}

/* The whole file at path, NUL-terminated (malloc'd), or NULL with errno set. */
static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "r");
    char *text = fp ? malloc(PEM_MAX + 1) : NULL;
    size_t len = 0;

    if (text != NULL) {
        len = fread(text, 1, PEM_MAX + 1, fp);
        if (ferror(fp) || len > PEM_MAX) {
            free(text);
            text = NULL;
            errno = ferror(fp) ? EIO : EFBIG;
        } else {
            text[len] = '\0';
        }
    }
    if (fp != NULL)
        fclose(fp);
    return text;
}

/* Never ask for a passphrase (OpenSSL's default would prompt on the terminal). */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

/* The first certificate in pem, or NULL. */
static X509 *parse_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, no_password, NULL) : NULL;

    BIO_free(b);
    return x;
}

/* The first private key in pem (unencrypted), or NULL. */
static EVP_PKEY *parse_key(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_password, NULL) : NULL;

    BIO_free(b);
    return k;
}

/* What was written into the memory BIO b, as a new string; NULL when out of memory. Frees b. */
static char *bio_text(BIO *b)
{
    char *data = NULL, *text = NULL;
    long len = b ? BIO_get_mem_data(b, &data) : 0;

    if (len > 0 && (text = malloc((size_t)len + 1)) != NULL) {
        memcpy(text, data, (size_t)len);
        text[len] = '\0';
    }
    BIO_free(b);
    return text;
}

/* x as PEM, a new string; NULL when out of memory. */
static char *cert_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (b != NULL && PEM_write_bio_X509(b, x) != 1) {
        BIO_free(b);
        return NULL;
    }
    return bio_text(b);
}

/* k as unencrypted PKCS #8 PEM, a new string; NULL when out of memory. */
static char *key_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (b != NULL && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1) {
        BIO_free(b);
        return NULL;
    }
    return bio_text(b);
}

int tls_cert_load(struct tls_cert *c, const char *cert_path, const char *key_path, char *err,
                  size_t n)
{
    char *cert_text = NULL, *key_text = NULL;
    X509 *x = NULL;
    EVP_PKEY *k = NULL;
    int rc = -1;

    *c = (struct tls_cert){0};
    if ((cert_text = read_text(cert_path)) == NULL)
        fail(err, n, "cannot read the certificate %s: %s", cert_path, strerror(errno));
    else if ((x = parse_cert(cert_text)) == NULL)
        fail(err, n, "%s holds no PEM certificate", cert_path);
    else if ((key_text = read_text(key_path)) == NULL)
        fail(err, n, "cannot read the private key %s: %s", key_path, strerror(errno));
    else if ((k = parse_key(key_text)) == NULL)
        fail(err, n, "%s holds no unencrypted PEM private key", key_path);
    else if (X509_check_private_key(x, k) != 1)
        fail(err, n, "the private key %s is not the key of the certificate %s", key_path,
             cert_path);
    else if ((c->key_pem = key_pem(k)) == NULL)
        fail(err, n, "out of memory reading %s", key_path);
    else if (snprintf(c->path, sizeof(c->path), "%s", cert_path) >= (int)sizeof(c->path))
        fail(err, n, "the path %s is too long", cert_path);
    else
        rc = 0;
    if (rc == 0) {
        c->cert_pem = cert_text;
        cert_text = NULL;
    } else {
        tls_cert_free(c);
    }
    if (key_text != NULL)
        OPENSSL_cleanse(key_text, strlen(key_text));
    free(key_text);
    free(cert_text);
    X509_free(x);
    EVP_PKEY_free(k);
    return rc;
}

/* ---- Making a self-signed certificate ------------------------------------------------------ */

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* Whether host is an IPv4 or IPv6 address (an IP name), not a DNS name. */
static bool is_address(const char *host)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* The extensions of a server certificate for the names in tls_cert.h. */
static int add_extensions(X509 *x, const struct tls_names *names)
{
    X509V3_CTX ctx;
    char sans[1024];
    const char *host = names->host;
    int len = snprintf(sans, sizeof(sans),
                       "DNS:localhost,IP:127.0.0.1,IP:::1,DNS:*.auth.%s.amazoncognito.com,"
                       "DNS:cognito-idp.%s.amazonaws.com",
                       names->region, names->region);

    if (host != NULL && host[0] != '\0' && len < (int)sizeof(sans))
        len += snprintf(sans + len, sizeof(sans) - (size_t)len, ",%s:%s",
                        is_address(host) ? "IP" : "DNS", host);
    if (len >= (int)sizeof(sans))
        return -1;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
        add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") != 0 ||
        add_ext(x, &ctx, NID_ext_key_usage, "serverAuth") != 0 ||
        add_ext(x, &ctx, NID_subject_key_identifier, "hash") != 0 ||
        add_ext(x, &ctx, NID_subject_alt_name, sans) != 0)
        return -1;
    return 0;
}

/* A random positive 128-bit serial number, as the CA/Browser Forum asks (at least 64 bits). */
static int set_serial(X509 *x)
{
    unsigned char bytes[16];
    BIGNUM *bn = NULL;
    int ok;

    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return -1;
    bytes[0] &= 0x7f;
    bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : -1;
}

/* Subject and issuer (the same: self-signed), validity, key, serial and extensions. */
static int fill_cert(X509 *x, EVP_PKEY *k, const struct tls_names *names)
{
    X509_NAME *name = X509_get_subject_name(x);

    if (X509_set_version(x, X509_VERSION_3) != 1 || set_serial(x) != 0 ||
        /* An hour back, for a client whose clock runs a little behind. */
        X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x), (long)TLS_CERT_DAYS * 86400) == NULL ||
        X509_set_pubkey(x, k) != 1 ||
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"cognito-emu",
                                   -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                                   -1, 0) != 1 ||
        X509_set_issuer_name(x, name) != 1 || add_extensions(x, names) != 0)
        return -1;
    return X509_sign(x, k, EVP_sha256()) > 0 ? 0 : -1;
}

/* A new self-signed pair for names into c's PEM strings. 0, or -1 with the reason in err. */
static int make_pair(struct tls_cert *c, const struct tls_names *names, char *err, size_t n)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    int rc = -1;

    if (k == NULL || x == NULL || fill_cert(x, k, names) != 0)
        fail(err, n, "cannot make a self-signed certificate");
    else if ((c->cert_pem = cert_pem(x)) == NULL || (c->key_pem = key_pem(k)) == NULL)
        fail(err, n, "out of memory encoding the self-signed certificate");
    else
        rc = 0;
    X509_free(x);
    EVP_PKEY_free(k);
    return rc;
}

/* ---- Keeping it ---------------------------------------------------------------------------- */

/* Write text to the open file fd and close it; 0, or -1 with errno set. */
static int write_close(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;
    int saved;

    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    saved = done == len ? 0 : (errno ? errno : EIO);
    if (close(fd) != 0 && saved == 0)
        saved = errno;
    errno = saved;
    return saved == 0 ? 0 : -1;
}

/*
 * Replace the file at path with text, readable by mode: written beside it and renamed, so
 * that no reader (nor a crash) ever sees half a file. 0, or -1 with errno set.
 */
static int write_file(const char *path, const char *text, mode_t mode)
{
    char tmp[4200];
    int fd;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0 || write_close(fd, text) != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

/* Whether x names host (a DNS name or an address). */
static bool names_host(X509 *x, const char *host)
{
    return is_address(host) ? X509_check_ip_asc(x, host, 0) == 1
                            : X509_check_host(x, host, 0, 0, NULL) == 1;
}

/* Whether the certificate in pem is valid for another day and has every name of names. */
static bool still_good(const char *pem, const struct tls_names *names)
{
    X509 *x = parse_cert(pem);
    time_t tomorrow = time(NULL) + 86400;
    char domain[128];
    bool good;

    snprintf(domain, sizeof(domain), "x.auth.%s.amazoncognito.com", names->region);
    good = x != NULL && X509_cmp_time(X509_get0_notAfter(x), &tomorrow) > 0 &&
           names_host(x, domain) &&
           (names->host == NULL || names->host[0] == '\0' || names_host(x, names->host));
    X509_free(x);
    return good;
}

/* Make a pair and write it at cert_path and key_path (the key first: see tls_cert_kept()). */
static int make_and_keep(struct tls_cert *c, const char *cert_path, const char *key_path,
                         const struct tls_names *names, char *err, size_t n)
{
    if (make_pair(c, names, err, n) != 0)
        return -1;
    if (write_file(key_path, c->key_pem, 0600) != 0 ||
        write_file(cert_path, c->cert_pem, 0644) != 0) {
        fail(err, n, "cannot write the self-signed certificate %s: %s", cert_path, strerror(errno));
        tls_cert_free(c);
        return -1;
    }
    snprintf(c->path, sizeof(c->path), "%s", cert_path);
    log_info("tls: made a self-signed certificate, kept in %s (key %s)", cert_path, key_path);
    return 0;
}

int tls_cert_kept(struct tls_cert *c, const char *dir, const struct tls_names *names, char *err,
                  size_t n)
{
    char cert_path[4096], key_path[4096];

    *c = (struct tls_cert){0};
    if (snprintf(cert_path, sizeof(cert_path), "%s/%s", dir, TLS_CERT_FILE) >=
            (int)sizeof(cert_path) ||
        snprintf(key_path, sizeof(key_path), "%s/%s", dir, TLS_KEY_FILE) >= (int)sizeof(key_path))
        return fail(err, n, "the data directory %s is too long a path", dir);
    /* The certificate is written last: without it, no pair was finished, and a key alone is
     * nobody's. With it, a pair that does not load is reported, not replaced. */
    if (access(cert_path, F_OK) == 0) {
        if (tls_cert_load(c, cert_path, key_path, err, n) != 0) {
            size_t len = strlen(err);
            snprintf(err + len, n - len, "; remove %s and %s to have a new pair made", cert_path,
                     key_path);
            return -1;
        }
        if (still_good(c->cert_pem, names))
            return 0;
        log_info("tls: %s expires within a day, or does not name region %s's domains or %s: "
                 "replacing it",
                 cert_path, names->region, names->host ? names->host : "localhost");
        tls_cert_free(c);
    }
    return make_and_keep(c, cert_path, key_path, names, err, n);
}

int tls_cert_temporary(struct tls_cert *c, const struct tls_names *names, char *err, size_t n)
{
    const char *tmpdir = getenv("TMPDIR");
    int fd;

    *c = (struct tls_cert){0};
    if (tmpdir == NULL || tmpdir[0] == '\0')
        tmpdir = "/tmp";
    if (snprintf(c->path, sizeof(c->path), "%s/cognito-emu-tls-XXXXXX.pem", tmpdir) >=
        (int)sizeof(c->path))
        return fail(err, n, "TMPDIR %s is too long a path", tmpdir);
    if (make_pair(c, names, err, n) != 0) {
        tls_cert_free(c);
        return -1;
    }
    fd = mkstemps(c->path, 4);
    if (fd >= 0)
        (void)fchmod(fd, 0644); /* a certificate is public; owner-only would do as well */
    if (fd < 0 || write_close(fd, c->cert_pem) != 0) {
        fail(err, n, "cannot write the self-signed certificate %s: %s", c->path, strerror(errno));
        if (fd >= 0)
            unlink(c->path);
        tls_cert_free(c);
        return -1;
    }
    c->temporary = true;
    return 0;
}

void tls_cert_free(struct tls_cert *c)
{
    if (c == NULL)
        return;
    if (c->temporary)
        unlink(c->path);
    if (c->key_pem != NULL)
        OPENSSL_cleanse(c->key_pem, strlen(c->key_pem));
    free(c->key_pem);
    free(c->cert_pem);
    *c = (struct tls_cert){0};
}
