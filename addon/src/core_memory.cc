// The native core's linear memory, in place of wasm-rt-impl.c's calloc/realloc. A request has the
// core touch about 2 MB of fresh memory, and on this project's machines (a VM with shadow page
// tables) each first touch of a 4 KB page costs about 16 µs: through calloc/realloc (whose copies
// and memset touch pages twice) a large plan took 11 ms, 10 of them faults. So the memory grows in
// place inside an address range reserved up front (PROT_NONE: no commit charge until a grow), is
// committed 2 MB at a time, and asks for transparent huge pages: one fault per 2 MB, and the plan
// takes about 1.5 ms. The generated code still checks every access against `size`; nothing relies
// on a fault or a signal.
#include "core_memory.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

namespace {

constexpr size_t kWasmPage = 65536;
constexpr size_t kChunk = 2 << 20;  // a huge page, and the step memory is committed in
// wasm_rt_memory_t's size is 32 bits: 65536 pages (4 GiB) would wrap it to 0.
constexpr uint32_t kMaxPages = 65535;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// `bytes` of address space starting on a kChunk boundary, or nullptr.
uint8_t* reserve_aligned(size_t bytes) {
  void* p = mmap(nullptr, bytes + kChunk, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  uint8_t* start = static_cast<uint8_t*>(p);
  uint8_t* aligned = reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<uintptr_t>(start), kChunk));
  if (aligned > start) munmap(start, aligned - start);
  size_t tail = start + bytes + kChunk - (aligned + bytes);
  if (tail > 0) munmap(aligned + bytes, tail);
  return aligned;
}

bool commit(uint8_t* from, size_t bytes) {
  return bytes == 0 || mprotect(from, bytes, PROT_READ | PROT_WRITE) == 0;
}

}  // namespace

extern "C" {

// A memory whose reservation came out smaller than its declared maximum gets that smaller
// maximum: a grow past it fails as memory.grow does (the core then aborts, out of memory).
void core_memory_allocate(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  *memory = wasm_rt_memory_t{};
  if (max_pages > kMaxPages) max_pages = kMaxPages;
  size_t initial = round_up(initial_pages * kWasmPage, kChunk);
  size_t reserved = round_up(max_pages * kWasmPage, kChunk);
  uint8_t* data = reserve_aligned(reserved);
  while (data == nullptr && reserved > initial) {  // a limit on address space (ulimit -v)
    reserved = round_up(reserved / 2, kChunk) > initial ? round_up(reserved / 2, kChunk) : initial;
    data = reserve_aligned(reserved);
  }
  // Nothing reserved: size 0, so the first access (the data segments) traps out of bounds.
  if (data == nullptr || reserved == 0) return;
  if (!commit(data, initial)) {
    munmap(data, reserved);
    return;
  }
  madvise(data, reserved, MADV_HUGEPAGE);  // a hint: without it, 4 KB pages
  memory->data = data;
  memory->pages = initial_pages;
  memory->size = initial_pages * kWasmPage;
  memory->max_pages = reserved / kWasmPage < max_pages ? reserved / kWasmPage : max_pages;
}

uint32_t core_memory_grow(wasm_rt_memory_t* memory, uint32_t delta) {
  uint32_t old_pages = memory->pages;
  if (delta > memory->max_pages - old_pages) return UINT32_MAX;
  size_t old_size = memory->size, new_size = (size_t)(old_pages + delta) * kWasmPage;
  size_t committed = round_up(old_size, kChunk), needed = round_up(new_size, kChunk);
  if (needed > committed && !commit(memory->data + committed, needed - committed)) return UINT32_MAX;
  memory->pages = old_pages + delta;
  memory->size = new_size;
  return old_pages;
}

void core_memory_free(wasm_rt_memory_t* memory) {
  if (memory->data != nullptr) munmap(memory->data, round_up(memory->max_pages * kWasmPage, kChunk));
  *memory = wasm_rt_memory_t{};
}

}  // extern "C"
