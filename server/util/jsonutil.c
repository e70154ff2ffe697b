/*
 * jsonutil: typed cJSON getters and setters. See jsonutil.h.
 */
#include "config.h"

#include "util/jsonutil.h"

#include <string.h>

cJSON *json_get(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

const char *json_str(const cJSON *obj, const char *name)
{
    const cJSON *item = json_get(obj, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

int64_t json_int(const cJSON *obj, const char *name, int64_t fallback)
{
    const cJSON *item = json_get(obj, name);
    return cJSON_IsNumber(item) ? (int64_t)item->valuedouble : fallback;
}

bool json_bool(const cJSON *obj, const char *name, bool fallback)
{
    const cJSON *item = json_get(obj, name);
    return cJSON_IsBool(item) ? cJSON_IsTrue(item) : fallback;
}

int json_set_item(cJSON *obj, const char *name, cJSON *item)
{
    if (item == NULL)
        return -1;
    if (json_get(obj, name) != NULL)
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item) ? 0
                                                                       : (cJSON_Delete(item), -1);
    return cJSON_AddItemToObject(obj, name, item) ? 0 : (cJSON_Delete(item), -1);
}

int json_set_str(cJSON *obj, const char *name, const char *value)
{
    return json_set_item(obj, name, cJSON_CreateString(value));
}

int json_set_num(cJSON *obj, const char *name, double value)
{
    return json_set_item(obj, name, cJSON_CreateNumber(value));
}

int json_set_bool(cJSON *obj, const char *name, bool value)
{
    return json_set_item(obj, name, cJSON_CreateBool(value));
}

double json_epoch(int64_t ms)
{
    return (double)ms / 1000.0;
}

int json_copy_member(cJSON *dst, const cJSON *src, const char *name)
{
    const cJSON *item = json_get(src, name);
    if (item == NULL)
        return 0;
    return json_set_item(dst, name, cJSON_Duplicate(item, 1));
}

const char *json_str_or(const cJSON *obj, const char *name, const char *fallback)
{
    const char *s = json_str(obj, name);

    return s ? s : fallback;
}

bool json_list_has(const cJSON *list, const char *value)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, list)
    {
        if (cJSON_IsString(item) && value != NULL && strcmp(item->valuestring, value) == 0)
            return true;
    }
    return false;
}

int json_copy_or(cJSON *dst, const cJSON *src, const char *name, cJSON *fallback)
{
    if (json_get(src, name) != NULL) {
        cJSON_Delete(fallback);
        return json_copy_member(dst, src, name);
    }
    return json_set_item(dst, name, fallback);
}
