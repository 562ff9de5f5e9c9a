#define _GNU_SOURCE
#include <fcntl.h>

#include "CFileCalls.h"

int cfilecalls_punch_hole(int descriptor, off_t offset, off_t length) {
    return fallocate(descriptor, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
}
