// linux.netDevices (runtime-spec config-linux.md "Network Devices", runc 1.3's
// devChangeNetNamespace): each host interface moves into the container's network namespace,
// renamed to its "name" there, with its permanent global addresses, and is brought up. The
// host does it (the init is already in its namespace; only the host's root, in the host's
// namespace, may move a host interface): one NET_DEVICE op per device, in config order.
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED } from "../diagnostics";
import { PlanWriter } from "./writer";
import { emitNetDevice } from "./emit.gen";

/** After the namespaces (and FORK_INIT): the network namespace the devices go to exists. */
export function planNetDevices(c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {
  const devs = c.linux.netDevices;
  if (devs.length == 0) return;
  // As runc: a rootless runtime cannot take an interface from the host's namespace.
  if (req.euid != 0) d.error(E_UNSUPPORTED, "/linux/netDevices", "moving network devices needs ocirun to run as root: only the host's root may move a host interface");
  for (let i = 0; i < devs.length; i++) {
    const dev = devs[i];
    const as = dev.name == dev.hostName ? "" : " as \"" + dev.name + "\"";
    emitNetDevice(w, dev.pointer, "move \"" + dev.hostName + "\" into the container" + as,
      dev.hostName, dev.name);
  }
}
