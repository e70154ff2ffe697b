/*
 * settings: the process configuration, from command-line flags and environment variables
 * (a flag wins over its variable, a variable over the default). Read-only after start-up.
 */
#ifndef COG_SETTINGS_H
#define COG_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/log.h"

struct settings {
    int port;             /* 9229; 0 picks a free port */
    char bind[64];        /* 127.0.0.1 */
    char db_path[4096];   /* <data dir>/cognito-emu.db, or ":memory:" */
    char region[32];      /* us-east-1 */
    char account_id[16];  /* 123456789012 */
    char public_url[512]; /* http://localhost:<port> unless set */
    int public_url_set;   /* 1 when public_url was given (else derived from the port) */
    int threads;          /* worker threads: the number of cores */
    enum log_level log_level;
    size_t max_body;           /* request body cap in bytes: 1 MiB */
    unsigned idle_timeout;     /* seconds before an idle connection is closed: 30 */
    char healthcheck_url[512]; /* what --healthcheck probes: http://127.0.0.1:<port>/health */
    int aws_issuer;      /* 1: tokens carry https://cognito-idp.<region>.amazonaws.com/<pool> */
    char fixtures[4096]; /* a fixture file or directory, loaded at start and on reset; "" none */
    char fixed_code[7];  /* every code sent is this (6 digits); "" for random codes */
    char lambda_endpoint[512]; /* where the Lambda triggers are invoked (http://host:port);
                                  "" none configured (a pool's trigger fails loudly), or
                                  "none": triggers explicitly off */
    int tls_port;              /* the HTTPS listener: 0 none (the default); SETTINGS_TLS_PORT_ANY
                                  picks a free port; the bound port once started */
    char tls_cert[4096];       /* --tls-cert: the certificate file (PEM), with tls_key; "" makes */
    char tls_key[4096];        /* a self-signed one in the data directory (see crypto/tls_cert.h) */
    char tls_url[512];         /* https://localhost:<bound TLS port>; "" without the listener */
};

/* --tls-port auto: any free port, as --port 0 (0 is "no HTTPS listener"). */
#define SETTINGS_TLS_PORT_ANY (-1)

/* What settings_parse() decided. */
enum settings_result {
    SETTINGS_RUN,
    SETTINGS_EXIT_OK,
    SETTINGS_EXIT_USAGE,
    SETTINGS_HEALTHCHECK, /* --healthcheck: probe a running server (healthcheck.h) and exit */
};

/*
 * Fill *s from defaults, the environment (getenv) and argv. Prints --help or --version to
 * stdout (SETTINGS_EXIT_OK) or a usage error to stderr (SETTINGS_EXIT_USAGE).
 */
enum settings_result settings_parse(struct settings *s, int argc, char **argv);

/* Derive public_url from the bound port when it was not set (call once the port is known). */
void settings_set_port(struct settings *s, int bound_port);

/* Set tls_port to the bound TLS port, and tls_url from it (call once the port is known). */
void settings_set_tls_port(struct settings *s, int bound_port);

/*
 * The base URL of the emulator as a client reaches it (no trailing slash): --public-url when
 * given, whatever the listener; otherwise http://localhost:<port>, or with tls (a request that
 * came in on the HTTPS listener, http_request_is_tls()) https://localhost:<TLS port>.
 * Borrowed from s.
 */
const char *settings_public_url(const struct settings *s, bool tls);

/*
 * The host of --public-url ("cognito" of http://cognito:9229, "::1" of http://[::1]:9229),
 * written into out (size n), for the names of the self-signed TLS certificate; "" when
 * --public-url was not given (the derived one is localhost) or its host is not a plain name or
 * address.
 */
void settings_public_host(const struct settings *s, char *out, size_t n);

/*
 * The directory of the database file, written into out (size n): where files that outlive a
 * restart go beside it (the self-signed TLS certificate). 0, or -1 for an in-memory database
 * (":memory:"), which has none, or when out is too small.
 */
int settings_data_dir(const struct settings *s, char *out, size_t n);

/*
 * The issuer ("iss") of the tokens of user pool pool_id, written into out (size n):
 * "<public URL>/<pool id>" by default, so that a docker-compose host name or a random CI port
 * is right; "https://cognito-idp.<region>.amazonaws.com/<pool id>" (region = the pool id's
 * prefix) with --issuer aws, for verifiers that accept only AWS's form.
 */
void settings_issuer(const struct settings *s, const char *pool_id, char *out, size_t n);

#endif
