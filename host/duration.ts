// Go's time.ParseDuration, for flags runc declares as durations (`events --interval`): a signed
// sequence of decimal numbers, each with an optional fraction and a unit (ns, us, µs, μs, ms,
// s, m, h), "0" alone allowed; errors in Go's words.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, "\u00b5s": 1e3, "\u03bcs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const MAX_NS = 2 ** 63 - 1; // Go's Duration is an int64 of nanoseconds

/** The duration in milliseconds (fractions kept); throws Go's error. */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw invalid();
  let ns = 0;
  while (s !== "") {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s)!;
    if (m[1] === "" && (m[3] ?? "") === "") throw invalid(); // no digits before or after the point
    s = s.slice(m[0].length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === "") throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    if (!Object.hasOwn(UNIT_NS, unit)) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    s = s.slice(unit.length);
    ns += Number(`${m[1] || "0"}.${m[3] || "0"}`) * UNIT_NS[unit];
    if (ns > MAX_NS) throw invalid();
  }
  return (sign * ns) / 1e6;
}
