// A foreground run's or exec's wait, and its hand-off to the waiter program (foreground_wait.cc).
#pragma once
#include <napi.h>

void RegisterForegroundWait(Napi::Env env, Napi::Object exports);
