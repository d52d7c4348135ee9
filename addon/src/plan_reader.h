// Validates and decodes an init plan (formats.md §3) into prepared memory, in the parent,
// before the clone: the child then only reads plain pointers and never parses bytes.
#pragma once
#include <stdint.h>

#include <string>
#include <vector>

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

struct PreparedPlan {
  uint32_t clone_flags = 0;
  std::vector<PlanOp> ops;
  int fork_index = -1;  // index of OP_FORK_INIT, or -1
  int wait_index = -1;  // index of OP_WAIT_START, or -1
  // Storage the pointers above point into.
  std::vector<char> strings;
  std::vector<const char*> lists;
  std::vector<uint32_t> ids;
  std::vector<uint64_t> words;
};

// The arg kinds of an opcode, one letter per argument: s str, u u64, S list str, U list u64,
// W list word.
// nullptr for an unknown opcode.
const char* plan_arg_kinds(unsigned code);

// Decodes data into *plan; on a malformed plan returns false with a reason in *error.
bool read_plan(const uint8_t* data, size_t len, PreparedPlan* plan, std::string* error);
