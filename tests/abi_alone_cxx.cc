// The ABI header must compile alone as C++11 (see abi/local.mk for the flags).
#include "ml_backend.h"

int main() {
    return MLB_OK;
}
