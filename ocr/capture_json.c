/* JSON list responses of the CNCA registry. The legacy keys are real (tests/fixtures/real/cnca);
 * the CertECloud keys after them are the likely names (SOURCES.md 5 lists certNumber, orgName,
 * authProjName, certiStatusName, certiEDate, rzjgName) and are unverified: an unknown key is
 * ignored, a row with no known key is an error, so a changed API is noticed, not misread. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "ocr/capture.h"
#include "ocr/validate.h"

typedef struct key_map {
    const char *key;
    int field;
    const char *flag; /* flag to put on the field when taken from this key, or NULL */
} key_map;

/* Per field, keys in order of preference: the first present, non-empty key wins. */
static const key_map keys[] = {
    {"certNumber", DTP_OCR_F_CERT_NO, NULL},
    {"certNo", DTP_OCR_F_CERT_NO, NULL},
    {"certiNo", DTP_OCR_F_CERT_NO, NULL},
    {"certificateNo", DTP_OCR_F_CERT_NO, NULL},
    {"orgName", DTP_OCR_F_ORG_NAME, NULL},
    {"entName", DTP_OCR_F_ORG_NAME, NULL},
    {"orgCreditCode", DTP_OCR_F_USCC, NULL},
    {"creditCode", DTP_OCR_F_USCC, NULL},
    {"socialCreditCode", DTP_OCR_F_USCC, NULL},
    {"uscc", DTP_OCR_F_USCC, NULL},
    /* legacy queryOrg gives either a 9-character organisation code or an 18-character USCC
     * here; validation moves a 9-character code to org_code */
    {"orgCode", DTP_OCR_F_USCC, NULL},
    {"rzjgIdName", DTP_OCR_F_CERT_BODY, NULL},
    {"rzjgName", DTP_OCR_F_CERT_BODY, NULL},
    {"certOrgName", DTP_OCR_F_CERT_BODY, NULL},
    {"rzjgId", DTP_OCR_F_CERT_BODY_ID, NULL},
    {"authProjCodeName", DTP_OCR_F_PROJECT, NULL},
    {"authProjName", DTP_OCR_F_PROJECT, NULL},
    {"authProjCode", DTP_OCR_F_PROJECT_CODE, NULL},
    {"certiStandard", DTP_OCR_F_STANDARD, NULL},
    {"authStandard", DTP_OCR_F_STANDARD, NULL},
    {"standardName", DTP_OCR_F_STANDARD, NULL},
    {"certiSDate", DTP_OCR_F_ISSUE_DATE, NULL},
    {"issueDate", DTP_OCR_F_ISSUE_DATE, NULL},
    /* legacy list.do: an eight-digit date that precedes certiEDate in every real row; read as
     * the issue date (SAP's ERSDA is "created on"), flagged because the name does not say so */
    {"zersda", DTP_OCR_F_ISSUE_DATE, "issue_date_from_zersda"},
    {"certiEDate", DTP_OCR_F_EXPIRY_DATE, NULL},
    {"expireDate", DTP_OCR_F_EXPIRY_DATE, NULL},
    {"firstIssueDate", DTP_OCR_F_FIRST_ISSUE_DATE, NULL},
    {"certiStatusName", DTP_OCR_F_STATUS, NULL},
    {"certStatusName", DTP_OCR_F_STATUS, NULL},
    {"certiStatus", DTP_OCR_F_STATUS, NULL},
    {"certStatus", DTP_OCR_F_STATUS, NULL},
    {"orgAddress", DTP_OCR_F_ADDRESS, NULL},
    {"certiScope", DTP_OCR_F_SCOPE, NULL},
    {"certScope", DTP_OCR_F_SCOPE, NULL},
};

/* Scalar JSON value as text into b; 0 when the value is null, empty, or not a scalar. */
static int scalar_text(const json_t *v, dtp_buf *b)
{
    dtp_buf_reset(b);
    if (json_is_string(v)) {
        if (json_string_length(v) == 0)
            return 0;
        return dtp_buf_append(b, json_string_value(v), json_string_length(v)) == DTP_OK;
    }
    if (json_is_integer(v))
        return dtp_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) == DTP_OK;
    if (json_is_real(v))
        return dtp_buf_printf(b, "%.17g", json_real_value(v)) == DTP_OK;
    return 0;
}

static int is_known_key(const char *k)
{
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(keys[i].key, k) == 0)
            return 1;
    return 0;
}

