// What the sealed programs (the init, the foreground waiter) need from a C library, without
// one (they are linked -nostdlib): the process entry, syscall(2) as raw.h calls it, errno, and
// the memory functions the compiler may emit calls to. x86_64 Linux.
#include <stddef.h>
#include <stdint.h>

static int errno_value;
extern "C" int* __errno_location() { return &errno_value; }

// syscall(nr, a1..a6) with the kernel's convention: -1 and errno on failure, as libc's.
extern "C" long syscall(long nr, ...);
__asm__(
    ".text\n"
    ".global syscall\n"
    "syscall:\n"
    "  mov %rdi, %rax\n"
    "  mov %rsi, %rdi\n"
    "  mov %rdx, %rsi\n"
    "  mov %rcx, %rdx\n"
    "  mov %r8, %r10\n"
    "  mov %r9, %r8\n"
    "  mov 8(%rsp), %r9\n"
    "  syscall\n"
    "  cmp $-4095, %rax\n"
    "  jae 1f\n"
    "  ret\n"
    "1:\n"
    "  neg %eax\n"
    "  push %rax\n"
    "  call __errno_location\n"
    "  pop %rcx\n"
    "  mov %ecx, (%rax)\n"
    "  mov $-1, %rax\n"
    "  ret\n");

// The signal return trampoline x86_64 requires (SA_RESTORER): rt_sigreturn.
extern "C" void init_sigreturn();
__asm__(
    ".text\n"
    ".global init_sigreturn\n"
    "init_sigreturn:\n"
    "  mov $15, %rax\n"
    "  syscall\n"
    "  hlt\n");

extern "C" void* memcpy(void* d, const void* s, size_t n) {
  auto* dp = (unsigned char*)d;
  auto* sp = (const unsigned char*)s;
  while (n--) *dp++ = *sp++;
  return d;
}

extern "C" void* memmove(void* d, const void* s, size_t n) {
  auto* dp = (unsigned char*)d;
  auto* sp = (const unsigned char*)s;
  if (dp < sp) {
    while (n--) *dp++ = *sp++;
  } else {
    while (n--) dp[n] = sp[n];
  }
  return d;
}

extern "C" void* memset(void* d, int c, size_t n) {
  auto* dp = (unsigned char*)d;
  while (n--) *dp++ = (unsigned char)c;
  return d;
}

extern "C" int memcmp(const void* a, const void* b, size_t n) {
  auto* ap = (const unsigned char*)a;
  auto* bp = (const unsigned char*)b;
  for (; n; n--, ap++, bp++)
    if (*ap != *bp) return *ap - *bp;
  return 0;
}

extern "C" size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

extern "C" int strcmp(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

extern "C" void* memchr(const void* s, int c, size_t n) {
  auto* p = (const unsigned char*)s;
  for (; n; n--, p++)
    if (*p == (unsigned char)c) return (void*)p;
  return nullptr;
}

// The stack as the kernel leaves it: argc, argv..., NULL, envp..., NULL.
extern "C" [[noreturn]] void program_main(long* sp);
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call program_main\n"
    "  hlt\n");
