// YAML events (libyaml) to a node tree with positions. Owns the nodes of a
// tree (one allocation list) and, while parsing, the stack of open
// collections and the anchor table. Checks every limit as nodes complete so
// a hostile file stops early; maps are finished (merge keys, duplicate keys)
// in lang_tree_map.c. Does not know the workflow language.
#include "lang_tree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lang_diag.h"
#include "lang_scalar.h"
#include "lang_strtab.h"
#include "lang_tree_map.h"
#include "lang_src.h"
#include "sr_value_json.h"

#define S_DEFAULT_MAX_BYTES ((size_t)1 << 20)
#define S_DEFAULT_MAX_DEPTH 64
#define S_DEFAULT_MAX_NODES ((size_t)100000)

struct lang_tree {
    lang_node_t *root; // NULL for an empty stream
    lang_node_t *all;  // every node, for destruction
    lang_src_t text;   // line table of the borrowed source
};

typedef struct {
    lang_node_t *node; // the open collection
    size_t cap;        // capacity of node->items
    bool has_key;      // map: a key waits for its value
    char *anchor;      // registered when the node completes; owned
} s_frame_t;

typedef struct {
    lang_tree_t *yaml;
    lang_limits_t limits;
    lang_diags_t *diags;
    s_frame_t *stack; // open collections
    size_t depth, capstack;
    lang_strtab_t *anchors; // name -> completed node
    lang_tree_map_t map;    // what finishing maps needs
    int ndocs;
} s_parser_t;

lang_limits_t
lang_limits_resolve(const lang_limits_t *limits)
{
    lang_limits_t l = {0};
    if (limits)
        l = *limits;
    if (l.max_bytes == 0)
        l.max_bytes = S_DEFAULT_MAX_BYTES;
    if (l.max_depth <= 0)
        l.max_depth = S_DEFAULT_MAX_DEPTH;
    if (l.max_nodes == 0)
        l.max_nodes = S_DEFAULT_MAX_NODES;
    return l;
}

static lang_pos_t
s_pos(yaml_mark_t m)
{
    lang_pos_t pos = {(int)m.line + 1, (int)m.column + 1};
    return pos;
}

// ---- nodes ---------------------------------------------------------------

static lang_node_t *
s_node_new(s_parser_t *p, lang_node_kind_t kind, yaml_mark_t mark)
{
    lang_node_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->pos = s_pos(mark);
    n->offset = lang_src_offset(&p->yaml->text, mark.line, mark.column);
    n->size = 1;
    n->next_alloc = p->yaml->all;
    p->yaml->all = n;
    return n;
}

static void
s_node_free(lang_node_t *n)
{
    if (n->value && !sr_value_is(n->value, SR_T_STR))
        free((char *)n->str);
    sr_value_destroy(&n->value);
    free(n->items);
    free(n);
}

