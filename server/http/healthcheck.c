/*
 * healthcheck: one HTTP/1.0 GET over a plain socket, bounded by timeouts. See healthcheck.h.
 */
#include "config.h"

#include "http/healthcheck.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define TIMEOUT_SECONDS 3

/* Split "http://host[:port][/path]" into its parts. 0, or -1 when it is not such a URL. */
static int parse_url(const char *url, char *host, size_t hn, char *port, size_t pn,
                     const char **path)
{
    const char *p, *end;
    size_t len;

    if (strncmp(url, "http://", 7) != 0)
        return -1;
    p = url + 7;
    end = p + strcspn(p, "/");
    *path = *end ? end : "/";
    if (*p == '[') { /* an IPv6 literal */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close == NULL)
            return -1;
        len = (size_t)(close - p - 1);
        if (len == 0 || len >= hn)
            return -1;
        memcpy(host, p + 1, len);
        host[len] = '\0';
        p = close + 1;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *host_end = colon ? colon : end;
        len = (size_t)(host_end - p);
        if (len == 0 || len >= hn)
            return -1;
        memcpy(host, p, len);
        host[len] = '\0';
        p = host_end;
    }
    if (*p == ':') {
        len = (size_t)(end - p - 1);
        if (len == 0 || len >= pn)
            return -1;
        memcpy(port, p + 1, len);
        port[len] = '\0';
    } else {
        snprintf(port, pn, "80");
    }
    return 0;
}

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL, *ai;
    struct timeval tv = {.tv_sec = TIMEOUT_SECONDS};
    int fd = -1;

    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

int healthcheck_run(const char *url)
{
    char host[256], port[16], request[600], reply[64] = "";
    const char *path;
    size_t got = 0;
    ssize_t n;
    int fd;

    if (parse_url(url, host, sizeof(host), port, sizeof(port), &path) != 0) {
        fprintf(stderr, "cognito-emu: --healthcheck needs an http:// URL, not '%s'\n", url);
        return 1;
    }
    if ((fd = connect_to(host, port)) < 0) {
        fprintf(stderr, "cognito-emu: healthcheck: cannot connect to %s port %s\n", host, port);
        return 1;
    }
    int len =
        snprintf(request, sizeof(request), "GET %.500s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
    if (len < 0 || write(fd, request, (size_t)len) != len) {
        close(fd);
        return 1;
    }
    while (got < sizeof(reply) - 1 && (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    reply[got] = '\0';
    /* "HTTP/1.x 200 ..." */
    if (strncmp(reply, "HTTP/1.", 7) == 0 && strncmp(reply + 8, " 200", 4) == 0)
        return 0;
    fprintf(stderr, "cognito-emu: healthcheck: %s did not answer 200\n", url);
    return 1;
}
