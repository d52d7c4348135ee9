// ocirun's version and the runtime-spec version it implements (printed by --version, written
// by `spec`, stored in state.json). Constants, so nothing is read from disk at start.
export const VERSION = "0.1.0";
export const SPEC_VERSION = "1.3.0";
