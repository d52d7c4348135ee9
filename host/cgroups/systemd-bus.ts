// systemd's manager over D-Bus (dbus.ts), the few calls runc's systemd driver makes: its
// version, StartTransientUnit and StopUnit with a wait for their job, SetUnitProperties,
// ResetFailedUnit. Root talks to systemd's private socket as systemctl does (no bus daemon
// needed; systemd pushes its signals to every private connection), else to the system bus
// (Hello, and a match for JobRemoved before any job).
import { lstatSync } from "node:fs";
import { OciError } from "../errors.ts";
import { busSocketPath, DbusConnection, DbusError, type DbusValue, type Message, Variant } from "./dbus.ts";

/** runc's words when --systemd-cgroup meets a host whose pid 1 is not systemd. */
export const NO_SYSTEMD = "systemd not running on this host, cannot use systemd cgroups manager";

const SYSTEMD = "org.freedesktop.systemd1";
const MANAGER_PATH = "/org/freedesktop/systemd1";
const MANAGER = "org.freedesktop.systemd1.Manager";
const PRIVATE_SOCKET = "/run/systemd/private";
const SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket";
const JOB_TIMEOUT_MS = 30_000; // runc's

/** A unit property as the core plans it: name, D-Bus signature, value (docs/formats.md §2). */
export type UnitProperty = [name: string, signature: string, value: unknown];

/** sd_booted(): systemd made /run/systemd/system (runc's IsRunningSystemd). */
export function systemdRunning(): boolean {
  try {
    return lstatSync("/run/systemd/system").isDirectory();
  } catch {
    return false;
  }
}

export class SystemdBus {
  /** The major version ("252.39-1~deb12u2" -> 252), 0 when unknown. */
  version = 0;
  /** JobRemoved results by job path, kept for a job whose signal comes before its call returns. */
  private readonly done = new Map<string, string>();
  private readonly waiting = new Map<string, (result: string) => void>();

  private constructor(private readonly conn: DbusConnection) {
    conn.onSignal = (m: Message) => {
      if (m.interface !== MANAGER || m.member !== "JobRemoved") return;
      const [, job, , result] = m.body as [number, string, string, string];
      const w = this.waiting.get(job);
      if (w) w(result);
      else this.done.set(job, result);
    };
  }

  /** Connects as root to the private socket, else to the system bus; fails with runc's words
   * when systemd does not run here. */
  static async connect(): Promise<SystemdBus> {
    if (!systemdRunning()) throw new OciError(NO_SYSTEMD);
    const uid = process.geteuid?.() ?? 0;
    const failures: string[] = [];
    if (uid === 0) {
      const conn = await DbusConnection.connect(PRIVATE_SOCKET, { uid }).catch((err) => void failures.push((err as Error).message));
      if (conn) return SystemdBus.over(conn, false);
    }
    const address = process.env.DBUS_SYSTEM_BUS_ADDRESS || SYSTEM_BUS;
    const path = busSocketPath(address);
    if (!path) failures.push(`${address}: not a unix:path= address`);
    const conn = path ? await DbusConnection.connect(path, { uid, hello: true }).catch((err) => void failures.push((err as Error).message)) : undefined;
    if (!conn) throw new OciError(`failed to connect to dbus: ${failures.join("; ")}`);
    return SystemdBus.over(conn, true);
  }

  /** systemd over an open connection: on a bus, JobRemoved is asked for first; then its version. */
  static async over(conn: DbusConnection, onBus: boolean): Promise<SystemdBus> {
    const bus = new SystemdBus(conn);
    try {
      if (onBus) {
        await conn.call({
          destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "AddMatch", signature: "s",
          body: [`type='signal',sender='${SYSTEMD}',path='${MANAGER_PATH}',interface='${MANAGER}',member='JobRemoved'`],
        });
      }
      const v = await conn.call({
        destination: SYSTEMD, path: MANAGER_PATH, interface: "org.freedesktop.DBus.Properties", member: "Get", signature: "ss", body: [MANAGER, "Version"],
      });
      bus.version = parseVersion(String((v.body?.[0] as Variant | undefined)?.value ?? ""));
    } catch (err) {
      conn.close();
      throw new OciError(`failed to connect to dbus: ${(err as Error).message}`);
    }
    return bus;
  }

