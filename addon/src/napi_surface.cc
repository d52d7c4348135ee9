// The addon's JS surface (host/addon.ts is the contract). Argument checking and
// conversions only; the work lives in spawn_init.cc, exec_plan.cc and plain syscalls.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include <napi.h>

#include "cgroup_holder.h"
#include "core_native.h"
#include "device_program.h"
#include "exec_fifo.h"
#include "file_calls.h"
#include "foreground_wait.h"
#include "hook_runner.h"
#include "notify_socket.h"
#include "plan_reader.h"
#include "spawn_init.h"
#include "sync_msg.h"
#include "wait_status.h"

namespace {

// Throws a TypeError unless args first..end-1 are numbers.
bool int_args(const Napi::CallbackInfo& info, size_t first, size_t end, const char* fn) {
  for (size_t i = first; i < end; i++) {
    if (i >= info.Length() || !info[i].IsNumber()) {
      Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a number")
          .ThrowAsJavaScriptException();
      return false;
    }
  }
  return true;
}

int int_at(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

Napi::Value SpawnInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool bytes = info.Length() > 0 && info[0].IsTypedArray() &&
               info[0].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  if (!bytes) {
    Napi::TypeError::New(env, "spawnInit: plan must be a Uint8Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!int_args(info, 1, 3, "spawnInit")) return env.Undefined();
  int fifo = int_at(info, 1), preserve = int_at(info, 2);
  if (preserve < 0 || preserve > 1 << 20) {
    Napi::TypeError::New(env, "spawnInit: preserveFds out of range").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array plan_bytes = info[0].As<Napi::Uint8Array>();
  PreparedPlan plan;
  std::string error;
  if (!read_plan(plan_bytes.Data(), plan_bytes.ByteLength(), &plan, &error)) {
    Napi::TypeError::New(env, "spawnInit: bad plan: " + error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // Optional 4th argument: where the host found newuidmap and newgidmap.
  MapTools tools;
  if (info.Length() > 3 && info[3].IsObject()) {
    Napi::Object t = info[3].As<Napi::Object>();
    if (t.Get("newuidmap").IsString()) tools.newuidmap = t.Get("newuidmap").As<Napi::String>().Utf8Value();
    if (t.Get("newgidmap").IsString()) tools.newgidmap = t.Get("newgidmap").As<Napi::String>().Utf8Value();
  }
  // Optional 5th argument: {onHooks(pid), onListener(fd, pid)}, called while the init waits
  // (OP_CREATE_HOOKS) or as soon as a listener is taken (OP_SECCOMP with notify: the fd is the
  // callee's); each returns 0 or the errno to fail the op with. A throw fails the op too.
  SpawnCallbacks callbacks;
  Napi::Function hooks_fn, listener_fn;
  if (info.Length() > 4 && info[4].IsObject()) {
    Napi::Object cb = info[4].As<Napi::Object>();
    if (cb.Get("onHooks").IsFunction()) {
      hooks_fn = cb.Get("onHooks").As<Napi::Function>();
      callbacks.on_hooks = [&env, &hooks_fn](int pid) -> int {
        if (env.IsExceptionPending()) return ECANCELED;
        Napi::Value v = hooks_fn.Call({Napi::Number::New(env, pid)});
        if (env.IsExceptionPending() || !v.IsNumber()) return ECANCELED;
        return v.As<Napi::Number>().Int32Value();
      };
    }
    if (cb.Get("onListener").IsFunction()) {
      listener_fn = cb.Get("onListener").As<Napi::Function>();
      callbacks.on_listener = [&env, &listener_fn](int fd, int pid) -> int {
        if (env.IsExceptionPending()) {
          close(fd);
          return ECANCELED;
        }
        Napi::Value v = listener_fn.Call({Napi::Number::New(env, fd), Napi::Number::New(env, pid)});
        if (env.IsExceptionPending() || !v.IsNumber()) return ECANCELED;
        return v.As<Napi::Number>().Int32Value();
      };
    }
  }
  // Optional 6th argument: exec's pidfd of the container's init, kept open in the child for
  // OP_SETNS_PIDFD.
  int init_pidfd = info.Length() > 5 && info[5].IsNumber() ? int_at(info, 5) : -1;
  SpawnResult r = spawn_init(plan, fifo, preserve, tools, callbacks, init_pidfd);
  if (env.IsExceptionPending()) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  if (r.ready) {
    out.Set("pid", r.pid);
    out.Set("sync", r.sync);
    if (r.console >= 0) out.Set("console", r.console);
    if (r.listener >= 0) out.Set("listener", r.listener);
  } else {
    out.Set("op", r.op);
    out.Set("errno", r.err);
  }
  return out;
}

std::vector<std::string> string_list(Napi::Value v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).ToString().Utf8Value());
  return out;
}

// runHook({path, args, env, stdin, cwd, timeoutMs, nsPid}): runs one hook and waits for it.
Napi::Value RunHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "runHook: a spec object is required").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = info[0].As<Napi::Object>();
  HookSpec spec;
  spec.path = o.Get("path").ToString().Utf8Value();
  spec.argv = string_list(o.Get("args"));
  spec.envp = string_list(o.Get("env"));
  spec.stdin_text = o.Get("stdin").ToString().Utf8Value();
  spec.cwd = o.Has("cwd") && o.Get("cwd").IsString() ? o.Get("cwd").As<Napi::String>().Utf8Value() : "/";
  if (o.Get("timeoutMs").IsNumber()) spec.timeout_ms = o.Get("timeoutMs").As<Napi::Number>().Int64Value();
  if (o.Get("nsPid").IsNumber()) spec.ns_pid = o.Get("nsPid").As<Napi::Number>().Int32Value();
  HookResult r = run_hook(spec);
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", r.err);
  out.Set("step", r.step);
  out.Set("code", WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1);
  out.Set("signal", WIFSIGNALED(r.status) ? WTERMSIG(r.status) : 0);
  out.Set("timedOut", r.timed_out);
  out.Set("stdout", Napi::Buffer<char>::Copy(env, r.out.data(), r.out.size()));
  out.Set("stderr", Napi::Buffer<char>::Copy(env, r.errs.data(), r.errs.size()));
  return out;
}

// startInit(fifoPath): release the init through exec.fifo and wait for its execve or failure.
Napi::Value StartInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "startInit: a path is required").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  StartOutcome r = start_through_fifo(info[0].As<Napi::String>().Utf8Value().c_str());
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", r.err);
  out.Set("gone", r.gone);
  if (r.kind) {
    Napi::Object f = Napi::Object::New(env);
    f.Set("hook", r.kind == SYNC_HOOK_FAILED);
    f.Set("op", r.op);
    f.Set("errno", r.op_err);
    f.Set("code", r.kind == SYNC_HOOK_FAILED && WIFEXITED(r.value) ? WEXITSTATUS(r.value) : -1);
    f.Set("signal", r.kind == SYNC_HOOK_FAILED && WIFSIGNALED(r.value) ? WTERMSIG(r.value) : 0);
    f.Set("stdout", Napi::Buffer<char>::Copy(env, r.out.data(), r.out.size()));
    f.Set("stderr", Napi::Buffer<char>::Copy(env, r.errs.data(), r.errs.size()));
    out.Set("failure", f);
  }
  return out;
}

