/*
 * oauth_errors: the one way the domain's OAuth endpoints (/oauth2/token, /oauth2/revoke,
 * /oauth2/userInfo) answer an error: {"error": "<code>", "error_description": "<text>"} as
 * application/json, never cached (RFC 6749 5.2), with the status the endpoint uses for it.
 * The codes are the rows of oauth_errors.def.
 */
#ifndef COG_OAUTH_ERRORS_H
#define COG_OAUTH_ERRORS_H

#include "http/http.h"

enum oauth_error {
#define OAUTH_ERROR(name, text) name,
#include "oauth/oauth_errors.def"
#undef OAUTH_ERROR
};

/* The "error" value of e, e.g. "invalid_grant". */
const char *oauth_error_code(enum oauth_error e);

/*
 * Answer e with status into resp: the JSON body (error_description only when description is
 * not NULL), Cache-Control: no-store and Pragma: no-cache; label names the request in the log.
 */
void oauth_error_respond(struct http_response *resp, int status, enum oauth_error e,
                         const char *description, const char *label);

/*
 * The same for a bearer-token endpoint (userInfo), which also says it in a WWW-Authenticate
 * header: error="<code>", error_description="<description>", as Cognito's userInfo page shows
 * it (without the "Bearer" scheme RFC 6750 3 puts first).
 */
void oauth_error_respond_bearer(struct http_response *resp, int status, enum oauth_error e,
                                const char *description, const char *label);

/* Add the two headers that keep an OAuth answer out of caches (RFC 6749 5.1). */
void oauth_no_store(struct http_response *resp);

#endif
