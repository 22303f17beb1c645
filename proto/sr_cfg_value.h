// One key's value in a settings struct, by the key's type (sr_cfg.h): a
// text read into it, items added to a list or a section, defaults, and
// freeing. The rooms of the config reader share it (flags in sr_cfg.c,
// the YAML file in sr_cfg_file.c); no reader state lives here.
//
// Texts of problems go to `why` (at most `size` bytes) and never repeat
// the text of an SR_CFG_SECRET key. Thread rule: reentrant.
#ifndef SR_CFG_VALUE_H
#define SR_CFG_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_cfg.h"

// True when `a` (alen bytes) and `b` are the same name, '-' and '_' alike.
bool sr_cfg_value_same(const char *a, size_t alen, const char *b);
// The flag of a key, without "--", as the table gives it ('-' or '_').
const char *sr_cfg_value_flag(const sr_cfg_key_t *key);
// "--flag" as people type it: with '-' for '_'. Returns buf.
const char *sr_cfg_value_dashed(const sr_cfg_key_t *key, char *buf,
                                size_t size);
// The key that `name` names in a file (its name or its flag), or NULL.
const sr_cfg_key_t *sr_cfg_value_find(const sr_cfg_key_t *keys, size_t n,
                                      const char *name);

// True for the types whose value is several items.
bool sr_cfg_value_is_list(const sr_cfg_key_t *key);
// True when the key has no value in `base` (no text, no item).
bool sr_cfg_value_is_empty(const sr_cfg_key_t *key, const void *base);

// Read `text` into the key's value in `base` as a flag gives it: a scalar
// is replaced, an SR_CFG_LIST or SR_CFG_SECTIONS key gets one item, an
// SR_CFG_COMMAS key all the items of the text. False with the reason.
bool sr_cfg_value_set(const sr_cfg_key_t *key, void *base, const char *text,
                      char *why, size_t size);
// Add one item of a file's sequence to a list (split at commas for
// SR_CFG_COMMAS). False with the reason.
bool sr_cfg_value_add(const sr_cfg_key_t *key, void *base, const char *text,
                      char *why, size_t size);
// A new item at the end of an SR_CFG_SECTIONS key's array, zeroed and
// given its defaults; NULL with the reason (too many, out of memory).
// Borrowed: valid until the next item is added.
void *sr_cfg_value_item_add(const sr_cfg_key_t *key, void *base, char *why,
                            size_t size);
// Remove the last item (one that could not be read).
void sr_cfg_value_item_drop(const sr_cfg_key_t *key, void *base);
// Check an item once its keys are read: required keys, then the section's
// check. False with the reason.
bool sr_cfg_value_item_check(const sr_cfg_key_t *key, void *item, char *why,
                             size_t size);

// Free the key's value in `base` and zero it.
void sr_cfg_value_clear(const sr_cfg_key_t *key, void *base);
// Zero `base` (size bytes) and read each key's default. False with the
// reason naming the key (a table's bug).
bool sr_cfg_value_defaults(const sr_cfg_key_t *keys, size_t n, void *base,
                           size_t base_size, char *why, size_t size);
// Free every value of `keys` in `base`.
void sr_cfg_value_free(const sr_cfg_key_t *keys, size_t n, void *base);

// Read a whole small file: *out is NUL-terminated, owned by the caller.
// False with the reason ("PATH: cannot open: ...") when it cannot be read
// or has more than `max` bytes.
bool sr_cfg_value_read_file(const char *path, size_t max, char **out,
                            size_t *len, char *why, size_t size);

#endif
