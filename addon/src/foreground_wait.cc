// A foreground run's or exec's wait (host/foreground.ts): waitExitFor polls the process's exit
// for a moment without reaping it unless it ended, and handOffWait replaces this process with
// the waiter program (addon/waiter/), which goes on waiting in a few pages of memory.
#include "foreground_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "foreground_signals.h"
#include "init_program.h"
#include "wait_status.h"
#include "waiter_program.gen.h"

extern char** environ;

namespace {

// waitExitFor(pid, ms): {code, signal} when pid (our child) ended within ms (it is reaped
// then), null while it runs, or -errno (no pidfd: the caller waits as before).
Napi::Value WaitExitFor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "waitExitFor: pid and ms must be numbers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int pid = info[0].As<Napi::Number>().Int32Value(), ms = info[1].As<Napi::Number>().Int32Value();
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return Napi::Number::New(env, -errno);
  struct pollfd p = {(int)pidfd, POLLIN, 0};
  int r;
  while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR) {}
  close((int)pidfd);
  if (r == 0) return env.Null();
  int st = 0;
  long w;
  while ((w = waitpid(pid, &st, __WALL)) < 0 && errno == EINTR) {}
  if (w < 0) return Napi::Number::New(env, -errno);
  return exit_status_object(env, st);
}

// handOffWait(pid, finishArgv): execs the waiter for pid (then finishArgv, when not empty) with
// the forwarded signals and SIGCHLD blocked across the execve, so none is lost. Returns only
// on failure: the errno, with the signal mask as it was.
Napi::Value HandOffWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) {
    Napi::TypeError::New(env, "handOffWait: a pid and an argv array are required").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<std::string> strings = {"ocirun-wait", std::to_string(info[0].As<Napi::Number>().Int32Value())};
  Napi::Array finish = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < finish.Length(); i++) strings.push_back(finish.Get(i).ToString().Utf8Value());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  long fd = sealed_memfd("ocirun-wait", kWaiterProgram, sizeof kWaiterProgram);
  if (fd < 0) return Napi::Number::New(env, (int)-fd);
  sigset_t block, old;
  sigemptyset(&block);
  for (int s : kForegroundSignals) sigaddset(&block, s);
  sigaddset(&block, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  syscall(SYS_execveat, fd, "", argv.data(), environ, AT_EMPTY_PATH);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close((int)fd);
  return Napi::Number::New(env, err);
}

}  // namespace

void RegisterForegroundWait(Napi::Env env, Napi::Object exports) {
  exports.Set("waitExitFor", Napi::Function::New(env, WaitExitFor, "waitExitFor"));
  exports.Set("handOffWait", Napi::Function::New(env, HandOffWait, "handOffWait"));
}
