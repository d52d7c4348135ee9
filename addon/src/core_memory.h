// The native core's linear memory (core_memory.cc says why it is not wasm-rt-impl.c's).
// binding.gyp points the generated code's wasm_rt_{allocate,grow,free}_memory at these.
#pragma once
#include "wasm-rt.h"

#ifdef __cplusplus
extern "C" {
#endif

void core_memory_allocate(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages);
// The previous page count, or UINT32_MAX when the memory cannot grow by `delta` pages.
uint32_t core_memory_grow(wasm_rt_memory_t* memory, uint32_t delta);
void core_memory_free(wasm_rt_memory_t* memory);

#ifdef __cplusplus
}
#endif
