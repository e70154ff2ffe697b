/*
 * model_tables: the C form of the AWS service models, as params.c reads them.
 *
 * model_tables.c is generated from the JSON models in server/aws/model/ by
 * server/aws/model/gen_model_tables.py and holds only const data: one shape table shared by both
 * services (only the shapes reachable from an operation's input), the distinct regular
 * expressions the shapes use, and per service its operations sorted by name. Shapes refer to
 * each other by index into model_shapes; -1 means "none". Nothing but params.c (and its tests)
 * should need this header: handlers see validated JSON, never the tables.
 */
#ifndef COG_MODEL_TABLES_H
#define COG_MODEL_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The botocore shape types, plus MODEL_DOCUMENT for a "document" structure (any JSON value). */
enum model_type {
    MODEL_STRUCTURE,
    MODEL_LIST,
    MODEL_MAP,
    MODEL_STRING,
    MODEL_INTEGER,
    MODEL_LONG,
    MODEL_FLOAT,
    MODEL_DOUBLE,
    MODEL_BOOLEAN,
    MODEL_BLOB,
    MODEL_TIMESTAMP,
    MODEL_DOCUMENT,
};

/* Bits of model_shape.flags. */
#define MODEL_HAS_MIN 0x01   /* min is set: a length for strings, blobs, lists and maps, */
#define MODEL_HAS_MAX 0x02   /* max is set:   a value bound for numbers */
#define MODEL_SENSITIVE 0x04 /* the model marks the shape sensitive */
#define MODEL_REDACT 0x08    /* sensitive, or contains a sensitive shape: never echo its value */

/* One member of a structure, in the model's order. */
struct model_member {
    const char *name; /* as AWS spells it on the wire, e.g. "UserPoolId" */
    int16_t shape;    /* index into model_shapes */
    bool required;
};

struct model_shape {
    const char *name;    /* the model's shape name, e.g. "UserPoolIdType" (for diagnostics) */
    unsigned char type;  /* enum model_type */
    unsigned char flags; /* MODEL_HAS_MIN | MODEL_HAS_MAX | MODEL_SENSITIVE | MODEL_REDACT */
    int64_t min, max;    /* meaningful only with the matching MODEL_HAS_* flag */
    int16_t pattern;     /* index into model_patterns, or -1 */
    int16_t element;     /* list: member shape; map: value shape; else -1 */
    int16_t key;         /* map: key shape; else -1 */
    uint16_t enum_count; /* enum values, in the model's order (0: not an enum) */
    const char *const *enum_values;
    uint16_t member_count; /* structure members (0 for other types) */
    const struct model_member *members;
};

/* One operation: its name and the index of its input shape, or -1 when it takes no input. */
struct model_operation {
    const char *name;
    int16_t input;
};

/* One service's operations, sorted by name in strcmp() order. */
struct model_service {
    const char *name; /* the model file's name without .json, e.g. "cognito-idp" */
    const struct model_operation *operations;
    size_t operation_count;
};

extern const struct model_shape model_shapes[];
extern const size_t model_shape_count;

/*
 * Java regular expressions as the models spell them; model_shape.pattern indexes this.
 * params.c keeps one compiled-pattern slot per entry in a static array of MODEL_PATTERN_MAX;
 * the generated file asserts at compile time that the models stay within it.
 */
#define MODEL_PATTERN_MAX 256
extern const char *const model_patterns[];
extern const size_t model_pattern_count;

extern const struct model_service model_service_idp;      /* cognito-idp.json */
extern const struct model_service model_service_identity; /* cognito-identity.json */

#endif