Napi::Value ReleaseInit(const Napi::CallbackInfo& info) {
  if (!int_args(info, 0, 1, "releaseInit")) return info.Env().Undefined();
  int sync = int_at(info, 0);
  if (sync < 0) return info.Env().Undefined();
  // A dead init is found by waitExit, not here. Then wait for the init to close its end,
  // which it does after clearing PDEATHSIG: `create` exits right after this call, and an
  // init still armed would be killed by that exit.
  if (sync_send(sync, SYNC_ACK, 0, 0, 0) == 0) {
    struct pollfd p = {sync, POLLIN, 0};
    SyncMsg m;
    for (;;) {
      int r = poll(&p, 1, 5000);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0 || sync_recv(sync, &m) <= 0) break;
    }
  }
  close(sync);
  return info.Env().Undefined();
}

Napi::Value AbortInit(const Napi::CallbackInfo& info) {
  if (!int_args(info, 0, 2, "abortInit")) return info.Env().Undefined();
  int pid = int_at(info, 0), sync = int_at(info, 1);
  if (pid > 0) {
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {}
  }
  if (sync >= 0) close(sync);
  return info.Env().Undefined();
}

// waitpid on a libuv pool thread; resolves {code, signal}.
class WaitExit : public Napi::AsyncWorker {
 public:
  WaitExit(Napi::Env env, int pid) : Napi::AsyncWorker(env), pid_(pid), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    int r;
    while ((r = waitpid(pid_, &status_, __WALL)) < 0 && errno == EINTR) {}
    if (r < 0) SetError(std::string("waitExit: waitpid ") + std::to_string(pid_) + ": " + strerror(errno));
  }
  void OnOK() override { deferred_.Resolve(exit_status_object(Env(), status_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  int pid_;
  int status_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value WaitExitFn(const Napi::CallbackInfo& info) {
  if (!int_args(info, 0, 1, "waitExit")) return info.Env().Undefined();
  auto* worker = new WaitExit(info.Env(), int_at(info, 0));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!int_args(info, 0, 1, "flock")) return env.Undefined();
  bool exclusive = info.Length() > 1 && info[1].ToBoolean().Value();
  bool wait = info.Length() > 2 && info[2].ToBoolean().Value();
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  int r;
  while ((r = flock(int_at(info, 0), op)) < 0 && errno == EINTR) {}
  return Napi::Number::New(env, r < 0 ? errno : 0);
}

// A SOCK_SEQPACKET socketpair (close-on-exec), as `criu swrk` speaks over: [ours, the child's].
Napi::Value SeqpacketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return Napi::Number::New(env, -errno);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set((uint32_t)0, sv[0]);
  out.Set((uint32_t)1, sv[1]);
  return out;
}

// One message on a SOCK_SEQPACKET socket: 0 or the errno.
Napi::Value SeqpacketSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!int_args(info, 0, 1, "seqpacketSend") || info.Length() < 2 || !info[1].IsTypedArray()) return env.Undefined();
  Napi::Uint8Array msg = info[1].As<Napi::Uint8Array>();
  ssize_t n;
  while ((n = send(int_at(info, 0), msg.Data(), msg.ByteLength(), MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
  return Napi::Number::New(env, n < 0 ? errno : (size_t)n == msg.ByteLength() ? 0 : EPROTO);
}

// The next message on a SOCK_SEQPACKET socket, waiting for it: {data, fd} (fd: one passed with
// it, close-on-exec, else -1; no data: the peer is gone), or -errno.
Napi::Value SeqpacketRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!int_args(info, 0, 1, "seqpacketRecv")) return env.Undefined();
  std::vector<uint8_t> buf(1 << 20);
  int passed = -1;
  ssize_t n;
  for (;;) {
    struct iovec iov = {buf.data(), buf.size()};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    struct msghdr mh = {};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control;
    mh.msg_controllen = sizeof control;
    n = recvmsg(int_at(info, 0), &mh, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    struct cmsghdr* c = n >= 0 ? CMSG_FIRSTHDR(&mh) : nullptr;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&passed, CMSG_DATA(c), sizeof passed);
    break;
  }
  if (n < 0) return Napi::Number::New(env, -errno);
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Buffer<uint8_t>::Copy(env, buf.data(), (size_t)n));
  out.Set("fd", passed);
  return out;
}

