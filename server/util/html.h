/*
 * html: HTML escaping and the page templates of the hosted sign-in pages. A template is text
 * with named slots: "{{name}}" is replaced by the slot's value escaped for HTML text and
 * attribute values (so anything a user typed can go there), "{{{name}}}" by the value as it
 * is, for fragments the server itself built (already escaped, or a style sheet). A slot the
 * caller does not fill renders as nothing, so that optional parts (an error line, a hint) are
 * just slots left empty. Nothing here knows about Cognito or HTTP.
 */
#ifndef COG_HTML_H
#define COG_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

/* One named slot of a template: value NULL renders as nothing. */
struct html_slot {
    const char *name;
    const char *value;
};

/*
 * Append s (may be NULL: nothing) to b with &, <, >, " and ' written as character
 * references: safe in element text and in quoted attribute values.
 */
void html_escape(struct strbuf *b, const char *s);

/*
 * tmpl with every slot filled from the n slots (the first of a name wins; see above for
 * "{{x}}" and "{{{x}}}"). A "{{" that does not start a well-formed slot is copied as it is.
 * A new string the caller frees, or NULL when out of memory.
 */
char *html_render(const char *tmpl, const struct html_slot *slots, size_t n);

#endif
