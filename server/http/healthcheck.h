/*
 * healthcheck: `cognito-emu --healthcheck[=URL]`, a tiny HTTP probe so that a container's
 * HEALTHCHECK needs no curl or wget in the image. It asks GET <path> of an http:// URL and
 * succeeds on a 200 answer within a few seconds.
 */
#ifndef COG_HEALTHCHECK_H
#define COG_HEALTHCHECK_H

/* Probe url ("http://host[:port][/path]"). Returns 0 when it answered 200, 1 otherwise. */
int healthcheck_run(const char *url);

#endif