/* Comma-separated keys of an object, for error messages (at most ~200 bytes). */
static void list_keys(const json_t *obj, char *out, size_t outsz)
{
    const char *k;
    json_t *v;
    size_t o = 0;
    out[0] = '\0';
    json_object_foreach((json_t *)obj, k, v)
    {
        (void)v;
        int w = snprintf(out + o, outsz - o, "%s%s", o ? ", " : "", k);
        if (w < 0 || (size_t)w >= outsz - o) {
            out[o] = '\0';
            snprintf(out + o, outsz - o, "%s...", o ? ", " : "");
            return;
        }
        o += (size_t)w;
    }
}

static const char *const row_keys[] = {"rows", "list", "records", "data", NULL};

/* Find the array of rows and its JSON path. Returns the borrowed array or NULL. */
static json_t *find_rows(json_t *root, char *path, size_t pathsz)
{
    if (json_is_array(root)) {
        snprintf(path, pathsz, "$");
        return root;
    }
    if (!json_is_object(root))
        return NULL;
    for (size_t i = 0; row_keys[i]; i++) {
        json_t *a = json_object_get(root, row_keys[i]);
        if (json_is_array(a)) {
            snprintf(path, pathsz, "$.%s", row_keys[i]);
            return a;
        }
    }
    static const char *const inner[] = {"data", "result", NULL};
    for (size_t j = 0; inner[j]; j++) {
        json_t *o = json_object_get(root, inner[j]);
        if (!json_is_object(o))
            continue;
        for (size_t i = 0; row_keys[i]; i++) {
            json_t *a = json_object_get(o, row_keys[i]);
            if (json_is_array(a)) {
                snprintf(path, pathsz, "$.%s.%s", inner[j], row_keys[i]);
                return a;
            }
        }
    }
    return NULL;
}

/* Rows carry the status twice (certiStatusName and the code certiStatus). The name is taken
 * first; a name outside the vocabulary falls back to the code (flagged), and a name and code
 * that disagree are flagged and sent to review rather than trusting either. */
static dtp_status status_cross_check(json_t *row, size_t idx, const char *base, dtp_ocr_record *r,
                                     dtp_buf *text, dtp_error *err)
{
    static const char *const code_keys[] = {"certiStatus", "certStatus"};
    dtp_ocr_field *f = &r->fields[DTP_OCR_F_STATUS];
    if (!f->raw || !f->locator)
        return DTP_OK;
    for (size_t k = 0; k < 2; k++) {
        json_t *v = json_object_get(row, code_keys[k]);
        if (!v || !scalar_text(v, text))
            continue;
        char suffix[32];
        snprintf(suffix, sizeof suffix, ".%s", code_keys[k]);
        size_t ll = strlen(f->locator), sl = strlen(suffix);
        if (ll >= sl && strcmp(f->locator + ll - sl, suffix) == 0)
            return DTP_OK; /* the code is what was read */
        dtp_ocr_cert_status by_name = dtp_ocr_parse_status(f->raw);
        dtp_ocr_cert_status by_code = dtp_ocr_parse_status(dtp_buf_str(text));
        if (by_code == DTP_OCR_STATUS_UNKNOWN || by_name == by_code)
            return DTP_OK;
        dtp_status st = DTP_OK;
        if (by_name == DTP_OCR_STATUS_UNKNOWN) {
            char loc[256];
            snprintf(loc, sizeof loc, "%s[%zu].%s", base, idx, code_keys[k]);
            st = dtp_ocr_field_set_raw(f, text->data, text->len, loc, NULL, 100.0f);
            if (st == DTP_OK)
                st = dtp_ocr_field_add_flag(f, "status_from_code");
        } else {
            st = dtp_ocr_field_add_flag(f, "status_code_mismatch");
        }
        if (st != DTP_OK)
            return dtp_error_set(err, st, "ocr", "json capture: out of memory");
        return DTP_OK;
    }
    return DTP_OK;
}

