// OP_SECCOMP: seccomp(SECCOMP_SET_MODE_FILTER) with the program the core compiled. The plan's
// words are struct sock_filter as the kernel reads it (code, jt, jf, k; little-endian).
#include "seccomp_ops.h"

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "op_args.gen.h"
#include "raw.h"
#include "sync_msg.h"

static_assert(sizeof(struct sock_filter) == 8, "a plan word is one struct sock_filter");

int op_seccomp(int sync, int index, const PlanOp& op) {
  SeccompArgs a = seccomp_args(op);
  struct sock_fprog prog = {};
  prog.len = (unsigned short)a.program_count;
  prog.filter = (struct sock_filter*)a.program;
  if (a.program_count == 0 || a.program_count > BPF_MAXINSNS) return EINVAL;
  long fd = rsys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, a.flags, &prog);
  if (fd < 0) return err_of(fd);
  if (!a.notify) return 0;
  if (sync < 0) return EPROTO;
  // NEW_LISTENER: the host takes it by its number and hands it to the agent at listenerPath.
  // Everything from here on is subject to the filter already (ops.ts, OP_SECCOMP).
  SyncMsg m = {SYNC_SECCOMP_LISTENER, index, 0, (int32_t)fd};
  long w;
  do w = rsys(SYS_write, sync, &m, sizeof m);
  while (w == -EINTR);
  return w < 0 ? err_of(w) : w == (long)sizeof m ? 0 : EPROTO;
}
