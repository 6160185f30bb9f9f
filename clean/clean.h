/* The clean stage: pure rules over plain structs, no I/O besides reading the curated tables.
 * The staging layer fills a dtp_clean_panel from its observations, runs the rules and writes
 * cells, statuses and ledger rows back. See clean/README.md for the map of modules. */
#ifndef DTP_CLEAN_CLEAN_H
#define DTP_CLEAN_CLEAN_H

#include "clean/certvalid.h" /* does a certificate count on 31 December of year t */
#include "clean/controls.h"  /* province controls with unit checks; high/low development */
#include "clean/crosswalk.h" /* codes and labels -> ISO3 / aggregate / ignored / unmapped */
#include "clean/csvtable.h"  /* small capped CSV tables with line numbers (libcsv) */
#include "clean/entropy.h"   /* entropy weight index per year */
#include "clean/impute.h"    /* ipolate / epolate within one series */
#include "clean/listed.h"    /* listed-company matching: USCC, then normalised name */
#include "clean/override.h"  /* documented overrides, source value kept */
#include "clean/panel.h"     /* cells, statuses, missing reasons, ledger */
#include "clean/province.h"  /* province of a holder: USCC, address fallback */
#include "clean/reconcile.h" /* checks: survey vs registry, year-on-year jumps */
#include "clean/reference.h" /* IMF advanced economies, RCEP, provinces */
#include "clean/sample.h"    /* sample rules 1-3 of METHODS.md §A */
#include "clean/transform.h" /* dt_total, logs, iso27001 transforms */

#endif
