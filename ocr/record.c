#include "ocr/record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/validate.h"

static const char *const field_names[DTP_OCR_NFIELDS] = {
    [DTP_OCR_F_CERT_NO] = "cert_no",
    [DTP_OCR_F_ORG_NAME] = "org_name",
    [DTP_OCR_F_USCC] = "uscc",
    [DTP_OCR_F_ORG_CODE] = "org_code",
    [DTP_OCR_F_PROJECT] = "project",
    [DTP_OCR_F_PROJECT_CODE] = "project_code",
    [DTP_OCR_F_STANDARD] = "standard",
    [DTP_OCR_F_ISSUE_DATE] = "issue_date",
    [DTP_OCR_F_EXPIRY_DATE] = "expiry_date",
    [DTP_OCR_F_FIRST_ISSUE_DATE] = "first_issue_date",
    [DTP_OCR_F_STATUS] = "status",
    [DTP_OCR_F_CERT_BODY] = "cert_body",
    [DTP_OCR_F_CERT_BODY_ID] = "cert_body_id",
    [DTP_OCR_F_ADDRESS] = "address",
    [DTP_OCR_F_SCOPE] = "scope",
    [DTP_OCR_F_SURVEILLANCE_COUNT] = "surveillance_count",
    [DTP_OCR_F_RECERT_COUNT] = "recert_count",
};

const char *dtp_ocr_field_name(dtp_ocr_field_id id)
{
    return (int)id >= 0 && id < DTP_OCR_NFIELDS ? field_names[id] : NULL;
}

