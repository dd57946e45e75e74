/* The ABI header must compile alone as strict C99 (see abi/local.mk for the flags). */
#include "ml_backend.h"

int main(void) {
    return MLB_OK;
}