static sr_err_t
s_append(lang_node_t *parent, lang_node_t *child, size_t *cap)
{
    if (parent->nitems == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        lang_node_t **items = realloc(parent->items, ncap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        parent->items = items;
        *cap = ncap;
    }
    parent->items[parent->nitems++] = child;
    return SR_OK;
}

static sr_err_t s_fail(s_parser_t *p, lang_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sr_err_t
s_fail(s_parser_t *p, lang_pos_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_err_t rc = lang_diag_vadd(p->diags, pos, fmt, ap);
    va_end(ap);
    return rc == SR_OK ? SR_EINVAL : rc;
}

// Sizes and depth of a completed collection; limits checked.
static sr_err_t
s_measure(s_parser_t *p, lang_node_t *n)
{
    size_t size = 1;
    int depth = 0;
    for (size_t i = 0; i < n->nitems; i++) {
        const lang_node_t *c = n->items[i];
        size = c->size > SIZE_MAX - size ? SIZE_MAX : size + c->size;
        if (c->depth > depth)
            depth = c->depth;
    }
    n->size = size;
    n->depth = depth + 1;
    if (n->depth > p->limits.max_depth)
        return s_fail(p, n->pos,
                      "YAML nesting is deeper than %d levels "
                      "(after alias expansion)",
                      p->limits.max_depth);
    if (n->size > p->limits.max_nodes)
        return s_fail(p, n->pos,
                      "more than %zu YAML nodes after alias "
                      "expansion (alias bomb?)",
                      p->limits.max_nodes);
    return SR_OK;
}

static sr_err_t
s_scalar_text(lang_node_t *n)
{
    if (sr_value_is(n->value, SR_T_STR)) {
        n->str = sr_value_str(n->value);
        n->len = sr_value_len(n->value);
        return SR_OK;
    }
    char *text = sr_value_to_json(n->value, SR_JSON_COMPACT);
    if (!text)
        return SR_ENOMEM;
    n->str = text;
    n->len = strlen(text);
    return SR_OK;
}

static const char *
s_tag(const yaml_char_t *tag)
{
    return tag ? (const char *)tag : NULL;
}

static sr_err_t
s_on_scalar(s_parser_t *p, const yaml_event_t *ev, lang_node_t **out)
{
    static const lang_style_t styles[] = {
        [YAML_PLAIN_SCALAR_STYLE] = LANG_STYLE_PLAIN,
        [YAML_SINGLE_QUOTED_SCALAR_STYLE] = LANG_STYLE_SINGLE,
        [YAML_DOUBLE_QUOTED_SCALAR_STYLE] = LANG_STYLE_DOUBLE,
        [YAML_LITERAL_SCALAR_STYLE] = LANG_STYLE_LITERAL,
        [YAML_FOLDED_SCALAR_STYLE] = LANG_STYLE_FOLDED,
    };
    lang_node_t *n = s_node_new(p, LANG_NODE_SCALAR, ev->start_mark);
    if (!n)
        return SR_ENOMEM;
    yaml_scalar_style_t st = ev->data.scalar.style;
    n->style = st >= YAML_PLAIN_SCALAR_STYLE && st <= YAML_FOLDED_SCALAR_STYLE
                   ? styles[st]
                   : LANG_STYLE_PLAIN;
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = s_tag(ev->data.scalar.tag);
    bool plain = n->style == LANG_STYLE_PLAIN;
    n->is_merge = lang_scalar_is_merge(text, len, plain, tag);
    const char *problem = NULL;
    sr_err_t rc =
        n->is_merge
            ? ((n->value = sr_value_new_strn(text, len)) ? SR_OK : SR_ENOMEM)
            : lang_scalar_resolve(text, len, plain, tag, &n->value, &problem);
    if (rc == SR_EINVAL) {
        rc = lang_diag_add(p->diags, n->pos, "%s: '%.*s'%s%s", problem,
                           len > 40 ? 40 : (int)len, text,
                           tag ? " with tag " : "", tag ? tag : "");
        if (rc != SR_OK)
            return rc;
        n->value = sr_value_new_strn(text, len);
        rc = n->value ? SR_OK : SR_ENOMEM;
    }
    if (rc == SR_OK)
        rc = s_scalar_text(n);
    if (rc == SR_OK)
        *out = n;
    return rc;
}

static sr_err_t
s_check_collection_tag(s_parser_t *p, const yaml_char_t *tag, bool is_map,
                       yaml_mark_t mark)
{
    const char *t = s_tag(tag);
    if (!t || strcmp(t, "!") == 0 ||
        strcmp(t, is_map ? "tag:yaml.org,2002:map" : "tag:yaml.org,2002:seq") ==
            0)
        return SR_OK;
    return s_fail(p, s_pos(mark), "unsupported YAML tag '%s'", t);
}

static sr_err_t
s_open(s_parser_t *p, const yaml_event_t *ev, bool is_map)
{
    if ((int)p->depth >= p->limits.max_depth)
        return s_fail(p, s_pos(ev->start_mark),
                      "YAML nesting is deeper than %d levels",
                      p->limits.max_depth);
    const yaml_char_t *tag =
        is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    sr_err_t rc = s_check_collection_tag(p, tag, is_map, ev->start_mark);
    if (rc != SR_OK)
        return rc;
    if (p->depth == p->capstack) {
        size_t cap = p->capstack ? p->capstack * 2 : 16;
        s_frame_t *st = realloc(p->stack, cap * sizeof *st);
        if (!st)
            return SR_ENOMEM;
        p->stack = st;
        p->capstack = cap;
    }
    lang_node_t *n =
        s_node_new(p, is_map ? LANG_NODE_MAP : LANG_NODE_SEQ, ev->start_mark);
    if (!n)
        return SR_ENOMEM;
    bool flow = is_map
                    ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    n->style = flow ? LANG_STYLE_FLOW : LANG_STYLE_BLOCK;
    const yaml_char_t *anchor =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    s_frame_t *f = &p->stack[p->depth++];
    memset(f, 0, sizeof *f);
    f->node = n;
    if (anchor && !(f->anchor = strdup((const char *)anchor)))
        return SR_ENOMEM;
    return SR_OK;
}

// Attach a completed node to the open collection (or make it the root).
static sr_err_t
s_attach(s_parser_t *p, lang_node_t *n)
{
    if (p->depth == 0) {
        p->yaml->root = n;
        return SR_OK;
    }
    s_frame_t *f = &p->stack[p->depth - 1];
    if (f->node->kind == LANG_NODE_MAP && !f->has_key) {
        if (n->kind != LANG_NODE_SCALAR)
            return s_fail(p, n->pos, "a mapping key must be a scalar, not a %s",
                          n->kind == LANG_NODE_MAP ? "mapping" : "sequence");
        f->has_key = true;
    } else
        f->has_key = false;
    return s_append(f->node, n, &f->cap);
}

static sr_err_t
s_close(s_parser_t *p)
{
    s_frame_t f = p->stack[--p->depth];
    const char *parent_key = NULL;
    if (p->depth > 0) {
        const s_frame_t *up = &p->stack[p->depth - 1];
        if (up->node->kind == LANG_NODE_MAP && up->has_key)
            parent_key = up->node->items[up->node->nitems - 1]->str;
    }
    sr_err_t rc = SR_OK;
    if (f.node->kind == LANG_NODE_MAP)
        rc = lang_tree_map_finish(f.node, &f.cap, parent_key, &p->map);
    if (rc == SR_OK)
        rc = s_measure(p, f.node);
    if (rc == SR_OK && f.anchor)
        rc = lang_strtab_put(p->anchors, f.anchor, strlen(f.anchor), f.node);
    free(f.anchor);
    if (rc == SR_OK)
        rc = s_attach(p, f.node);
    return rc;
}

static sr_err_t
s_on_alias(s_parser_t *p, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    lang_node_t *n = lang_strtab_get(p->anchors, name, strlen(name));
    if (!n) {
        for (size_t i = 0; i < p->depth; i++)
            if (p->stack[i].anchor && strcmp(p->stack[i].anchor, name) == 0)
                return s_fail(p, s_pos(ev->start_mark),
                              "alias '*%s' refers to a node that "
                              "contains it (recursive alias)",
                              name);
        return s_fail(p, s_pos(ev->start_mark), "unknown alias '*%s'", name);
    }
    if (n->size > p->limits.max_nodes)
        return s_fail(p, s_pos(ev->start_mark),
                      "more than %zu YAML nodes after alias "
                      "expansion (alias bomb?)",
                      p->limits.max_nodes);
    return s_attach(p, n);
}

static sr_err_t
s_on_event(s_parser_t *p, const yaml_event_t *ev)
{
    lang_node_t *n = NULL;
    sr_err_t rc = SR_OK;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++p->ndocs > 1)
            return s_fail(p, s_pos(ev->start_mark),
                          "the file holds more than one YAML "
                          "document; put each in its own file");
        return SR_OK;
    case YAML_SCALAR_EVENT:
        rc = s_on_scalar(p, ev, &n);
        if (rc == SR_OK && ev->data.scalar.anchor)
            rc = lang_strtab_put(
                p->anchors, (const char *)ev->data.scalar.anchor,
                strlen((const char *)ev->data.scalar.anchor), n);
        return rc == SR_OK ? s_attach(p, n) : rc;
    case YAML_SEQUENCE_START_EVENT:
        return s_open(p, ev, false);
    case YAML_MAPPING_START_EVENT:
        return s_open(p, ev, true);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return s_close(p);
    case YAML_ALIAS_EVENT:
        return s_on_alias(p, ev);
    default:
        return SR_OK;
    }
}

