/* The ocr stage driver: captures of `cnca` sources → records (cached per image + engine +
 * parameters) → corrections → validation → cert_records / cert_fields / cert_events, review
 * queue and crops. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/staging.h"
#include "common/uscc.h"
#include "ocr/capture.h"
#include "ocr/corrections.h"
#include "ocr/layout.h"
#include "ocr/ocr.h"
#include "ocr/preprocess.h"
#include "ocr/readpage.h"
#include "ocr/record.h"
#include "ocr/recognize.h"
#include "ocr/validate.h"

#define CAPTURE_MAX ((size_t)64 << 20)
#define TEXT_PARSER "text/1" /* cache key suffix of text captures: bump when readers change */
#define MAX_CAPTURES 4096

typedef enum cap_kind { CAP_IMAGE, CAP_JSON, CAP_HTML, CAP_UNKNOWN } cap_kind;

typedef struct capture {
    char sha[65];
    char name[256];
    cap_kind kind;
    char key[65]; /* cache key */
    /* records read (owned) */
    dtp_ocr_record **recs;
    size_t nrecs, cap;
    dtp_status st;
    dtp_error err;
    int from_cache;
} capture;

typedef struct stage {
    const dtp_ocr_stage_opts *o;
    dtp_ocr_stage_result *res;
    capture *caps;
    size_t ncaps;
    dtp_ocr_params params;
    dtp_ocr_layout_opts lopts;
    char crops_dir[4096];
} stage;

static cap_kind sniff(const unsigned char *p, size_t n)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return CAP_IMAGE;
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return CAP_IMAGE;
    size_t i = 0;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i < n && (p[i] == '{' || p[i] == '['))
        return CAP_JSON;
    if (i < n && p[i] == '<')
        return CAP_HTML;
    return CAP_UNKNOWN;
}

static json_t *record_to_json(const dtp_ocr_record *r);
static dtp_ocr_record *record_from_json(json_t *j);

static dtp_status add_record(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    capture *c = ctx;
    if (c->nrecs == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 8;
        if (ncap > 100000)
            return dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "more than 100000 records");
        dtp_ocr_record **p = realloc(c->recs, ncap * sizeof *p);
        if (!p)
            return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
        c->recs = p;
        c->cap = ncap;
    }
    /* the reader keeps ownership of rec: take a deep copy through the cache form */
    json_t *j = record_to_json(rec);
    dtp_ocr_record *copy = j ? record_from_json(j) : NULL;
    json_decref(j);
    if (!copy)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory copying a record");
    c->recs[c->nrecs++] = copy;
    return DTP_OK;
}

/* ---- the cache form of a record: what was read (raw text and evidence), never a judgement;
 * validation runs again on every load, so a changed rule applies to cached pages too ---- */

static json_t *field_json(const dtp_ocr_field *f)
{
    if (!f->raw)
        return json_null();
    json_t *o = json_pack("{s:s, s:f}", "raw", f->raw, "confidence", (double)f->confidence);
    if (f->locator)
        json_object_set_new(o, "locator", json_string(f->locator));
    if (f->has_box)
        json_object_set_new(o, "box",
                            json_pack("[i,i,i,i]", f->box.x, f->box.y, f->box.w, f->box.h));
    return o;
}

static json_t *record_to_json(const dtp_ocr_record *r)
{
    json_t *fields = json_object(), *events = json_array();
    for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
        const dtp_ocr_field *f = dtp_ocr_record_field_c(r, (dtp_ocr_field_id)id);
        if (f && f->raw)
            json_object_set_new(fields, dtp_ocr_field_name((dtp_ocr_field_id)id), field_json(f));
    }
    for (size_t i = 0; i < r->nevents; i++) {
        const dtp_ocr_event *e = &r->events[i];
        json_array_append_new(events,
                              json_pack("{s:o, s:o, s:o}", "activity", field_json(&e->activity),
                                        "description", field_json(&e->description), "date",
                                        field_json(&e->date)));
    }
    return json_pack("{s:i, s:i, s:I, s:o, s:o}", "kind", (int)r->kind, "text_capture",
                     r->text_capture, "row_index", (json_int_t)r->row_index, "fields", fields,
                     "events", events);
}

