// A small encoder of init plans (docs/formats.md §3) for tests. Arguments are checked
// against the arg kinds of host/plan/ops.gen.ts, generated from assembly/plan/ops.ts.
import * as O from "../../host/plan/ops.gen.ts";

export type PlanArg = string | number | bigint | (string | number | bigint)[];

/** One op as raw 8-byte words (strings already turned into offsets), for malformed plans. */
export interface RawOp {
  code: number;
  words: bigint[];
  source?: number;
  what?: number;
}


/** The ops only the sealed init program runs, after EXEC_SEALED (ops.ts; CPU_AFFINITY runs on
 * both sides). */
export const SEALED_OPS = new Set([
  O.OP_SECCOMP, O.OP_CAP_BOUNDING, O.OP_USER, O.OP_CAPS, O.OP_NO_NEW_PRIVS, O.OP_UMASK, O.OP_FIND_EXEC, O.OP_PERSONALITY,
  O.OP_APPARMOR, O.OP_SELINUX_EXEC_LABEL, O.OP_WAIT_START, O.OP_START_HOOK, O.OP_EXEC,
]);

export class PlanBuilder {
  private readonly ops: RawOp[] = [];
  private sealed = false;
  private readonly strings = new Map<string, number>([["", 0]]);
  private tableSize = 1;

  constructor(public cloneFlags = 0) {}

  /** Offset of s in the string table, adding it once. */
  str(s: string): number {
    let off = this.strings.get(s);
    if (off === undefined) {
      off = this.tableSize;
      this.strings.set(s, off);
      this.tableSize += Buffer.byteLength(s) + 1;
    }
    return off;
  }

  /** Appends an op; args follow the op's kinds in OPS. Returns its index. The first op only the
   * sealed init program runs gets an EXEC_SEALED before it, as the core's plans have. */
  op(code: number, ...args: PlanArg[]): number {
    if (SEALED_OPS.has(code) && !this.sealed) this.raw({ code: O.OP_EXEC_SEALED, words: [] });
    const spec = O.OPS[code];
    if (!spec) throw new Error(`unknown opcode ${code}`);
    if (args.length !== spec.args.length) throw new Error(`${spec.name}: ${args.length} args, want ${spec.args.length}`);
    const words: bigint[] = [];
    spec.args.forEach(({ kind, name }, i) => {
      const a = args[i];
      const word = (v: unknown) => (kind.endsWith("str") ? BigInt(this.str(String(v))) : BigInt(v as number | bigint));
      if (kind.startsWith("list")) {
        if (!Array.isArray(a)) throw new Error(`${spec.name}: ${name} must be an array`);
        words.push(BigInt(a.length), ...a.map(word));
      } else {
        if (Array.isArray(a)) throw new Error(`${spec.name}: ${name} must not be an array`);
        words.push(word(a));
      }
    });
    return this.raw({ code, words });
  }

  /** Appends an op given as raw words (no checks). Returns its index. */
  raw(op: RawOp): number {
    if (op.code === O.OP_EXEC_SEALED) this.sealed = true;
    this.ops.push(op);
    return this.ops.length - 1;
  }

  get length(): number {
    return this.ops.length;
  }

