/* See province.h. */
#include "clean/province.h"

#include <string.h>

#include "common/uscc.h"

/* GB/T 2260 provincial-level divisions and the short names used in addresses. data/provinces.csv
 * holds the same mainland list; the unit tests check that they agree. */
static const struct {
    const char *code, *short_zh;
} names[] = {
    {"11", "北京"}, {"12", "天津"}, {"13", "河北"},   {"14", "山西"}, {"15", "内蒙古"},
    {"21", "辽宁"}, {"22", "吉林"}, {"23", "黑龙江"}, {"31", "上海"}, {"32", "江苏"},
    {"33", "浙江"}, {"34", "安徽"}, {"35", "福建"},   {"36", "江西"}, {"37", "山东"},
    {"41", "河南"}, {"42", "湖北"}, {"43", "湖南"},   {"44", "广东"}, {"45", "广西"},
    {"46", "海南"}, {"50", "重庆"}, {"51", "四川"},   {"52", "贵州"}, {"53", "云南"},
    {"54", "西藏"}, {"61", "陕西"}, {"62", "甘肃"},   {"63", "青海"}, {"64", "宁夏"},
    {"65", "新疆"}, {"71", "台湾"}, {"81", "香港"},   {"82", "澳门"},
};

#define NNAMES ((int)(sizeof names / sizeof names[0]))

int dtp_province_names_count(void)
{
    return NNAMES;
}

const char *dtp_province_names_code(int i)
{
    return i >= 0 && i < NNAMES ? names[i].code : "";
}

const char *dtp_province_names_short(int i)
{
    return i >= 0 && i < NNAMES ? names[i].short_zh : "";
}

int dtp_province_from_address(const char *address, char out[3])
{
    out[0] = '\0';
    if (!address || !*address)
        return 0;
    /* The earliest name wins: an address starts with its province ("江苏省南京市北京东路"),
     * later names are usually streets. Full forms begin with the short form, so matching the
     * short form finds both. */
    const char *best = NULL;
    int best_i = -1;
    for (int i = 0; i < NNAMES; i++) {
        const char *hit = strstr(address, names[i].short_zh);
        if (hit && (!best || hit < best ||
                    (hit == best && strlen(names[i].short_zh) > strlen(names[best_i].short_zh)))) {
            best = hit;
            best_i = i;
        }
    }
    if (best_i < 0)
        return 0;
    memcpy(out, names[best_i].code, 3);
    return 1;
}

dtp_province_result dtp_province_of_holder(const char *uscc, const char *address)
{
    dtp_province_result r;
    memset(&r, 0, sizeof r);
    if (uscc && *uscc) {
        if (dtp_uscc_province(uscc, r.code)) {
            r.how = DTP_PROVINCE_USCC;
            return r;
        }
        r.uscc_invalid = 1;
        r.code[0] = '\0';
    }
    if (dtp_province_from_address(address, r.code))
        r.how = DTP_PROVINCE_ADDRESS_FALLBACK;
    return r;
}

const char *dtp_province_how_name(dtp_province_how h)
{
    switch (h) {
    case DTP_PROVINCE_USCC:
        return "uscc";
    case DTP_PROVINCE_ADDRESS_FALLBACK:
        return "address_fallback";
    case DTP_PROVINCE_NONE:
        break;
    }
    return "none";
}