static sr_err_t
s_syntax_error(s_parser_t *p, const yaml_parser_t *yp)
{
    if (yp->error == YAML_MEMORY_ERROR)
        return SR_ENOMEM;
    yaml_mark_t m = yp->problem_mark;
    if (yp->error == YAML_READER_ERROR) {
        m.line = 0;
        m.column = 0;
    }
    const char *problem = yp->problem ? yp->problem : "unknown problem";
    if (yp->context)
        return s_fail(p, s_pos(m), "YAML syntax error: %s %s", yp->context,
                      problem);
    return s_fail(p, s_pos(m), "YAML syntax error: %s", problem);
}

static sr_err_t
s_run(s_parser_t *p)
{
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp))
        return SR_ENOMEM;
    yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&yp, (const unsigned char *)p->yaml->text.text,
                                 p->yaml->text.len);
    sr_err_t rc = SR_OK;
    bool done = false;
    while (rc == SR_OK && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&yp, &ev)) {
            rc = s_syntax_error(p, &yp);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = s_on_event(p, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&yp);
    return rc;
}

sr_err_t
lang_tree_parse(const char *text, size_t len, const lang_limits_t *limits,
                lang_tree_t **out, lang_diags_t *diags)
{
    s_parser_t p = {.diags = diags};
    p.limits = lang_limits_resolve(limits);
    p.map.diags = diags;
    p.map.max_nodes = p.limits.max_nodes;
    lang_pos_t pos = {0, 0};
    if (len > p.limits.max_bytes) {
        sr_err_t rc = lang_diag_add(diags, pos,
                                    "the file is %zu bytes, over the limit "
                                    "of %zu bytes",
                                    len, p.limits.max_bytes);
        return rc == SR_OK ? SR_EINVAL : rc;
    }
    p.yaml = calloc(1, sizeof *p.yaml);
    p.anchors = lang_strtab_new(16);
    if (!p.yaml || !p.anchors) {
        free(p.yaml);
        lang_strtab_destroy(&p.anchors);
        return SR_ENOMEM;
    }
    unsigned bad = 0;
    sr_err_t rc = lang_src_init(&p.yaml->text, text, len, &pos, &bad);
    if (rc == SR_EINVAL)
        rc = s_fail(&p, pos, "the file is not valid UTF-8 (byte 0x%02x)", bad);
    if (rc == SR_OK)
        rc = s_run(&p);
    for (size_t i = 0; i < p.depth; i++)
        free(p.stack[i].anchor);
    free(p.stack);
    lang_strtab_destroy(&p.anchors);
    // Duplicate keys and bad scalars were reported; the tree is usable.
    if (rc != SR_OK) {
        lang_tree_destroy(&p.yaml);
        return rc;
    }
    *out = p.yaml;
    return SR_OK;
}

