/*
 * errors: the error table (errors.def) turned into lookups, and the AWS JSON 1.1 error body.
 * See errors.h for the contract.
 */
#include "config.h"

#include "aws/errors.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *type;
    int status;
} error_table[COG_E__COUNT] = {
    [COG_OK] = {"", 200},
#define COG_ERROR(name, type, status) [COG_E_##name] = {type, status},
#include "aws/errors.def"
#undef COG_ERROR
};

const char *cog_err_type(enum cog_error code)
{
    if ((unsigned)code >= COG_E__COUNT)
        code = COG_E_INTERNAL_ERROR;
    return error_table[code].type;
}

int cog_err_status(enum cog_error code)
{
    if ((unsigned)code >= COG_E__COUNT)
        code = COG_E_INTERNAL_ERROR;
    return error_table[code].status;
}

int cog_err_set(struct cog_err *err, enum cog_error code, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

char *cog_err_body(const struct cog_err *err)
{
    cJSON *body = cJSON_CreateObject();
    char *text = NULL;

    if (body == NULL)
        return NULL;
    if (cJSON_AddStringToObject(body, "__type", cog_err_type(err->code)) != NULL &&
        cJSON_AddStringToObject(body, "message", err->message) != NULL)
        text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return text;
}

int cog_err_oom(struct cog_err *err)
{
    return cog_err_set(err, COG_E_INTERNAL_ERROR, "Out of memory.");
}
