/*
 * oauth_errors: the OAuth endpoints' error answers. See oauth_errors.h.
 */
#include "config.h"

#include "oauth/oauth_errors.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "util/strbuf.h"

static const char *const codes[] = {
#define OAUTH_ERROR(name, text) [name] = text,
#include "oauth/oauth_errors.def"
#undef OAUTH_ERROR
};

const char *oauth_error_code(enum oauth_error e)
{
    return (size_t)e < sizeof(codes) / sizeof(codes[0]) ? codes[e] : "server_error";
}

void oauth_no_store(struct http_response *resp)
{
    http_response_add_header(resp, "Cache-Control", "no-store");
    http_response_add_header(resp, "Pragma", "no-cache");
}

void oauth_error_respond(struct http_response *resp, int status, enum oauth_error e,
                         const char *description, const char *label)
{
    cJSON *doc = cJSON_CreateObject();
    char *text = NULL;

    if (doc != NULL && json_set_str(doc, "error", oauth_error_code(e)) == 0 &&
        (description == NULL || json_set_str(doc, "error_description", description) == 0))
        text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (text == NULL) {
        http_response_set_body(resp, 500, NULL, NULL, 0);
        resp->failed = true;
        return;
    }
    http_response_set_body(resp, status, "application/json", text, strlen(text));
    oauth_no_store(resp);
    snprintf(resp->label, sizeof(resp->label), "%s", label);
}

void oauth_error_respond_bearer(struct http_response *resp, int status, enum oauth_error e,
                                const char *description, const char *label)
{
    struct strbuf b = {0};
    char *value;

    strbuf_puts(&b, "error=\"");
    strbuf_puts(&b, oauth_error_code(e));
    strbuf_puts(&b, "\"");
    if (description != NULL) {
        strbuf_puts(&b, ", error_description=\"");
        strbuf_puts(&b, description);
        strbuf_puts(&b, "\"");
    }
    oauth_error_respond(resp, status, e, description, label);
    if ((value = strbuf_take(&b)) == NULL) {
        resp->failed = true;
        return;
    }
    http_response_add_header(resp, "WWW-Authenticate", value);
    free(value);
}
