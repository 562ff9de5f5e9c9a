#ifndef MAPPING_GUARD_H
#define MAPPING_GUARD_H

#include <stddef.h>

/*
 * Read-only file mappings that survive their file being truncated by another program.
 *
 * A read of a mapped page beyond the file's new end raises SIGBUS. For an address inside
 * a registered mapping, the process-wide handler maps anonymous zero pages over the whole
 * mapping (MAP_FIXED), so the read, and every later one, completes, and marks the mapping
 * faulted; the owner checks the mark and discards what it computed from the mapping. A
 * SIGBUS anywhere else goes to the disposition that was there before (the default, or the
 * Swift runtime's backtracer), exactly as without the handler.
 */

/// Registers `length` bytes mapped at `start` (the handler is installed on the first call).
/// Returns the mapping's slot, or -1 when every slot is taken (the caller then does not map).
int mapping_guard_register(void *start, size_t length);

/// Forgets a slot before its mapping is unmapped.
void mapping_guard_unregister(int slot);

/// Nonzero once a fault has replaced the slot's mapping with zero pages.
int mapping_guard_faulted(int slot);

#endif
