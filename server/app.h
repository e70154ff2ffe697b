/*
 * app: what every request needs from the process: the read-only settings and the store.
 * Owned by server.c (or a test), borrowed by routes, dispatch and handlers.
 */
#ifndef COG_APP_H
#define COG_APP_H

struct settings;
struct store;

struct app {
    const struct settings *settings;
    struct store *store;
};

#endif
