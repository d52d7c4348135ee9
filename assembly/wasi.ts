// The core's only contact with the world: WASI fd_read, fd_write and proc_exit.

@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLen: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

const CHUNK: i32 = 65536;

/** All of stdin. */
export function readStdin(): Uint8Array {
  let buf = new Uint8Array(CHUNK);
  let len = 0;
  const iov = memory.data(8);
  const nread = memory.data(4);
  while (true) {
    if (len == buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    store<u32>(iov, <u32>(buf.dataStart + len));
    store<u32>(iov, <u32>(buf.length - len), 4);
    if (fd_read(0, iov, 1, nread) != 0) break;
    const n = load<u32>(nread);
    if (n == 0) break;
    len += n;
  }
  return buf.subarray(0, len);
}

export function writeBytes(fd: u32, bytes: Uint8Array): void {
  const iov = memory.data(8);
  const written = memory.data(4);
  let off = 0;
  while (off < bytes.length) {
    store<u32>(iov, <u32>(bytes.dataStart + off));
    store<u32>(iov, <u32>(bytes.length - off), 4);
    if (fd_write(fd, iov, 1, written) != 0) return;
    off += load<u32>(written);
  }
}

export function writeString(fd: u32, s: string): void {
  writeBytes(fd, Uint8Array.wrap(String.UTF8.encode(s)));
}

export function exit(code: u32): void {
  proc_exit(code);
}

// A trap or abort is a crash of the core: say where on stderr and exit 70 (EX_SOFTWARE).
export function coreAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "ocirun core: abort";
  if (message) text += ": " + message;
  if (fileName) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  writeString(2, text + "\n");
  proc_exit(70);
  unreachable();
}

export function coreTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {}

// The core is deterministic: nothing may seed randomness.
export function coreSeed(): f64 {
  unreachable();
  return 0;
}
