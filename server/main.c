/*
 * main: parse the settings, start the server, print the ready line, wait for SIGINT or
 * SIGTERM, and shut down cleanly (in-flight requests finish, the database is closed).
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http/healthcheck.h"
#include "util/log.h"
#include "server.h"
#include "settings.h"

int main(int argc, char **argv)
{
    struct settings settings;
    struct server *srv = NULL;
    sigset_t stop_signals;
    int sig = 0;

    switch (settings_parse(&settings, argc, argv)) {
    case SETTINGS_EXIT_OK:
        return EXIT_SUCCESS;
    case SETTINGS_EXIT_USAGE:
        return 2;
    case SETTINGS_HEALTHCHECK:
        return healthcheck_run(settings.healthcheck_url);
    case SETTINGS_RUN:
        break;
    }

    /* Block the stop signals in every thread (workers inherit the mask); main waits for them. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (server_start(&settings, &srv) != 0)
        return EXIT_FAILURE;
    /* Before the ready line, so that whoever waits for that one has this one too. */
    if (server_tls_port(srv) != 0)
        printf("cognito-emu %s serving https://%s%s%s:%d with certificate %s\n", PACKAGE_VERSION,
               strchr(settings.bind, ':') ? "[" : "", settings.bind,
               strchr(settings.bind, ':') ? "]" : "", server_tls_port(srv),
               server_tls_cert_path(srv));
    printf("cognito-emu %s listening on http://%s%s%s:%d\n", PACKAGE_VERSION,
           strchr(settings.bind, ':') ? "[" : "", settings.bind,
           strchr(settings.bind, ':') ? "]" : "", server_port(srv));
    fflush(stdout);
    log_info("database %s, %d worker threads, region %s, public URL %s", settings.db_path,
             settings.threads, settings.region, settings.public_url);

    sigwait(&stop_signals, &sig);
    log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    server_stop(srv);
    log_info("stopped");
    return EXIT_SUCCESS;
}
