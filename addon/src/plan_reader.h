// Validates and decodes an init plan (formats.md §3) into prepared memory, in the parent,
// before the clone: the child then only reads plain pointers and never parses bytes.
#pragma once
#include <stdint.h>

#include <string>
#include <vector>

#include "plan_format.h"


struct PreparedPlan {
  uint32_t clone_flags = 0;
  std::vector<PlanOp> ops;
  int fork_index = -1;  // index of OP_FORK_INIT, or -1
  int wait_index = -1;  // index of OP_WAIT_START, or -1
  int clone_index = -1;  // index of OP_CLONE_INIT (the ops before it are the parent's), or -1
  // The plan's bytes as read (the caller's buffer, which outlives the spawn): OP_EXEC_SEALED
  // hands them to the sealed init program.
  const uint8_t* data = nullptr;
  size_t size = 0;
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
