/*
 * tls_cert: the certificate and key of the HTTPS listener (--tls-port), as PEM text for the
 * HTTP server: the user's own pair (--tls-cert, --tls-key), checked before serving, or a
 * self-signed certificate made with OpenSSL's EVP APIs. A made one is kept in the data
 * directory, so that a client that trusts it once (NODE_EXTRA_CA_CERTS, curl --cacert) keeps
 * trusting it across restarts; with an in-memory database there is no data directory, and
 * the certificate lives in a temporary file for as long as the server runs.
 *
 * The made certificate: an EC P-256 key, X.509 v3, valid TLS_CERT_DAYS days, not a CA,
 * extended key usage serverAuth, and the names a local client reaches the emulator by:
 * DNS:localhost, IP:127.0.0.1, IP:::1, DNS:*.auth.<region>.amazoncognito.com (a pool's
 * domain, mapped to the emulator in /etc/hosts or a browser's host rules) and
 * DNS:cognito-idp.<region>.amazonaws.com (the issuer of --issuer aws, for verifiers that
 * fetch its JWKS over https only), and the host of --public-url when given (a docker-compose
 * service name, say).
 */
#ifndef COG_TLS_CERT_H
#define COG_TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * 825 days: the longest a TLS server certificate may be valid for Apple's platforms, even
 * under a locally trusted root; still years between regenerations.
 */
#define TLS_CERT_DAYS 825

/* The names of the made pair in the data directory. */
#define TLS_CERT_FILE "tls-cert.pem"
#define TLS_KEY_FILE "tls-key.pem"

/* What a made certificate is for. */
struct tls_names {
    const char *region; /* its Cognito domains: *.auth.<region>.amazoncognito.com */
    const char *host;   /* one more name (a DNS name or an IP address), or NULL */
};

struct tls_cert {
    char *cert_pem;  /* the certificate, then any chain (PEM, as read); owned */
    char *key_pem;   /* its private key (PEM, PKCS #8, unencrypted); owned */
    char path[4096]; /* the certificate's file: what a client trusts */
    bool temporary;  /* path is a file of ours that tls_cert_free() removes */
};

/*
 * Read the certificate (PEM; intermediates may follow it) at cert_path and the unencrypted
 * private key (PEM) at key_path into *c, and check that the key is the certificate's. 0, or
 * -1 with the reason (naming the file) in err (size n) and *c empty.
 */
int tls_cert_load(struct tls_cert *c, const char *cert_path, const char *key_path, char *err,
                  size_t n);

/*
 * The self-signed pair kept in directory dir (TLS_CERT_FILE, TLS_KEY_FILE, the key readable
 * by its owner only) into *c: the one there when it is still valid for a day and has every
 * name of names, else a new one for names written there (replacing the old one). 0, or -1
 * with the reason in err (size n): the directory cannot be written, or the pair there cannot
 * be read or does not match (the caller should not silently replace what a client may trust).
 */
int tls_cert_kept(struct tls_cert *c, const char *dir, const struct tls_names *names, char *err,
                  size_t n);

/*
 * A new self-signed pair into *c for names, its certificate (not its key) written to a new
 * file under $TMPDIR (or /tmp) that tls_cert_free() removes. 0, or -1 with the reason in err.
 */
int tls_cert_temporary(struct tls_cert *c, const struct tls_names *names, char *err, size_t n);

/* Free what *c holds, remove its file when temporary, and leave it empty. Accepts NULL. */
void tls_cert_free(struct tls_cert *c);

#endif
