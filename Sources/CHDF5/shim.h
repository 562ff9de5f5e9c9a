#ifndef BLOCKNMF_CHDF5_SHIM_H
#define BLOCKNMF_CHDF5_SHIM_H

#include <hdf5.h>

#endif
