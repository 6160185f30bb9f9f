/* Unified social credit code (GB 32100-2015): 18 characters from the alphabet
 * 0-9 A-H J-N P-R T U W X Y; character 18 is a check character over the first 17 (weights
 * 3^i mod 31); characters 3-8 are the registering authority's administrative division code
 * (GB/T 2260), whose first two digits name the province. Shared by ocr (validation) and clean
 * (province of the holder). */
#ifndef DTP_COMMON_USCC_H
#define DTP_COMMON_USCC_H

#include <stddef.h>

#define DTP_USCC_LEN 18

typedef enum dtp_uscc_result {
    DTP_USCC_OK = 0,        /* valid as given */
    DTP_USCC_BAD_LENGTH,    /* not 18 characters */
    DTP_USCC_BAD_CHARACTER, /* a character outside the code's alphabet */
    DTP_USCC_BAD_CHECK,     /* well-formed but the check character does not match */
} dtp_uscc_result;

/* Validate an 18-character code (upper-case ASCII expected; no normalisation is done). */
dtp_uscc_result dtp_uscc_check(const char *code);

/* The check character the first 17 characters call for, or '\0' when one of them is not in the
 * alphabet. */
char dtp_uscc_check_char(const char *first17);

/* Try to repair a code that fails validation by exactly one substitution among characters OCR
 * confuses (0/O/D, 1/I/L, 2/Z, 5/S, 8/B). Writes the repaired code into out (19 bytes) and the
 * 0-based position changed into *pos when exactly one substitution yields a valid code; returns 1.
 * Returns 0 (out untouched) when the code is already valid, or when zero or several candidates
 * pass: an ambiguous repair is no repair. */
int dtp_uscc_repair(const char *code, char out[DTP_USCC_LEN + 1], int *pos);

/* Two-digit province code (GB/T 2260, "11".."65") from characters 3-4 of a valid code, written
 * into out (3 bytes). Returns 0 when the code is not valid or the division is not a known
 * province-level code. */
int dtp_uscc_province(const char *code, char out[3]);

/* 1 when the two digits name a provincial-level division of GB/T 2260 (11..15, 21..23, 31..37,
 * 41..46, 50..54, 61..65, 71, 81, 82). */
int dtp_province_code_known(const char *two_digits);

#endif
