/*
 * oauth_pages: the files of server/oauth/pages (HTML templates and the style sheet), built
 * into the binary by server/oauth/pages/embed.sh (Makefile.am), so that the server needs no
 * files at run time and the pages load nothing from elsewhere.
 */
#ifndef COG_OAUTH_PAGES_H
#define COG_OAUTH_PAGES_H

/* One embedded file: its basename and its bytes, NUL-terminated. */
struct oauth_page_file {
    const char *name;
    const char *text;
};

/* Every embedded file, ended by a row of NULLs (generated: oauth_pages_data.c). */
extern const struct oauth_page_file OAUTH_PAGE_FILES[];

#endif
