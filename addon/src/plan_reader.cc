#include "plan_reader.h"

#include <sched.h>
#include <string.h>

#include "ops.gen.h"

// The kinds come from ops.gen.h, generated from assembly/plan/ops.ts.
const char* plan_arg_kinds(unsigned code) { return op_arg_kinds(code); }

namespace {

// The first clone may only create namespaces: anything else (CLONE_VM, CLONE_THREAD...)
// would break the fork semantics the child relies on.
constexpr uint32_t kCloneNamespaces = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                      CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | 0x80 /* CLONE_NEWTIME */;


struct Reader {
  const uint8_t* data;
  size_t len;
  PreparedPlan* plan;
  std::string* error;
  // List pointers are fixed up once the pools stop growing.
  struct Fixup { size_t op, arg, start; char kind; };
  std::vector<Fixup> fixups;

  bool fail(size_t op, const std::string& why) {
    *error = op == SIZE_MAX ? why : "op " + std::to_string(op) + ": " + why;
    return false;
  }

  // A string-table offset that starts a NUL-terminated string inside the table.
  bool str_ok(uint64_t off) const {
    size_t n = plan->strings.size();
    return off < n && memchr(&plan->strings[off], 0, n - off) != nullptr;
  }

  bool header(uint32_t* count, uint32_t* first) {
    if (len < kPlanHeaderSize) return fail(SIZE_MAX, "shorter than the 32-byte header");
    if (plan_u32(data) != kPlanMagic) return fail(SIZE_MAX, "bad magic (want \"OCIP\")");
    if (plan_u32(data + kPlanVersionAt) != kPlanVersion) return fail(SIZE_MAX, "unsupported version " + std::to_string(plan_u32(data + kPlanVersionAt)));
    *count = plan_u32(data + kPlanCountAt);
    *first = plan_u32(data + kPlanFirstOpAt);
    uint64_t str_off = plan_u32(data + kPlanStringsAt), str_len = plan_u32(data + kPlanStringsLenAt);
    plan->clone_flags = plan_u32(data + kPlanCloneFlagsAt);
    if (*first < kPlanHeaderSize || *first > len) return fail(SIZE_MAX, "first op offset out of range");
    if (*count > (len - *first) / kOpHeaderSize) return fail(SIZE_MAX, "op count exceeds the plan size");
    if (str_off + str_len > len || str_len == 0 || data[str_off] != 0)
      return fail(SIZE_MAX, "string table out of range or not starting with the empty string");
    if (plan->clone_flags & ~kCloneNamespaces) return fail(SIZE_MAX, "clone flags other than CLONE_NEW*");
    plan->strings.assign(data + str_off, data + str_off + str_len);
    return true;
  }

  // Decodes the args of op i from words[0..argc) according to its kinds.
  bool args(size_t i, const char* kinds, const uint8_t* words, uint64_t argc) {
    PlanOp& op = plan->ops[i];
    uint64_t w = 0;
    for (size_t a = 0; kinds[a]; a++) {
      // An op in ops.ts with more arguments than PlanOp holds must fail here, not overflow.
      if (a >= (size_t)kMaxArgs) return fail(i, std::string(op_name(op.code)) + " has more than kMaxArgs args");
      if (w >= argc) return fail(i, "too few args for " + std::string(op_name(op.code)));
      uint64_t v = plan_u64(words + 8 * w++);
      char k = kinds[a];
      if (k == 'u') { op.arg[a].num = v; continue; }
      if (k == 's') {
        if (!str_ok(v)) return fail(i, "arg " + std::to_string(a) + ": bad string offset");
        op.arg[a].str = &plan->strings[v];
        continue;
      }
      if (v > argc - w) return fail(i, "arg " + std::to_string(a) + ": list count past the op's args");
      op.arg[a].num = v;
      fixups.push_back({i, a, k == 'S' ? plan->lists.size() : k == 'U' ? plan->ids.size() : plan->words.size(), k});
      for (uint64_t e = 0; e < v; e++) {
        uint64_t x = plan_u64(words + 8 * w++);
        if (k == 'S' && !str_ok(x)) return fail(i, "arg " + std::to_string(a) + ": bad string offset in list");
        if (k == 'U' && x > UINT32_MAX) return fail(i, "arg " + std::to_string(a) + ": id over 32 bits");
        if (k == 'S') plan->lists.push_back(&plan->strings[x]);
        else if (k == 'U') plan->ids.push_back((uint32_t)x);
        else plan->words.push_back(x);
      }
      if (k == 'S') plan->lists.push_back(nullptr);
    }
    if (w != argc) return fail(i, "too many args for " + std::string(op_name(op.code)));
    return true;
  }

