/*
 * server: the whole emulator as an object that main() and the end-to-end tests start and
 * stop: the store opened at the settings' path, the HTTP server on the settings' address.
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

/* Stop serving, then close the store cleanly. Accepts NULL. */
void server_stop(struct server *srv);

#endif
