// The plan's byte layout (formats.md §3) and its decoded op, shared by the addon's reader
// (plan_reader.cc) and the sealed init program's (addon/init/): no std, no allocation.
#pragma once
#include <stddef.h>
#include <stdint.h>

// Header: "OCIP", version, op count, first op offset, string table offset and length, clone flags.
constexpr size_t kPlanHeaderSize = 32;
constexpr uint32_t kPlanVersion = 1;
constexpr size_t kPlanCountAt = 8, kPlanFirstOpAt = 12, kPlanStringsAt = 16, kPlanStringsLenAt = 20, kPlanCloneFlagsAt = 24;
// Op header: code (u16), argc (u16), source and what string offsets (u32 each), 4 spare bytes;
// then argc u64 words.
constexpr size_t kOpHeaderSize = 16;
constexpr size_t kOpArgcAt = 2, kOpSourceAt = 4, kOpWhatAt = 8;

static inline uint16_t plan_u16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t plan_u32(const uint8_t* p) { return (uint32_t)plan_u16(p) | (uint32_t)plan_u16(p + 2) << 16; }
static inline uint64_t plan_u64(const uint8_t* p) { return (uint64_t)plan_u32(p) | (uint64_t)plan_u32(p + 4) << 32; }

constexpr int kMaxArgs = 8;  // at least the most arguments any op in ops.ts takes (SCHEDULER: 7)

// One decoded argument; which field is set depends on the op's arg kind.
struct PlanArg {
  uint64_t num = 0;                   // u64, or the count of a list
  const char* str = nullptr;          // str
  const char* const* strs = nullptr;  // list str, NULL-terminated (argv, envp, candidates)
  const uint32_t* ids = nullptr;      // list u64, narrowed to 32 bits (gids)
  const uint64_t* words = nullptr;    // list word (the seccomp program)
};

struct PlanOp {
  uint16_t code = 0;
  PlanArg arg[kMaxArgs];
};
