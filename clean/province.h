/* Province of a certificate holder (METHODS.md §B, rule 3): from the USCC (characters 3-4 of the
 * registering authority's division code), falling back to the address text only when the USCC is
 * missing or fails its check character, flagged. */
#ifndef DTP_PROVINCE_H
#define DTP_PROVINCE_H

typedef enum dtp_province_how {
    DTP_PROVINCE_NONE = 0,         /* no province found */
    DTP_PROVINCE_USCC,             /* from a valid USCC */
    DTP_PROVINCE_ADDRESS_FALLBACK, /* from the address text (USCC missing or invalid) */
} dtp_province_how;

typedef struct dtp_province_result {
    char code[3]; /* "11".."65", "71", "81", "82"; "" when none */
    dtp_province_how how;
    int uscc_invalid; /* a USCC was given but failed validation */
    int by_city;      /* ADDRESS_FALLBACK found no province name, only a major city's */
} dtp_province_result;

/* uscc and address may be NULL or empty. A valid USCC whose division is not a known province
 * code falls back to the address too (and is reported through uscc_invalid). */
dtp_province_result dtp_province_of_holder(const char *uscc, const char *address);

/* The province named in address text: the earliest occurrence of a provincial name (short form
 * such as 广东 or full form such as 广东省, 内蒙古自治区); "" when none. Writes out (3 bytes);
 * returns 1 when found. */
int dtp_province_from_address(const char *address, char out[3]);

/* When an address names no province ("深圳市南山区..."): the province of the earliest of the
 * provincial capitals, the sub-provincial cities and a few large prefecture-level cities named
 * in it (a fixed list in province.c). Returns 1 when found. Less certain than a province name
 * (a street can be named after a city), so the result says by_city. */
int dtp_province_from_city(const char *address, char out[3]);

/* The built-in name table: count, and the i-th code / short Chinese name (for tests). */
int dtp_province_names_count(void);
const char *dtp_province_names_code(int i);
const char *dtp_province_names_short(int i);

const char *dtp_province_how_name(dtp_province_how h);

#endif