static int field_from_json(dtp_ocr_field *f, json_t *j)
{
    if (!j || json_is_null(j))
        return 0;
    const char *raw = json_string_value(json_object_get(j, "raw"));
    if (!raw)
        return -1;
    json_t *b = json_object_get(j, "box");
    dtp_ocr_box box = {0, 0, 0, 0};
    if (b)
        box = (dtp_ocr_box){(int)json_integer_value(json_array_get(b, 0)),
                            (int)json_integer_value(json_array_get(b, 1)),
                            (int)json_integer_value(json_array_get(b, 2)),
                            (int)json_integer_value(json_array_get(b, 3))};
    if (dtp_ocr_field_set_raw(f, raw, strlen(raw), json_string_value(json_object_get(j, "locator")),
                              b ? &box : NULL,
                              (float)json_number_value(json_object_get(j, "confidence"))) != DTP_OK)
        return -1;
    f->accepted = json_is_true(json_object_get(j, "ok"));
    const char *why = json_string_value(json_object_get(j, "why"));
    return why && dtp_ocr_field_set_str(&f->reason, why) != DTP_OK ? -1 : 0;
}

static dtp_ocr_record *record_from_json(json_t *j)
{
    if (!json_is_object(j))
        return NULL;
    dtp_ocr_record *r =
        dtp_ocr_record_new((dtp_ocr_record_kind)json_integer_value(json_object_get(j, "kind")),
                           NULL, (long)json_integer_value(json_object_get(j, "row_index")));
    if (!r)
        return NULL;
    r->text_capture = (int)json_integer_value(json_object_get(j, "text_capture"));
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(j, "fields"), name, v)
    {
        int id = dtp_ocr_field_by_name(name);
        if (id < 0 || field_from_json(dtp_ocr_record_field(r, (dtp_ocr_field_id)id), v) != 0)
            goto fail;
    }
    size_t i;
    json_array_foreach(json_object_get(j, "events"), i, v)
    {
        dtp_ocr_event *e;
        if (dtp_ocr_record_add_event(r, &e) != DTP_OK ||
            field_from_json(&e->activity, json_object_get(v, "activity")) != 0 ||
            field_from_json(&e->description, json_object_get(v, "description")) != 0 ||
            field_from_json(&e->date, json_object_get(v, "date")) != 0)
            goto fail;
    }
    return r;
fail:
    dtp_ocr_record_free(r);
    return NULL;
}

static void capture_clear(capture *c)
{
    for (size_t i = 0; i < c->nrecs; i++)
        dtp_ocr_record_free(c->recs[i]);
    free(c->recs);
    c->recs = NULL;
    c->nrecs = c->cap = 0;
}

static dtp_status cache_get(stage *s, capture *c, dtp_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->o->db,
                           "SELECT result FROM ocr_cache WHERE image_sha256 = ? AND engine_key = ?",
                           -1, &q, NULL) != SQLITE_OK)
        return dtp_db_error(s->o->db, "read ocr cache", err);
    sqlite3_bind_text(q, 1, c->sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, c->key, -1, SQLITE_STATIC);
    dtp_status st = DTP_OK;
    if (sqlite3_step(q) == SQLITE_ROW) {
        json_error_t je;
        json_t *arr = json_loads((const char *)sqlite3_column_text(q, 0), 0, &je);
        size_t i;
        json_t *v;
        c->from_cache = json_is_array(arr);
        json_array_foreach(arr, i, v)
        {
            dtp_ocr_record *r = record_from_json(v);
            if (!r || add_record(c, r, err) != DTP_OK) {
                dtp_ocr_record_free(r);
                c->from_cache = 0;
                capture_clear(c);
                break;
            }
            dtp_ocr_record_free(r);
        }
        json_decref(arr);
    }
    sqlite3_finalize(q);
    return st;
}

static dtp_status cache_put(stage *s, capture *c, dtp_error *err)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < c->nrecs; i++)
        json_array_append_new(arr, record_to_json(c->recs[i]));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    sqlite3_stmt *q = NULL;
    char now[32];
    dtp_now_iso(now);
    dtp_status st = DTP_OK;
    if (sqlite3_prepare_v2(s->o->db,
                           "INSERT OR REPLACE INTO ocr_cache(image_sha256, engine_key, result,"
                           " created_at) VALUES(?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK ||
        (sqlite3_bind_text(q, 1, c->sha, -1, SQLITE_STATIC),
         sqlite3_bind_text(q, 2, c->key, -1, SQLITE_STATIC),
         sqlite3_bind_text(q, 3, text, -1, SQLITE_STATIC),
         sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC), sqlite3_step(q)) != SQLITE_DONE)
        st = dtp_db_error(s->o->db, "write ocr cache", err);
    sqlite3_finalize(q);
    free(text);
    return st;
}

