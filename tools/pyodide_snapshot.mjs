// Save Pyodide's memory right after its interpreter has started, for tools/interactive.py.
//
// Usage: node pyodide_snapshot.mjs /path/to/node_modules/pyodide /path/to/snapshot.bin
//
// Starting CPython inside WebAssembly takes about 2 s of a reader's first Run (measured
// in Chromium here: loadPyodide was 2.8 s of the worker's 3.0 s start). A page that loads
// this snapshot (loadPyodide's `_loadSnapshot`) gets the started interpreter back in a
// fraction of that. The snapshot belongs to this exact Pyodide build: the build makes it
// from the same files it serves, and nothing else is in it (no library, no page code).
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [pyodideDir, output] = process.argv.slice(2);
if (!pyodideDir || !output) {
  console.error("usage: node pyodide_snapshot.mjs PYODIDE_DIR OUTPUT");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
const pyodide = await loadPyodide({
  indexURL: `${pyodideDir}/`,
  _makeSnapshot: true,
  // What a browser's Pyodide has (Emscripten's default program name): Node would put
  // this script's path in sys.executable and os.environ["_"], inside the snapshot.
  _sysExecutable: "./this.program",
});
// Restoring adds the script directory ("") to sys.path again: keep it only once.
pyodide.runPython("import sys; sys.path[:] = [p for p in sys.path if p]");
writeFileSync(output, pyodide.makeMemorySnapshot());
