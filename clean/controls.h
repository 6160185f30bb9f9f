/* Province controls (METHODS.md §B): ratios computed from yearbook inputs, each input carrying
 * its unit, converted to base units (yuan, US$, persons, km2) before any ratio is taken; a unit
 * that does not belong to the field is an error naming province, year and field. */
#ifndef DTP_CLEAN_CONTROLS_H
#define DTP_CLEAN_CONTROLS_H

#include <stddef.h>

#include "common/error.h"

/* A yearbook figure and its unit. A missing figure has unit NULL or "" (value ignored).
 * Units understood (English or the yearbooks' Chinese):
 *   money (yuan):  "yuan" 元, "10k yuan" 万元, "100m yuan" 亿元
 *   money (US$):   "usd" 美元, "10k usd" 万美元, "million usd" 百万美元, "100m usd" 亿美元
 *   persons:       "persons" 人, "10k persons" 万人
 *   area:          "km2" 平方公里, "10k km2" 万平方公里
 *   exchange rate: "yuan per usd" 元/美元, "yuan per 100 usd" 元/百美元 */
typedef struct dtp_ctl_quantity {
    double value;
    const char *unit;
} dtp_ctl_quantity;

typedef struct dtp_ctl_inputs {
    dtp_ctl_quantity gdp;                  /* money */
    dtp_ctl_quantity budget_expenditure;   /* money: general public budget expenditure */
    dtp_ctl_quantity population;           /* persons: year-end resident population */
    dtp_ctl_quantity area;                 /* area */
    dtp_ctl_quantity tertiary_va;          /* money */
    dtp_ctl_quantity secondary_va;         /* money */
    dtp_ctl_quantity retail_sales;         /* money: retail sales of consumer goods */
    dtp_ctl_quantity tech_market_turnover; /* money */
    dtp_ctl_quantity fdi;                  /* money, yuan or US$: actually used FDI */
    dtp_ctl_quantity exchange_rate;        /* exchange rate: needed when fdi is in US$ */
    dtp_ctl_quantity postal_telecom;       /* money: postal and telecom business volume */
    dtp_ctl_quantity loans;                /* money: loans outstanding */
} dtp_ctl_inputs;

/* NaN where an input is missing (or a denominator is zero). */
typedef struct dtp_ctl_outputs {
    double fiscal;               /* budget expenditure / GDP */
    double ln_gdp_pc;            /* ln(GDP yuan / persons) */
    double industrial_structure; /* tertiary / secondary */
    double consumption;          /* retail / GDP */
    double tech_transfer;        /* technology market turnover / GDP */
    double pop_density;          /* persons / km2 */
    double fdi_gdp;              /* FDI (in yuan; US$ x rate) / GDP */
    double informatisation;      /* postal & telecom volume / GDP */
    double financial;            /* loans / GDP */
} dtp_ctl_outputs;

/* Compute the controls for one province-year. DTP_ERR_VALIDATION naming province, year and field
 * for an unknown unit, a unit of the wrong kind (e.g. persons for GDP), a negative or non-finite
 * value, or FDI in US$ without an exchange rate. */
dtp_status dtp_controls_compute(const char *province, int year, const dtp_ctl_inputs *in,
                                dtp_ctl_outputs *out, dtp_error *err);

/* High/low development split: high[i] = 1 when ln_gdp_pc[i] is above the mean of the finite
 * values, 0 at or below it, -1 when ln_gdp_pc[i] is not finite. *mean (may be NULL) gets the
 * mean. DTP_ERR_VALIDATION when no value is finite. */
dtp_status dtp_controls_high_development(const double *ln_gdp_pc, size_t n, int *high, double *mean,
                                         dtp_error *err);

#endif