static dtp_status read_text_capture(stage *s, capture *c, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, CAPTURE_MAX);
    dtp_status st = dtp_archive_read(s->o->archive, c->sha, &b, err);
    if (st == DTP_OK)
        st = c->kind == CAP_JSON ? dtp_ocr_parse_json_capture(b.data ? b.data : "", b.len, c->sha,
                                                              add_record, c, err)
                                 : dtp_ocr_parse_html_capture(b.data ? b.data : "", b.len, c->sha,
                                                              add_record, c, err);
    dtp_buf_free(&b);
    return st;
}

/* Worker job: decode, recognise, parse one screenshot; crops for fields not accepted. */
static void image_job(void *ctx, dtp_ocr_engine *engine, size_t index)
{
    stage *s = ctx;
    capture *c = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < s->ncaps; i++) {
        if (s->caps[i].kind != CAP_IMAGE || s->caps[i].from_cache)
            continue;
        if (seen++ == index) {
            c = &s->caps[i];
            break;
        }
    }
    if (!c)
        return;
    if (s->o->interrupt && *s->o->interrupt) {
        c->st = dtp_error_set(&c->err, DTP_ERR_INTERRUPTED, "ocr", "stopped by a signal");
        return;
    }
    dtp_buf b;
    dtp_buf_init(&b, s->params.max_bytes ? s->params.max_bytes : CAPTURE_MAX);
    dtp_ocr_image *img = NULL;
    dtp_ocr_page *page = NULL;
    c->st = dtp_archive_read(s->o->archive, c->sha, &b, &c->err);
    if (c->st == DTP_OK)
        c->st = dtp_ocr_image_new((const uint8_t *)b.data, b.len, &s->params, &img, &c->err);
    if (c->st == DTP_OK) {
        /* first pass, the label parser, then a second reading of every value box */
        dtp_ocr_read_opts ro;
        dtp_ocr_read_opts_default(&ro);
        ro.layout = s->lopts;
        c->st = dtp_ocr_read_page(engine, img, &ro, add_record, c, &page, &c->err);
    }
    /* crops of what a reviewer must look at */
    for (size_t i = 0; c->st == DTP_OK && i < c->nrecs; i++) {
        dtp_ocr_record *r = c->recs[i];
        char key[128], name[512], path[4700];
        dtp_ocr_record_key(r, key, sizeof key);
        for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
            const dtp_ocr_field *f = dtp_ocr_record_field_c(r, (dtp_ocr_field_id)id);
            if (!f->raw || f->accepted || !f->has_box)
                continue;
            dtp_ocr_review_crop_name(c->sha, key, dtp_ocr_field_name((dtp_ocr_field_id)id), name,
                                     sizeof name);
            snprintf(path, sizeof path, "%s/%s", s->crops_dir, name);
            dtp_error e2;
            dtp_error_clear(&e2);
            dtp_ocr_write_crop_png(img, f->box, path, &e2); /* a missing crop is not fatal */
        }
    }
    if (c->st != DTP_OK)
        dtp_error_where(&c->err, NULL, c->sha, c->name);
    dtp_ocr_page_free(page);
    dtp_ocr_image_free(img);
    dtp_buf_free(&b);
}

static const char *fval(const dtp_ocr_record *r, dtp_ocr_field_id id)
{
    const dtp_ocr_field *f = dtp_ocr_record_field_c(r, id);
    /* only accepted (or reviewed) values are facts; the rest stay evidence in cert_fields */
    return f && f->value && (f->accepted || f->reviewed) ? f->value : NULL;
}

static int all_reviewed_or_accepted(const dtp_ocr_record *r, int *any_reviewed)
{
    *any_reviewed = 0;
    for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
        const dtp_ocr_field *f = dtp_ocr_record_field_c(r, (dtp_ocr_field_id)id);
        if (f->reviewed)
            *any_reviewed = 1;
    }
    return !r->review_needed;
}

