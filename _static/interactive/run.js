/* Run the page's code cells in the browser (tools/interactive.py adds this to pages with
 * code cells; the Run bars are in the HTML already, so nothing moves when it loads).
 *
 * Nothing heavy happens until the first click on Run: then a Web Worker (worker.js)
 * loads Pyodide from _static/pyodide/ and this build's minitorch_lite. The page has one
 * Python namespace, __main__. Before a cell runs, every earlier cell of the page that has
 * not run yet runs once, in order (their output is not shown; their errors are). Figure
 * cells need matplotlib, which Pyodide's core lacks: they run, and their failure to draw
 * becomes a note. A deck's page also carries its set-up cells (hidden, run-removed), so
 * the presenter can live-code on any slide. The code of each cell is editable; Ctrl+Enter
 * (or Shift+Enter) runs it.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const version = encodeURIComponent(script.dataset.version || "");
  // What the first Run fetches, as the build measured it ("20 MB"): the files
  // uncompressed, so a host that gzips sends less.
  const size = script.dataset.download ? `up to ${script.dataset.download}` : "a few MB";
  const here = new URL(".", script.src);
  const urls = {
    worker: new URL(`worker.js?v=${version}`, here).href,
    // The decks load the book's copy of Pyodide (data-pyodide, relative to the page).
    pyodide: script.dataset.pyodide
      ? new URL(script.dataset.pyodide, document.baseURI).href
      : new URL("../pyodide/", here).href,
    zip: new URL(`python.zip?v=${version}`, here).href,
  };
  // Pyodide's memory after start-up, versioned by the Pyodide it was made from.
  if (script.dataset.snapshot) urls.snapshot = new URL(script.dataset.snapshot, urls.pyodide).href;
  const FIGURE_NOTE =
    "Figure not drawn here: drawing needs matplotlib, which the Python in your browser " +
    "(Pyodide's core) does not include. The figure on the page was drawn by this code " +
    "when the book was built.";
  const FIGURE_NOTE_BRIEF = "Ran in your browser, where figures are not drawn (no matplotlib).";

  // Every key belongs to the editor that has the focus. The page's own shortcuts do not
  // know to skip a contenteditable element: Sphinx's doctools binds "/" on the document,
  // the theme binds Ctrl+K on the window in the capture phase, and reveal.js moves slides.
  // This script runs before the theme's (document order of deferred scripts), so this
  // window capture listener is the first to see a key: it hands keys typed in an editor
  // to that editor's own handler and lets no other listener see them.
  const editorKeys = new WeakMap(); // editor <pre> -> its keydown handler
  for (const type of ["keydown", "keypress", "keyup"]) {
    window.addEventListener(
      type,
      (event) => {
        const editor = event.target instanceof Element ? event.target.closest("pre") : null;
        if (!editor || !editorKeys.has(editor)) return;
        event.stopImmediatePropagation();
        if (type === "keydown") editorKeys.get(editor)(event);
      },
      true,
    );
  }

  let cells = [];
  let worker = null;
  let ready = null; // Promise of a started worker
  let loaded = false; // the worker has started (ready has resolved)
  let failStart = null; // rejects `ready` (Stop while Python loads)
  let nextId = 1;
  const pending = new Map(); // id -> {resolve, reject}
  const ran = new Set(); // indices of cells run in the current worker
  let chain = Promise.resolve(); // runs happen one after the other
  let running = null; // the cell whose run is in progress

  function startWorker() {
    if (ready) return ready;
    worker = new Worker(urls.worker, { type: "module" });
    ready = new Promise((resolve, reject) => {
      failStart = reject;
      worker.onmessage = (event) => {
        const message = event.data;
        if (message.type === "ready") {
          document.documentElement.dataset.pythonStart = message.start; // "snapshot" or "fresh"
          resolve(message.seconds);
        } else if (message.type === "failed") reject(new Error(message.message));
        else if (message.type === "result" && pending.has(message.id)) {
          pending.get(message.id).resolve(message.result);
          pending.delete(message.id);
        }
      };
      worker.onerror = (event) => {
        const error = new Error(event.message || "the Python worker failed");
        reject(error);
        for (const waiting of pending.values()) waiting.reject(error);
        pending.clear();
      };
    });
    worker.postMessage({ type: "init", ...urls });
    ready.then(
      () => {
        loaded = true;
      },
      () => {},
    );
    return ready;
  }

  function stopWorker() {
    if (worker) worker.terminate();
    worker = null;
    ready = null;
    loaded = false;
    ran.clear();
    const error = new Error("stopped");
    error.stopped = true;
    if (failStart) failStart(error);
    failStart = null;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  }

  function source(cell) {
    if (cell.classList.contains("run-hidden")) {
      return JSON.parse(cell.querySelector("script.run-source").textContent);
    }
    const pre = cell.querySelector(".cell_input pre");
    return pre ? codeText(pre) : "";
  }

  // The text of the (possibly edited) code. Not innerText: that is "" while a hidden
  // cell's code sits in a closed <details>. Editing may add <br> lines, or split the
  // code into block elements (<div>, <p>, or in a deck, where <code> is a block, two
  // <code> lines): each block starts on a line of its own, as it shows.
  function isBlock(node) {
    if (node.nodeName === "DIV" || node.nodeName === "P") return true;
    const display = getComputedStyle(node).display;
    return display === "block" || display === "flex" || display === "list-item";
  }

  function codeText(node) {
    let text = "";
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) text += child.data;
      else if (child.nodeName === "BR") text += "\n";
      else if (child.nodeType === Node.ELEMENT_NODE) {
        const block = isBlock(child);
        if (block && text && !text.endsWith("\n")) text += "\n";
        text += codeText(child);
      }
    }
    return text;
  }

  function execute(index) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ type: "run", id, source: source(cells[index]), number: index + 1 });
    });
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (tag === "pre") node.tabIndex = 0; // an output block may scroll: keys can scroll it
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The browser's output takes the place of the output the page was built with (that
  // one is hidden, not deleted: "Undo edits" brings it back), so a reader never sees two
  // answers to one cell. A figure the browser could not draw keeps the built one.
  function outputArea(cell, index, caption = true, replace = caption) {
    let area = cell.querySelector(":scope > .run-output");
    if (!area) {
      area = element("div", "run-output");
      area.setAttribute("role", "region");
      area.setAttribute("aria-label", `Output of cell ${index + 1}, run in your browser`);
      cell.append(area);
    }
    area.replaceChildren();
    const built = cell.querySelector(":scope > .cell_output");
    cell.classList.toggle("run-replaced", Boolean(replace && built));
    if (caption) {
      const text = replace && built
        ? "Output in your browser (in place of the output the page was built with)"
        : "Output in your browser";
      area.append(element("p", "run-caption", text));
    }
    area.classList.toggle("run-brief", !caption);
    if (window.Reveal && window.Reveal.layout) window.Reveal.layout();
    return area;
  }

  function lastLine(text) {
    const lines = (text || "").trim().split("\n");
    return lines[lines.length - 1];
  }

  function show(cell, index, result, notes = []) {
    const figure = isFigure(cell, result);
    const area = outputArea(cell, index, true, !figure);
    const before = area.childElementCount;
    for (const note of notes) area.append(element("p", "run-note", note));
    if (result.output) area.append(element("pre", "run-stream", result.output.replace(/\n$/, "")));
    if (result.display !== null && result.display !== undefined) {
      area.append(element("pre", "run-display", result.display));
    }
    if (result.error && figure) {
      const note = element("p", "run-note run-skipped", FIGURE_NOTE);
      if (result.error_type !== "FigureUnavailable") {
        note.append(" ", element("code", "", lastLine(result.error)));
      }
      area.append(note);
    } else if (result.error) {
      area.append(element("pre", "run-error", result.error.replace(/\n$/, "")));
    }
    if (area.childElementCount === before + notes.length) {
      area.append(element("p", "run-note run-empty", "(ran; no output)"));
    }
  }

  // A cell that failed because it draws: a figure cell (found by the build), or any
  // cell that called the stand-in for minitorch_lite.plots.
  function isFigure(cell, result) {
    if (!result.error) return false;
    return cell.classList.contains("run-figure") || result.error_type === "FigureUnavailable";
  }

  function status(cell, text) {
    const node = cell.querySelector(".run-status");
    if (node) node.textContent = text;
  }

  function setRunning(cell, on) {
    const bar = cell.querySelector(".run-bar");
    if (!bar) return;
    bar.querySelector(".run-button").disabled = on;
    bar.querySelector(".run-stop").hidden = !on;
    cell.classList.toggle("run-busy", on);
  }

  async function runNow(index) {
    const cell = cells[index];
    running = cell;
    setRunning(cell, true);
    const started = performance.now();
    const fresh = !loaded;
    try {
      if (fresh) status(cell, `Loading Python (${size} the first time; your browser caches it)…`);
      await startWorker();
      // Python may have started loading before the click (warmUp): count only the wait.
      const waited = (performance.now() - started) / 1000;
      const notes = [];
      let earlier = 0;
      let figures = 0;
      for (let j = 0; j < index; j++) {
        if (ran.has(j)) continue;
        status(cell, `Running earlier cell ${j + 1} of ${index}…`);
        const result = await execute(j);
        ran.add(j);
        earlier += 1;
        const other = cells[j];
        if (isFigure(other, result)) {
          figures += 1;
          if (other.querySelector(".run-bar") && !result.output) {
            // One quiet line: the reader did not ask to run this cell.
            outputArea(other, j, false).append(
              element("p", "run-note run-skipped", FIGURE_NOTE_BRIEF),
            );
          } else if (other.querySelector(".run-bar")) {
            show(other, j, result);
          }
        } else if (result.error && other.classList.contains("run-removed")) {
          // A deck's set-up cell, not on the slides: its error goes with this cell.
          notes.push(`A set-up cell of this deck (cell ${j + 1}, not shown) raised ${lastLine(result.error)}.`);
        } else if (result.error && !other.classList.contains("tag_raises-exception")) {
          show(other, j, result);
          notes.push(`Earlier cell ${j + 1} raised ${lastLine(result.error)} (see its output).`);
        }
      }
      if (earlier) {
        const skipped = figures ? `; ${figures} figure cell${figures > 1 ? "s" : ""} could not draw` : "";
        notes.unshift(`First ran the ${earlier} earlier cell${earlier > 1 ? "s" : ""} of this page${skipped}.`);
      }
      status(cell, "Running…");
      const result = await execute(index);
      ran.add(index);
      show(cell, index, result, notes);
      const seconds = (performance.now() - started) / 1000;
      const load = fresh && waited >= 0.05 ? ` (${waited.toFixed(1)} s of it starting Python)` : "";
      status(cell, `Done in ${seconds.toFixed(1)} s${load}.`);
    } catch (error) {
      if (error.stopped) {
        status(cell, "Stopped. Python restarts on the next Run (earlier cells run again).");
      } else {
        const area = outputArea(cell, index);
        area.append(element("pre", "run-error", `Could not run Python in this browser: ${error.message}`));
        status(cell, "Failed.");
        stopWorker();
      }
    } finally {
      setRunning(cell, false);
      running = null;
    }
  }

  function run(index) {
    chain = chain.then(() => runNow(index));
    return chain;
  }

  // Tab inserts four spaces at the caret (Shift+Tab removes up to four before it), through
  // execCommand so that the browser's undo still works. Escape leaves the editor, so the
  // keyboard can still move on to the next control.
  function indent(pre, outdent) {
    const selection = window.getSelection();
    if (!outdent) {
      document.execCommand("insertText", false, "    ");
      return;
    }
    if (!selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    const node = range.startContainer;
    if (node.nodeType !== Node.TEXT_NODE) return;
    const before = node.data.slice(0, range.startOffset);
    const spaces = before.length - before.replace(/ {1,4}$/, "").length;
    for (let i = 0; i < spaces; i++) document.execCommand("delete", false);
  }

  function makeEditable(cell, index) {
    const pre = cell.querySelector(".cell_input pre");
    const bar = cell.querySelector(".run-bar");
    if (!pre || !bar) return;
    const original = pre.innerHTML;
    pre.contentEditable = "plaintext-only";
    if (pre.contentEditable !== "plaintext-only") pre.contentEditable = "true";
    pre.spellcheck = false;
    pre.setAttribute("role", "textbox");
    pre.setAttribute("aria-multiline", "true");
    pre.setAttribute("aria-label", `Code of cell ${index + 1}, editable; Ctrl+Enter runs it`);
    pre.setAttribute("autocapitalize", "off");
    pre.setAttribute("autocorrect", "off");
    const reset = bar.querySelector(".run-reset");
    pre.addEventListener("focus", warmUp);
    pre.addEventListener("input", () => {
      reset.hidden = false;
      cell.classList.add("run-edited");
    });
    editorKeys.set(pre, (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey || event.shiftKey)) {
        event.preventDefault();
        run(index);
      } else if (event.key === "Tab" && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        indent(pre, event.shiftKey);
      } else if (event.key === "Escape") {
        pre.blur();
      }
    });
    reset.addEventListener("click", () => {
      pre.innerHTML = original;
      reset.hidden = true;
      cell.classList.remove("run-edited", "run-replaced");
      const area = cell.querySelector(":scope > .run-output");
      if (area) area.remove();
      bar.querySelector(".run-button").focus();
    });
  }

  // Python takes a moment to start (about a second from the build's snapshot, a few
  // without it), so it starts as soon as a reader is about to
  // run something: the pointer reaches a Run button, or a Run button or an editor gets the
  // focus. A deck opened with ?live starts it at once, before the lecture.
  function warmUp() {
    startWorker().catch(() => {}); // a failure is reported by the Run that waits for it
  }

  function setUp() {
    cells = [...document.querySelectorAll(".cell.run-cell")];
    cells.forEach((cell, index) => {
      const bar = cell.querySelector(".run-bar");
      if (!bar) return;
      const button = bar.querySelector(".run-button");
      button.addEventListener("click", () => run(index));
      button.addEventListener("pointerenter", warmUp);
      button.addEventListener("focus", warmUp);
      bar.querySelector(".run-stop").addEventListener("click", () => {
        if (running === cell) stopWorker();
      });
      makeEditable(cell, index);
    });
    if (new URLSearchParams(window.location.search).has("live")) warmUp();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