  close(): void {
    this.conn.close();
  }

  /** StartTransientUnit with mode "replace" and no auxiliary units, then its job's end. A failed
   * unit of the same name left from before is reset and the start tried once more (runc). */
  async startTransientUnit(unit: string, props: UnitProperty[]): Promise<void> {
    const start = () => this.manager("StartTransientUnit", "ssa(sv)a(sa(sv))", [unit, "replace", props.map(toDbus), []]);
    let reply: Message;
    try {
      try {
        reply = await start();
      } catch (err) {
        if (!(err instanceof DbusError && err.name.includes("org.freedesktop.systemd1.UnitExists"))) throw err;
        await this.resetFailedUnit(unit);
        reply = await start();
      }
    } catch (err) {
      throw new OciError(`unable to start unit "${unit}": ${(err as Error).message}`);
    }
    const result = await this.job(String(reply.body?.[0]));
    if (result === "done") return;
    await this.resetFailedUnit(unit);
    throw new OciError(result === undefined ? `Timeout waiting for systemd to create ${unit}` : `error creating systemd unit \`${unit}\`: got \`${result}\``);
  }

  /** SetUnitProperties (runtime: not written to /etc). */
  async setUnitProperties(unit: string, props: UnitProperty[]): Promise<void> {
    if (props.length === 0) return;
    try {
      await this.manager("SetUnitProperties", "sba(sv)", [unit, true, props.map(toDbus)]);
    } catch (err) {
      throw new OciError(`unable to set unit properties of "${unit}": ${(err as Error).message}`);
    }
  }

  /** StopUnit and its job's end, then ResetFailedUnit. A unit that is not loaded any more (the
   * scope ended with its last process) is fine; a stop that does not end in 30 s is an error.
   * Returns the job's result when it was not "done". */
  async stopUnit(unit: string): Promise<string | undefined> {
    let job: string | undefined;
    try {
      job = String((await this.manager("StopUnit", "ss", [unit, "replace"])).body?.[0]);
    } catch {
      // runc ignores a failed StopUnit (org.freedesktop.systemd1.NoSuchUnit above all).
    }
    const result = job === undefined ? "done" : await this.job(job);
    await this.resetFailedUnit(unit);
    if (result === undefined) throw new OciError(`Timed out while waiting for systemd to remove ${unit}`);
    return result === "done" ? undefined : result;
  }

  /** ResetFailedUnit; a unit systemd does not have is no error. */
  async resetFailedUnit(unit: string): Promise<void> {
    await this.manager("ResetFailedUnit", "s", [unit]).catch(() => {});
  }

  private manager(member: string, signature: string, body: DbusValue[]): Promise<Message> {
    return this.conn.call({ destination: SYSTEMD, path: MANAGER_PATH, interface: MANAGER, member, signature, body });
  }

  /** The job's result ("done", "failed", "canceled", ...), or undefined after 30 s. */
  private job(path: string): Promise<string | undefined> {
    const known = this.done.get(path);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(path);
        resolve(undefined);
      }, JOB_TIMEOUT_MS);
      this.waiting.set(path, (result) => {
        clearTimeout(timer);
        this.waiting.delete(path);
        resolve(result);
      });
    });
  }
}

/** The core's [name, signature, JSON value] as D-Bus's (name, variant): the JSON already has
 * the shapes dbus.ts marshals (64-bit integers as decimal strings, structs as arrays). */
function toDbus([name, signature, value]: UnitProperty): DbusValue {
  return [name, new Variant(signature, value as DbusValue)];
}

/** runc's systemdVersion: the leading digits, after a "v" or quote some builds put first. */
export function parseVersion(text: string): number {
  const m = /^["v]*([0-9]+)/.exec(text.trim());
  return m ? Number(m[1]) : 0;
}
