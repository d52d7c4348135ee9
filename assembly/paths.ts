// Lexical path handling (no file system: the core never touches one).

/** Cleans an absolute path: no ".", "..", or repeated "/"; ".." stops at "/". */
export function cleanPath(path: string): string {
  if (isClean(path)) return path;
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

/** Already clean: absolute, and no empty, "." or ".." element, no trailing "/" (most paths in
 * a config are; splitting each one showed up in the core's profile). */
function isClean(path: string): bool {
  const n = path.length;
  if (n == 0 || path.charCodeAt(0) != 47) return false;
  if (n == 1) return true;
  // Each "/" must start an element that is neither empty, "." nor "..".
  for (let i = 0; i < n; i++) {
    if (path.charCodeAt(i) != 47) continue;
    const a = i + 1 < n ? path.charCodeAt(i + 1) : -1;
    if (a == -1 || a == 47) return false;
    if (a == 46) {
      const b = i + 2 < n ? path.charCodeAt(i + 2) : -1;
      if (b == -1 || b == 47) return false;
      if (b == 46 && (i + 3 == n || path.charCodeAt(i + 3) == 47)) return false;
    }
  }
  return true;
}

/** `path` if absolute, else `base/path`; cleaned. */
export function resolvePath(base: string, path: string): string {
  return cleanPath(path.startsWith("/") ? path : base + "/" + path);
}

export function joinPath(a: string, b: string): string {
  return cleanPath(a + "/" + b);
}
