// How a run of the core that gave no verdict is reported, the same for core.wasm and for the
// addon's native core: what the core said on stderr, else its exit status; a trap by its kind.
export class CoreCrash extends Error {}

export function exitCrash(status: number, stderr: Uint8Array): CoreCrash {
  const msg = new TextDecoder().decode(stderr).trim();
  return new CoreCrash(msg || `core exited with status ${status}`);
}

export function trapCrash(kind: string): CoreCrash {
  return new CoreCrash(`core trapped: ${kind.charAt(0).toLowerCase()}${kind.slice(1)}`);
}
