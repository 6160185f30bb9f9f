/* Listed-company matching (METHODS.md §B, rule 1): a certificate holder is a listed company when
 * its USCC, or else its normalised full name, appears in the reference file the maintainer
 * supplies (code,name,uscc,exchange). The match says how it was made. */
#ifndef DTP_CLEAN_LISTED_H
#define DTP_CLEAN_LISTED_H

#include <stddef.h>

#include "common/error.h"

typedef struct dtp_listed_company {
    char code[16];     /* stock code, e.g. 600000 */
    char name[256];    /* full registered name */
    char uscc[19];     /* "" when the file gives none */
    char exchange[16]; /* SSE, SZSE, BSE, ... */
    char norm[256];    /* normalised name */
    size_t line;
} dtp_listed_company;

typedef struct dtp_listed {
    dtp_listed_company *rows;
    size_t n;
} dtp_listed;

typedef enum dtp_listed_how {
    DTP_LISTED_NONE = 0,
    DTP_LISTED_USCC,      /* the holder's USCC equals a company's USCC */
    DTP_LISTED_NAME,      /* the normalised names are equal (USCC missing or not in the file) */
    DTP_LISTED_AMBIGUOUS, /* the normalised name names several companies: no match */
} dtp_listed_how;

typedef struct dtp_listed_match {
    dtp_listed_how how;
    const dtp_listed_company *company; /* borrowed; NULL unless USCC or NAME */
} dtp_listed_match;

#define DTP_LISTED_MAX_ROWS 100000u

/* Read the reference CSV. Each row needs code, name and exchange; uscc, when given, must pass its
 * check character. A USCC listed twice is an error naming both lines. */
dtp_status dtp_listed_read_mem(const char *data, size_t n, const char *name, dtp_listed *out,
                               dtp_error *err);
dtp_status dtp_listed_read_file(const char *path, dtp_listed *out, dtp_error *err);
void dtp_listed_free(dtp_listed *t);

/* Match a holder by USCC first, then by normalised full name. */
dtp_listed_match dtp_listed_match_holder(const dtp_listed *t, const char *uscc, const char *name);

/* Normalise a company name: full-width ASCII to half-width, ideographic space removed, brackets
 * （）［］【】〔〕 unified to (), all whitespace removed, Latin letters upper-cased. */
char *dtp_listed_normalise(const char *name, char *out, size_t outsz);

const char *dtp_listed_how_name(dtp_listed_how h);

#endif