int dtp_ocr_field_by_name(const char *name)
{
    for (int i = 0; name && i < DTP_OCR_NFIELDS; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

dtp_ocr_field *dtp_ocr_record_field(dtp_ocr_record *r, dtp_ocr_field_id id)
{
    return r && (int)id >= 0 && id < DTP_OCR_NFIELDS ? &r->fields[id] : NULL;
}

const dtp_ocr_field *dtp_ocr_record_field_c(const dtp_ocr_record *r, dtp_ocr_field_id id)
{
    return r && (int)id >= 0 && id < DTP_OCR_NFIELDS ? &r->fields[id] : NULL;
}

dtp_ocr_record *dtp_ocr_record_new(dtp_ocr_record_kind kind, const char *sha, long row_index)
{
    dtp_ocr_record *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->kind = kind;
    r->row_index = row_index;
    if (sha)
        snprintf(r->artifact_sha256, sizeof r->artifact_sha256, "%s", sha);
    return r;
}

static void field_clear(dtp_ocr_field *f)
{
    free(f->value);
    free(f->raw);
    free(f->locator);
    free(f->flags);
    free(f->reason);
    free(f->reviewer);
    free(f->review_date);
    memset(f, 0, sizeof *f);
}

void dtp_ocr_record_free(dtp_ocr_record *r)
{
    if (!r)
        return;
    for (int i = 0; i < DTP_OCR_NFIELDS; i++)
        field_clear(&r->fields[i]);
    for (size_t i = 0; i < r->nevents; i++) {
        field_clear(&r->events[i].activity);
        field_clear(&r->events[i].description);
        field_clear(&r->events[i].date);
    }
    free(r->events);
    free(r);
}

dtp_status dtp_ocr_field_set_str(char **member, const char *s)
{
    char *c = NULL;
    if (s) {
        size_t n = strlen(s);
        c = malloc(n + 1);
        if (!c)
            return DTP_ERR_NOMEM;
        memcpy(c, s, n + 1);
    }
    free(*member);
    *member = c;
    return DTP_OK;
}

dtp_status dtp_ocr_field_set_raw(dtp_ocr_field *f, const char *raw, size_t rawlen,
                                 const char *locator, const dtp_ocr_box *box, float confidence)
{
    if (rawlen > DTP_OCR_TEXT_MAX)
        return DTP_ERR_LIMIT;
    char *copy = malloc(rawlen + 1);
    if (!copy)
        return DTP_ERR_NOMEM;
    memcpy(copy, raw, rawlen);
    copy[rawlen] = '\0';
    field_clear(f);
    f->raw = copy;
    if (locator && dtp_ocr_field_set_str(&f->locator, locator) != DTP_OK)
        return DTP_ERR_NOMEM;
    if (box) {
        f->has_box = 1;
        f->box = *box;
    }
    f->confidence = confidence;
    return DTP_OK;
}

int dtp_ocr_field_has_flag(const dtp_ocr_field *f, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = f->flags; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && memcmp(p, flag, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

dtp_status dtp_ocr_field_add_flag(dtp_ocr_field *f, const char *flag)
{
    if (dtp_ocr_field_has_flag(f, flag))
        return DTP_OK;
    size_t old = f->flags ? strlen(f->flags) : 0, n = strlen(flag);
    char *p = realloc(f->flags, old + n + 2);
    if (!p)
        return DTP_ERR_NOMEM;
    if (old)
        p[old++] = ',';
    memcpy(p + old, flag, n + 1);
    f->flags = p;
    return DTP_OK;
}

dtp_status dtp_ocr_record_add_event(dtp_ocr_record *r, dtp_ocr_event **out)
{
    if (r->nevents >= DTP_OCR_MAX_EVENTS)
        return DTP_ERR_LIMIT;
    if (r->nevents == r->events_cap) {
        size_t cap = r->events_cap ? r->events_cap * 2 : 8;
        dtp_ocr_event *e = realloc(r->events, cap * sizeof *e);
        if (!e)
            return DTP_ERR_NOMEM;
        r->events = e;
        r->events_cap = cap;
    }
    *out = &r->events[r->nevents++];
    memset(*out, 0, sizeof **out);
    return DTP_OK;
}

const char *dtp_ocr_status_name(dtp_ocr_cert_status s)
{
    static const char *const n[] = {"unknown", "valid",     "suspended",
                                    "revoked", "cancelled", "expired"};
    return (int)s >= 0 && (size_t)s < sizeof n / sizeof *n ? n[s] : "unknown";
}

const char *dtp_ocr_event_kind_name(dtp_ocr_event_kind k)
{
    static const char *const n[] = {"unknown",      "initial",    "surveillance", "recert",
                                    "change",       "suspension", "restoration",  "revocation",
                                    "cancellation", "expiry"};
    return (int)k >= 0 && (size_t)k < sizeof n / sizeof *n ? n[k] : "unknown";
}

const char *dtp_ocr_check_name(dtp_ocr_check c)
{
    static const char *const n[] = {"absent",    "ok",       "repaired",  "empty",
                                    "bad_shape", "bad_date", "bad_check", "unknown_word"};
    return (int)c >= 0 && (size_t)c < sizeof n / sizeof *n ? n[c] : "unknown";
}

const char *dtp_ocr_record_kind_name(dtp_ocr_record_kind k)
{
    return k == DTP_OCR_RECORD_LIST_ROW ? "list_row" : "detail";
}

const char *dtp_ocr_record_key(const dtp_ocr_record *r, char *out, size_t outsz)
{
    const dtp_ocr_field *c = &r->fields[DTP_OCR_F_CERT_NO];
    if (c->accepted && c->value && c->value[0])
        snprintf(out, outsz, "%s", c->value);
    else if (r->kind == DTP_OCR_RECORD_LIST_ROW)
        snprintf(out, outsz, "row:%ld", r->row_index);
    else
        snprintf(out, outsz, "detail");
    return out;
}

/* ---- validation ---- */

/* Set the outcome of one field. reason NULL means accepted. */
static dtp_status judge(dtp_ocr_field *f, dtp_ocr_check check, const char *value,
                        const char *reason)
{
    f->check = check;
    if (dtp_ocr_field_set_str(&f->value, value) != DTP_OK)
        return DTP_ERR_NOMEM;
    f->accepted = reason == NULL;
    return dtp_ocr_field_set_str(&f->reason, reason);
}

static dtp_status judge_text(dtp_ocr_field *f)
{
    char *v = dtp_ocr_normalise_name(f->raw, strlen(f->raw));
    if (!v)
        return DTP_ERR_NOMEM;
    dtp_status st =
        v[0] ? judge(f, DTP_OCR_CHECK_OK, v, NULL) : judge(f, DTP_OCR_CHECK_EMPTY, NULL, "empty");
    free(v);
    return st;
}

/* Organisation and body names read by OCR: free text, but a company name's legal form is a
 * closed vocabulary. A name holding 有限 must end in 有限公司 or 有限责任公司 (股份有限公司
 * included); 有限击任公司 is a misread of 责任 that two passes of one model can agree on. A
 * six-character form off by one character is restored and flagged (legal_form_repaired:pos=N,
 * N the character replaced), as a USCC with one confusable character is; the raw reading stays
 * as read. Text captures are kept as written. */
static dtp_status judge_org_name(dtp_ocr_field *f, int text_capture)
{
    dtp_status st = judge_text(f);
    if (st != DTP_OK || text_capture || !f->accepted || !f->value)
        return st;
    char fixed[1024], flag[48];
    int pos = -1;
    if (dtp_ocr_name_form_repair(f->value, fixed, sizeof fixed, &pos)) {
        snprintf(flag, sizeof flag, "legal_form_repaired:pos=%d", pos);
        if (dtp_ocr_field_add_flag(f, flag) != DTP_OK)
            return DTP_ERR_NOMEM;
        return judge(f, DTP_OCR_CHECK_REPAIRED, fixed, NULL);
    }
    if (dtp_ocr_name_form_ok(f->value))
        return st;
    return judge(f, DTP_OCR_CHECK_BAD_SHAPE, f->value,
                 "name holds 有限 but does not end in a legal form (有限公司, 有限责任公司)");
}

static dtp_status judge_code(dtp_ocr_field *f)
{
    char *v = dtp_ocr_normalise_name(f->raw, strlen(f->raw));
    if (!v)
        return DTP_ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; v[i]; i++)
        if (v[i] != ' ')
            v[o++] = (char)toupper((unsigned char)v[i]);
    v[o] = '\0';
    dtp_status st =
        o ? judge(f, DTP_OCR_CHECK_OK, v, NULL) : judge(f, DTP_OCR_CHECK_EMPTY, NULL, "empty");
    free(v);
    return st;
}

static int all_digits(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    while (s[n] == ' ')
        s++;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return 0;
    return n >= min && n <= max;
}

static dtp_status judge_date(dtp_ocr_field *f, int text_capture)
{
    char iso[11];
    if (dtp_ocr_parse_date(f->raw, iso))
        return judge(f, DTP_OCR_CHECK_OK, iso, NULL);
    /* JSON endpoints give dates as epoch milliseconds; only a text capture can carry one. */
    if (text_capture && all_digits(f->raw, 12, 13)) {
        long long ms = strtoll(f->raw, NULL, 10);
        if (dtp_ocr_date_from_epoch_ms(ms, iso)) {
            if (dtp_ocr_field_add_flag(f, "date_from_epoch_ms") != DTP_OK)
                return DTP_ERR_NOMEM;
            return judge(f, DTP_OCR_CHECK_OK, iso, NULL);
        }
    }
    return judge(f, DTP_OCR_CHECK_BAD_DATE, NULL, "not a calendar date in a known form");
}

static dtp_status judge_cert_no(dtp_ocr_field *f, int text_capture)
{
    char out[64], flag[48];
    int pos = -1;
    /* no repair of a text capture: what the registry wrote is the value, typos included */
    dtp_ocr_check c = dtp_ocr_check_cert_no(f->raw, out, text_capture ? NULL : &pos);
    switch (c) {
    case DTP_OCR_CHECK_OK:
        return judge(f, c, out, NULL);
    case DTP_OCR_CHECK_REPAIRED:
        snprintf(flag, sizeof flag, "cert_no_repaired:pos=%d", pos);
        if (dtp_ocr_field_add_flag(f, flag) != DTP_OK)
            return DTP_ERR_NOMEM;
        return judge(f, c, out, NULL);
    case DTP_OCR_CHECK_EMPTY:
        return judge(f, c, NULL, "empty");
    default:
        break;
    }
    /* A text capture cannot misread: a number of another shape (foreign body, older rule) is
     * kept with a flag. From OCR it may be a misreading and goes to review. */
    if (text_capture && dtp_ocr_cert_no_plausible(out)) {
        if (dtp_ocr_field_add_flag(f, "cert_no_shape_other") != DTP_OK)
            return DTP_ERR_NOMEM;
        return judge(f, DTP_OCR_CHECK_OK, out, NULL);
    }
    return judge(f, DTP_OCR_CHECK_BAD_SHAPE, out[0] ? out : NULL,
                 "certificate number does not have the cnca shape");
}

static dtp_status judge_uscc(dtp_ocr_field *f, int text_capture)
{
    char out[19], flag[48];
    int pos = -1;
    dtp_ocr_check c = dtp_ocr_check_uscc(f->raw, out, text_capture ? NULL : &pos);
    switch (c) {
    case DTP_OCR_CHECK_OK:
        return judge(f, c, out, NULL);
    case DTP_OCR_CHECK_REPAIRED:
        snprintf(flag, sizeof flag, "uscc_repaired:pos=%d", pos);
        if (dtp_ocr_field_add_flag(f, flag) != DTP_OK)
            return DTP_ERR_NOMEM;
        return judge(f, c, out, NULL);
    case DTP_OCR_CHECK_EMPTY:
        return judge(f, c, NULL, "empty");
    case DTP_OCR_CHECK_BAD_CHECK:
        return judge(f, c, out, "uscc check character does not match");
    default:
        return judge(f, c, NULL, "not an 18-character uscc");
    }
}

static dtp_status judge_org_code(dtp_ocr_field *f)
{
    char out[10];
    dtp_ocr_check c = dtp_ocr_check_org_code(f->raw, out);
    switch (c) {
    case DTP_OCR_CHECK_OK:
        return judge(f, c, out, NULL);
    case DTP_OCR_CHECK_EMPTY:
        return judge(f, c, NULL, "empty");
    case DTP_OCR_CHECK_BAD_CHECK:
        return judge(f, c, out, "organisation code check character does not match");
    default:
        return judge(f, c, NULL, "not a 9-character organisation code");
    }
}

static dtp_status judge_status(dtp_ocr_field *f, dtp_ocr_cert_status *st)
{
    *st = dtp_ocr_parse_status(f->raw);
    if (*st == DTP_OCR_STATUS_UNKNOWN)
        return judge(f, DTP_OCR_CHECK_UNKNOWN_WORD, NULL, "status word not in the vocabulary");
    if (dtp_ocr_field_has_flag(f, "status_code_mismatch"))
        return judge(f, DTP_OCR_CHECK_OK, dtp_ocr_status_name(*st),
                     "status name and status code disagree");
    return judge(f, DTP_OCR_CHECK_OK, dtp_ocr_status_name(*st), NULL);
}

static dtp_status judge_count(dtp_ocr_field *f)
{
    int n = dtp_ocr_parse_count(f->raw);
    char v[16];
    if (n < 0)
        return judge(f, DTP_OCR_CHECK_BAD_SHAPE, NULL, "not a count");
    snprintf(v, sizeof v, "%d", n);
    return judge(f, DTP_OCR_CHECK_OK, v, NULL);
}

/* The confidence rule applies after the value rules: a valid-looking value read with low
 * confidence still goes to review. */
static dtp_status apply_confidence(dtp_ocr_field *f, float min_confidence)
{
    if (!f->accepted || f->confidence >= min_confidence)
        return DTP_OK;
    char why[80];
    snprintf(why, sizeof why, "confidence %.0f below %.0f", (double)f->confidence,
             (double)min_confidence);
    f->accepted = 0;
    return dtp_ocr_field_set_str(&f->reason, why);
}

/* A 9- or 10-character value under a USCC label is an old organisation code (the label is
 * 组织机构代码/统一社会信用代码): move it to org_code so clean never takes it for a USCC. */
static void move_org_code(dtp_ocr_record *r)
{
    dtp_ocr_field *u = &r->fields[DTP_OCR_F_USCC], *o = &r->fields[DTP_OCR_F_ORG_CODE];
    if (!u->raw || u->reviewed || o->raw)
        return;
    char tmp[10];
    dtp_ocr_check c = dtp_ocr_check_org_code(u->raw, tmp);
    if (c != DTP_OCR_CHECK_OK && c != DTP_OCR_CHECK_BAD_CHECK)
        return;
    *o = *u;
    memset(u, 0, sizeof *u);
}

static dtp_status validate_field(dtp_ocr_record *r, int id, float min_confidence)
{
    dtp_ocr_field *f = &r->fields[id];
    dtp_status st = DTP_OK;
    if (!f->raw) {
        dtp_status st0 = judge(f, DTP_OCR_CHECK_ABSENT, NULL, NULL);
        f->accepted = 0; /* nothing to accept */
        return st0;
    }
    if (f->reviewed)
        return DTP_OK;
    switch ((dtp_ocr_field_id)id) {
    case DTP_OCR_F_CERT_NO:
        st = judge_cert_no(f, r->text_capture);
        break;
    case DTP_OCR_F_USCC:
        st = judge_uscc(f, r->text_capture);
        break;
    case DTP_OCR_F_ORG_CODE:
        st = judge_org_code(f);
        break;
    case DTP_OCR_F_ISSUE_DATE:
    case DTP_OCR_F_EXPIRY_DATE:
    case DTP_OCR_F_FIRST_ISSUE_DATE:
        st = judge_date(f, r->text_capture);
        break;
    case DTP_OCR_F_STATUS:
        st = judge_status(f, &r->status);
        break;
    case DTP_OCR_F_PROJECT_CODE:
    case DTP_OCR_F_CERT_BODY_ID:
        st = judge_code(f);
        break;
    case DTP_OCR_F_ORG_NAME:
    case DTP_OCR_F_CERT_BODY:
        st = judge_org_name(f, r->text_capture);
        break;
    case DTP_OCR_F_SURVEILLANCE_COUNT:
    case DTP_OCR_F_RECERT_COUNT:
        st = judge_count(f);
        break;
    default:
        st = judge_text(f);
        break;
    }
    if (st != DTP_OK)
        return st;
    return apply_confidence(f, min_confidence);
}

static dtp_status validate_event(dtp_ocr_event *e, float min_confidence)
{
    dtp_status st = DTP_OK;
    e->kind = DTP_OCR_EVENT_UNKNOWN;
    if (e->activity.raw && !e->activity.reviewed) {
        e->kind = dtp_ocr_parse_event_kind(e->activity.raw);
        st = e->kind == DTP_OCR_EVENT_UNKNOWN
                 ? judge(&e->activity, DTP_OCR_CHECK_UNKNOWN_WORD, NULL,
                         "activity not in the vocabulary")
                 : judge(&e->activity, DTP_OCR_CHECK_OK, dtp_ocr_event_kind_name(e->kind), NULL);
        if (st == DTP_OK)
            st = apply_confidence(&e->activity, min_confidence);
    } else if (e->activity.reviewed && e->activity.value) {
        e->kind = dtp_ocr_parse_event_kind(e->activity.value);
        for (int k = 1; k <= DTP_OCR_EVENT_EXPIRY; k++)
            if (strcmp(e->activity.value, dtp_ocr_event_kind_name((dtp_ocr_event_kind)k)) == 0)
                e->kind = (dtp_ocr_event_kind)k;
    }
    if (st == DTP_OK && e->description.raw && !e->description.reviewed) {
        st = judge_text(&e->description);
        /* an empty description cell is normal */
        if (st == DTP_OK && e->description.check == DTP_OCR_CHECK_EMPTY)
            st = judge(&e->description, DTP_OCR_CHECK_EMPTY, NULL, NULL);
        if (st == DTP_OK)
            st = apply_confidence(&e->description, min_confidence);
    }
    if (st == DTP_OK && e->date.raw && !e->date.reviewed) {
        st = judge_date(&e->date, 0);
        if (st == DTP_OK)
            st = apply_confidence(&e->date, min_confidence);
    }
    return st;
}

static int needs_review(const dtp_ocr_field *f)
{
    return f->raw && !f->accepted && !f->reviewed && f->reason;
}

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

dtp_status dtp_ocr_record_validate(dtp_ocr_record *r, float min_confidence, dtp_error *err)
{
    dtp_status st = DTP_OK;
    move_org_code(r);
    for (int i = 0; i < DTP_OCR_NFIELDS && st == DTP_OK; i++)
        st = validate_field(r, i, min_confidence);
    for (size_t i = 0; i < r->nevents && st == DTP_OK; i++)
        st = validate_event(&r->events[i], min_confidence);
    if (st != DTP_OK)
        return dtp_error_set(err, st, "ocr", "validating record: out of memory");

    return dtp_ocr_record_refresh(r, err);
}

dtp_status dtp_ocr_record_refresh(dtp_ocr_record *r, dtp_error *err)
{
    const dtp_ocr_field *stf = &r->fields[DTP_OCR_F_STATUS];
    r->status = stf->value ? dtp_ocr_parse_status(stf->value) : DTP_OCR_STATUS_UNKNOWN;

    /* ISO/IEC 27001: the standard text, else the project name (信息安全管理体系) or the
     * registry's project code for ISMS (A0501..., SOURCES.md 5). */
    const dtp_ocr_field *sd = &r->fields[DTP_OCR_F_STANDARD];
    const dtp_ocr_field *pj = &r->fields[DTP_OCR_F_PROJECT];
    const dtp_ocr_field *pc = &r->fields[DTP_OCR_F_PROJECT_CODE];
    int edition = 0;
    int std27001 = sd->value && dtp_ocr_standard_is_27001(sd->value, &edition);
    if (std27001) {
        char flag[24];
        if (edition)
            snprintf(flag, sizeof flag, "iso27001:%d", edition);
        else
            snprintf(flag, sizeof flag, "iso27001");
        if (dtp_ocr_field_add_flag(&r->fields[DTP_OCR_F_STANDARD], flag) != DTP_OK)
            return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "validating record: out of memory");
    }
    r->iso27001 = std27001 || contains(pj->value, "信息安全管理体系") ||
                  (pc->value && strncmp(pc->value, "A0501", 5) == 0);

    r->review_needed = 0;
    for (int i = 0; i < DTP_OCR_NFIELDS; i++)
        r->review_needed |= needs_review(&r->fields[i]);
    for (size_t i = 0; i < r->nevents; i++)
        r->review_needed |= needs_review(&r->events[i].activity) |
                            needs_review(&r->events[i].description) |
                            needs_review(&r->events[i].date);
    /* A page read by OCR without a certificate number cannot be keyed: a person must look. */
    if (!r->text_capture && !r->fields[DTP_OCR_F_CERT_NO].raw)
        r->review_needed = 1;
    return DTP_OK;
}
