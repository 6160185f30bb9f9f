#include "ocr/labels.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/validate.h"

/* Older detail-page labels (SOURCES.md 5) first, then the list-page and variant wordings seen
 * on registry-like pages. Containing labels precede contained ones (组织机构代码/统一社会信用代码
 * before 统一社会信用代码 and 组织机构代码). */
static const dtp_ocr_label labels[] = {
    {"组织机构代码/统一社会信用代码", DTP_OCR_F_USCC},
    {"统一社会信用代码/组织机构代码", DTP_OCR_F_USCC},
    {"证书覆盖的业务范围", DTP_OCR_F_SCOPE},
    {"证书变化历史轨迹", DTP_OCR_LABEL_HISTORY},
    {"统一社会信用代码", DTP_OCR_F_USCC},
    {"获证组织名称", DTP_OCR_F_ORG_NAME},
    {"初次获证日期", DTP_OCR_F_FIRST_ISSUE_DATE},
    {"证书到期日期", DTP_OCR_F_EXPIRY_DATE},
    {"证书有效期至", DTP_OCR_F_EXPIRY_DATE},
    {"认证机构名称", DTP_OCR_F_CERT_BODY},
    {"组织机构代码", DTP_OCR_F_USCC},
    {"再认证次数", DTP_OCR_F_RECERT_COUNT},
    {"获证组织", DTP_OCR_F_ORG_NAME},
    {"证书编号", DTP_OCR_F_CERT_NO},
    {"证书状态", DTP_OCR_F_STATUS},
    {"颁证日期", DTP_OCR_F_ISSUE_DATE},
    {"发证日期", DTP_OCR_F_ISSUE_DATE},
    {"颁发日期", DTP_OCR_F_ISSUE_DATE},
    {"到期日期", DTP_OCR_F_EXPIRY_DATE},
    {"有效期至", DTP_OCR_F_EXPIRY_DATE},
    {"认证项目", DTP_OCR_F_PROJECT},
    {"认证依据", DTP_OCR_F_STANDARD},
    {"认证标准", DTP_OCR_F_STANDARD},
    {"监督次数", DTP_OCR_F_SURVEILLANCE_COUNT},
    {"业务范围", DTP_OCR_F_SCOPE},
    {"认证范围", DTP_OCR_F_SCOPE},
    {"组织名称", DTP_OCR_F_ORG_NAME},
    {"企业名称", DTP_OCR_F_ORG_NAME},
    {"组织地址", DTP_OCR_F_ADDRESS},
    {"注册地址", DTP_OCR_F_ADDRESS},
    {"认证机构", DTP_OCR_F_CERT_BODY},
    {"发证机构", DTP_OCR_F_CERT_BODY},
    {"证书号", DTP_OCR_F_CERT_NO},
    {"序号", DTP_OCR_LABEL_IGNORED},
    {"操作", DTP_OCR_LABEL_IGNORED},
    {"活动", DTP_OCR_LABEL_EV_ACTIVITY},
    {"描述", DTP_OCR_LABEL_EV_DESCRIPTION},
    {"日期", DTP_OCR_LABEL_EV_DATE},
};

const dtp_ocr_label *dtp_ocr_labels(size_t *n)
{
    *n = sizeof labels / sizeof *labels;
    return labels;
}

char *dtp_ocr_label_form(const char *s, size_t n)
{
    char *h = dtp_ocr_halfwidth(s, n);
    if (!h)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; h[i]; i++)
        if (!isspace((unsigned char)h[i]))
            h[o++] = h[i];
    h[o] = '\0';
    if (o && h[o - 1] == ':')
        h[--o] = '\0';
    if (h[0] == '*')
        memmove(h, h + 1, o);
    return h;
}

int dtp_ocr_label_lookup(const char *form, int history_context)
{
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
        if (strcmp(form, labels[i].text) != 0)
            continue;
        int t = labels[i].target;
        if (!history_context && t >= DTP_OCR_LABEL_EV_ACTIVITY && t <= DTP_OCR_LABEL_EV_DATE)
            return -1;
        return t;
    }
    return -1;
}

#define NEAR_MAX_CPS 24

int dtp_ocr_label_near(const char *form)
{
    int exact = dtp_ocr_label_lookup(form, 0);
    if (exact >= 0)
        return exact;
    unsigned f[NEAR_MAX_CPS + 2], l[NEAR_MAX_CPS];
    size_t nf = dtp_ocr_utf8_cps(form, f, NEAR_MAX_CPS + 2);
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
        if (labels[i].target < 0 || labels[i].target >= DTP_OCR_NFIELDS)
            continue;
        size_t nl = dtp_ocr_utf8_cps(labels[i].text, l, NEAR_MAX_CPS);
        if (nl < 4)
            continue;
        for (size_t skip = 0; skip <= 1; skip++) {
            if (nf != nl + skip)
                continue;
            int mism = 0;
            for (size_t k = 0; k < nl; k++)
                mism += f[k + skip] != l[k];
            if (mism <= 1)
                return labels[i].target;
        }
    }
    return -1;
}
