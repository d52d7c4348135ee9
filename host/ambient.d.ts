// What the TypeScript checker cannot know about the two engines the host runs on.
// `bun build --compile` embeds a file import and gives its path ($bunfs/…); Node's bundle a path.
declare module "*.wasm" {
  const path: string;
  export default path;
}

// Bun's import.meta: whether the file is the entry point, and its path.
interface ImportMeta {
  main: boolean;
  path: string;
}

// build:bin's --define: the addon's file beside the executable (scripts/build-bin.mjs); not
// defined under Node or `bun run`.
declare const OCIRUN_ADDON_FILE: string;
