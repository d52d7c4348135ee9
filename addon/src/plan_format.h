// The plan's byte layout (formats.md §3; the constants are generated from assembly/plan/ops.ts)
// and its decoded op, shared by the addon's reader (plan_reader.cc) and the sealed init
// program's (addon/init/): no std, no allocation.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "ops.gen.h"

constexpr size_t kPlanHeaderSize = PLAN_HEADER_SIZE;
constexpr uint32_t kPlanMagic = PLAN_MAGIC, kPlanVersion = PLAN_VERSION;
constexpr size_t kPlanVersionAt = PLAN_VERSION_AT, kPlanCountAt = PLAN_COUNT_AT, kPlanFirstOpAt = PLAN_FIRST_OP_AT,
                 kPlanStringsAt = PLAN_STRINGS_AT, kPlanStringsLenAt = PLAN_STRINGS_LEN_AT, kPlanCloneFlagsAt = PLAN_CLONE_FLAGS_AT;
constexpr size_t kOpHeaderSize = PLAN_OP_HEADER_SIZE;
constexpr size_t kOpArgcAt = PLAN_OP_ARGC_AT, kOpSourceAt = PLAN_OP_SOURCE_AT, kOpWhatAt = PLAN_OP_WHAT_AT;

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
