#include "spawn_init.h"

#include <fcntl.h>
#include <spawn.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "op_args.gen.h"
#include "ops.gen.h"

#include "exec_plan.h"
#include "idmap_tree.h"
#include "net_device.h"
#include "raw.h"
#include "sync_msg.h"

namespace {

int cap_last_cap() {
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  char buf[16] = {0};
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd >= 0) close(fd);
  if (n <= 0) return CAP_LAST_CAP;
  int v = 0;
  for (char* p = buf; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
  return v;
}

// Moves fd above the preserved range, so it cannot take the number of a preserved fd the
// caller left closed and cross into the container.
int above(int fd, int min) {
  if (fd >= min) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, min);
  if (moved < 0) return fd;
  close(fd);
  return moved;
}

void reap(int pid) {
  while (pid > 0 && waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {}
}

SpawnResult failed(int op, int err) { return {false, -1, -1, op, err}; }


// newuidmap/newgidmap <pid> <map words...>, as runc's try_mapping_tool: an empty environment,
// our stdio (the helper's own message says what /etc/subuid lacks). ENOENT without the helper,
// EPERM when it refuses the map.
int run_map_tool(const std::string& tool, int pid, const char* map) {
  if (tool.empty()) return ENOENT;
  std::vector<std::string> words = {tool, std::to_string(pid)};
  for (const char* p = map; *p;) {
    while (*p == ' ' || *p == '\n') p++;
    const char* start = p;
    while (*p && *p != ' ' && *p != '\n') p++;
    if (p > start) words.emplace_back(start, p - start);
  }
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  pid_t helper;
  if (int err = posix_spawn(&helper, tool.c_str(), nullptr, nullptr, argv.data(), envp)) return err;
  int status = 0;
  while (waitpid(helper, &status, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EPERM;
}

// OP_USERNS_MAPS: the child made a user namespace; write its maps, uid first, the way the
// op's "how" says (the core's choice from the caller's euid and egid), as runc's nsexec:
// setgroups "deny" before gid_map, and the helpers for what a non-root caller cannot write.
int write_id_maps(const PreparedPlan& plan, int op, int pid, const MapTools& tools) {
  if (op < 0 || (size_t)op >= plan.ops.size() || plan.ops[op].code != OP_USERNS_MAPS) return EPROTO;
  const PlanOp& o = plan.ops[op];
  UsernsMapsArgs a = userns_maps_args(o);
  uint64_t how = a.how;
  std::string proc = "/proc/" + std::to_string(pid) + "/";
  if (how & USERNS_DENY_SETGROUPS) {
    // A kernel without the file (before 3.19) has no such rule: ENOENT is fine, as in runc.
    int err = raw_write_file((proc + "setgroups").c_str(), "deny");
    if (err && err != ENOENT) return err;
  }
  int err = how & USERNS_NEWUIDMAP ? run_map_tool(tools.newuidmap, pid, a.uidmap) : raw_write_file((proc + "uid_map").c_str(), a.uidmap);
  if (err) return err;
  return how & USERNS_NEWGIDMAP ? run_map_tool(tools.newgidmap, pid, a.gidmap) : raw_write_file((proc + "gid_map").c_str(), a.gidmap);
}

// SYNC_IDMAP_TREE for op: build its idmapped tree and send it, or the errno, back.
void sync_send_tree(int fd, const PreparedPlan& plan, int op, int pid) {
  if (op < 0 || (size_t)op >= plan.ops.size() || plan.ops[op].code != OP_MOUNT_IDMAP) {
    sync_send(fd, SYNC_IDMAP_TREE_DONE, op, EPROTO, 0);
    return;
  }
  int tree = -1;
  if (int err = build_idmapped_tree(plan.ops[op], pid, &tree)) {
    sync_send(fd, SYNC_IDMAP_TREE_DONE, op, err, 0);
    return;
  }
  // The fd may fail to pass (a dead init gives EOF next): then at least the errno.
  if (int r = sync_send_fd(fd, SYNC_IDMAP_TREE_DONE, op, tree)) sync_send(fd, SYNC_IDMAP_TREE_DONE, op, -r, 0);
  close(tree);
}

// SYNC_CGROUP for op: write the sender's pid into each of the op's cgroup.procs files (the
// op's busy_fallback instead of one that refuses it with EBUSY, when it has one).
int join_cgroups(const PreparedPlan& plan, int op, int pid) {
  if (op < 0 || (size_t)op >= plan.ops.size() || plan.ops[op].code != OP_CGROUP_JOIN) return EPROTO;
  std::string text = std::to_string(pid);
  CgroupJoinArgs a = cgroup_join_args(plan.ops[op]);
  const char* fallback = a.busy_fallback;
  for (const char* const* p = a.procs; *p; p++) {
    int err = raw_write_file(*p, text.c_str());
    if (err == EBUSY && fallback[0]) err = raw_write_file(fallback, text.c_str());
    if (err) return err;
  }
  return 0;
}

// SYNC_NET_DEVICE for op: move its interface into the sender's network namespace.
int move_device(const PreparedPlan& plan, int op, int pid) {
  if (op < 0 || (size_t)op >= plan.ops.size() || plan.ops[op].code != OP_NET_DEVICE) return EPROTO;
  return move_net_device(plan.ops[op], pid);
}

// Follows the messages of the child (and, after FORK_INIT, of the intermediate and the init,
// in either order) until READY, ERROR or EOF; reaps whatever exited, each pid once.
SpawnResult follow(const PreparedPlan& plan, int fd, int child, const MapTools& tools, const SpawnCallbacks& callbacks) {
  int init = plan.fork_index < 0 ? child : 0;
  bool child_reaped = false;
  // The init's messages that came before its pid (PID, from the intermediate): taken in order
  // once it is known. The init waits for an answer to most, so at most a few are ever here.
  SyncMsg held[4] = {};
  int n_held = 0;
  auto hold = [&held, &n_held](const SyncMsg& msg) {
    if (n_held < 4) held[n_held++] = msg;
  };
  int console = -1;             // the pty master the init sent (OP_CONSOLE)
  int listener = -1;            // the seccomp listener it sent (OP_SECCOMP with notify)
  auto failed_closing = [&console, &listener](int op, int err) {
    if (console >= 0) close(console);
    if (listener >= 0) close(listener);
    return failed(op, err);
  };
  // Ends the spawn: the sync socket closed, whatever of ours still lives killed and reaped.
  auto kill_all_failed = [&](int op, int err) {
    close(fd);
    if (init && init != child) kill(init, SIGKILL), reap(init);
    if (!child_reaped) kill(child, SIGKILL), reap(child);
    return failed_closing(op, err);
  };
  for (;;) {
    int passed = -1;
    SyncMsg m;
    if (n_held > 0 && init) {
      m = held[0];
      for (int i = 1; i < n_held; i++) held[i - 1] = held[i];
      n_held--;
    } else if (int r = sync_recv_fd(fd, &m, &passed); r <= 0) {
      // EOF: without WAIT_START the sync fd closes at execve; otherwise the child died.
      if (r == 0 && plan.wait_index < 0 && init && n_held == 0) {
        close(fd);
        return {true, init, -1, 0, 0, console, listener};
      }
      return kill_all_failed(-1, r < 0 ? -r : ECHILD);
    }
    if (m.kind == SYNC_CONSOLE && passed >= 0) {
      if (console >= 0) close(console);
      console = passed;
      continue;
    }
    if (m.kind == SYNC_SECCOMP_LISTENER && m.value > 0) {
      // Its fd number: taken from the sender, which does not wait for us.
      int sender = m.op > plan.fork_index ? init : child;
      if (!sender) {
        hold(m);  // the init's, before its pid came: taken once PID names it
        continue;
      }
      int pidfd = (int)syscall(SYS_pidfd_open, sender, 0);
      int taken = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, m.value, 0);
      int err = taken < 0 ? errno : 0;
      if (pidfd >= 0) close(pidfd);
      if (taken < 0) return kill_all_failed(m.op, err);
      if (callbacks.on_listener) {
        if (int lost = callbacks.on_listener(taken, sender)) return kill_all_failed(m.op, lost);
      } else {
        if (listener >= 0) close(listener);
        listener = taken;
      }
      continue;
    }
    if (passed >= 0) close(passed);  // an fd nobody asked for
    if (m.kind == SYNC_MAPS) {
      // Sent before FORK_INIT, so by the first child.
      sync_send(fd, SYNC_MAPS_DONE, m.op, write_id_maps(plan, m.op, child, tools), 0);
      continue;
    }
    if (m.kind == SYNC_PID) {
      init = m.value;
      reap(child);  // the intermediate exits right after sending it
      child_reaped = true;
      continue;
    }
    bool from_init = m.kind == SYNC_READY || m.op > plan.fork_index;
    if (from_init && !init) {
      hold(m);
      continue;
    }
    if (m.kind == SYNC_IDMAP_TREE) {
      // The init's (or, before FORK_INIT, the child's) namespaces name the tree's; the sender
      // waits for the answer, so nothing else from it can come in between.
      sync_send_tree(fd, plan, m.op, from_init ? init : child);
      continue;
    }
    if (m.kind == SYNC_CGROUP) {
      sync_send(fd, SYNC_CGROUP_DONE, m.op, join_cgroups(plan, m.op, from_init ? init : child), 0);
      continue;
    }
    if (m.kind == SYNC_HOOKS) {
      // Only the init sends it (the op comes after FORK_INIT), so init is its pid.
      sync_send(fd, SYNC_HOOKS_DONE, m.op, callbacks.on_hooks ? callbacks.on_hooks(init) : ENOSYS, 0);
      continue;
    }
    if (m.kind == SYNC_NET_DEVICE) {
      sync_send(fd, SYNC_NET_DEVICE_DONE, m.op, move_device(plan, m.op, from_init ? init : child), 0);
      continue;
    }
    if (m.kind == SYNC_READY) return {true, init, fd, 0, 0, console, listener};
    close(fd);
    if (!child_reaped) reap(child);
    if (init != child && from_init) reap(init);
    return failed_closing(m.kind == SYNC_ERROR ? m.op : -1, m.kind == SYNC_ERROR ? m.err : EPROTO);
  }
}

}  // namespace

// OP_OOM_SCORE_ADJ is done here, not in the child: the value is set on this process around the
// clone, and the child inherits it. Lowering it needs CAP_SYS_RESOURCE in the host's user
// namespace, which a child born in a new user namespace lacks (runc's nsexec sets it before it
// makes namespaces). A failure is the op's, so the message names the field.
struct OomAround {
  char saved[24] = {0};
  bool set = false;

  // 0, or the errno of the write. The ops before CLONE_INIT are ours (the reader allows only this).
  int before(const PreparedPlan& plan) {
    const char* value = nullptr;
    for (int i = 0; i < plan.clone_index; i++) if (plan.ops[i].code == OP_OOM_SCORE_ADJ) value = oom_score_adj_args(plan.ops[i]).value;
    if (!value) return 0;
    int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, saved, sizeof saved - 1);
    if (fd >= 0) close(fd);
    if (n <= 0) return fd < 0 ? errno : EIO;
    saved[n] = 0;
    int err = raw_write_file("/proc/self/oom_score_adj", value);
    set = err == 0;
    return err;
  }

  void after() {
    if (set) raw_write_file("/proc/self/oom_score_adj", saved);
  }
};

