#define _GNU_SOURCE
#include "MappingGuard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Mappings alive at once: one per open mapped dataset, so a handful in practice. */
#define SLOTS 256

struct guarded_mapping {
    atomic_int taken;
    _Atomic uintptr_t start;
    /* 0 while the slot is being filled or emptied: the handler skips it. */
    _Atomic size_t length;
    atomic_int faulted;
};

static struct guarded_mapping mappings[SLOTS];
static struct sigaction previous_action;
static pthread_once_t installation = PTHREAD_ONCE_INIT;

/* Only async-signal-safe calls here: mmap and sigaction are system calls. */
static void on_bus_error(int number, siginfo_t *info, void *context) {
    (void)number;
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int slot = 0; slot < SLOTS; slot++) {
        size_t length = atomic_load(&mappings[slot].length);
        uintptr_t start = atomic_load(&mappings[slot].start);
        if (length == 0 || address < start || address - start >= length) continue;
        void *zeros = mmap((void *)start, length, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zeros != MAP_FAILED) {
            atomic_store(&mappings[slot].faulted, 1);
            return;
        }
        break;
    }
    /* Not a registered mapping (or it could not be replaced): the faulting access runs
       again on return and meets the disposition this handler replaced. */
    sigaction(SIGBUS, &previous_action, NULL);
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_bus_error;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous_action);
}

int mapping_guard_register(void *start, size_t length) {
    pthread_once(&installation, install);
    if (length == 0) return -1;
    for (int slot = 0; slot < SLOTS; slot++) {
        int expected = 0;
        if (!atomic_compare_exchange_strong(&mappings[slot].taken, &expected, 1)) continue;
        atomic_store(&mappings[slot].faulted, 0);
        atomic_store(&mappings[slot].start, (uintptr_t)start);
        atomic_store(&mappings[slot].length, length);
        return slot;
    }
    return -1;
}

void mapping_guard_unregister(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    atomic_store(&mappings[slot].length, 0);
    atomic_store(&mappings[slot].start, 0);
    atomic_store(&mappings[slot].taken, 0);
}

int mapping_guard_faulted(int slot) {
    if (slot < 0 || slot >= SLOTS) return 0;
    return atomic_load(&mappings[slot].faulted);
}
