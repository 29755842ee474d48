/* The training playground ({playground} directive, tools/interactive.py).
 *
 * minitorch_lite itself trains in a Web Worker (worker.js, Pyodide), one epoch per
 * step (book_runtime.Playground → minitorch_lite.train); this page only draws: the
 * points and the network's probability of label 1 on a grid (with the 0.5 contour, the
 * decision boundary), and the loss and accuracy curves. Python loads on the first Train.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const version = encodeURIComponent(script.dataset.version || "");
  // What the first Train fetches, as the build measured it ("20 MB"): the files
  // uncompressed, so a host that gzips sends less.
  const size = script.dataset.download ? `up to ${script.dataset.download}` : "a few MB";
  const here = new URL(".", script.src);
  const urls = {
    worker: new URL(`worker.js?v=${version}`, here).href,
    pyodide: new URL("../pyodide/", here).href,
    zip: new URL(`python.zip?v=${version}`, here).href,
  };
  // Pyodide's memory after start-up, versioned by the Pyodide it was made from.
  if (script.dataset.snapshot) urls.snapshot = new URL(script.dataset.snapshot, urls.pyodide).href;
  // minitorch_lite.plots' palette: label 1 vermillion, label 0 blue; its score colour map.
  const LABEL = ["#0072B2", "#D55E00"];
  const SCORE = ["#0B4F8A", "#5AA6DC", "#FFFFFF", "#F0A070", "#B34700"];
  const LOSS_COLOUR = "#0072B2";
  const ACCURACY_COLOUR = "#D55E00";
  const GRID = 24;
  const PAD = 12;

  function setUp(root) {
    const form = root.querySelector(".pg-controls");
    const buttons = {
      train: root.querySelector(".pg-train"),
      stop: root.querySelector(".pg-stop"),
      reset: root.querySelector(".pg-reset"),
    };
    const statusLine = root.querySelector(".pg-status");
    const stats = {
      epoch: root.querySelector(".pg-epoch"),
      loss: root.querySelector(".pg-loss"),
      accuracy: root.querySelector(".pg-accuracy"),
      test: root.querySelector(".pg-test"),
      speed: root.querySelector(".pg-speed"),
    };
    const map = root.querySelector(".pg-map");
    const curve = root.querySelector(".pg-curve");

    let worker = null;
    let ready = null;
    let points = null;
    let grid = null;
    let gridSize = GRID;
    let history = [];
    let training = false;
    let stale = true; // the worker's model does not match the settings
    let seed = 0;
    let drawQueued = false;
    let trainStart = 0;
    let trainEpochs = 0;
    let run = 0; // which Train press the worker is training for (its messages carry it)
    let mapNote = "Press Train to load Python and start"; // shown while there is no map
    const modelWaiters = []; // resolved when the worker has sent the new model

    function settings() {
      const clamp = (value, low, high, fallback) => {
        const n = Math.round(Number(value));
        return Number.isFinite(n) ? Math.min(high, Math.max(low, n)) : fallback;
      };
      return {
        dataset: form.elements.dataset.value,
        points: clamp(form.elements.points.value, 10, 200, 50),
        hidden: clamp(form.elements.hidden.value, 1, 16, 8),
        rate: Number(form.elements.rate.value),
      };
    }

    function say(text) {
      statusLine.textContent = text;
    }

    function startWorker() {
      if (ready) return ready;
      say(`Loading Python and minitorch_lite in your browser (${size} the first time)…`);
      worker = new Worker(urls.worker, { type: "module" });
      ready = new Promise((resolve, reject) => {
        worker.onmessage = (event) => {
          const m = event.data;
          if (m.type === "ready") {
            document.documentElement.dataset.pythonStart = m.start; // "snapshot" or "fresh"
            resolve(m.seconds);
          } else if (m.type === "failed") reject(new Error(m.message));
          else if (m.type === "pg-model") {
            points = m.points;
            grid = m.grid;
            gridSize = m.size;
            history = [];
            showStats(null);
            queueDraw();
            while (modelWaiters.length) modelWaiters.shift()();
          } else if (m.type === "pg-epoch") {
            onEpoch(m);
          } else if (m.type === "pg-stopped") {
            if (m.run !== run) return; // an earlier training's, after Train was pressed again
            if (m.grid) {
              grid = m.grid;
              gridSize = m.size;
            }
            queueDraw();
            stopped();
          } else if (m.type === "pg-error") {
            training = false;
            setButtons();
            say(`Python error: ${m.message}`);
          }
        };
        worker.onerror = (event) => reject(new Error(event.message || "worker failed"));
      });
      worker.postMessage({ type: "init", ...urls });
      return ready;
    }

    function newModel() {
      const s = settings();
      stale = false;
      const promise = new Promise((resolve) => modelWaiters.push(resolve));
      worker.postMessage({ type: "pg-new", ...s, seed, size: GRID });
      return promise;
    }

    function setButtons() {
      buttons.train.disabled = training;
      buttons.stop.disabled = !training;
    }

    async function train() {
      if (training) return;
      training = true;
      setButtons();
      try {
        const fresh = !ready;
        const seconds = await startWorker();
        if (stale) await newModel();
        if (!training) {
          say("Python is ready. Press Train to start training.");
          return; // stopped while loading
        }
        trainStart = performance.now();
        trainEpochs = 0;
        run += 1;
        worker.postMessage({ type: "pg-rate", rate: settings().rate });
        worker.postMessage({ type: "pg-train", run });
        const s = settings();
        const loaded = fresh ? ` (Python loaded in ${seconds.toFixed(1)} s)` : "";
        say(`Training MLP(${s.hidden}) on ${s.points} ${s.dataset} points, learning rate ${s.rate}${loaded}…`);
      } catch (error) {
        training = false;
        ready = null;
        setButtons();
        say(`Could not start Python in this browser: ${error.message}`);
      }
    }

    function stop() {
      if (!training) return;
      if (worker) worker.postMessage({ type: "pg-stop" });
      training = false;
      setButtons();
    }

    function stopped() {
      training = false;
      setButtons();
      const last = history[history.length - 1];
      if (last) {
        say(
          `Stopped after epoch ${last.epoch}: loss ${last.loss.toFixed(3)}, ` +
            `training accuracy ${percent(last.accuracy)}, test accuracy ${percent(last.testAccuracy)}.`,
        );
        map.setAttribute(
          "aria-label",
          `The points and the decision boundary after ${last.epoch} epochs; ` +
            `training accuracy ${percent(last.accuracy)}, test accuracy ${percent(last.testAccuracy)}`,
        );
      }
    }

    async function reset() {
      const wasTraining = training;
      stop();
      stale = true;
      history = [];
      showStats(null);
      if (!worker || !ready) {
        queueDraw();
        return;
      }
      // The old points and boundary go at once; the new network takes a moment.
      const s = settings();
      points = null;
      grid = null;
      mapNote = "Making a new network…";
      say(`Making a new network: MLP(${s.hidden}) on ${s.points} ${s.dataset} points…`);
      queueDraw();
      await ready;
      await newModel();
      if (wasTraining) train();
      else say("A new network, not trained yet: press Train.");
    }

    function percent(x) {
      return `${(100 * x).toFixed(0)}%`;
    }

    function onEpoch(m) {
      history.push({
        epoch: m.epoch,
        loss: m.loss,
        accuracy: m.accuracy,
        testAccuracy: m.test_accuracy,
      });
      if (m.grid) {
        grid = m.grid;
        gridSize = m.size;
      }
      trainEpochs += 1;
      showStats(m);
      queueDraw();
    }

    function showStats(m) {
      stats.epoch.textContent = m ? String(m.epoch) : "0";
      stats.loss.textContent = m ? m.loss.toFixed(4) : "–";
      stats.accuracy.textContent = m ? percent(m.accuracy) : "–";
      stats.test.textContent = m ? percent(m.test_accuracy) : "–";
      const seconds = (performance.now() - trainStart) / 1000;
      stats.speed.textContent =
        m && seconds > 0 ? `${(trainEpochs / seconds).toFixed(1)} epochs/s` : "–";
    }

    // ---- drawing --------------------------------------------------------------------
    function queueDraw() {
      if (drawQueued) return;
      drawQueued = true;
      requestAnimationFrame(() => {
        drawQueued = false;
        drawMap();
        drawCurve();
      });
    }

    function fit(canvas) {
      const ratio = window.devicePixelRatio || 1;
      const width = Number(canvas.getAttribute("width"));
      const height = Number(canvas.getAttribute("height"));
      if (!canvas.dataset.css) {
        canvas.dataset.css = `${width}x${height}`;
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
      }
      const [w, h] = canvas.dataset.css.split("x").map(Number);
      const ctx = canvas.getContext("2d");
      ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
      return [ctx, w, h];
    }

    function hex(colour) {
      return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
    }
    const STOPS = SCORE.map(hex);

    function colourOf(p) {
      const t = Math.min(1, Math.max(0, p)) * (STOPS.length - 1);
      const i = Math.min(STOPS.length - 2, Math.floor(t));
      const f = t - i;
      // Lightened towards white so the points stand out on top.
      return STOPS[i].map((c, k) => {
        const v = c + f * (STOPS[i + 1][k] - c);
        return Math.round(255 - 0.6 * (255 - v));
      });
    }

    function drawMap() {
      const [ctx, w, h] = fit(map);
      const size = w - 2 * PAD;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, w, h);
      if (grid) {
        const n = gridSize;
        const image = new ImageData(n, n);
        for (let i = 0; i < n * n; i++) {
          const [r, g, b] = colourOf(grid[i]);
          image.data.set([r, g, b, 255], 4 * i);
        }
        const small = document.createElement("canvas");
        small.width = n;
        small.height = n;
        small.getContext("2d").putImageData(image, 0, 0);
        // Grid values sit on cell corners 0..1: stretch by half a cell on each side.
        const half = size / (2 * (n - 1));
        ctx.save();
        ctx.beginPath();
        ctx.rect(PAD, PAD, size, size);
        ctx.clip();
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(small, PAD - half, PAD - half, size + 2 * half, size + 2 * half);
        drawContour(ctx, n, size);
        ctx.restore();
      } else {
        ctx.fillStyle = "#f3f3f3";
        ctx.fillRect(PAD, PAD, size, size);
        ctx.fillStyle = "#444444";
        ctx.font = "15px sans-serif";
        ctx.textAlign = "center";
        ctx.fillText(mapNote, w / 2, h / 2);
      }
      ctx.strokeStyle = "#888888";
      ctx.lineWidth = 1;
      ctx.strokeRect(PAD, PAD, size, size);
      if (points) {
        for (let i = 0; i < points.x.length; i++) {
          const [x1, x2] = points.x[i];
          ctx.beginPath();
          ctx.arc(PAD + x1 * size, PAD + (1 - x2) * size, 5, 0, 2 * Math.PI);
          ctx.fillStyle = LABEL[points.y[i]];
          ctx.fill();
          ctx.lineWidth = 1.5;
          ctx.strokeStyle = "#ffffff";
          ctx.stroke();
        }
      }
    }

    // Marching squares on the probability grid: the 0.5 level, linearly interpolated.
    function drawContour(ctx, n, size) {
      const step = size / (n - 1);
      const at = (row, col) => grid[row * n + col] - 0.5;
      const point = (r0, c0, r1, c1) => {
        const a = at(r0, c0);
        const b = at(r1, c1);
        const t = a / (a - b);
        return [PAD + (c0 + t * (c1 - c0)) * step, PAD + (r0 + t * (r1 - r0)) * step];
      };
      ctx.beginPath();
      for (let r = 0; r < n - 1; r++) {
        for (let c = 0; c < n - 1; c++) {
          const crossings = [];
          const edges = [
            [r, c, r, c + 1],
            [r, c + 1, r + 1, c + 1],
            [r + 1, c + 1, r + 1, c],
            [r + 1, c, r, c],
          ];
          for (const [r0, c0, r1, c1] of edges) {
            if (at(r0, c0) >= 0 !== at(r1, c1) >= 0) crossings.push(point(r0, c0, r1, c1));
          }
          for (let k = 0; k + 1 < crossings.length; k += 2) {
            ctx.moveTo(...crossings[k]);
            ctx.lineTo(...crossings[k + 1]);
          }
        }
      }
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = "#222222";
      ctx.stroke();
    }

    function drawCurve() {
      const [ctx, w, h] = fit(curve);
      const left = 44;
      const right = 44;
      const top = 26;
      const bottom = 30;
      const pw = w - left - right;
      const ph = h - top - bottom;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, w, h);
      const epochs = Math.max(20, history.length ? history[history.length - 1].epoch : 0);
      // Loss axis up to a multiple of 0.2 (at least 0.8: a new network starts near ln 2).
      const maxLoss = Math.ceil(Math.max(0.8, ...history.map((e) => e.loss)) * 5) / 5;
      ctx.font = "12px sans-serif";
      ctx.fillStyle = "#333333";
      ctx.strokeStyle = "#dddddd";
      ctx.lineWidth = 1;
      for (let k = 0; k <= 4; k++) {
        const y = top + ph - (k / 4) * ph;
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + pw, y);
        ctx.stroke();
        ctx.textAlign = "right";
        ctx.fillText(((k / 4) * maxLoss).toFixed(2), left - 6, y + 4);
        ctx.textAlign = "left";
        ctx.fillText(`${k * 25}%`, left + pw + 6, y + 4);
      }
      ctx.textAlign = "center";
      ctx.fillText("0", left, h - 12);
      ctx.fillText(String(epochs), left + pw, h - 12);
      ctx.fillText("epoch", left + pw / 2, h - 8);
      ctx.strokeStyle = "#888888";
      ctx.strokeRect(left, top, pw, ph);
      const line = (value, scale, colour) => {
        if (!history.length) return;
        ctx.beginPath();
        history.forEach((e, i) => {
          const x = left + (e.epoch / epochs) * pw;
          const y = top + ph - (value(e) / scale) * ph;
          if (i === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        });
        ctx.lineWidth = 2;
        ctx.strokeStyle = colour;
        ctx.stroke();
      };
      line((e) => e.loss, maxLoss, LOSS_COLOUR);
      line((e) => e.accuracy, 1, ACCURACY_COLOUR);
      // Legend above the plot: a line sample and a name for each curve.
      ctx.textAlign = "left";
      ctx.lineWidth = 2;
      [["loss", LOSS_COLOUR, left], ["accuracy", ACCURACY_COLOUR, left + 80]].forEach(
        ([name, colour, x]) => {
          ctx.strokeStyle = colour;
          ctx.beginPath();
          ctx.moveTo(x, 12);
          ctx.lineTo(x + 18, 12);
          ctx.stroke();
          ctx.fillStyle = "#333333";
          ctx.fillText(name, x + 23, 16);
        },
      );
    }

    buttons.train.addEventListener("click", train);
    buttons.stop.addEventListener("click", stop);
    buttons.reset.addEventListener("click", () => {
      seed += 1;
      reset();
    });
    for (const name of ["dataset", "points", "hidden"]) {
      form.elements[name].addEventListener("change", reset);
    }
    form.elements.rate.addEventListener("change", () => {
      if (worker && ready) worker.postMessage({ type: "pg-rate", rate: settings().rate });
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    setButtons();
    queueDraw();
  }

  function start() {
    for (const root of document.querySelectorAll(".playground")) setUp(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
