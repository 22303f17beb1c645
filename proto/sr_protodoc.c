// sr_protodoc: prints docs/protocol.md from the message table.
//
//   sr_protodoc                 print to stdout
//   sr_protodoc -o FILE         write FILE
//   sr_protodoc --check FILE    exit 1 when FILE differs from the output
//
// The prose lives here, next to the generated parts (versions, grammar,
// field tables, REPLY body shapes, an encoded example made by the codec
// itself), so that the
// document cannot drift from the code: the ctest proto.protodoc runs
// --check on the committed file. Owns nothing but its output buffer.
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_body.h"
#include "sr_msg.h"
#include "sr_msg_codec.h"
#include "sr_protodoc_text.h"

static void
s_abnf(FILE *out)
{
    fputs("```abnf\n", out);
#define SR_ABNF(line) fprintf(out, "%s\n", line);
#include "sr_msg.def"
    fputs("```\n\n", out);
}

static const char *
s_limit(const sr_field_desc_t *fd, char *buf, size_t size)
{
    switch (fd->type) {
    case SR_FT_STR:
    case SR_FT_MAP:
    case SR_FT_VALUE:
        if (!fd->limit)
            return "payload";
        snprintf(buf, size, "%" PRId64 " bytes", fd->limit);
        return buf;
    case SR_FT_ARRAY:
    case SR_FT_STRS:
        if (!fd->limit)
            return "payload";
        snprintf(buf, size, "%" PRId64 " items", fd->limit);
        return buf;
    case SR_FT_INT:
    case SR_FT_MS:
        snprintf(buf, size, ">= %" PRId64, fd->limit);
        return buf;
    default:
        return "";
    }
}

static const char *
s_dir_name(sr_msg_dir_t dir)
{
    switch (dir) {
    case SR_DIR_WORKER_TO_ENGINE:
        return "worker -> engine";
    case SR_DIR_ENGINE_TO_WORKER:
        return "engine -> worker";
    case SR_DIR_WORKER_ENGINE:
        return "worker <-> engine";
    case SR_DIR_CLIENT_TO_ENGINE:
        return "client -> engine";
    case SR_DIR_ENGINE_TO_CLIENT:
        return "engine -> client";
    default:
        return "any direction";
    }
}

// `name` in lower case, for an anchor (names are short: 31 bytes kept).
static const char *
s_lower(const char *name, char out[32])
{
    size_t i = 0;
    for (; name[i] && i < 31; i++)
        out[i] =
            (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    out[i] = '\0';
    return out;
}

// A table cell: the text with `|` escaped.
static void
s_cell(FILE *out, const char *text)
{
    fputs(" ", out);
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputc('\\', out);
        fputc(*p, out);
    }
    fputs(" |", out);
}

// One table row of a field: `name`, type, required, [limit,] meaning.
static void
s_row(FILE *out, const char *name, const char *type, bool is_required,
      const char *limit, const char *doc)
{
    char quoted[80];
    snprintf(quoted, sizeof quoted, "`%s`", name);
    fputs("|", out);
    s_cell(out, quoted);
    s_cell(out, type);
    s_cell(out, is_required ? "yes" : "no");
    if (limit)
        s_cell(out, limit);
    s_cell(out, doc);
    fputs("\n", out);
}

static void
s_message(FILE *out, sr_msg_type_t t)
{
    fprintf(out, "### %s\n\n", sr_msg_type_name(t));
    fprintf(out, "%s. Id 0x%02x, %s.\n\n", sr_msg_type_doc(t), (unsigned)t,
            s_dir_name(sr_msg_type_dir(t)));
    fputs("| field | type | required | limit | meaning |\n", out);
    fputs("|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < sr_msg_field_count(t); i++) {
        const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(t, i));
        char buf[32];
        s_row(out, fd->name, sr_ftype_name(fd->type), fd->is_required,
              s_limit(fd, buf, sizeof buf), fd->doc);
    }
    fputs("\n", out);
    sr_shape_t shape = SR_SHAPE_NONE;
    const char *doc = NULL;
    sr_reply_kind_t kind = sr_reply_of(t, &shape, &doc);
    if (kind != SR_REPLY_NONE) {
        char lower[32];
        fprintf(out, "REPLY body: %s [%s](#%s-body). %s.\n\n",
                kind == SR_REPLY_LIST ? "an array of" : "one",
                sr_shape_name(shape), s_lower(sr_shape_name(shape), lower),
                doc);
    }
}

