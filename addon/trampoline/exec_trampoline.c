// The container's first execve runs from this tiny static program in a sealed memfd, never
// from ocirun's own binary: while the kernel resolves the entrypoint (a "#!/proc/self/exe"
// script, an ELF whose interpreter is /proc/self/exe, or /proc/self/exe itself), /proc/self/exe
// is then this sealed copy, so the container can neither run nor reopen the host's runtime
// binary for writing (CVE-2019-5736). argv: [path, argv0, argv1, ...]; env unchanged.
// The executor has already checked the path (FIND_EXEC); a failure here gives the same line
// on stderr as the executor's own and exit status 127 (not found) or 126.
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

__attribute__((used)) void trampoline_main(long* sp) {
  long argc = sp[0];
  char** argv = (char**)(sp + 1);
  char** envp = argv + argc + 1;
  if (argc < 2) sys3(231, 127, 0, 0);
  long r = sys3(59, (long)argv[0], (long)(argv + 1), (long)envp);
  // Only reached when execve failed: the same line the executor writes.
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
