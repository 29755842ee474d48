/* Python in a Web Worker (a module worker): Pyodide from this site, with this build's minitorch_lite.
 *
 * Messages in (from run.js or playground.js):
 *   {type: "init", pyodide: "<url of _static/pyodide/>", zip: "<url of python.zip>",
 *    snapshot?: "<url of _static/pyodide/snapshot.bin.gz?v=...>", worker: "<url>"}
 *   {type: "run", id, source, number}            one notebook cell (book_runtime.run_cell)
 *   {type: "pg-new", dataset, points, hidden, rate, seed, size}   a new playground model
 *   {type: "pg-train", run} / {type: "pg-stop"} / {type: "pg-rate", rate}
 * Messages out:
 *   {type: "ready", seconds, start: "snapshot" | "fresh"} · {type: "failed", message}
 *   {type: "result", id, result: {output, display, error, error_type}}
 *   {type: "pg-model", points, grid, size} · {type: "pg-epoch", epoch, loss, accuracy,
 *    seconds, grid?} · {type: "pg-stopped", run, epoch} · {type: "pg-error", message}
 * The worker keeps the page's one __main__ namespace for as long as it lives.
 */
"use strict";

let pyodide = null;
let runtime = null; // the Python module book_runtime
let playground = null; // a book_runtime.Playground
let training = false;
let run = 0; // the page's number for the training in progress (pg-train carries it)
let gridSize = 24;
const queue = []; // messages that arrive while Python is loading
const LIB = "/home/pyodide/book";
let start = null; // how Python started: "snapshot" or "fresh" (reported with "ready")

// Pyodide's memory right after its interpreter started, saved by the build
// (tools/pyodide_snapshot.mjs): restoring it skips the ~2 s start of CPython. It is
// gzipped as a file, whatever the host does, and unpacked here.
async function snapshot(url) {
  if (!url) throw new Error("this page names no snapshot");
  if (typeof DecompressionStream === "undefined") throw new Error("no DecompressionStream");
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const unpacked = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(unpacked).arrayBuffer());
}

function plain(proxy) {
  const value = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  return value;
}

async function init(message) {
  const started = performance.now();
  try {
    // Pyodide runs in module workers only; everything it fetches comes from indexURL.
    const { loadPyodide } = await import(new URL("pyodide.mjs", message.pyodide).href);
    start = "snapshot";
    try {
      // Fetched while Pyodide fetches and compiles its WebAssembly.
      const image = snapshot(message.snapshot);
      image.catch(() => {}); // a failure is handled below, where loadPyodide awaits it
      pyodide = await loadPyodide({ indexURL: message.pyodide, _loadSnapshot: image });
      // The snapshot holds an already-seeded `random`: every page would draw the same
      // "random" numbers. Seed it afresh from the browser's entropy, as a start would.
      pyodide.runPython("import random; random.seed()");
    } catch (error) {
      console.warn(`Python starts without its snapshot: ${error && error.message ? error.message : error}`);
      start = "fresh";
      pyodide = await loadPyodide({ indexURL: message.pyodide });
    }
    const response = await fetch(message.zip, { cache: "no-cache" });
    if (!response.ok) throw new Error(`${message.zip}: HTTP ${response.status}`);
    pyodide.unpackArchive(await response.arrayBuffer(), "zip", { extractDir: LIB });
    pyodide.runPython(`import sys; sys.path.insert(0, "${LIB}")`);
    runtime = pyodide.pyimport("book_runtime");
    runtime.install_plots_stand_in(); // figures: a note instead of an ImportError
    runtime.install_glue_stand_in(); // set-up cells import myst_nb's glue
    runtime.install_input_stand_in(); // input(): a clear error (a worker has no keyboard)
  } catch (error) {
    postMessage({ type: "failed", message: String(error && error.message ? error.message : error) });
    return;
  }
  postMessage({ type: "ready", seconds: (performance.now() - started) / 1000, start });
  while (queue.length) await handle(queue.shift());
}

// Let messages from the page (Stop, a new learning rate) in between two epochs.
function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function grid() {
  return plain(playground.grid(gridSize));
}

async function train(id) {
  if (!playground) return;
  // A Train pressed again right after Stop may come before the last loop has seen the
  // Stop: that loop then ends quietly (run changed), and only this one reports.
  run = id;
  training = true;
  const model = playground; // a pg-new replaces it: this loop then ends quietly
  let lastGrid = performance.now();
  let gridCost = 0;
  try {
    while (training && run === id && playground === model) {
      const start = performance.now();
      const record = plain(playground.step());
      const end = performance.now();
      record.type = "pg-epoch";
      record.seconds = (end - start) / 1000;
      // Redraw the boundary often, but spend at most about a quarter of the time on it.
      if (end - lastGrid >= Math.max(100, 3 * gridCost)) {
        record.grid = grid();
        record.size = gridSize;
        lastGrid = performance.now();
        gridCost = lastGrid - end;
      }
      postMessage(record);
      await yieldToMessages();
    }
    if (run === id && playground === model) {
      training = false;
      postMessage({ type: "pg-stopped", run: id, epoch: model.epoch, grid: grid(), size: gridSize });
    }
  } catch (error) {
    training = false;
    postMessage({ type: "pg-error", message: String(error.message || error) });
  }
}

async function handle(message) {
  switch (message.type) {
    case "run": {
      const result = plain(runtime.run_cell(message.source, message.number));
      postMessage({ type: "result", id: message.id, result });
      break;
    }
    case "pg-new": {
      training = false;
      try {
        if (playground) playground.destroy();
        const make = runtime.Playground;
        playground = make(message.dataset, message.points, message.hidden, message.rate, message.seed);
        make.destroy();
        gridSize = message.size || gridSize;
        postMessage({
          type: "pg-model",
          points: plain(playground.points()),
          grid: grid(),
          size: gridSize,
        });
      } catch (error) {
        playground = null;
        postMessage({ type: "pg-error", message: String(error.message || error) });
      }
      break;
    }
    case "pg-train":
      train(message.run); // runs until pg-stop; messages keep arriving between epochs
      break;
    case "pg-stop":
      training = false;
      break;
    case "pg-rate":
      if (playground) playground.learning_rate = Number(message.rate);
      break;
    default:
      break;
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") init(message);
  else if (!runtime) queue.push(message);
  else handle(message);
};
