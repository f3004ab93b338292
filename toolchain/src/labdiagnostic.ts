// A lab build's diagnostic (toolchain/src/labbuild.ts), in a file of its own so that the page can
// show diagnostics without bundling the compiler (which runs in the workbench's worker).

export interface LabDiagnostic {
  file: string; // the module's file name ("hello.ts"), or "" for a whole-module error
  line: number; // 1-based, 0 when unknown
  col: number;
  code: string; // "LK1234", "TS2304", "modpost", "asm", "link"
  message: string;
}

/** The diagnostic as the compiler prints it: "hello.ts:3:5: error LK1001: …". */
export function formatLabDiagnostic(d: LabDiagnostic): string {
  return d.file ? `${d.file}:${d.line}:${d.col}: error ${d.code}: ${d.message}` : `${d.code}: ${d.message}`;
}
