// The host's hook runner: one hook process with exactly its argv and env, the state JSON on its
// stdin, its stdout and stderr kept, killed after a timeout; optionally placed in the
// namespaces of another process (createContainer hooks: the waiting init's).
#pragma once
#include <string>
#include <vector>

struct HookSpec {
  std::string path;
  std::vector<std::string> argv, envp;
  std::string stdin_text;
  std::string cwd;
  long timeout_ms = 0;  // 0: none
  int ns_pid = 0;       // 0: the runtime's namespaces
};

struct HookResult {
  int err = 0;           // the errno of a hook that did not start (setns, execve)
  const char* step = "";  // where err happened: "setns", "exec", "fork", "pipe"
  int status = 0;        // its wait status
  bool timed_out = false;
  std::string out, errs;  // what it wrote (the last 64 KiB of each)
};

HookResult run_hook(const HookSpec& spec);
