// The core's "criu" section (assembly/plan/criu.ts): the mounts CRIU is told are external.
import { OciError } from "../errors.ts";
import type { Verdict } from "../core/protocol.ts";

export interface ExternalMount {
  destination: string;
  /** A bind mount's source on the host. */
  source?: string;
  /** The container's cgroup mount (cgroup v2). */
  cgroup?: boolean;
}

/** A namespace the container joined by path: CRIU's key for it (extRootNetNS...). */
export interface ExternalNamespace {
  type: string;
  path: string;
  key: string;
}

export interface CriuSection {
  externalMounts: ExternalMount[];
  externalNamespaces: ExternalNamespace[];
  /** criu_opts.config_file, or null for none (the org.criu.config annotation, else runc's default). */
  configFile: string | null;
}

export function criuSection(verdict: Verdict): CriuSection {
  const bytes = verdict.sections?.criu;
  if (!bytes) throw new OciError("core: the verdict has no criu section");
  return JSON.parse(new TextDecoder().decode(bytes)) as CriuSection;
}
