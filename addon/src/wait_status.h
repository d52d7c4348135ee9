// A waitpid(2) status as the host reads it ({code, signal}: code -1 when it did not exit), for
// every call that reaps a child (waitExit, waitExitFor).
#pragma once
#include <sys/wait.h>

#include <napi.h>

inline Napi::Object exit_status_object(Napi::Env env, int status) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  out.Set("signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return out;
}
