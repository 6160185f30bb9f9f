/* Validators and normalisers for CNCA registry fields (SOURCES.md 5). Pure functions over
 * UTF-8 text: no allocation except where a function returns a new string (caller frees). They
 * are what decides whether a value read by OCR is accepted, so each rule is documented here. */
#ifndef DTP_OCR_VALIDATE_H
#define DTP_OCR_VALIDATE_H

#include <stddef.h>

#include "ocr/record.h"

#define DTP_OCR_TEXT_MAX 65536 /* cap on any one field's text (bytes) */

/* Decode one UTF-8 code point from s (n bytes available, n > 0). Sets *adv to the bytes used
 * (at least 1). Malformed or overlong sequences give U+FFFD with *adv = 1. */
unsigned dtp_ocr_utf8_decode(const char *s, size_t n, size_t *adv);

/* Decode the NUL-terminated s into at most max code points stored in cp (cp NULL: count only,
 * max ignored); returns how many were decoded. */
size_t dtp_ocr_utf8_cps(const char *s, unsigned *cp, size_t max);

/* Encode cp as UTF-8 into out (4 bytes); returns the length. */
size_t dtp_ocr_utf8_encode(unsigned cp, char out[4]);

/* Full-width forms U+FF01..U+FF5E to ASCII, U+3000 (ideographic space) to a space, and the
 * bracket forms 【】〔〕 → [] and U+00A0 to a space. Other CJK punctuation (、。“”) is left
 * alone. Returns a new string (NULL when out of memory or n > DTP_OCR_TEXT_MAX). */
char *dtp_ocr_halfwidth(const char *s, size_t n);

/* Matching form of a name: half-width (above), brackets （）→ () (part of the above), whitespace
 * runs collapsed to one space and trimmed, and a space next to a CJK character dropped (OCR and
 * HTML line-wrapping put spaces between Chinese characters that the name does not have).
 * Letters keep their case. Returns a new string or NULL. */
char *dtp_ocr_normalise_name(const char *s, size_t n);

/* Dates. Accepted forms (after half-width mapping and trimming): YYYY-MM-DD, YYYY/MM/DD,
 * YYYY.MM.DD (month and day 1 or 2 digits), YYYY年M月D日 (spaces allowed around the parts),
 * YYYYMMDD, each optionally followed by a time ("T..." or " hh:mm[:ss]") which is dropped.
 * Year 1990..2100, month 1..12, day within the month (Gregorian leap years). Writes
 * "YYYY-MM-DD" into iso (11 bytes) and returns 1; 0 when not a date. */
int dtp_ocr_parse_date(const char *s, char iso[11]);

/* A date given as milliseconds since the epoch (JSON APIs do this) as the calendar date in
 * China (UTC+8). Returns 1 and fills iso when the date lands in 1990..2100. */
int dtp_ocr_date_from_epoch_ms(long long ms, char iso[11]);

/* Certificate status from a word (有效 暂停 撤销/撤消 注销 过期失效, or the English canonical
 * names) or a code (01..05, also 1..5). Spaces inside are ignored. UNKNOWN when neither. */
dtp_ocr_cert_status dtp_ocr_parse_status(const char *s);

/* History event kind from the 活动 text (初次认证/初次获证, 监督审核/监督, 再认证, 变更,
 * 暂停, 恢复, 撤销/撤消, 注销, 过期失效). The longest vocabulary word contained in the text wins,
 * so "第1次监督审核" is surveillance. UNKNOWN when none. */
dtp_ocr_event_kind dtp_ocr_parse_event_kind(const char *s);

/* 1 when the standard text names ISO/IEC 27001 or GB/T 22080 (any edition: GB/T 22080-2008,
 * -2016, -2025; ISO/IEC 27001:2005, :2013, :2022; also "ISO 27001", "IEC 27001", full-width
 * forms and spaces anywhere, "GB/T" read as "GBT" or "GB／T"). 27002, 27701, 20000-1 etc. are
 * not 27001. *edition (may be NULL) gets the year written after the ISO/IEC number, else after
 * the GB/T number, or 0. */