// mount --rbind source target (0 or errno); umount2 MNT_DETACH of target (0 or errno).
Napi::Value BindMount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    Napi::TypeError::New(env, "bindMount: (source: string, target: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string src = info[0].As<Napi::String>().Utf8Value(), dst = info[1].As<Napi::String>().Utf8Value();
  return Napi::Number::New(env, mount(src.c_str(), dst.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0 ? errno : 0);
}

Napi::Value Unmount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "unmount: (target: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string dst = info[0].As<Napi::String>().Utf8Value();
  return Napi::Number::New(env, umount2(dst.c_str(), MNT_DETACH) < 0 ? errno : 0);
}

// pidfd_open(2) (close-on-exec, as every pidfd): the fd or -errno.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!int_args(info, 0, 1, "pidfdOpen")) return env.Undefined();
  long fd = syscall(SYS_pidfd_open, int_at(info, 0), 0);
  return Napi::Number::New(env, fd < 0 ? -errno : (double)fd);
}

Napi::Value HoldProcess(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), hold_process()); }

Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "mkfifo: (path: string, mode: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int r = mkfifo(path.c_str(), (mode_t)int_at(info, 1));
  return Napi::Number::New(env, r < 0 ? errno : 0);
}

// cgroup v2 devices: (dir, program bytes) -> {errno, step, log}.
Napi::Value AttachDeviceProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "attachDeviceProgram(dir: string, program: Uint8Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  Napi::Uint8Array prog = info[1].As<Napi::Uint8Array>();
  DeviceProgramResult r = attach_device_program(dir.c_str(), prog.Data(), prog.ByteLength());
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", r.err);
  out.Set("step", r.step);
  out.Set("log", r.log);
  return out;
}

