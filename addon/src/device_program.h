// cgroup v2 device control: the core's BPF_PROG_TYPE_CGROUP_DEVICE program, loaded and attached
// to the container's cgroup in place of any the cgroup had.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <string>

struct DeviceProgramResult {
  int err = 0;           // 0 or errno
  const char* step = "";  // what failed: "open", "load", "attach", "detach"
  std::string log;       // the verifier's words when the kernel refused the program
};

// insns: 8-byte struct bpf_insn words, len bytes.
DeviceProgramResult attach_device_program(const char* cgroup_dir, const uint8_t* insns, size_t len);
