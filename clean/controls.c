/* See controls.h. */
#include "clean/controls.h"

#include <math.h>
#include <string.h>

typedef enum unit_kind { U_YUAN, U_USD, U_PERSONS, U_AREA, U_RATE } unit_kind;

static const struct {
    const char *name;
    unit_kind kind;
    double factor; /* to base units: yuan, US$, persons, km2, yuan per US$ */
} units[] = {
    {"yuan", U_YUAN, 1},
    {"元", U_YUAN, 1},
    {"10k yuan", U_YUAN, 1e4},
    {"万元", U_YUAN, 1e4},
    {"100m yuan", U_YUAN, 1e8},
    {"亿元", U_YUAN, 1e8},
    {"usd", U_USD, 1},
    {"美元", U_USD, 1},
    {"10k usd", U_USD, 1e4},
    {"万美元", U_USD, 1e4},
    {"million usd", U_USD, 1e6},
    {"百万美元", U_USD, 1e6},
    {"100m usd", U_USD, 1e8},
    {"亿美元", U_USD, 1e8},
    {"persons", U_PERSONS, 1},
    {"人", U_PERSONS, 1},
    {"10k persons", U_PERSONS, 1e4},
    {"万人", U_PERSONS, 1e4},
    {"km2", U_AREA, 1},
    {"平方公里", U_AREA, 1},
    {"10k km2", U_AREA, 1e4},
    {"万平方公里", U_AREA, 1e4},
    {"yuan per usd", U_RATE, 1},
    {"元/美元", U_RATE, 1},
    {"yuan per 100 usd", U_RATE, 0.01},
    {"元/百美元", U_RATE, 0.01},
};

static const char *kind_name(unit_kind k)
{
    switch (k) {
    case U_YUAN:
        return "yuan";
    case U_USD:
        return "US$";
    case U_PERSONS:
        return "persons";
    case U_AREA:
        return "area";
    case U_RATE:
        break;
    }
    return "exchange rate";
}

/* Convert q to base units. *present = 0 when missing. accept2 is a second acceptable kind
 * (or the same as accept). */
static dtp_status convert(const char *prov, int year, const char *field, dtp_ctl_quantity q,
                          unit_kind accept, unit_kind accept2, double *v, unit_kind *kind,
                          int *present, dtp_error *err)
{
    *present = 0;
    *v = NAN;
    if (!q.unit || !*q.unit)
        return DTP_OK;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(units[i].name, q.unit) != 0)
            continue;
        if (units[i].kind != accept && units[i].kind != accept2) {
            dtp_error_locatef(err, "province %s year %d field %s", prov, year, field);
            return dtp_error_set(err, DTP_ERR_VALIDATION, "clean", "unit '%s' is %s, expected %s",
                                 q.unit, kind_name(units[i].kind), kind_name(accept));
        }
        if (!isfinite(q.value) || q.value < 0) {
            dtp_error_locatef(err, "province %s year %d field %s", prov, year, field);
            return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                 "value %g is negative or not a number", q.value);
        }
        *v = q.value * units[i].factor;
        *kind = units[i].kind;
        *present = 1;
        return DTP_OK;
    }
    dtp_error_locatef(err, "province %s year %d field %s", prov, year, field);
    return dtp_error_set(err, DTP_ERR_VALIDATION, "clean", "unknown unit '%s'", q.unit);
}

static double ratio(double a, double b)
{
    return (isfinite(a) && isfinite(b) && b > 0) ? a / b : NAN;
}

dtp_status dtp_controls_compute(const char *prov, int year, const dtp_ctl_inputs *in,
                                dtp_ctl_outputs *out, dtp_error *err)
{
    struct {
        const char *field;
        const dtp_ctl_quantity *q;
        unit_kind a, b;
        double v;
        unit_kind kind;
        int present;
    } f[] = {
        {"gdp", &in->gdp, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"budget_expenditure", &in->budget_expenditure, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"population", &in->population, U_PERSONS, U_PERSONS, 0, U_YUAN, 0},
        {"area", &in->area, U_AREA, U_AREA, 0, U_YUAN, 0},
        {"tertiary_va", &in->tertiary_va, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"secondary_va", &in->secondary_va, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"retail_sales", &in->retail_sales, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"tech_market_turnover", &in->tech_market_turnover, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"fdi", &in->fdi, U_YUAN, U_USD, 0, U_YUAN, 0},
        {"exchange_rate", &in->exchange_rate, U_RATE, U_RATE, 0, U_YUAN, 0},
        {"postal_telecom", &in->postal_telecom, U_YUAN, U_YUAN, 0, U_YUAN, 0},
        {"loans", &in->loans, U_YUAN, U_YUAN, 0, U_YUAN, 0},
    };
    enum { GDP, BUDGET, POP, AREA, TERT, SEC, RETAIL, TECH, FDI, RATE, POST, LOANS };
    const char *p = prov ? prov : "";
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        dtp_status st = convert(p, year, f[i].field, *f[i].q, f[i].a, f[i].b, &f[i].v, &f[i].kind,
                                &f[i].present, err);
        if (st != DTP_OK)
            return st;
    }
    double fdi_yuan = f[FDI].v;
    if (f[FDI].present && f[FDI].kind == U_USD) {
        if (!f[RATE].present || !(f[RATE].v > 0)) {
            dtp_error_locatef(err, "province %s year %d field exchange_rate", p, year);
            return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                 "fdi is in US$ but the year's exchange rate is missing");
        }
        fdi_yuan = f[FDI].v * f[RATE].v;
    }
    double gdp = f[GDP].v;
    out->fiscal = ratio(f[BUDGET].v, gdp);
    double pc = ratio(gdp, f[POP].v);
    out->ln_gdp_pc = (isfinite(pc) && pc > 0) ? log(pc) : NAN;
    out->industrial_structure = ratio(f[TERT].v, f[SEC].v);
    out->consumption = ratio(f[RETAIL].v, gdp);
    out->tech_transfer = ratio(f[TECH].v, gdp);
    out->pop_density = ratio(f[POP].v, f[AREA].v);
    out->fdi_gdp = ratio(fdi_yuan, gdp);
    out->informatisation = ratio(f[POST].v, gdp);
    out->financial = ratio(f[LOANS].v, gdp);
    return DTP_OK;
}

dtp_status dtp_controls_high_development(const double *v, size_t n, int *high, double *mean,
                                         dtp_error *err)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            sum += v[i];
            k++;
        }
    if (k == 0)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "high/low development: no finite ln gdp per capita");
    double m = sum / (double)k;
    for (size_t i = 0; i < n; i++)
        high[i] = isfinite(v[i]) ? (v[i] > m) : -1;
    if (mean)
        *mean = m;
    return DTP_OK;
}
