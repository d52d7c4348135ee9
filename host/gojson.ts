// JSON byte-identical to Go's encoding/json, which runc's state/list/spec output uses: the same
// as JSON.stringify except that <, >, & and U+2028/9 are escaped as \u00XX.
export function goJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}
