/* Strict parsing of numbers as sources write them. A value that is not exactly a decimal number
 * is an error naming the cell, never a silent zero or a guess (thousands separators, NaN,
 * infinities and overflow are refused). */
#ifndef DTP_FETCH_NUMBER_H
#define DTP_FETCH_NUMBER_H

#include <stddef.h>

#include "common/error.h"

enum {
    DTP_NUM_THOUSANDS = 1 /* accept ',' between groups of three digits (declared sources only) */
};

/* Parse s[0..len) as [+-]digits[.digits][(e|E)[+-]digits] (also ".5" and "5."). On failure
 * returns DTP_ERR_PARSE and points *why at a static reason ("thousands separator", "not a
 * number", "out of range", ...). "-0" gives +0. */
dtp_status dtp_fetch_parse_number(const char *s, size_t len, int flags, double *out,
                                  const char **why);

/* Parse s[0..len) as a year of exactly four digits (1000..9999). */
dtp_status dtp_fetch_parse_year(const char *s, size_t len, int *out);

/* Parse a non-negative decimal integer without sign or spaces that fits in a long. */
dtp_status dtp_fetch_parse_long(const char *s, size_t len, long *out);

/* Shortest "%.{15,16,17}g" text that reads back as v exactly (for values that arrive as binary
 * numbers, e.g. JSON). Always NUL-terminates out. */
void dtp_fetch_format_double(double v, char *out, size_t outsz);

#endif
