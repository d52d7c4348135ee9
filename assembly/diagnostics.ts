// Errors and warnings about a config, each with the JSON pointer of its field.
// Codes: E1xxx syntax and size, E2xxx types and required fields, E3xxx values, W4xxx warnings.

export const E_JSON_SYNTAX = "E1001";
export const E_TOO_LARGE = "E1002";
export const E_TYPE = "E2001";
export const E_REQUIRED = "E2002";
export const E_RANGE = "E3001";
export const E_ENUM = "E3002";
export const E_NOT_ABSOLUTE = "E3003";
export const E_DUPLICATE = "E3004";
export const E_EMPTY = "E3005";
export const E_NEEDS_NAMESPACE = "E3006";
export const E_UNSUPPORTED = "E3007";
export const E_MOUNT_OPTION = "E3008";
export const E_CONFLICT = "E3009"; // a field not allowed with another field's value
export const W_UNKNOWN_CAPABILITY = "W4001";
export const W_RELATIVE_PATH = "W4002";
export const W_AMBIENT_NOT_RAISABLE = "W4003";
export const W_DEPRECATED = "W4004";
export const W_IGNORED = "W4005";
export const W_UNKNOWN_SYSCALL = "W4006";

export class Diagnostic {
  constructor(
    public severity: string,
    public code: string,
    public pointer: string,
    public message: string,
  ) {}
}

export class Diagnostics {
  list: Diagnostic[] = [];
  errorCount: i32 = 0;

  error(code: string, pointer: string, message: string): void {
    this.list.push(new Diagnostic("error", code, pointer, message));
    this.errorCount++;
  }

  warn(code: string, pointer: string, message: string): void {
    this.list.push(new Diagnostic("warning", code, pointer, message));
  }

  hasErrors(): bool { return this.errorCount > 0; }
}