int op_index(const PreparedPlan& plan, uint16_t code) {
  for (size_t i = 0; i < plan.ops.size(); i++) if (plan.ops[i].code == code) return (int)i;
  return -1;
}

// clone3's arguments (linux/sched.h's struct clone_args, up to the cgroup field: Linux 5.7).
struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;

// The clone, as fork (no CLONE_VM): into OP_CLONE_INIT's clone_into directory when the plan
// names one and the kernel can (clone3 CLONE_INTO_CGROUP), else a plain clone and CGROUP_JOIN
// joins through the host. setup->born_in_cgroup tells the child which; min_fd keeps the
// directory's fd out of the preserved range.
long clone_init(const PreparedPlan& plan, ChildSetup* setup, int min_fd) {
  const char* into = plan.clone_index >= 0 ? clone_init_args(plan.ops[plan.clone_index]).clone_into : "";
  int dir = into[0] ? open(into, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (dir >= 0) {
    dir = above(dir, min_fd);
    CloneArgs args = {};
    args.flags = (uint64_t)plan.clone_flags | kCloneIntoCgroup;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)dir;
    setup->born_in_cgroup = true;  // the child's copy of setup is taken at the clone
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) return 0;
    close(dir);
    if (pid > 0) return pid;
    // ENOSYS, E2BIG (an older kernel), or the cgroup refused it (EBUSY...): the host's write
    // tries again, and reports what the kernel says then.
    setup->born_in_cgroup = false;
  }
  return syscall(SYS_clone, (unsigned long)plan.clone_flags | SIGCHLD, 0, 0, 0, 0);
}

SpawnResult spawn_init(const PreparedPlan& plan, int fifo_fd, int preserve_fds, const MapTools& tools, const SpawnCallbacks& callbacks, int init_pidfd) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return failed(-1, errno);
  sv[0] = above(sv[0], 3 + preserve_fds);
  sv[1] = above(sv[1], 3 + preserve_fds);
  ChildSetup setup = {sv[1], sv[0], fifo_fd, preserve_fds, cap_last_cap(), init_pidfd};
  OomAround oom;
  if (int err = oom.before(plan)) {
    close(sv[0]);
    close(sv[1]);
    return failed(op_index(plan, OP_OOM_SCORE_ADJ), err);
  }
  // Fork semantics (no CLONE_VM): the child gets a copy of the prepared plan.
  long pid = clone_init(plan, &setup, 3 + preserve_fds);
  if (pid == 0) run_init_child(plan, setup);
  int err = errno;
  oom.after();
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return failed(-1, err);
  }
  return follow(plan, sv[0], (int)pid, tools, callbacks);
}