void
lang_tree_destroy(lang_tree_t **yaml_p)
{
    if (!yaml_p || !*yaml_p)
        return;
    lang_node_t *n = (*yaml_p)->all;
    while (n) {
        lang_node_t *next = n->next_alloc;
        s_node_free(n);
        n = next;
    }
    lang_src_fini(&(*yaml_p)->text);
    free(*yaml_p);
    *yaml_p = NULL;
}

const lang_node_t *
lang_tree_root(const lang_tree_t *yaml)
{
    return yaml->root;
}

lang_pos_t
lang_tree_pos(const lang_tree_t *yaml, size_t offset)
{
    return lang_src_pos(&yaml->text, offset);
}

size_t
lang_node_map_len(const lang_node_t *map)
{
    return map && map->kind == LANG_NODE_MAP ? map->nitems / 2 : 0;
}

const lang_node_t *
lang_node_map_key(const lang_node_t *map, size_t i)
{
    return map->items[2 * i];
}

const lang_node_t *
lang_node_map_val(const lang_node_t *map, size_t i)
{
    return map->items[2 * i + 1];
}

const lang_node_t *
lang_node_map_get(const lang_node_t *map, const char *key)
{
    size_t n = lang_node_map_len(map), klen = strlen(key);
    for (size_t i = 0; i < n; i++) {
        const lang_node_t *k = map->items[2 * i];
        if (k->len == klen && memcmp(k->str, key, klen) == 0)
            return map->items[2 * i + 1];
    }
    return NULL;
}

bool
lang_node_is_str(const lang_node_t *node)
{
    return node && node->kind == LANG_NODE_SCALAR &&
           sr_value_is(node->value, SR_T_STR);
}
