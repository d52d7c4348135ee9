// The policy core run natively: build/core.wasm translated to C by wasm2c at build time
// (scripts/build-core-c.mjs), so a command gets its verdict with no compile step.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

struct CoreRun {
  std::vector<uint8_t> verdict;  // what the core wrote on fd 1
  std::vector<uint8_t> errs;     // on fd 2
  uint32_t status = 0;           // proc_exit's code; 0 when _start returned
  const char* trap = nullptr;    // the trap's kind when the core trapped
};

// Runs the core's _start on a fresh instance (fresh memory) with the request on fd 0, as a
// WASI host runs core.wasm. Safe to call from any thread (one run at a time).
CoreRun run_core_native(const uint8_t* request, size_t length);