  bytes(): Uint8Array {
    const opsSize = this.ops.reduce((n, op) => n + O.PLAN_OP_HEADER_SIZE + 8 * op.words.length, 0);
    const tableOffset = O.PLAN_HEADER_SIZE + opsSize;
    const buf = Buffer.alloc(tableOffset + this.tableSize);
    buf.writeUInt32LE(O.PLAN_MAGIC, 0);
    buf.writeUInt32LE(O.PLAN_VERSION, O.PLAN_VERSION_AT);
    buf.writeUInt32LE(this.ops.length, O.PLAN_COUNT_AT);
    buf.writeUInt32LE(O.PLAN_HEADER_SIZE, O.PLAN_FIRST_OP_AT);
    buf.writeUInt32LE(tableOffset, O.PLAN_STRINGS_AT);
    buf.writeUInt32LE(this.tableSize, O.PLAN_STRINGS_LEN_AT);
    buf.writeUInt32LE(this.cloneFlags >>> 0, O.PLAN_CLONE_FLAGS_AT);
    let pos = O.PLAN_HEADER_SIZE;
    for (const op of this.ops) {
      buf.writeUInt16LE(op.code, pos);
      buf.writeUInt16LE(op.words.length, pos + O.PLAN_OP_ARGC_AT);
      buf.writeUInt32LE(op.source ?? 0, pos + O.PLAN_OP_SOURCE_AT);
      buf.writeUInt32LE(op.what ?? 0, pos + O.PLAN_OP_WHAT_AT);
      pos += O.PLAN_OP_HEADER_SIZE;
      for (const w of op.words) {
        buf.writeBigUInt64LE(BigInt.asUintN(64, w), pos);
        pos += 8;
      }
    }
    for (const [s, off] of this.strings) buf.write(s + "\0", tableOffset + off, "utf8");
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

// Kernel constants the test plans use (the core computes these for real plans).
export const CLONE_NEWNS = 0x20000, CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWPID = 0x20000000;
export const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_BIND = 0x1000, MS_REC = 0x4000;
export const MS_SLAVE = 1 << 19, MS_STRICTATIME = 1 << 24;
export const S_IFCHR = 0o020000;

/** The usual container set-up: / rslave, the rootfs bound on itself, proc, a tmpfs /dev with
 * /dev/null and /dev/fd, a host dir `out` bound at /out, then pivot_root (or MOVE_ROOT). */
export function containerPlan(
  rootfs: string,
  out: string,
  opts: {
    flags?: number;
    pivot?: boolean;
    devices?: boolean;
    beforeRoot?: (b: PlanBuilder) => void; // ops before the first mount
    beforePivot?: (b: PlanBuilder) => void; // ops after /out, while host paths are visible
  } = {},
) {
  const b = new PlanBuilder(opts.flags ?? CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC);
  opts.beforeRoot?.(b);
  b.op(O.OP_MOUNT, "", "/", "", MS_SLAVE | MS_REC, "", O.WHERE_PROPAGATION);
  b.op(O.OP_MOUNT, rootfs, rootfs, "", MS_BIND | MS_REC, "", 0); // before ROOTFS: the fd must see the bind
  b.op(O.OP_ROOTFS, rootfs);
  b.op(O.OP_MKTARGET, "/proc", O.MKTARGET_DIR, "");
  b.op(O.OP_MOUNT, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", O.WHERE_TARGET_IN_ROOT);
  b.op(O.OP_MKTARGET, "/dev", O.MKTARGET_DIR, "");
  b.op(O.OP_MOUNT, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", O.WHERE_TARGET_IN_ROOT);
  if (opts.devices !== false) {
    b.op(O.OP_MKNOD, "/dev/null", S_IFCHR | 0o666, 1, 3, 0, 0);
    b.op(O.OP_SYMLINK, "/proc/self/fd", "/dev/fd");
  }
  b.op(O.OP_MKTARGET, "/out", O.MKTARGET_DIR, "");
  b.op(O.OP_MOUNT, out, "/out", "", MS_BIND | MS_REC, "", O.WHERE_TARGET_IN_ROOT);
  opts.beforePivot?.(b);
  b.op(opts.pivot === false ? O.OP_MOVE_ROOT : O.OP_PIVOT_ROOT, rootfs);
  return b;
}

/** FIND_EXEC of the rootfs shell, WAIT_START, then `sh -c script`. */
export function execShell(b: PlanBuilder, script: string, env: string[] = ["PATH=/bin"]) {
  b.op(O.OP_FIND_EXEC, ["/usr/bin/sh", "/bin/sh"]);
  b.op(O.OP_WAIT_START);
  b.op(O.OP_EXEC, ["sh", "-c", script], env);
  return b;
}
