// The core's wasm2c translation (addon/gen/core.c) run as a WASI host runs core.wasm: the
// request on fd 0, the verdict from fd 1, fd 2 kept for the crash message. The runtime is
// built with explicit bounds checks and call-depth counting (binding.gyp's wasm_rt_config),
// never a signal handler: Bun and Node own SIGSEGV in this process.
#include "core_native.h"

#include <string.h>

#include <memory>
#include <mutex>
#include <utility>

#include "core.h"
#include "wasm-rt-impl.h"

// The three imports' state; the generated code hands it back to them untouched.
struct Z_wasi_snapshot_preview1_instance_t {
  wasm_rt_memory_t* memory = nullptr;
  const uint8_t* in = nullptr;
  size_t in_left = 0;
  CoreRun* run = nullptr;
  bool exited = false;
};

namespace {

constexpr uint32_t kErrnoSuccess = 0, kErrnoBadf = 8;  // WASI's errno values

// The runtime's trap target and call depth are globals: one run at a time.
std::mutex core_lock;
bool module_ready = false;

struct Instance {
  CoreRun run;
  Z_wasi_snapshot_preview1_instance_t wasi;
  Z_core_instance_t core;
};

// The address of [addr, addr+len) in the core's memory; a range outside it traps, as the
// shim's DataView access throws.
uint8_t* in_memory(wasm_rt_memory_t* m, uint32_t addr, uint64_t len) {
  if (addr + len > m->size) wasm_rt_trap(WASM_RT_TRAP_OOB);
  return m->data + addr;
}

uint32_t load_u32(wasm_rt_memory_t* m, uint32_t addr) {
  const uint8_t* p = in_memory(m, addr, 4);
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void store_u32(wasm_rt_memory_t* m, uint32_t addr, uint32_t v) {
  uint8_t* p = in_memory(m, addr, 4);
  for (int i = 0; i < 4; i++) p[i] = v >> (8 * i);
}

}  // namespace

extern "C" {

u32 Z_wasi_snapshot_preview1Z_fd_read(Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 iovs, u32 count, u32 nread) {
  if (fd != 0) return kErrnoBadf;
  uint32_t total = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t buf = load_u32(w->memory, iovs + 8 * i), len = load_u32(w->memory, iovs + 8 * i + 4);
    size_t n = len < w->in_left ? len : w->in_left;
    memcpy(in_memory(w->memory, buf, n), w->in, n);
    w->in += n;
    w->in_left -= n;
    total += n;
    if (n != len) break;
  }
  store_u32(w->memory, nread, total);
  return kErrnoSuccess;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 iovs, u32 count, u32 nwritten) {
  if (fd != 1 && fd != 2) return kErrnoBadf;
  std::vector<uint8_t>& out = fd == 1 ? w->run->verdict : w->run->errs;
  uint32_t total = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t buf = load_u32(w->memory, iovs + 8 * i), len = load_u32(w->memory, iovs + 8 * i + 4);
    const uint8_t* p = in_memory(w->memory, buf, len);
    out.insert(out.end(), p, p + len);
    total += len;
  }
  store_u32(w->memory, nwritten, total);
  return kErrnoSuccess;
}

// The runtime's one way out of nested wasm frames is its trap longjmp; `exited` tells the
// landing site it was an exit.
void Z_wasi_snapshot_preview1Z_proc_exit(Z_wasi_snapshot_preview1_instance_t* w, u32 code) {
  w->exited = true;
  w->run->status = code;
  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}

}  // extern "C"

CoreRun run_core_native(const uint8_t* request, size_t length) {
  std::lock_guard<std::mutex> hold(core_lock);
  if (!module_ready) {
    wasm_rt_init();
    Z_core_init_module();
    module_ready = true;
  }
  // On the heap: what changes between the setjmp and a longjmp must not be this frame's own.
  std::unique_ptr<Instance> inst(new Instance());
  inst->wasi.in = request;
  inst->wasi.in_left = length;
  inst->wasi.run = &inst->run;
  wasm_rt_call_stack_depth = 0;
  // Instantiating can trap too: a memory that could not be reserved has size 0.
  int trap = wasm_rt_impl_try();
  if (trap == WASM_RT_TRAP_NONE) {
    Z_core_instantiate(&inst->core, &inst->wasi);
    inst->wasi.memory = Z_coreZ_memory(&inst->core);
    Z_coreZ__start(&inst->core);
  } else if (!inst->wasi.exited) inst->run.trap = wasm_rt_strerror(static_cast<wasm_rt_trap_t>(trap));
  Z_core_free(&inst->core);
  return std::move(inst->run);
}
