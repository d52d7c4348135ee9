// Lexical path handling (no file system: the core never touches one).

/** Cleans an absolute path: no ".", "..", or repeated "/"; ".." stops at "/". */
export function cleanPath(path: string): string {
  const parts = path.split("/");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length == 0 || p == ".") continue;
    if (p == "..") { if (out.length > 0) out.pop(); continue; }
    out.push(p);
  }
  return "/" + out.join("/");
}

/** `path` if absolute, else `base/path`; cleaned. */
export function resolvePath(base: string, path: string): string {
  return cleanPath(path.startsWith("/") ? path : base + "/" + path);
}

export function joinPath(a: string, b: string): string {
  return cleanPath(a + "/" + b);
}