// A body field's type: nested shapes link to their table.
static const char *
s_btype(const sr_bfield_desc_t *fd, char *buf, size_t size)
{
    char lower[32];
    const char *name = sr_shape_name(fd->item);
    if (fd->type == SR_FT_OBJ)
        snprintf(buf, size, "[%s](#%s-body)", name, s_lower(name, lower));
    else if (fd->type == SR_FT_OBJS)
        snprintf(buf, size, "array of [%s](#%s-body)", name,
                 s_lower(name, lower));
    else
        return sr_ftype_name(fd->type);
    return buf;
}

static void
s_shape(FILE *out, sr_shape_t s)
{
    fprintf(out, "### %s body\n\n%s.\n\n", sr_shape_name(s), sr_shape_doc(s));
    if (!sr_shape_field_count(s)) {
        fputs("No fields: `{}`.\n\n", out);
        return;
    }
    fputs("| field | type | required | meaning |\n", out);
    fputs("|---|---|---|---|\n", out);
    for (size_t i = 0; i < sr_shape_field_count(s); i++) {
        const sr_bfield_desc_t *fd = sr_bfield_desc(sr_shape_field_at(s, i));
        char buf[96];
        s_row(out, fd->name, s_btype(fd, buf, sizeof buf), fd->is_required,
              NULL, fd->doc);
    }
    fputs("\n", out);
}

static void
s_messages(FILE *out, const char *title, sr_msg_dir_t side)
{
    fprintf(out, "## %s\n\n", title);
    for (size_t i = 0; i < sr_msg_type_count(); i++) {
        sr_msg_type_t t = sr_msg_type_at(i);
        if (sr_msg_type_dir(t) & side && sr_msg_type_dir(t) != SR_DIR_ANY)
            s_message(out, t);
    }
}

// The example of the document: a CONFIRM with a fixed id, encoded by the
// codec itself, dumped in hex.
static int
s_example(FILE *out)
{
    static const sr_id_t id = {{0x00, 0x03, 0x69, 0x1f, 0x2a, 0x40, 0x83, 0x0c,
                                0x9d, 0x41, 0x5e, 0x6a, 0x0b, 0x72, 0xc4,
                                0x18}};
    sr_msg_t *m = sr_msg_new(SR_MSG_CONFIRM);
    char *buf = NULL, text[SR_ID_TEXT_SIZE];
    size_t len = 0;
    sr_error_t err;
    if (!m || sr_msg_set_id(m, SR_F_CONFIRM_action_id, &id) ||
        sr_msg_set_int(m, SR_F_CONFIRM_attempt, 1) ||
        sr_msg_set_int(m, SR_F_CONFIRM_epoch, 7) ||
        sr_msg_encode(m, &buf, &len, &err)) {
        sr_msg_destroy(&m);
        return -1;
    }
    sr_id_format(&id, text);
    fprintf(out, sr_protodoc_example_intro, text, text, len);
    fputs("```\n", out);
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%02x%s", (uint8_t)buf[i],
                i + 1 == len || i % 16 == 15 ? "\n" : " ");
    fputs("```\n\n", out);
    fputs(sr_protodoc_example_notes, out);
    free(buf);
    sr_msg_destroy(&m);
    return 0;
}

