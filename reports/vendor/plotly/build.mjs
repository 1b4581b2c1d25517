// Builds ../../static/plotly.min.js: plotly.js with only the trace types the report draws.
//
//   cd reports/vendor/plotly && npm ci && node build.mjs
//
// The full plotly.js bundle is 4.6 MB and takes about a second to parse and run in the
// browser before any chart is drawn; the report draws four trace types. The version is
// the plotly.js of the pinned Python plotly (package.json pins it exactly; a test checks
// it against plotly.offline.get_plotlyjs_version()). The header lists the registered
// trace types: the strict build reads it and rejects a page needing any other.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const OUT = join(here, "..", "..", "static", "plotly.min.js");

// plotly.js/lib/core registers scatter (lines, markers, error bars) itself.
const TRACES = ["bar", "heatmap", "treemap"];
const REGISTERED = [...new Set(["scatter", ...TRACES])].sort();

const version = require("plotly.js/package.json").version;
const entry = [
  'var Plotly = require("plotly.js/lib/core");',
  `Plotly.register([${TRACES.map((t) => `require("plotly.js/lib/${t}")`).join(", ")}]);`,
  "module.exports = Plotly;",
].join("\n");

// registry.js requires maplibre's stylesheet when a map trace registers; none does here.
const noMapCss = {
  name: "no-map-css",
  setup(build) {
    build.onResolve({ filter: /^maplibre-gl\/dist\/maplibre-gl\.css$/ }, (args) => ({
      path: args.path, namespace: "no-map-css",
    }));
    build.onLoad({ filter: /.*/, namespace: "no-map-css" }, () => ({ contents: "", loader: "js" }));
  },
};

// plotly.js's own licence lines, from the header of its dist bundle.
const upstream = readFileSync(require.resolve("plotly.js/dist/plotly.min.js"), "utf8")
  .slice(0, 400).split("\n").filter((line) => /^\* (Copyright|All rights|Licensed)/.test(line));
if (upstream.length !== 3) throw new Error("plotly.js's licence header has changed: check it");
const header = [
  "/**",
  `* plotly.js (roas partial bundle - minified) v${version}`,
  `* traces: ${REGISTERED.join(", ")}`,
  ...upstream,
  "* Built by reports/vendor/plotly/build.mjs (npm ci && node build.mjs)",
  "*/",
].join("\n");

// The options of plotly.js's own esbuild-config.js, minus the plugins only gl/map traces need.
const result = await esbuild.build({
  stdin: { contents: entry, resolveDir: here, sourcefile: "roas-plotly.js", loader: "js" },
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  plugins: [noMapCss],
  alias: { stream: "stream-browserify" },
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  target: "es2016",
  banner: { js: header },
  footer: { js: "window.Plotly = Plotly;" },
  write: false,
  logLevel: "warning",
});
const code = result.outputFiles[0].text;
writeFileSync(OUT, code);
console.log(`${OUT}: ${(code.length / 1024).toFixed(0)} KiB, plotly.js v${version}, traces ${REGISTERED.join(", ")}`);