  // The ops the sealed init program runs (ops.ts, OP_EXEC_SEALED); CPU_AFFINITY runs on both sides.
  static bool sealed_op(uint16_t code) {
    switch (code) {
      case OP_SECCOMP: case OP_CAP_BOUNDING: case OP_USER: case OP_CAPS: case OP_NO_NEW_PRIVS: case OP_UMASK:
      case OP_FIND_EXEC: case OP_PERSONALITY: case OP_CPU_AFFINITY: case OP_APPARMOR: case OP_SELINUX_EXEC_LABEL:
      case OP_WAIT_START: case OP_START_HOOK: case OP_EXEC:
        return true;
      default:
        return false;
    }
  }

  int sealed_index = -1;

  // The ordering the executor's protocol needs (not policy: the sync messages depend on it).
  bool order(size_t i, uint16_t code, bool seen_find_exec) {
    int idx = (int)i;
    if (code == OP_FORK_INIT) {
      if (plan->fork_index >= 0) return fail(i, "a second FORK_INIT");
      if (plan->wait_index >= 0) return fail(i, "FORK_INIT after WAIT_START");
      plan->fork_index = idx;
    }
    if (code == OP_WAIT_START) {
      if (plan->wait_index >= 0) return fail(i, "a second WAIT_START");
      plan->wait_index = idx;
    }
    if (code == OP_EXEC && !seen_find_exec) return fail(i, "EXEC without a FIND_EXEC before it");
    // Before CLONE_INIT only what the executor does on itself around the clone.
    if (code == OP_CLONE_INIT) {
      if (plan->clone_index >= 0) return fail(i, "a second CLONE_INIT");
      for (size_t k = 0; k < i; k++)
        if (plan->ops[k].code != OP_OOM_SCORE_ADJ) return fail(i, std::string("CLONE_INIT after ") + op_name(plan->ops[k].code) + ": only OOM_SCORE_ADJ comes before it");
      plan->clone_index = idx;
    }
    if (code == OP_OOM_SCORE_ADJ && plan->clone_index >= 0) return fail(i, "OOM_SCORE_ADJ after CLONE_INIT");
    if (code == OP_EXEC_SEALED) {
      if (sealed_index >= 0) return fail(i, "a second EXEC_SEALED");
      sealed_index = idx;
    } else if (sealed_index >= 0 && !sealed_op(code)) {
      return fail(i, std::string(op_name(code)) + " after EXEC_SEALED: the sealed init program does not run it");
    } else if (sealed_index < 0 && sealed_op(code) && code != OP_CPU_AFFINITY) {
      return fail(i, std::string(op_name(code)) + " before EXEC_SEALED: only the sealed init program runs it");
    }
    return true;
  }

  bool run() {
    uint32_t count, first;
    if (!header(&count, &first)) return false;
    plan->ops.resize(count);
    size_t pos = first;
    bool seen_find_exec = false;
    for (size_t i = 0; i < count; i++) {
      if (len - pos < kOpHeaderSize) return fail(i, "op header past the end of the plan");
      const uint8_t* p = data + pos;
      uint16_t code = plan_u16(p), argc = plan_u16(p + kOpArgcAt);
      const char* kinds = plan_arg_kinds(code);
      if (!kinds) return fail(i, "unknown opcode " + std::to_string(code));
      if (!str_ok(plan_u32(p + kOpSourceAt)) || !str_ok(plan_u32(p + kOpWhatAt))) return fail(i, "bad source/what string offset");
      if ((len - pos - kOpHeaderSize) / 8 < argc) return fail(i, "args past the end of the plan");
      plan->ops[i].code = code;
      if (!args(i, kinds, p + kOpHeaderSize, argc) || !order(i, code, seen_find_exec)) return false;
      seen_find_exec |= code == OP_FIND_EXEC;
      pos += kOpHeaderSize + 8 * (size_t)argc;
    }
    for (size_t i = 0; i < count; i++)
      if (plan->ops[i].code == OP_OOM_SCORE_ADJ && plan->clone_index < 0) return fail(i, "OOM_SCORE_ADJ without a CLONE_INIT after it");
    for (const Fixup& f : fixups) {
      if (f.kind == 'U') plan->ops[f.op].arg[f.arg].ids = plan->ids.data() + f.start;
      else if (f.kind == 'W') plan->ops[f.op].arg[f.arg].words = plan->words.data() + f.start;
      else plan->ops[f.op].arg[f.arg].strs = plan->lists.data() + f.start;
    }
    return true;
  }
};

}  // namespace

bool read_plan(const uint8_t* data, size_t len, PreparedPlan* plan, std::string* error) {
  Reader r{data, len, plan, error, {}};
  plan->data = data;
  plan->size = len;
  return r.run();
}
