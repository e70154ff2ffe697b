/*
 * jsonutil: small typed getters and setters over cJSON, with AWS member names spelled
 * exactly (case-sensitive lookups). Getters borrow from the object; nothing here allocates
 * except the json_set_* functions, which return -1 when out of memory.
 */
#ifndef COG_JSONUTIL_H
#define COG_JSONUTIL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* The string member name of obj, or NULL when absent or not a string. */
const char *json_str(const cJSON *obj, const char *name);

/* The number member name of obj, or fallback when absent or not a number. */
int64_t json_int(const cJSON *obj, const char *name, int64_t fallback);

/* The boolean member name of obj, or fallback when absent or not a boolean. */
bool json_bool(const cJSON *obj, const char *name, bool fallback);

/* The member name of obj of any type, or NULL. */
cJSON *json_get(const cJSON *obj, const char *name);

/* The string member name of obj, or fallback when absent or not a string. */
const char *json_str_or(const cJSON *obj, const char *name, const char *fallback);

/* Whether the array list (may be NULL, may hold non-strings) holds the string value. */
bool json_list_has(const cJSON *list, const char *value);

/*
 * Set member name of obj to a copy of value (replacing any member of that name).
 * json_set_item takes ownership of item, also on failure. All return 0 or -1 (out of memory).
 */
int json_set_str(cJSON *obj, const char *name, const char *value);
int json_set_num(cJSON *obj, const char *name, double value);
int json_set_bool(cJSON *obj, const char *name, bool value);
int json_set_item(cJSON *obj, const char *name, cJSON *item);

/* An AWS timestamp (epoch seconds with milliseconds, as a number) for a clock value in ms. */
double json_epoch(int64_t ms);

/* A deep copy of src's member name into dst under the same name, when present. 0 or -1. */
int json_copy_member(cJSON *dst, const cJSON *src, const char *name);

/*
 * Copy src's member name into dst, or set it to fallback when src lacks it. fallback is taken
 * (deleted when not used, also on failure). 0 or -1.
 */
int json_copy_or(cJSON *dst, const cJSON *src, const char *name, cJSON *fallback);

#endif
