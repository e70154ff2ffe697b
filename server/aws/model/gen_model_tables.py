#!/usr/bin/env python3
"""Generate server/aws/model_tables.c, the validation tables, from the AWS service models.

Usage: python3 server/aws/model/gen_model_tables.py server/aws/model server/aws/model_tables.c

The models are botocore "service-2" JSON files (cognito-idp.json, cognito-identity.json).
Only the shapes reachable from an operation's input are emitted, because params.c validates
requests and nothing else. The output is plain const data described by server/aws/model_tables.h:
one shape table shared by both services, a table of distinct regular expressions (compiled
lazily by params.c), and per service the operations sorted by name (strcmp order) so that
params.c can binary-search them. The output is deterministic: the same models always give the
same bytes, so a diff of model_tables.c shows exactly what a model update changed.

Standard library only, so that anyone with python3 can regenerate the tables; the output is
committed and a build needs no python.
"""

import json
import os
import sys

# (model file, C identifier of its service table), in the order they are emitted.
SERVICES = [
    ("cognito-idp.json", "model_service_idp"),
    ("cognito-identity.json", "model_service_identity"),
]

TYPES = {
    "structure": "MODEL_STRUCTURE",
    "list": "MODEL_LIST",
    "map": "MODEL_MAP",
    "string": "MODEL_STRING",
    "integer": "MODEL_INTEGER",
    "long": "MODEL_LONG",
    "float": "MODEL_FLOAT",
    "double": "MODEL_DOUBLE",
    "boolean": "MODEL_BOOLEAN",
    "blob": "MODEL_BLOB",
    "timestamp": "MODEL_TIMESTAMP",
}

# Patterns of the model that the real service does not apply, by (model prefix, shape name),
# each with the reason; the handler that owns the member checks what the service does check.
# DomainType's pattern has no dot, yet CreateUserPoolDomain, UpdateUserPoolDomain and
# DeleteUserPoolDomain take custom domains (auth.example.com) in the same member; the user pool
# domain handlers (server/userpool/ops_domain.c) apply the pattern to prefix domains only.
PATTERN_NOT_ENFORCED = {
    ("cognito-idp", "DomainType"),
}

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1


def fail(msg):
    sys.stderr.write("gen_model_tables: %s\n" % msg)
    sys.exit(1)


def c_string(text):
    """A C string literal for text: UTF-8 bytes, with everything outside printable ASCII
    escaped as three-digit octal (exact whatever character follows), the backslash and the
    quote escaped, and the second '?' of "??" escaped so that no trigraph can form."""
    out = ['"']
    prev = None
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "?" and prev == "?":
            out.append("\\?")
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % byte)
        prev = ch
    out.append('"')
    return "".join(out)


def c_int64(value):
    """An int64_t constant: a plain literal when it fits in int, else with an LL suffix."""
    if -(2 ** 31) < value < 2 ** 31:
        return "%d" % value
    return "%dLL" % value


def c_comment(text):
    """Text safe inside a /* */ comment."""
    return text.replace("*/", "* /").replace("/*", "/ *")


