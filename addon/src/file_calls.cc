// Plain file-system syscalls for host/files.ts, which the commands clients call most (state,
// kill, start, delete) use instead of node:fs: importing node:fs costs a Bun executable about
// 4 ms per start, loading this addon about 1 ms. Each call returns its result or -errno;
// host/files.ts turns -errno into the error node:fs would throw.
#include "file_calls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <string>

namespace {

std::string path_at(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : std::string();
}

int int_at(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].IsNumber() ? info[i].As<Napi::Number>().Int32Value() : -1;
}

Napi::Value result(Napi::Env env, long r) { return Napi::Number::New(env, r < 0 ? -errno : r); }

Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  return result(info.Env(), open(path.c_str(), int_at(info, 1) | O_CLOEXEC, int_at(info, 2)));
}

Napi::Value Close(const Napi::CallbackInfo& info) { return result(info.Env(), close(int_at(info, 0))); }

// read(fd, buf, offset, length) / write(fd, buf, offset, length); EINTR is retried.
Napi::Value Transfer(const Napi::CallbackInfo& info, bool write_to) {
  if (info.Length() < 4 || !info[1].IsTypedArray()) return Napi::Number::New(info.Env(), -EINVAL);
  Napi::Uint8Array buf = info[1].As<Napi::Uint8Array>();
  long off = int_at(info, 2), len = int_at(info, 3);
  if (off < 0 || len < 0 || static_cast<size_t>(off + len) > buf.ByteLength()) return Napi::Number::New(info.Env(), -EINVAL);
  ssize_t n;
  do {
    n = write_to ? write(int_at(info, 0), buf.Data() + off, len) : read(int_at(info, 0), buf.Data() + off, len);
  } while (n < 0 && errno == EINTR);
  return result(info.Env(), n);
}

Napi::Value Read(const Napi::CallbackInfo& info) { return Transfer(info, false); }
Napi::Value Write(const Napi::CallbackInfo& info) { return Transfer(info, true); }

// stat(path or fd, follow): [mode, nlink, uid, gid, size, ino, dev, mtime ms] or -errno.
Napi::Value Stat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct stat st;
  int r;
  if (info.Length() > 0 && info[0].IsNumber()) {
    r = fstat(int_at(info, 0), &st);
  } else {
    std::string path = path_at(info, 0);
    bool follow = info.Length() > 1 && info[1].ToBoolean();
    r = follow ? stat(path.c_str(), &st) : lstat(path.c_str(), &st);
  }
  if (r < 0) return Napi::Number::New(env, -errno);
  double fields[] = {
      static_cast<double>(st.st_mode), static_cast<double>(st.st_nlink), static_cast<double>(st.st_uid),
      static_cast<double>(st.st_gid), static_cast<double>(st.st_size), static_cast<double>(st.st_ino),
      static_cast<double>(st.st_dev), st.st_mtim.tv_sec * 1e3 + st.st_mtim.tv_nsec / 1e6,
  };
  Napi::Array out = Napi::Array::New(env, sizeof fields / sizeof fields[0]);
  for (uint32_t i = 0; i < sizeof fields / sizeof fields[0]; i++) out.Set(i, fields[i]);
  return out;
}

Napi::Value Mkdir(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  return result(info.Env(), mkdir(path.c_str(), int_at(info, 1)));
}

Napi::Value Rmdir(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  return result(info.Env(), rmdir(path.c_str()));
}

Napi::Value Unlink(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  return result(info.Env(), unlink(path.c_str()));
}

Napi::Value Rename(const Napi::CallbackInfo& info) {
  std::string from = path_at(info, 0), to = path_at(info, 1);
  return result(info.Env(), rename(from.c_str(), to.c_str()));
}

Napi::Value Chmod(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  return result(info.Env(), chmod(path.c_str(), int_at(info, 1)));
}

Napi::Value Access(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  return result(info.Env(), access(path.c_str(), int_at(info, 1)));
}

