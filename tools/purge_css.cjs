"use strict";
// Drop the CSS rules no page and no script of the site can use, for tools/page_weight.py.
//
// Usage: node purge_css.cjs /path/to/node_modules/purgecss < request.json > answer.json
// Request: {"css": {"name": "css text", ...}, "content": ["file", ...], "safelist": {...}}
// Answer:  {"name": "purged css text", ...}
// PurgeCSS (https://purgecss.com) keeps a selector when every class, id and tag in it
// appears as a word in one of the content files (the site's HTML and its scripts).
const { PurgeCSS } = require(process.argv[2]);

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const request = JSON.parse(input);
  const answer = {};
  for (const [name, css] of Object.entries(request.css)) {
    const [result] = await new PurgeCSS().purge({
      content: request.content,
      css: [{ raw: css }],
      safelist: {
        standard: (request.safelist.standard || []).map((s) => new RegExp(s)),
        greedy: (request.safelist.greedy || []).map((s) => new RegExp(s)),
      },
      dynamicAttributes: request.dynamicAttributes || [],
      fontFace: false,
      keyframes: false,
      variables: false,
    });
    answer[name] = result.css;
  }
  process.stdout.write(JSON.stringify(answer));
});
