// Path resolution inside the container root, for the child (raw syscalls only). Every path
// is resolved with openat2(RESOLVE_IN_ROOT) on the root fd, so neither ".." nor a symlink in
// the rootfs can lead out of it; mounts then go through /proc/self/fd/N of the O_PATH fd.
#pragma once
#include <stddef.h>
#include <stdint.h>

// An O_PATH fd inside the root and its /proc/self/fd/N name; closes the fd when done.
struct RootPath {
  int fd = -1;
  char proc[32] = {0};
  RootPath() = default;
  RootPath(const RootPath&) = delete;
  RootPath& operator=(const RootPath&) = delete;
  ~RootPath();
};

// Opens path inside root as O_PATH|O_CLOEXEC|extra_flags with RESOLVE_IN_ROOT|
// RESOLVE_NO_MAGICLINKS|extra_resolve; 0 or errno.
int root_open(int root, const char* path, int extra_flags, uint64_t extra_resolve, RootPath* out);

// Opens the directory holding path's last component; copies that component into name
// (name_size bytes). EINVAL for "/", "." or ".." as the last component.
int root_parent(int root, const char* path, RootPath* dir, char* name, size_t name_size);

// mkdir -p of path inside root, component by component (0755). The last component is made
// a directory, or with last_is_file an empty 0644 file. An existing last component is fine.
int root_mkdir_all(int root, const char* path, bool last_is_file);
