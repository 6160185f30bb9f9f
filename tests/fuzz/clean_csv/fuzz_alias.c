/* Fuzz the crosswalk's table readers. The first byte picks the table (aliases, aggregates,
 * ignore list, M49); the rest is the file. A small ISO table is loaded first, as in real use;
 * accepted tables are then queried with labels and codes cut from the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clean/crosswalk.h"

static const char iso[] =
    "{\"3166-1\":["
    "{\"alpha_2\":\"CN\",\"alpha_3\":\"CHN\",\"numeric\":\"156\",\"name\":\"China\"},"
    "{\"alpha_2\":\"KR\",\"alpha_3\":\"KOR\",\"numeric\":\"410\",\"name\":\"Korea, Republic of\","
    "\"common_name\":\"South Korea\"},"
    "{\"alpha_2\":\"KP\",\"alpha_3\":\"PRK\",\"numeric\":\"408\",\"name\":\"Korea, Democratic "
    "People's Republic of\"},"
    "{\"alpha_2\":\"CD\",\"alpha_3\":\"COD\",\"numeric\":\"180\",\"name\":\"Congo, The Democratic "
    "Republic of the\"},"
    "{\"alpha_2\":\"CG\",\"alpha_3\":\"COG\",\"numeric\":\"178\",\"name\":\"Congo\"},"
    "{\"alpha_2\":\"CI\",\"alpha_3\":\"CIV\",\"numeric\":\"384\",\"name\":\"C\xc3\xb4te "
    "d'Ivoire\"},"
    "{\"alpha_2\":\"TW\",\"alpha_3\":\"TWN\",\"numeric\":\"158\",\"name\":\"Taiwan, Province of "
    "China\"},"
    "{\"alpha_2\":\"HK\",\"alpha_3\":\"HKG\",\"numeric\":\"344\",\"name\":\"Hong Kong\"},"
    "{\"alpha_2\":\"MO\",\"alpha_3\":\"MAC\",\"numeric\":\"446\",\"name\":\"Macao\"},"
    "{\"alpha_2\":\"KY\",\"alpha_3\":\"CYM\",\"numeric\":\"136\",\"name\":\"Cayman Islands\"},"
    "{\"alpha_2\":\"LY\",\"alpha_3\":\"LBY\",\"numeric\":\"434\",\"name\":\"Libya\"},"
    "{\"alpha_2\":\"DZ\",\"alpha_3\":\"DZA\",\"numeric\":\"012\",\"name\":\"Algeria\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    dtp_error err;
    dtp_xw *xw = dtp_xw_new();
    if (!xw)
        return 0;
    if (dtp_xw_load_iso_mem(xw, iso, sizeof iso - 1, "iso.json", "fuzz", &err) != DTP_OK)
        __builtin_trap(); /* the built-in table must load */
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    dtp_status st;
    switch (data[0] % 5) {
    case 0:
        st = dtp_xw_load_aliases_mem(xw, body, n, "aliases.csv", &err);
        break;
    case 1:
        st = dtp_xw_load_aggregates_mem(xw, body, n, "aggregates.csv", &err);
        break;
    case 2:
        st = dtp_xw_load_ignore_mem(xw, body, n, "ignore.csv", &err);
        break;
    case 3:
        st = dtp_xw_load_m49_mem(xw, body, n, "m49.csv", &err);
        break;
    default:
        st = DTP_OK; /* lookups only */
        break;
    }
    (void)st;
    /* Query with slices of the input: the lookups must cope with anything. */
    char label[256];
    size_t len = n < sizeof label - 1 ? n : sizeof label - 1;
    memcpy(label, body, len);
    label[len] = '\0';
    char *nl = strchr(label, '\n');
    if (nl)
        *nl = '\0';
    (void)dtp_xw_name(xw, label, NULL);
    (void)dtp_xw_name(xw, label, "isosurvey_name");
    for (int sys = DTP_XW_ISO3; sys <= DTP_XW_OWID_CODE; sys++)
        (void)dtp_xw_code(xw, (dtp_xw_system)sys, label);
    char norm[64];
    (void)dtp_xw_normalise(label, norm, sizeof norm);
    (void)dtp_xw_ambiguous_keys(xw);
    (void)dtp_xw_version(xw);
    dtp_xw_free(xw);
    return 0;
}
