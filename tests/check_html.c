/*
 * check_html: HTML escaping and slot templates (util/html.c), and the embedded page files
 * (oauth_pages_data.c, generated at build time).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oauth/oauth_pages.h"
#include "util/html.h"
#include "testutil.h"

/* Render tmpl with the n slots and compare with expect. */
static void assert_renders(const char *tmpl, const struct html_slot *slots, size_t n,
                           const char *expect)
{
    char *out = html_render(tmpl, slots, n);

    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, expect);
    free(out);
}

START_TEST(test_html_escape_covers_text_and_attributes)
{
    struct strbuf b = {0};
    char *out;

    html_escape(&b, "<script>alert('x')</script> & \"q\"");
    html_escape(&b, NULL);
    out = strbuf_take(&b);
    ck_assert_str_eq(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    free(out);
}
END_TEST

START_TEST(test_html_render_escapes_slots_and_keeps_raw_ones)
{
    const struct html_slot slots[] = {
        {"name", "<b>Ann</b>"},
        {"frag", "<p>ok</p>"},
        {"none", NULL},
        {"name", "second"},
    };

    assert_renders("Hi {{name}}!", slots, 4, "Hi &lt;b&gt;Ann&lt;/b&gt;!");
    assert_renders("{{{frag}}}{{frag}}", slots, 4, "<p>ok</p>&lt;p&gt;ok&lt;/p&gt;");
    /* A slot nobody fills, or filled with NULL, renders as nothing. */
    assert_renders("[{{none}}][{{missing}}][{{{missing}}}]", slots, 4, "[][][]");
}
END_TEST

START_TEST(test_html_render_copies_what_is_not_a_slot)
{
    const struct html_slot slots[] = {{"a", "1"}};

    assert_renders("{{ a }} {{a {{}} {a} }} {{{a}} {{a}}}", slots, 1,
                   "{{ a }} {{a {{}} {a} }} {1 1}");
    assert_renders("", slots, 1, "");
    assert_renders("tail {{", slots, 1, "tail {{");
}
END_TEST

START_TEST(test_html_value_is_never_read_as_a_template)
{
    const struct html_slot slots[] = {{"a", "{{b}}"}, {"b", "no"}};

    assert_renders("{{a}}", slots, 2, "{{b}}");
}
END_TEST

START_TEST(test_html_pages_are_embedded)
{
    bool layout = false, css = false;

    for (const struct oauth_page_file *f = OAUTH_PAGE_FILES; f->name != NULL; f++) {
        ck_assert_uint_gt(strlen(f->text), 0);
        layout |= strcmp(f->name, "layout.html") == 0 && strstr(f->text, "{{{body}}}") != NULL;
        css |= strcmp(f->name, "style.css") == 0;
    }
    ck_assert(layout);
    ck_assert(css);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");

    tcase_add_test(tc, test_html_escape_covers_text_and_attributes);
    tcase_add_test(tc, test_html_render_escapes_slots_and_keeps_raw_ones);
    tcase_add_test(tc, test_html_render_copies_what_is_not_a_slot);
    tcase_add_test(tc, test_html_value_is_never_read_as_a_template);
    tcase_add_test(tc, test_html_pages_are_embedded);
    suite_add_tcase(s, tc);
    return s;
}