static dtp_status store_capture(stage *s, capture *c, const char *engine_identity,
                                const char *params, dtp_error *err)
{
    sqlite3 *db = s->o->db;
    sqlite3_stmt *del = NULL, *rec = NULL, *fld = NULL, *evt = NULL, *rq = NULL;
    dtp_status st = DTP_OK;
    if (sqlite3_prepare_v2(db, "DELETE FROM cert_records WHERE artifact_sha256 = ?", -1, &del,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "INSERT INTO cert_records(artifact_sha256, record_key, kind, capture, cert_no,"
            " org_name, org_name_norm, uscc, project, standard, is_isms, issue_date, expiry_date,"
            " first_issue_date, status, cert_body, address, province_code, province_rule,"
            " review_status, run_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            -1, &rec, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO cert_fields(record_id, field, value, raw_text, locator,"
                           " bbox_x, bbox_y, bbox_w, bbox_h, confidence, engine, langdata_sha256,"
                           " preprocess, validation, flags, accepted, reason, reviewer,"
                           " reviewed_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &fld, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO cert_events(record_id, seq, event, event_date,"
                           " description, locator, confidence, accepted) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &evt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO review_queue(artifact_sha256, record_key, field, ocr_text,"
                           " confidence, reason, crop_path, created_run) VALUES(?,?,?,?,?,?,?,?)"
                           " ON CONFLICT(artifact_sha256, record_key, field) DO UPDATE SET"
                           " ocr_text = excluded.ocr_text, confidence = excluded.confidence,"
                           " reason = excluded.reason, crop_path = excluded.crop_path,"
                           " resolved_run = NULL",
                           -1, &rq, NULL) != SQLITE_OK) {
        st = dtp_db_error(db, "prepare record inserts", err);
        goto out;
    }
    /* a re-read replaces what this capture gave before; queue rows it no longer needs resolve.
     * Province cells counted from the old records are stale once they go (and their lineage
     * edges would block the delete): the whole province panel is removed, never left partial;
     * the clean stage, which follows in a run, rebuilds it from the new records. */
    {
        char *sql = sqlite3_mprintf(
            "DELETE FROM panel_cells WHERE panel = 'province' AND EXISTS (SELECT 1 FROM"
            " lineage l JOIN cert_records r ON r.id = l.record_id WHERE r.artifact_sha256 = '%q')",
            c->sha);
        st = sql ? dtp_db_exec(db, sql, "remove province cells built from replaced records", err)
                 : dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
        sqlite3_free(sql);
        if (st != DTP_OK)
            goto out;
    }
    sqlite3_bind_text(del, 1, c->sha, -1, SQLITE_STATIC);
    if (sqlite3_step(del) != SQLITE_DONE) {
        st = dtp_db_error(db, "replace records", err);
        goto out;
    }
    {
        sqlite3_stmt *res = NULL;
        if (sqlite3_prepare_v2(db,
                               "UPDATE review_queue SET resolved_run = ? WHERE artifact_sha256 = ?"
                               " AND resolved_run IS NULL",
                               -1, &res, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(res, 1, s->o->run_id);
            sqlite3_bind_text(res, 2, c->sha, -1, SQLITE_STATIC);
            sqlite3_step(res);
        }
        sqlite3_finalize(res);
    }
    for (size_t i = 0; i < c->nrecs && st == DTP_OK; i++) {
        dtp_ocr_record *r = c->recs[i];
        char key[128];
        dtp_ocr_record_key(r, key, sizeof key);
        int any_reviewed;
        int ok = all_reviewed_or_accepted(r, &any_reviewed);
        const char *review = !ok ? "needs_review" : any_reviewed ? "reviewed" : "accepted";
        const char *uscc = fval(r, DTP_OCR_F_USCC);
        char prov[3] = "";
        const char *org = fval(r, DTP_OCR_F_ORG_NAME);
        char *norm = org ? dtp_ocr_normalise_name(org, strlen(org)) : NULL;
        sqlite3_reset(rec);
        sqlite3_clear_bindings(rec);
        sqlite3_bind_text(rec, 1, c->sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(rec, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(rec, 3, r->kind == DTP_OCR_RECORD_DETAIL ? "detail" : "list_row", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(rec, 4,
                          c->kind == CAP_IMAGE  ? "image"
                          : c->kind == CAP_JSON ? "json"
                                                : "html",
                          -1, SQLITE_STATIC);
        dtp_db_bind_text(rec, 5, fval(r, DTP_OCR_F_CERT_NO));
        dtp_db_bind_text(rec, 6, org);
        dtp_db_bind_text(rec, 7, norm);
        dtp_db_bind_text(rec, 8, uscc);
        dtp_db_bind_text(rec, 9, fval(r, DTP_OCR_F_PROJECT));
        dtp_db_bind_text(rec, 10, fval(r, DTP_OCR_F_STANDARD));
        sqlite3_bind_int(rec, 11, r->iso27001);
        dtp_db_bind_text(rec, 12, fval(r, DTP_OCR_F_ISSUE_DATE));
        dtp_db_bind_text(rec, 13, fval(r, DTP_OCR_F_EXPIRY_DATE));
        dtp_db_bind_text(rec, 14, fval(r, DTP_OCR_F_FIRST_ISSUE_DATE));
        dtp_db_bind_text(rec, 15, fval(r, DTP_OCR_F_STATUS));
        dtp_db_bind_text(rec, 16, fval(r, DTP_OCR_F_CERT_BODY));
        dtp_db_bind_text(rec, 17, fval(r, DTP_OCR_F_ADDRESS));
        if (uscc && dtp_uscc_province(uscc, prov)) {
            sqlite3_bind_text(rec, 18, prov, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(rec, 19, "uscc", -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(rec, 20, review, -1, SQLITE_STATIC);
        sqlite3_bind_int64(rec, 21, s->o->run_id);
        free(norm);
        if (sqlite3_step(rec) != SQLITE_DONE) {
            st = dtp_db_error(db, "insert certificate record", err);
            break;
        }
        int64_t rid = sqlite3_last_insert_rowid(db);
        s->res->records++;
        if (!ok)
            s->res->needs_review++;
        else if (any_reviewed)
            s->res->reviewed++;
        else
            s->res->accepted++;
        for (int id = 0; id < DTP_OCR_NFIELDS && st == DTP_OK; id++) {
            const dtp_ocr_field *f = dtp_ocr_record_field_c(r, (dtp_ocr_field_id)id);
            if (!f->raw)
                continue;
            const char *fname = dtp_ocr_field_name((dtp_ocr_field_id)id);
            sqlite3_reset(fld);
            sqlite3_clear_bindings(fld);
            sqlite3_bind_int64(fld, 1, rid);
            sqlite3_bind_text(fld, 2, fname, -1, SQLITE_STATIC);
            dtp_db_bind_text(fld, 3, f->value);
            dtp_db_bind_text(fld, 4, f->raw);
            dtp_db_bind_text(fld, 5, f->locator);
            if (f->has_box) {
                sqlite3_bind_int(fld, 6, f->box.x);
                sqlite3_bind_int(fld, 7, f->box.y);
                sqlite3_bind_int(fld, 8, f->box.w);
                sqlite3_bind_int(fld, 9, f->box.h);
            }
            sqlite3_bind_double(fld, 10, f->confidence);
            if (c->kind == CAP_IMAGE) {
                sqlite3_bind_text(fld, 11, engine_identity, -1, SQLITE_STATIC);
                /* the identity string carries each language file's sha256 */
                sqlite3_bind_text(fld, 12, engine_identity, -1, SQLITE_STATIC);
                sqlite3_bind_text(fld, 13, params, -1, SQLITE_STATIC);
            } else {
                sqlite3_bind_text(fld, 11, c->kind == CAP_JSON ? "json capture" : "html capture",
                                  -1, SQLITE_STATIC);
            }
            sqlite3_bind_text(fld, 14, dtp_ocr_check_name(f->check), -1, SQLITE_STATIC);
            dtp_db_bind_text(fld, 15, f->flags);
            sqlite3_bind_int(fld, 16, f->accepted || f->reviewed);
            dtp_db_bind_text(fld, 17, f->reason);
            dtp_db_bind_text(fld, 18, f->reviewer);
            dtp_db_bind_text(fld, 19, f->review_date);
            if (sqlite3_step(fld) != SQLITE_DONE) {
                st = dtp_db_error(db, "insert certificate field", err);
                break;
            }
            if (!f->accepted && !f->reviewed) {
                char crop[512] = "";
                if (f->has_box)
                    dtp_ocr_review_crop_name(c->sha, key, fname, crop, sizeof crop);
                sqlite3_reset(rq);
                sqlite3_clear_bindings(rq);
                sqlite3_bind_text(rq, 1, c->sha, -1, SQLITE_STATIC);
                sqlite3_bind_text(rq, 2, key, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(rq, 3, fname, -1, SQLITE_STATIC);
                dtp_db_bind_text(rq, 4, f->raw);
                sqlite3_bind_double(rq, 5, f->confidence);
                sqlite3_bind_text(rq, 6, f->reason ? f->reason : "not accepted", -1,
                                  SQLITE_TRANSIENT);
                if (crop[0])
                    sqlite3_bind_text(rq, 7, crop, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(rq, 8, s->o->run_id);
                if (sqlite3_step(rq) != SQLITE_DONE) {
                    st = dtp_db_error(db, "queue field for review", err);
                    break;
                }
                s->res->queued_fields++;
            }
        }
        for (size_t e = 0; e < r->nevents && st == DTP_OK; e++) {
            const dtp_ocr_event *ev = &r->events[e];
            sqlite3_reset(evt);
            sqlite3_clear_bindings(evt);
            sqlite3_bind_int64(evt, 1, rid);
            sqlite3_bind_int(evt, 2, (int)e);
            sqlite3_bind_text(evt, 3, dtp_ocr_event_kind_name(ev->kind), -1, SQLITE_STATIC);
            dtp_db_bind_text(evt, 4,
                             ev->date.accepted || ev->date.reviewed ? ev->date.value : NULL);
            dtp_db_bind_text(evt, 5, ev->description.raw);
            dtp_db_bind_text(evt, 6,
                             ev->activity.locator ? ev->activity.locator : ev->date.locator);
            sqlite3_bind_double(evt, 7, ev->date.confidence);
            sqlite3_bind_int(evt, 8,
                             (ev->activity.accepted || ev->activity.reviewed) &&
                                 (ev->date.accepted || ev->date.reviewed));
            if (sqlite3_step(evt) != SQLITE_DONE)
                st = dtp_db_error(db, "insert certificate event", err);
        }
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(rec);
    sqlite3_finalize(fld);
    sqlite3_finalize(evt);
    sqlite3_finalize(rq);
    return st;
}

static dtp_status load_corrections(stage *s, dtp_ocr_corrections **out, dtp_error *err)
{
    *out = NULL;
    const char *rel = dtp_config_get(s->o->cfg, "ocr", "corrections");
    char path[4096];
    if (!rel || !*rel)
        return DTP_OK;
    if (rel[0] == '/')
        snprintf(path, sizeof path, "%s", rel);
    else
        snprintf(path, sizeof path, "%s/%s", s->o->data_dir, rel);
    if (access(path, F_OK) != 0)
        return DTP_OK;
    dtp_buf b;
    dtp_buf_init(&b, (size_t)16 << 20);
    FILE *f = fopen(path, "rb");
    if (!f) {
        dtp_error_where(err, NULL, NULL, path);
        return dtp_error_set(err, DTP_ERR_IO, "ocr", "cannot open corrections: %s",
                             strerror(errno));
    }
    char chunk[65536];
    size_t n;
    dtp_status st = DTP_OK;
    while (st == DTP_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        st = dtp_buf_append(&b, chunk, n);
    fclose(f);
    if (st != DTP_OK) {
        dtp_buf_free(&b);
        dtp_error_where(err, NULL, NULL, path);
        return dtp_error_set(err, st, "ocr", "corrections file too large");
    }
    const char *base = strrchr(path, '/');
    st = dtp_ocr_corrections_read(b.data ? b.data : "", b.len, base ? base + 1 : path, out, err);
    dtp_buf_free(&b);
    return st;
}

/* review/ocr.csv: every field still waiting, rewritten each run from the queue. */
static dtp_status write_review_csv(stage *s, dtp_error *err)
{
    char dir[4096], path[4200], tmp[4300];
    snprintf(dir, sizeof dir, "%s/review", s->o->data_dir);
    snprintf(path, sizeof path, "%s/ocr.csv", dir);
    snprintf(tmp, sizeof tmp, "%s/.ocr.csv.tmp", dir);
    dtp_status st = dtp_mkdirs(dir, err);
    if (st != DTP_OK)
        return st;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        dtp_error_where(err, NULL, NULL, tmp);
        return dtp_error_set(err, DTP_ERR_IO, "ocr", "cannot write review queue: %s",
                             strerror(errno));
    }
    sqlite3_stmt *q = NULL;
    st = dtp_ocr_review_write_header(f, err);
    if (st == DTP_OK &&
        sqlite3_prepare_v2(s->o->db,
                           "SELECT artifact_sha256, record_key, field, COALESCE(ocr_text, ''),"
                           " confidence, reason, COALESCE(crop_path, '') FROM review_queue WHERE"
                           " resolved_run IS NULL ORDER BY artifact_sha256, record_key, field",
                           -1, &q, NULL) != SQLITE_OK)
        st = dtp_db_error(s->o->db, "read review queue", err);
    while (st == DTP_OK && sqlite3_step(q) == SQLITE_ROW) {
        dtp_ocr_review_row row = {
            (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
            (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3),
            (float)sqlite3_column_double(q, 4),      (const char *)sqlite3_column_text(q, 5),
            (const char *)sqlite3_column_text(q, 6)};
        st = dtp_ocr_review_write_row(f, &row, err);
    }
    sqlite3_finalize(q);
    if (fclose(f) != 0 && st == DTP_OK)
        st = dtp_error_set(err, DTP_ERR_IO, "ocr", "cannot write review queue");
    if (st == DTP_OK && rename(tmp, path) != 0)
        st = dtp_error_set(err, DTP_ERR_IO, "ocr", "cannot publish review queue: %s",
                           strerror(errno));
    if (st != DTP_OK)
        unlink(tmp);
    return st;
}

static dtp_status list_captures(stage *s, dtp_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->o->db,
                           "SELECT sa.source, sa.artifact_sha256, COALESCE(a.original_name, '')"
                           " FROM source_artifacts sa JOIN artifacts a ON a.sha256 ="
                           " sa.artifact_sha256 ORDER BY sa.source, sa.role",
                           -1, &q, NULL) != SQLITE_OK)
        return dtp_db_error(s->o->db, "list captures", err);
    s->caps = calloc(MAX_CAPTURES, sizeof *s->caps);
    if (!s->caps) {
        sqlite3_finalize(q);
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    }
    while (sqlite3_step(q) == SQLITE_ROW && s->ncaps < MAX_CAPTURES) {
        char sec[96];
        snprintf(sec, sizeof sec, "source.%s", (const char *)sqlite3_column_text(q, 0));
        const char *kind = dtp_config_get(s->o->cfg, sec, "kind");
        if (!kind || strcmp(kind, "cnca") != 0 || !dtp_config_bool(s->o->cfg, sec, "enabled"))
            continue;
        capture *c = &s->caps[s->ncaps++];
        snprintf(c->sha, sizeof c->sha, "%s", (const char *)sqlite3_column_text(q, 1));
        snprintf(c->name, sizeof c->name, "%s", (const char *)sqlite3_column_text(q, 2));
    }
    sqlite3_finalize(q);
    return DTP_OK;
}

dtp_status dtp_ocr_stage_run(const dtp_ocr_stage_opts *o, dtp_ocr_stage_result *res, dtp_error *err)
{
    static stage s;
    memset(&s, 0, sizeof s);
    memset(res, 0, sizeof *res);
    s.o = o;
    s.res = res;
    dtp_ocr_params_default(&s.params);
    s.params.max_pixels = dtp_config_int(o->cfg, "ocr", "max_pixels");
    dtp_ocr_layout_opts_default(&s.lopts);
    s.lopts.min_confidence = (float)dtp_config_double(o->cfg, "ocr", "confidence_threshold");
    snprintf(s.crops_dir, sizeof s.crops_dir, "%s/review/crops", o->data_dir);
    dtp_ocr_pool *pool = NULL;
    dtp_ocr_corrections *corr = NULL;
    char params[256], identity[DTP_OCR_IDENTITY_MAX] = "";
    dtp_ocr_params_string(&s.params, params, sizeof params);
    dtp_status st = list_captures(&s, err);
    if (st != DTP_OK)
        goto out;
    res->artifacts = (int)s.ncaps;
    if (s.ncaps == 0)
        goto out;
    if ((st = dtp_mkdirs(s.crops_dir, err)) != DTP_OK ||
        (st = load_corrections(&s, &corr, err)) != DTP_OK)
        goto out;
    /* sniff every capture; text captures are read here, images by the pool */
    size_t nimages = 0, to_read = 0;
    for (size_t i = 0; i < s.ncaps; i++) {
        capture *c = &s.caps[i];
        unsigned char head[16];
        dtp_archive_reader *r = NULL;
        long n = -1;
        if (dtp_archive_reader_open(o->archive, c->sha, &r, &c->err) == DTP_OK)
            n = dtp_archive_reader_read(r, head, sizeof head, &c->err);
        dtp_archive_reader_free(r);
        c->kind = n > 0 ? sniff(head, (size_t)n) : CAP_UNKNOWN;
        if (c->kind == CAP_IMAGE)
            nimages++;
    }
    res->images = (int)nimages;
    if (nimages) {
        long workers = dtp_config_int(o->cfg, "ocr", "workers");
        if ((st = dtp_ocr_pool_new((int)workers, NULL, dtp_config_get(o->cfg, "ocr", "languages"),
                                   &pool, err)) != DTP_OK)
            goto out;
        snprintf(identity, sizeof identity, "%s",
                 dtp_ocr_engine_identity(dtp_ocr_pool_engine(pool, 0)));
    }
    for (size_t i = 0; i < s.ncaps; i++) {
        capture *c = &s.caps[i];
        if (c->kind == CAP_UNKNOWN) {
            c->st = dtp_error_set(&c->err, DTP_ERR_UNSUPPORTED, "ocr",
                                  "not a PNG or JPEG screenshot, HTML page or JSON response");
            dtp_error_where(&c->err, NULL, c->sha, c->name);
            continue;
        }
        if (c->kind == CAP_IMAGE) {
            if ((c->st = dtp_ocr_cache_key(dtp_ocr_pool_engine(pool, 0), c->sha, &s.params, c->key,
                                           &c->err)) != DTP_OK)
                continue;
        } else {
            snprintf(c->key, sizeof c->key, "%s", TEXT_PARSER);
        }
        if ((st = cache_get(&s, c, err)) != DTP_OK)
            goto out;
        if (c->from_cache) {
            res->cached++;
            continue;
        }
        if (c->kind == CAP_IMAGE) {
            to_read++;
            continue;
        }
        c->st = read_text_capture(&s, c, &c->err);
        if (c->st != DTP_OK)
            dtp_error_where(&c->err, NULL, c->sha, c->name);
    }
    if (to_read && (st = dtp_ocr_pool_run(pool, to_read, image_job, &s, err)) != DTP_OK)
        goto out;
    /* store: one transaction for the whole stage, so a stop leaves the previous records */
    if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
        goto out;
    for (size_t i = 0; i < s.ncaps && st == DTP_OK; i++) {
        capture *c = &s.caps[i];
        if (c->st != DTP_OK) {
            res->failed++;
            if (c->st == DTP_ERR_INTERRUPTED) {
                st = c->st;
                *err = c->err;
                break;
            }
            if (o->log) {
                char line[DTP_ERR_MESSAGE_MAX + 600];
                dtp_error_format(&c->err, line, sizeof line);
                dtp_log_msg(o->log, DTP_LOG_WARN, "ocr", "capture_failed", "%s", line);
            }
            if (res->failed == 1)
                *err = c->err;
            continue;
        }
        if (c->kind == CAP_IMAGE && !c->from_cache)
            res->recognised++;
        if (!c->from_cache && (st = cache_put(&s, c, err)) != DTP_OK)
            break;
        for (size_t k = 0; k < c->nrecs && st == DTP_OK; k++) {
            dtp_ocr_record *r = c->recs[k];
            snprintf(r->artifact_sha256, sizeof r->artifact_sha256, "%s", c->sha);
            /* rules may have changed since the page was read: judge again, but a field the
             * reader did not accept (e.g. two readings that disagree) stays unaccepted */
            int held[DTP_OCR_NFIELDS];
            char *why[DTP_OCR_NFIELDS];
            for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
                dtp_ocr_field *f = dtp_ocr_record_field(r, (dtp_ocr_field_id)id);
                held[id] = c->kind == CAP_IMAGE && f->raw && !f->accepted;
                why[id] = held[id] && f->reason ? strdup(f->reason) : NULL;
            }
            st = dtp_ocr_record_validate(r, s.lopts.min_confidence, err);
            for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
                dtp_ocr_field *f = dtp_ocr_record_field(r, (dtp_ocr_field_id)id);
                if (st == DTP_OK && held[id] && f->accepted) {
                    f->accepted = 0;
                    st = dtp_ocr_field_set_str(&f->reason, why[id] ? why[id] : "not accepted");
                }
                free(why[id]);
            }
            if (st == DTP_OK)
                st = dtp_ocr_record_refresh(r, err);
            size_t applied = 0;
            if (st == DTP_OK && corr) {
                dtp_error e2;
                dtp_error_clear(&e2);
                dtp_status cs = dtp_ocr_corrections_apply(corr, r, &applied, &e2);
                if (cs != DTP_OK && o->log) {
                    char line[DTP_ERR_MESSAGE_MAX + 600];
                    dtp_error_format(&e2, line, sizeof line);
                    dtp_log_msg(o->log, DTP_LOG_WARN, "ocr", "correction_rejected", "%s", line);
                }
                res->corrections += (int64_t)applied;
                if (applied)
                    st = dtp_ocr_record_refresh(r, err);
            }
        }
        if (st == DTP_OK)
            st = store_capture(&s, c, identity, params, err);
    }
    if (st == DTP_OK && o->interrupt && *o->interrupt)
        st = dtp_error_set(err, DTP_ERR_INTERRUPTED, "ocr", "stopped by a signal");
    if (st == DTP_OK)
        st = dtp_db_commit(o->db, err);
    if (st != DTP_OK) {
        dtp_db_rollback(o->db);
        goto out;
    }
    st = write_review_csv(&s, err);
    if (st == DTP_OK && res->failed)
        st = err->status ? err->status : DTP_ERR_PARSE;
out:
    for (size_t i = 0; i < s.ncaps; i++)
        capture_clear(&s.caps[i]);
    free(s.caps);
    dtp_ocr_pool_free(pool);
    dtp_ocr_corrections_free(corr);
    return st;
}