// runCore(request): the verdict bytes from core_native.cc, or {status, stderr, trap?} when the
// core did not exit 0.
Napi::Value RunCore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "runCore: request must be a Uint8Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array request = info[0].As<Napi::Uint8Array>();
  CoreRun run = run_core_native(request.Data(), request.ByteLength());
  if (run.status == 0 && run.trap == nullptr) return Napi::Buffer<uint8_t>::Copy(env, run.verdict.data(), run.verdict.size());
  Napi::Object failed = Napi::Object::New(env);
  failed.Set("status", Napi::Number::New(env, run.status));
  failed.Set("stderr", Napi::Buffer<uint8_t>::Copy(env, run.errs.data(), run.errs.size()));
  if (run.trap != nullptr) failed.Set("trap", Napi::String::New(env, run.trap));
  return failed;
}

Napi::Value Strerror(const Napi::CallbackInfo& info) {
  if (!int_args(info, 0, 1, "strerror")) return info.Env().Undefined();
  return Napi::String::New(info.Env(), strerror(int_at(info, 0)));
}

// --console-socket: connect to the AF_UNIX socket and send fd with SCM_RIGHTS, the payload
// being its name (conmon and containerd read only the fd). Returns 0 or errno.
Napi::Value SendFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[2].IsString() || !int_args(info, 1, 2, "sendFd")) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "sendFd(path, fd, name)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>(), name = info[2].As<Napi::String>();
  int fd = int_at(info, 1);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return Napi::Number::New(env, ENAMETOOLONG);
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return Napi::Number::New(env, errno);
  int err = 0;
  if (connect(s, (struct sockaddr*)&addr, sizeof addr) < 0) err = errno;
  if (!err) {
    long n = send_with_fd(s, name.data(), name.size(), fd);
    if (n < 0) err = (int)-n;
  }
  close(s);
  return Napi::Number::New(env, err);
}