static dtp_status read_row(json_t *row, size_t idx, const char *base, const char *sha,
                           dtp_ocr_record **out, dtp_error *err)
{
    dtp_status st = DTP_OK;
    dtp_buf text, loc;
    dtp_buf_init(&text, DTP_OCR_TEXT_MAX);
    dtp_buf_init(&loc, 1024);
    dtp_ocr_record *r = dtp_ocr_record_new(DTP_OCR_RECORD_LIST_ROW, sha, (long)idx);
    if (!r) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "json capture: out of memory");
        goto out;
    }
    r->text_capture = 1;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        dtp_ocr_field *f = &r->fields[keys[i].field];
        if (f->raw)
            continue;
        json_t *v = json_object_get(row, keys[i].key);
        if (!v || !scalar_text(v, &text))
            continue;
        dtp_buf_reset(&loc);
        if (dtp_buf_printf(&loc, "%s[%zu].%s", base, idx, keys[i].key) != DTP_OK) {
            st = dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "json capture: locator too long");
            goto out;
        }
        st = dtp_ocr_field_set_raw(f, text.data, text.len, dtp_buf_str(&loc), NULL, 100.0f);
        if (st == DTP_OK && keys[i].flag)
            st = dtp_ocr_field_add_flag(f, keys[i].flag);
        if (st != DTP_OK) {
            dtp_error_set(err, st, "ocr", "json capture: cannot store field %s",
                          dtp_ocr_field_name((dtp_ocr_field_id)keys[i].field));
            dtp_error_locatef(err, "%s", dtp_buf_str(&loc));
            goto out;
        }
    }
    st = status_cross_check(row, idx, base, r, &text, err);
    if (st == DTP_OK)
        st = dtp_ocr_record_validate(r, 0.0f, err);
out:
    dtp_buf_free(&text);
    dtp_buf_free(&loc);
    if (st != DTP_OK) {
        dtp_ocr_record_free(r);
        r = NULL;
    }
    *out = r;
    return st;
}

dtp_status dtp_ocr_parse_json_capture(const char *bytes, size_t n, const char *sha,
                                      dtp_ocr_record_fn cb, void *ctx, dtp_error *err)
{
    dtp_status st = DTP_OK;
    json_t *root = NULL;
    json_error_t jerr;
    char path[64], seen[256];
    dtp_error_clear(err); /* no locator of an earlier call may stay behind */
    dtp_error_where(err, "cnca", sha, NULL);
    if (n > DTP_OCR_CAPTURE_MAX_BYTES)
        return dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "json capture: %zu bytes exceeds cap %u", n,
                             DTP_OCR_CAPTURE_MAX_BYTES);
    root = json_loadb(bytes, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        dtp_error_locatef(err, "line %d column %d", jerr.line, jerr.column);
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "json capture: %s", jerr.text);
    }
    json_t *ok = json_is_object(root) ? json_object_get(root, "success") : NULL;
    if (ok && json_is_false(ok)) {
        json_t *msg = json_object_get(root, "msg");
        st = dtp_error_set(err, DTP_ERR_UPSTREAM, "ocr",
                           "json capture: registry reported failure (msg \"%s\")",
                           json_is_string(msg) ? json_string_value(msg) : "");
        goto out;
    }
    json_t *rows = find_rows(root, path, sizeof path);
    if (!rows) {
        if (json_is_object(root))
            list_keys(root, seen, sizeof seen);
        else
            snprintf(seen, sizeof seen, "not an object or array");
        st = dtp_error_set(err, DTP_ERR_PARSE, "ocr",
                           "json capture: unknown envelope, no rows array (keys: %s)", seen);
        goto out;
    }
    size_t nrows = json_array_size(rows);
    if (nrows > DTP_OCR_CAPTURE_MAX_ROWS) {
        st = dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "json capture: %zu rows exceeds cap %d",
                           nrows, DTP_OCR_CAPTURE_MAX_ROWS);
        goto out;
    }
    for (size_t i = 0; i < nrows; i++) {
        json_t *row = json_array_get(rows, i);
        if (!json_is_object(row)) {
            dtp_error_locatef(err, "%s[%zu]", path, i);
            st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "json capture: row is not an object");
            goto out;
        }
        const char *k;
        json_t *v;
        int known = 0;
        json_object_foreach(row, k, v)
        {
            (void)v;
            known |= is_known_key(k);
        }
        if (!known) {
            list_keys(row, seen, sizeof seen);
            dtp_error_locatef(err, "%s[%zu]", path, i);
            st = dtp_error_set(err, DTP_ERR_PARSE, "ocr",
                               "json capture: row has no known key (keys: %s)", seen);
            goto out;
        }
        dtp_ocr_record *r = NULL;
        st = read_row(row, i, path, sha, &r, err);
        if (st != DTP_OK)
            goto out;
        st = cb(ctx, r, err);
        dtp_ocr_record_free(r);
        if (st != DTP_OK)
            goto out;
    }
out:
    json_decref(root);
    return st;
}
