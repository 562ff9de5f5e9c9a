#ifndef CFILECALLS_H
#define CFILECALLS_H

#include <sys/types.h>

/*
 * Linux's fallocate(2) is declared only under _GNU_SOURCE, which Swift's Glibc module is not
 * built with. Punching a hole frees a file's storage under a range (KEEP_SIZE: the file keeps
 * its length and reads zeros there); -1 with errno where unsupported.
 */
int cfilecalls_punch_hole(int descriptor, off_t offset, off_t length);

#endif