// TIOCSWINSZ on a pty master (the foreground `run` follows its terminal's size). 0 or errno.
Napi::Value SetWinsize(const Napi::CallbackInfo& info) {
  if (!int_args(info, 0, 3, "setWinsize")) return info.Env().Undefined();
  struct winsize ws = {(unsigned short)int_at(info, 1), (unsigned short)int_at(info, 2), 0, 0};
  int r = ioctl(int_at(info, 0), TIOCSWINSZ, &ws);
  return Napi::Number::New(info.Env(), r < 0 ? errno : 0);
}

// NOTIFY_SOCKET: bind the container's notify socket. The fd, or -errno.
Napi::Value NotifyListen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "notifyListen(path)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, notify_listen(info[0].As<Napi::String>().Utf8Value()));
}

// notify_forward on a libuv pool thread: the wait for READY= may last as long as the container.
class NotifyForward : public Napi::AsyncWorker {
 public:
  NotifyForward(Napi::Env env, int listener, int pid, std::string host, int main_pid, int barrier_ms)
      : Napi::AsyncWorker(env), listener_(listener), pid_(pid), main_pid_(main_pid), barrier_ms_(barrier_ms),
        host_(std::move(host)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { r_ = notify_forward(listener_, pid_, host_, main_pid_, barrier_ms_); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("ready", r_.ready ? Napi::Value(Napi::String::New(env, r_.line)) : env.Null());
    out.Set("errno", r_.err);
    out.Set("step", r_.step);
    out.Set("barrierTimeout", r_.barrier_timeout);
    deferred_.Resolve(out);
  }

 private:
  int listener_, pid_, main_pid_, barrier_ms_;
  std::string host_;
  NotifyResult r_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value NotifyForwardFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[2].IsString() || !int_args(info, 0, 2, "notifyForward") || !int_args(info, 3, 5, "notifyForward")) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "notifyForward(listener, pid, host, mainPid, barrierMs)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* worker = new NotifyForward(env, int_at(info, 0), int_at(info, 1), info[2].As<Napi::String>().Utf8Value(),
                                   int_at(info, 3), int_at(info, 4));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnInit", Napi::Function::New(env, SpawnInit, "spawnInit"));
  RegisterFileCalls(env, exports);
  RegisterForegroundWait(env, exports);
  exports.Set("releaseInit", Napi::Function::New(env, ReleaseInit, "releaseInit"));
  exports.Set("runHook", Napi::Function::New(env, RunHook, "runHook"));
  exports.Set("startInit", Napi::Function::New(env, StartInit, "startInit"));
  exports.Set("abortInit", Napi::Function::New(env, AbortInit, "abortInit"));
  exports.Set("waitExit", Napi::Function::New(env, WaitExitFn, "waitExit"));
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo, "mkfifo"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("bindMount", Napi::Function::New(env, BindMount, "bindMount"));
  exports.Set("unmount", Napi::Function::New(env, Unmount, "unmount"));
  exports.Set("seqpacketPair", Napi::Function::New(env, SeqpacketPair, "seqpacketPair"));
  exports.Set("seqpacketSend", Napi::Function::New(env, SeqpacketSend, "seqpacketSend"));
  exports.Set("seqpacketRecv", Napi::Function::New(env, SeqpacketRecv, "seqpacketRecv"));
  exports.Set("holdProcess", Napi::Function::New(env, HoldProcess, "holdProcess"));
  exports.Set("strerror", Napi::Function::New(env, Strerror, "strerror"));
  exports.Set("runCore", Napi::Function::New(env, RunCore, "runCore"));
  exports.Set("attachDeviceProgram", Napi::Function::New(env, AttachDeviceProgram, "attachDeviceProgram"));
  exports.Set("sendFd", Napi::Function::New(env, SendFd, "sendFd"));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize, "setWinsize"));
  exports.Set("notifyListen", Napi::Function::New(env, NotifyListen, "notifyListen"));
  exports.Set("notifyForward", Napi::Function::New(env, NotifyForwardFn, "notifyForward"));
  return exports;
}

}  // namespace

NODE_API_MODULE(ocirun, Init)
