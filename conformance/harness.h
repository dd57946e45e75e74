// harness.h - what every conformance test sees: the plugin under test, its
// device, and the reference device (cpu_ref), all reached through libmlb.
// Set up by main.cc before RUN_ALL_TESTS(); read-only for tests.
#ifndef MLBC_HARNESS_H
#define MLBC_HARNESS_H

#include <cstdint>
#include <string>

#include "mlb.h"

namespace mlbc {

// The run's configuration and the objects every test uses.
struct Target {
    mlb_context context = nullptr;  // holds the plugin under test and the reference plugin
    mlb_device device = nullptr;    // the device under test
    mlb_device reference = nullptr; // cpu_ref's device (may equal `device` when testing cpu_ref)
    std::string plugin_path;        // --plugin PATH as given
    std::string plugin_name;        // the plugin's name (mlb_plugin_api.name)
    std::string device_name;        // "plugin:index"
    bool device_is_reference =
        false;         // testing cpu_ref itself: compare bitwise, check repeatability
    bool full = false; // --full (else --quick)
    uint64_t seed = 0; // --seed N (default fixed), the base of every generator

    // Filled by main.cc as well:
    std::string reference_path;      // --reference PATH (cpu_ref's .so)
    std::string plugin_version;      // the plugin's own version string
    uint32_t plugin_abi_version = 0; // the plugin's MLB_ABI_VERSION
    std::string device_description;  // the device's properties: "name (vendor)"
    int device_index = 0;            // --device N
    std::string skip_reason; // set when device is NULL (no device): every test skips with it
    std::string repro;       // "mlb-conformance --plugin PATH [...] --seed N": add a filter
};

// The current target. Valid from main's setup until the process ends.
const Target &target();

// The same object, writable: for main.cc's setup only.
Target &mutable_target();

} // namespace mlbc

#endif // MLBC_HARNESS_H
