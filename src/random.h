/* random.h: random bytes from the kernel, for ids and keys. */
#ifndef LOCKGATE_RANDOM_H
#define LOCKGATE_RANDOM_H

#include <stddef.h>

int	random_bytes(void *, size_t);

#endif