// statfs(path): the file system's magic number (f_type), or -errno.
Napi::Value Statfs(const Napi::CallbackInfo& info) {
  std::string path = path_at(info, 0);
  struct statfs st;
  if (statfs(path.c_str(), &st) < 0) return Napi::Number::New(info.Env(), -errno);
  return Napi::Number::New(info.Env(), static_cast<double>(static_cast<unsigned long>(st.f_type)));
}

// readdir(path, onlyDirs): the names but "." and ".." (onlyDirs: of directories only, not
// following symlinks), or -errno.
Napi::Value Readdir(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = path_at(info, 0);
  bool only_dirs = info.Length() > 1 && info[1].ToBoolean();
  DIR* d = opendir(path.c_str());
  if (!d) return Napi::Number::New(env, -errno);
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  errno = 0;
  while (struct dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (only_dirs) {
      bool is_dir = e->d_type == DT_DIR;
      struct stat st;
      if (e->d_type == DT_UNKNOWN && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) is_dir = S_ISDIR(st.st_mode);
      if (!is_dir) continue;
    }
    out.Set(n++, Napi::String::New(env, e->d_name));
    errno = 0;
  }
  int err = errno;
  closedir(d);
  if (err) return Napi::Number::New(env, -err);
  return out;
}

// errnoName(errno): ["ENOENT", "No such file or directory"].
Napi::Value ErrnoName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int e = int_at(info, 0);
  const char* name = strerrorname_np(e);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::String::New(env, name ? name : ("Unknown system error " + std::to_string(e)).c_str()));
  out.Set(1u, Napi::String::New(env, strerror(e)));
  return out;
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("O_RDONLY", O_RDONLY);
  c.Set("O_WRONLY", O_WRONLY);
  c.Set("O_RDWR", O_RDWR);
  c.Set("O_CREAT", O_CREAT);
  c.Set("O_EXCL", O_EXCL);
  c.Set("O_TRUNC", O_TRUNC);
  c.Set("O_APPEND", O_APPEND);
  c.Set("O_NONBLOCK", O_NONBLOCK);
  c.Set("O_NOCTTY", O_NOCTTY);
  c.Set("O_DIRECTORY", O_DIRECTORY);
  c.Set("O_NOFOLLOW", O_NOFOLLOW);
  c.Set("S_IFMT", S_IFMT);
  c.Set("S_IFDIR", S_IFDIR);
  c.Set("S_IFREG", S_IFREG);
  c.Set("S_IFLNK", S_IFLNK);
  c.Set("S_IFIFO", S_IFIFO);
  c.Set("F_OK", F_OK);
  c.Set("R_OK", R_OK);
  c.Set("W_OK", W_OK);
  c.Set("X_OK", X_OK);
  return c;
}

}  // namespace

void RegisterFileCalls(Napi::Env env, Napi::Object exports) {
  Napi::Object f = Napi::Object::New(env);
  f.Set("open", Napi::Function::New(env, Open, "open"));
  f.Set("close", Napi::Function::New(env, Close, "close"));
  f.Set("read", Napi::Function::New(env, Read, "read"));
  f.Set("write", Napi::Function::New(env, Write, "write"));
  f.Set("stat", Napi::Function::New(env, Stat, "stat"));
  f.Set("mkdir", Napi::Function::New(env, Mkdir, "mkdir"));
  f.Set("rmdir", Napi::Function::New(env, Rmdir, "rmdir"));
  f.Set("unlink", Napi::Function::New(env, Unlink, "unlink"));
  f.Set("rename", Napi::Function::New(env, Rename, "rename"));
  f.Set("chmod", Napi::Function::New(env, Chmod, "chmod"));
  f.Set("readdir", Napi::Function::New(env, Readdir, "readdir"));
  f.Set("access", Napi::Function::New(env, Access, "access"));
  f.Set("statfs", Napi::Function::New(env, Statfs, "statfs"));
  f.Set("errnoName", Napi::Function::New(env, ErrnoName, "errnoName"));
  f.Set("constants", Constants(env));
  exports.Set("files", f);
}
