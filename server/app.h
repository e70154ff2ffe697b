/*
 * app: what every request needs from the process: the read-only settings and the store.
 * Owned by server.c (or a test), borrowed by routes, dispatch and handlers.
 *
 * Everything else that lives as long as the process, in one list (each is safe from any
 * worker thread; server_stop() or a test resets what a restart in the same process needs):
 *   util/clock.c        the emulator clock's offset (atomic; POST /_emu/clock moves it)
 *   util/log.c          the minimum log level (atomic)
 *   crypto/keys.c       the user pools' signing keys, parsed once (rwlock; keys_cache_clear)
 *   crypto/srp.c        the SRP group, built once (pthread_once); proven (verifier, x) pairs
 *   crypto/secrets.c    --fixed-code (set at start-up, read-only after)
 *   aws/params.c        the compiled model patterns (each compiled on first use; atomics)
 *   http/http.c         the wake-up counter and condition of parked requests
 *   http/http_client.c  libcurl's global set-up (pthread_once) and one handle per thread
 *   triggers/trigger_log.c  the last Lambda trigger invocations (mutex) and its listener
 *   userpool/delivery.c the inbox's listener and its stopping flag (atomics)
 *   identity/           cognito-identity's OpenID signing key (mutex)
 *   control/control_messages.c  the one-time registration of the inbox listener
 *   control/control_triggers.c  the same for the invocation log
 * Nothing else is global: per-request state lives in the request (struct op_ctx).
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
