/* Test-only: prints and aborts on failure. */
#include "zipmake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

const char zm_content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";

const char zm_root_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";

static const char wb_xml_fmt[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"%s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static const char wb_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
    "Target=\"sharedStrings.xml\"/></Relationships>";

void *zm_zip(const zm_entry *e, size_t n, size_t *outlen)
{
    size_t cap = 1 << 20;
    for (size_t i = 0; i < n; i++)
        cap += e[i].len + e[i].len / 8 + 1024;
    unsigned char *buf = malloc(cap);
    size_t used = 0;
    struct archive *a = archive_write_new();
    if (!buf || !a)
        abort();
    archive_write_set_format_zip(a);
    if (archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
        abort();
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *en = archive_entry_new();
        archive_entry_set_pathname(en, e[i].name);
        archive_entry_set_size(en, (la_int64_t)e[i].len);
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_perm(en, 0644);
        if (e[i].store)
            archive_write_zip_set_compression_store(a);
        else
            archive_write_zip_set_compression_deflate(a);
        if (archive_write_header(a, en) != ARCHIVE_OK) {
            fprintf(stderr, "zipmake: %s: %s\n", e[i].name, archive_error_string(a));
            abort();
        }
        if (e[i].len) {
            void *zeros = NULL;
            const void *d = e[i].data;
            if (!d)
                d = zeros = calloc(1, e[i].len);
            if (archive_write_data(a, d, e[i].len) != (la_ssize_t)e[i].len)
                abort();
            free(zeros);
        }
        archive_entry_free(en);
    }
    archive_write_close(a);
    archive_write_free(a);
    *outlen = used;
    return buf;
}

void *zm_xlsx(const char *sheet_xml, const char *sst_xml, size_t *outlen)
{
    return zm_xlsx_named("Sheet1", sheet_xml, sst_xml, outlen);
}

void *zm_xlsx_named(const char *sheet_name, const char *sheet_xml, const char *sst_xml,
                    size_t *outlen)
{
    char wb_xml[1024];
    snprintf(wb_xml, sizeof wb_xml, wb_xml_fmt, sheet_name);
    zm_entry e[6];
    size_t n = 0;
    e[n++] = (zm_entry){"[Content_Types].xml", zm_content_types, strlen(zm_content_types), 0};
    e[n++] = (zm_entry){"_rels/.rels", zm_root_rels, strlen(zm_root_rels), 0};
    e[n++] = (zm_entry){"xl/workbook.xml", wb_xml, strlen(wb_xml), 0};
    e[n++] = (zm_entry){"xl/_rels/workbook.xml.rels", wb_rels, strlen(wb_rels), 0};
    e[n++] = (zm_entry){"xl/worksheets/sheet1.xml", sheet_xml, strlen(sheet_xml), 0};
    if (sst_xml)
        e[n++] = (zm_entry){"xl/sharedStrings.xml", sst_xml, strlen(sst_xml), 0};
    return zm_zip(e, n, outlen);
}
