/*
 * server: the whole emulator as an object that main() and the end-to-end tests start and
 * stop: the store opened at the settings' path, the HTTP server on the settings' address (and
 * its HTTPS listener, with --tls-port).
 */
#ifndef COG_SERVER_H
#define COG_SERVER_H

#include "settings.h"

struct server;

/*
 * Open the store, apply the fixtures of s->fixtures (if any), and start serving with *s (which
 * must outlive the server; its public_url is derived from the bound port when not set). On 0
 * *out is running; -1 on failure (logged; a bad fixture is named by file, JSON path, problem).
 */
int server_start(struct settings *s, struct server **out);

/* The bound port. */
int server_port(const struct server *srv);

/* The bound HTTPS port (--tls-port); 0 without one. */
int server_tls_port(const struct server *srv);

/*
 * The file of the HTTPS listener's certificate, what a client trusts (--tls-cert, or the
 * self-signed one: see crypto/tls_cert.h); NULL without the listener. Borrowed from srv.
 */
const char *server_tls_cert_path(const struct server *srv);

/* Stop serving, then close the store cleanly. Accepts NULL. */
void server_stop(struct server *srv);

#endif
