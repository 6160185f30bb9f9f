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

/* Provincial capitals, sub-provincial cities and large prefecture-level cities, for addresses
 * that start with the city. Names that are also province names (吉林) are left out: the
 * province pass finds them. */
static const struct {
    const char *code, *city;
} cities[] = {
    {"13", "石家庄"}, {"14", "太原"},   {"15", "呼和浩特"}, {"21", "沈阳"},     {"21", "大连"},
    {"22", "长春"},   {"23", "哈尔滨"}, {"32", "南京"},     {"32", "苏州"},     {"32", "无锡"},
    {"32", "常州"},   {"33", "杭州"},   {"33", "宁波"},     {"33", "温州"},     {"34", "合肥"},
    {"35", "福州"},   {"35", "厦门"},   {"36", "南昌"},     {"37", "济南"},     {"37", "青岛"},
    {"41", "郑州"},   {"42", "武汉"},   {"43", "长沙"},     {"44", "广州"},     {"44", "深圳"},
    {"44", "东莞"},   {"44", "佛山"},   {"44", "珠海"},     {"45", "南宁"},     {"46", "海口"},
    {"51", "成都"},   {"52", "贵阳"},   {"53", "昆明"},     {"54", "拉萨"},     {"61", "西安"},
    {"62", "兰州"},   {"63", "西宁"},   {"64", "银川"},     {"65", "乌鲁木齐"},
};

#define NCITIES ((int)(sizeof cities / sizeof cities[0]))

int dtp_province_from_city(const char *address, char out[3])
{
    out[0] = '\0';
    if (!address || !*address)
        return 0;
    const char *best = NULL;
    int best_i = -1;
    for (int i = 0; i < NCITIES; i++) {
        const char *hit = strstr(address, cities[i].city);
        if (hit && (!best || hit < best)) {
            best = hit;
            best_i = i;
        }
    }
    if (best_i < 0)
        return 0;
    memcpy(out, cities[best_i].code, 3);
    return 1;
}

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
    if (dtp_province_from_address(address, r.code)) {
        r.how = DTP_PROVINCE_ADDRESS_FALLBACK;
    } else if (dtp_province_from_city(address, r.code)) {
        r.how = DTP_PROVINCE_ADDRESS_FALLBACK;
        r.by_city = 1;
    }
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
