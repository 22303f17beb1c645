// The value model under the name the components include: the definitions
// are the public sirocco/value.h (proto/sr_value*.c implement them).
#ifndef SR_VALUE_H
#define SR_VALUE_H

#include "sirocco/value.h"

#endif
