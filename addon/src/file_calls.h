// Plain file-system syscalls for host/files.ts (file_calls.cc says why).
#pragma once
#include <napi.h>

void RegisterFileCalls(Napi::Env env, Napi::Object exports);
