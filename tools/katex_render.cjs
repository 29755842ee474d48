"use strict";
// Render TeX to HTML with KaTeX at build time, for tools/katex_prerender.py.
//
// Usage: node katex_render.cjs /path/to/node_modules/katex
// Protocol: one JSON request per line on stdin,
//   {"options": {...KaTeX options...}, "items": [{"tex": "...", "display": true}, ...]}
// answered by one JSON line on stdout: [{"html": "..."} | {"error": "..."}, ...].
// One process serves a whole Sphinx build, so Node and KaTeX start once.
const readline = require("node:readline");

const katex = require(process.argv[2]);

function renderOne(item, options) {
  try {
    const html = katex.renderToString(item.tex, {
      ...options,
      // \gdef in one formula must not leak into the next one.
      macros: { ...(options.macros || {}) },
      displayMode: Boolean(item.display),
      throwOnError: true,
    });
    return { html };
  } catch (err) {
    return { error: String((err && err.message) || err) };
  }
}

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  if (!line.trim()) {
    return;
  }
  let reply;
  try {
    const request = JSON.parse(line);
    reply = request.items.map((item) => renderOne(item, request.options || {}));
  } catch (err) {
    reply = { fatal: String((err && err.message) || err) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