static int
s_errors(FILE *out)
{
    fputs("| code | meaning |\n|---|---|\n", out);
    for (int c = 1; c < SR_ERR_COUNT; c++) {
        const char *meaning = sr_protodoc_code_meaning((sr_err_t)c);
        if (!meaning) {
            fprintf(stderr, "sr_protodoc: no meaning written for %s\n",
                    sr_strerror((sr_err_t)c));
            return -1;
        }
        fprintf(out, "| `%s` | %s |\n", sr_strerror((sr_err_t)c), meaning);
    }
    fputs("\n", out);
    return 0;
}

static int
s_document(FILE *out)
{
    fputs(sr_protodoc_banner, out);
    fprintf(out, sr_protodoc_intro, SR_PROTO_MAJOR, SR_PROTO_MINOR);
    fputs(sr_protodoc_wire_format, out);
    fputs(sr_protodoc_types, out);
    fprintf(out, sr_protodoc_versioning, SR_PROTO_MAJOR, SR_PROTO_MINOR,
            SR_PROTO_MAJOR + 1, SR_PROTO_MAJOR, SR_PROTO_MINOR);
    fputs(sr_protodoc_limits, out);
    fputs(sr_protodoc_errors_intro, out);
    if (s_errors(out))
        return -1;
    fputs(sr_protodoc_sequences_intro, out);
    s_abnf(out);
    fputs(sr_protodoc_worker_prose, out);
    fputs(sr_protodoc_client_prose, out);
    fputs(sr_protodoc_raft_prose, out);
    fputs(sr_protodoc_python_intro, out);
    if (s_example(out))
        return -1;
    fputs(sr_protodoc_python_worker, out);
    fputs(sr_protodoc_python_client, out);
    s_messages(out, "Worker endpoint messages", SR_DIR_WORKER_ENGINE);
    s_messages(out, "Client endpoint messages",
               SR_DIR_CLIENT_TO_ENGINE | SR_DIR_ENGINE_TO_CLIENT);
    fputs("## Messages of both endpoints\n\n", out);
    for (size_t i = 0; i < sr_msg_type_count(); i++)
        if (sr_msg_type_dir(sr_msg_type_at(i)) == SR_DIR_ANY)
            s_message(out, sr_msg_type_at(i));
    fputs(sr_protodoc_bodies_intro, out);
    for (sr_shape_t s = 1; s <= sr_shape_count(); s++)
        s_shape(out, s);
    return 0;
}

// Compare `text` with the file at `path`; print where they part.
static int
s_check(const char *text, size_t len, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sr_protodoc: cannot read %s\n", path);
        return 1;
    }
    size_t line = 1, i = 0;
    int c;
    while ((c = fgetc(f)) != EOF && i < len && c == (unsigned char)text[i]) {
        line += c == '\n';
        i++;
    }
    bool same = c == EOF && i == len;
    fclose(f);
    if (same)
        return 0;
    fprintf(stderr,
            "sr_protodoc: %s differs from the message table at line %zu;\n"
            "regenerate it: build/bin/sr_protodoc -o %s\n",
            path, line, path);
    return 1;
}

int
main(int argc, char **argv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out || s_document(out) != 0 || fclose(out) != 0) {
        fprintf(stderr, "sr_protodoc: cannot generate the document\n");
        free(text);
        return 1;
    }
    int rc = 0;
    if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        rc = s_check(text, len, argv[2]);
    } else if (argc == 3 && strcmp(argv[1], "-o") == 0) {
        FILE *f = fopen(argv[2], "wb");
        bool ok = f && fwrite(text, 1, len, f) == len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            fprintf(stderr, "sr_protodoc: cannot write %s\n", argv[2]);
            rc = 1;
        }
    } else if (argc == 1) {
        rc = fwrite(text, 1, len, stdout) == len ? 0 : 1;
    } else {
        fprintf(stderr, "usage: sr_protodoc [-o FILE | --check FILE]\n");
        rc = 2;
    }
    free(text);
    return rc;
}