def bound(shape_name, shape, key):
    """The integral min or max of a shape, or None."""
    if key not in shape:
        return None
    value = shape[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        fail("shape %s: %s %r is not an integer; extend model_tables.h first" % (shape_name, key, value))
    value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        fail("shape %s: %s %d does not fit in int64_t" % (shape_name, key, value))
    return value


def children(shape):
    """The names of the shapes a shape refers to, in model order."""
    out = [m["shape"] for m in shape.get("members", {}).values()]
    for key in ("member", "key", "value"):
        if key in shape:
            out.append(shape[key]["shape"])
    return out


def load(model_dir):
    """Read both models. Returns a list of (c_name, prefix, model dict)."""
    services = []
    for file_name, c_name in SERVICES:
        path = os.path.join(model_dir, file_name)
        try:
            with open(path, encoding="utf-8") as f:
                model = json.load(f)
        except (OSError, ValueError) as e:
            fail("%s: %s" % (path, e))
        if "operations" not in model or "shapes" not in model:
            fail("%s: not a botocore service-2 model" % path)
        prefix = file_name[: -len(".json")]
        for shape_name, shape in model["shapes"].items():
            if (prefix, shape_name) in PATTERN_NOT_ENFORCED:
                shape.pop("pattern", None)
        services.append((c_name, prefix, model))
    return services


def reachable(model):
    """Names of the shapes reachable from operation inputs, sorted."""
    shapes = model["shapes"]
    seen = set()
    stack = [op["input"]["shape"] for op in model["operations"].values() if "input" in op]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in shapes:
            fail("shape %s is referenced but not defined" % name)
        seen.add(name)
        stack.extend(children(shapes[name]))
    return sorted(seen)


def generate(model_dir):
    services = load(model_dir)

    # Global shape numbering: service by service, shapes sorted by name within each.
    index = {}  # (service prefix, shape name) -> global index
    order = []  # (service prefix, shape name, shape dict)
    for _, prefix, model in services:
        for name in reachable(model):
            index[(prefix, name)] = len(order)
            order.append((prefix, name, model["shapes"][name]))
    if len(order) > 32767:
        fail("too many shapes for int16_t indexes")

    # A shape's value is redacted from messages when it is sensitive or contains, at any depth,
    # a sensitive shape (a list of attributes whose values are sensitive, for example). Iterate
    # to a fixed point because shapes may be recursive.
    redact = [bool(shape.get("sensitive")) for _, _, shape in order]
    changed = True
    while changed:
        changed = False
        for i, (prefix, _, shape) in enumerate(order):
            if redact[i]:
                continue
            if any(redact[index[(prefix, c)]] for c in children(shape)):
                redact[i] = True
                changed = True

    # Distinct patterns, numbered in order of first use.
    patterns = []
    pattern_index = {}
    for _, _, shape in order:
        p = shape.get("pattern")
        if p is not None and p not in pattern_index:
            pattern_index[p] = len(patterns)
            patterns.append(p)

    out = []
    w = out.append
    w("/*")
    w(" * model_tables.c: GENERATED by server/aws/model/gen_model_tables.py from the AWS models")
    w(" * %s." % " and ".join("server/aws/model/" + f for f, _ in SERVICES))
    w(" * Do not edit by hand; regenerate with")
    w(" *     python3 server/aws/model/gen_model_tables.py server/aws/model server/aws/model_tables.c")
    w(" * (or `make regen-model`) after updating a model.")
    w(" *")
    w(" * The validation tables params.c applies to every request: the shapes reachable from an")
    w(" * operation's input (types, length and value bounds, pattern, enum values, sensitivity,")
    w(" * members), the distinct regular expressions, and each service's operations sorted by name.")
    w(" * The types are described in model_tables.h.")
    w(" */")
    w("/* clang-format off */")
    w('#include "config.h"')
    w("")
    w('#include "aws/model_tables.h"')
    w("")
    w("#include <stddef.h>")
    w("")
    w("/* Java regular expressions, exactly as the models spell them. */")
    w("const char *const model_patterns[] = {")
    for p in patterns:
        w("    %s," % c_string(p))
    w("};")
    w("const size_t model_pattern_count = %d;" % len(patterns))
    w("_Static_assert(sizeof(model_patterns) / sizeof(model_patterns[0]) <= MODEL_PATTERN_MAX,")
    w('               "raise MODEL_PATTERN_MAX in model_tables.h");')
    w("")

    # Enum value lists, shared between shapes with identical lists.
    enum_names = {}
    w("/* Enum value sets, in the models' order. */")
    for i, (_, name, shape) in enumerate(order):
        values = shape.get("enum")
        if not values:
            continue
        key = tuple(values)
        if key in enum_names:
            continue
        enum_names[key] = "enum_%d" % i
        w("static const char *const enum_%d[] = { /* %s */" % (i, c_comment(name)))
        for v in values:
            w("    %s," % c_string(v))
        w("};")
    w("")

    w("/* Structure members, in the models' order: name, shape, required. */")
    for i, (prefix, name, shape) in enumerate(order):
        if shape["type"] != "structure" or shape.get("document") or not shape.get("members"):
            continue
        required = set(shape.get("required", []))
        unknown = required - set(shape["members"])
        if unknown:
            fail("shape %s requires unknown members %s" % (name, sorted(unknown)))
        w("static const struct model_member members_%d[] = { /* %s */" % (i, c_comment(name)))
        for mname, mref in shape["members"].items():
            w("    {%s, %d, %s}," % (c_string(mname), index[(prefix, mref["shape"])],
                                    "true" if mname in required else "false"))
        w("};")
    w("")

    w("/*")
    w(" * Shapes: name, type, flags, min, max, pattern, element (list member or map value), map key,")
    w(" * enum count and values, member count and members. -1 means none.")
    w(" */")
    w("const struct model_shape model_shapes[] = {")
    current = None
    for i, (prefix, name, shape) in enumerate(order):
        if prefix != current:
            w("    /* %s */" % prefix)
            current = prefix
        kind = shape["type"]
        if kind == "structure" and shape.get("document"):
            ctype = "MODEL_DOCUMENT"
        elif kind in TYPES:
            ctype = TYPES[kind]
        else:
            fail("shape %s: unsupported type %s" % (name, kind))
        flags = []
        lo = bound(name, shape, "min")
        hi = bound(name, shape, "max")
        if lo is not None:
            flags.append("MODEL_HAS_MIN")
        if hi is not None:
            flags.append("MODEL_HAS_MAX")
        if shape.get("sensitive"):
            flags.append("MODEL_SENSITIVE")
        if redact[i]:
            flags.append("MODEL_REDACT")
        pattern = pattern_index.get(shape.get("pattern"), -1) if "pattern" in shape else -1
        element = key = -1
        if kind == "list":
            element = index[(prefix, shape["member"]["shape"])]
        elif kind == "map":
            element = index[(prefix, shape["value"]["shape"])]
            key = index[(prefix, shape["key"]["shape"])]
        values = shape.get("enum") or []
        enums = enum_names[tuple(values)] if values else "NULL"
        members = []
        if ctype == "MODEL_STRUCTURE":
            members = list(shape.get("members", {}))
        member_table = "members_%d" % i if members else "NULL"
        w("    {%s, %s, %s, %s, %s, %d, %d, %d, %d, %s, %d, %s}, /* %d */" % (
            c_string(name), ctype, " | ".join(flags) if flags else "0",
            c_int64(lo if lo is not None else 0),
            c_int64(hi if hi is not None else 0),
            pattern, element, key, len(values), enums, len(members), member_table, i))
    w("};")
    w("const size_t model_shape_count = %d;" % len(order))
    w("")

    for c_name, prefix, model in services:
        ops = sorted(model["operations"].items(), key=lambda kv: kv[0].encode("utf-8"))
        table = c_name.replace("model_service_", "operations_")
        w("/* %s operations, sorted by name (strcmp order): name, input shape. */" % prefix)
        w("static const struct model_operation %s[] = {" % table)
        for op_name, op in ops:
            shape = index[(prefix, op["input"]["shape"])] if "input" in op else -1
            w("    {%s, %d}," % (c_string(op_name), shape))
        w("};")
        w("const struct model_service %s = {%s, %s, %d};" % (
            c_name, c_string(prefix), table, len(ops)))
        w("")
    w("/* clang-format on */")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s MODEL_DIR OUTPUT.c\n" % argv[0])
        return 2
    text = generate(argv[1])
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