int dtp_ocr_standard_is_27001(const char *s, int *edition);

/* CNCA management-system certificate number. The structured shape (认监委 numbering rule, as
 * in the real examples 00114E22766R2L/3502, 00216Q10097R1S, 10416Q20770R1S):
 *   BBB  3-digit body code (from the body's approval number CNCA-R-yyyy-BBB)
 *   YY   2-digit year of issue
 *   T    system code, one of: Q E S F H I IS ISMS IT ITSM EN C G (quality, environment, OHS,
 *        food safety, HACCP, information security (I/IS/ISMS seen for 27001), IT service,
 *        energy, ...); the letters for ISMS vary by body, which is why several are accepted
 *   N    serial, 3..7 digits
 *   R n  'R' and the recertification count, 1..2 digits
 *   Z    optional size code, one letter S M L (small, medium, large) or W
 *   /nnnn or -n optional site / sub-certificate suffix (digits)
 * Input is upper-cased after half-width mapping and spaces are removed. When the text does not
 * match, it is read again letting each OCR confusable (0/O/D, 1/I/L, 2/Z, 5/S, 8/B; Q is never
 * read as 0) stand for the others; when exactly one reading fits with the fewest changed
 * characters, and it changes at most 3, that repair is taken (REPAIRED, *repair_pos = 0-based
 * byte position of the first change). Positions of the shape that admit only digits or only
 * a code letter force the choice (001251S6625ROM is 00125IS6625R0M); where two readings fit
 * equally (R1I: R11 or R1L) nothing is repaired;
 * repair_pos NULL asks for no repair (text captures: the registry's own text is the value).
 * Numbers of other shapes (foreign bodies, older rules) are returned as BAD_SHAPE with the
 * normalised text still written to out, so a text capture can keep them with a flag.
 * out must hold 64 bytes. */
dtp_ocr_check dtp_ocr_check_cert_no(const char *s, char out[64], int *repair_pos);

/* 1 unless the name (normalised: half-width brackets) holds 有限 and does not end in 有限公司,
 * 有限责任公司 (股份有限公司 ends in 有限公司), 分公司 (a branch) or (有限合伙). */
int dtp_ocr_name_form_ok(const char *name);

/* A company name whose legal form (有限责任公司 or 股份有限公司, the two six-character forms of
 * the Company Law) is off by one character in its last six (有限击任公司, 股份在限公司: a
 * character the model misreads the same way at both scales). When the name does not already end
 * in a legal form (有限公司, 有限责任公司, 股份公司, 分公司, (有限合伙)) and exactly one form is
 * one substitution away, out (outsz bytes) gets the name with that form, *pos the index (from 0, in
 * characters) of the character replaced, and 1 is returned; else 0 and out is untouched. */
int dtp_ocr_name_form_repair(const char *name, char *out, size_t outsz, int *pos);

/* 1 when the normalised number is plausible even if not CNCA-shaped: 6..40 characters of
 * A-Z 0-9 and - / . ( ), at least 3 digits. Used for text captures, where no OCR error exists. */
int dtp_ocr_cert_no_plausible(const char *normalised);

/* Organisation code (GB 11714-1997): 8 characters 0-9A-Z and a check character (0-9 or X),
 * optionally written with a hyphen before the check character. Writes the 9-character code
 * into out (10 bytes). */
dtp_ocr_check dtp_ocr_check_org_code(const char *s, char out[10]);

/* USCC after half-width mapping, upper-casing and removing spaces/hyphens: OK, REPAIRED (one
 * confusable substitution, *repair_pos set; repair_pos NULL asks for no repair), BAD_SHAPE
 * (length or alphabet) or BAD_CHECK.
 * out (19 bytes) gets the code (repaired when REPAIRED). */
dtp_ocr_check dtp_ocr_check_uscc(const char *s, char out[19], int *repair_pos);

/* Non-negative count (监督次数) 0..99 from text such as "2", "2次", "２". -1 when not a count. */
int dtp_ocr_parse_count(const char *s);

#endif
