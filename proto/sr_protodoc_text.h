// The hand-written prose of docs/protocol.md, in the order sr_protodoc
// prints it between the parts generated from the message table. Sections
// marked "format" are printf formats (their arguments are in
// sr_protodoc.c). Read-only data; any thread.
#ifndef SR_PROTODOC_TEXT_H
#define SR_PROTODOC_TEXT_H

#include "sr_err.h"

extern const char sr_protodoc_banner[];
extern const char sr_protodoc_intro[]; // format: major, minor
extern const char sr_protodoc_wire_format[];
extern const char sr_protodoc_types[];
extern const char
    sr_protodoc_versioning[]; // format: major, minor, major + 1, major, minor
extern const char sr_protodoc_limits[];
extern const char sr_protodoc_errors_intro[];
extern const char sr_protodoc_sequences_intro[];
extern const char sr_protodoc_worker_prose[];
extern const char sr_protodoc_client_prose[];
extern const char sr_protodoc_raft_prose[];
extern const char sr_protodoc_python_intro[];
extern const char
    sr_protodoc_example_intro[]; // format: id text, id text, bytes (size_t)
extern const char sr_protodoc_example_notes[];
extern const char sr_protodoc_python_worker[];
extern const char sr_protodoc_python_client[];
extern const char sr_protodoc_bodies_intro[];

// What an error code means to a protocol peer; NULL when not written.
const char *sr_protodoc_code_meaning(sr_err_t code);

#endif
