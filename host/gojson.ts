// JSON byte-identical to Go's encoding/json, which runc's state/list/spec output uses: the same
// as JSON.stringify except that <, >, & and U+2028/9 are escaped as \u00XX.
export function goJson(value: unknown, indent?: string): string {
  return goEscape(JSON.stringify(value, null, indent));
}

/** goJson for values holding bigints (Go's uint64 counters past 2^53), each written as its
 * exact decimal number. */
export function goJsonBig(value: unknown): string {
  const text = JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `\u0000${v}` : v));
  return goEscape(text.replace(/"\\u0000(-?[0-9]+)"/g, "$1"));
}

function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
