// The container's first execve runs from this tiny static program in a sealed memfd, never
// from ocirun's own binary: while the kernel resolves the entrypoint (a "#!/proc/self/exe"
// script, an ELF whose interpreter is /proc/self/exe, or /proc/self/exe itself), /proc/self/exe
// is then this sealed copy, so the container can neither run nor reopen the host's runtime
// binary for writing (CVE-2019-5736). argv: [path, "fd,op", argv0, argv1, ...]; env unchanged.
// fd (or -1) is where the executor hears of a failed execve (its sync socket, or exec.fifo after
// start): made close-on-exec here, so a working execve closes it and the waiting side sees the
// user's process start; a failing one writes the executor's 16-byte ERROR message (kind 1, op,
// errno, 0) there, plus the same line as the executor's own on stderr, and exits 127 (not
// found) or 126.
// x86_64 Linux, no libc: built with -nostdlib -static by scripts/build-trampoline.mjs.

static long sys3(long nr, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

static void write_str(const char* s) {
  long n = 0;
  while (s[n]) n++;
  sys3(1, 2, (long)s, n);
}

static char* itoa(long v, char* end) {
  *--end = 0;
  do *--end = (char)('0' + v % 10); while (v /= 10);
  return end;
}

static long parse_int(const char** p) {
  long sign = 1, v = 0;
  if (**p == '-') sign = -1, (*p)++;
  while (**p >= '0' && **p <= '9') v = v * 10 + (*(*p)++ - '0');
  return sign * v;
}

__attribute__((used)) void trampoline_main(long* sp) {
  long argc = sp[0];
  char** argv = (char**)(sp + 1);
  char** envp = argv + argc + 1;
  if (argc < 3) sys3(231, 127, 0, 0);
  const char* report = argv[1];
  long fd = parse_int(&report);
  if (*report == ',') report++;
  long op = parse_int(&report);
  // A filter that refuses fcntl: closed instead, never handed to the user's process.
  if (fd >= 0 && sys3(72, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */) < 0) sys3(3, fd, 0, 0), fd = -1;
  long r = sys3(59, (long)argv[0], (long)(argv + 2), (long)envp);
  // Only reached when execve failed.
  if (fd >= 0) {
    int msg[4] = {1, (int)op, (int)-r, 0};
    sys3(1, fd, (long)msg, sizeof msg);
  }
  char buf[24];
  write_str("ocirun: exec ");
  write_str(argv[0]);
  write_str(": errno ");
  write_str(itoa(-r, buf + sizeof buf));
  write_str("\n");
  sys3(231, r == -2 ? 127 : 126, 0, 0);
}

__asm__(
    ".global _start\n"
    "_start:\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call trampoline_main\n"
    "  hlt\n");
