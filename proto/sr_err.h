// The error codes under the name the components include: the definitions
// are the public sirocco/errors.h (proto/sr_err.c implements them).
#ifndef SR_ERR_H
#define SR_ERR_H

#include "sirocco/errors.h"

#endif
