// The run page: charts of the training metrics (uPlot) and the progress bar,
// log and status, all kept up to date from the run's event stream (SSE).
// Without it the page still shows the progress and log of its loading time.
(function () {
  "use strict";

  var root = document.getElementById("run");
  if (!root) return;

  var byStep = {}; // train step -> {metric name: value}
  var charts = Array.prototype.map.call(root.querySelectorAll(".chart"), function (el) {
    return { el: el, names: el.dataset.series.split(" "), plot: null };
  });
  var pending = false;

  function seriesOf(chart, steps) {
    var data = [steps];
    chart.names.forEach(function (name) {
      data.push(steps.map(function (s) {
        var v = byStep[s][name];
        return v === undefined ? null : v;
      }));
    });
    return data;
  }

  function options(chart) {
    return {
      title: chart.el.dataset.title,
      width: Math.max(240, chart.el.clientWidth - 16),
      height: 220,
      scales: { x: { time: false } },
      series: [
        { label: "step" },
        { label: "train", stroke: "#2456c7", width: 2, spanGaps: true },
        { label: "held-out", stroke: "#c2410c", width: 2, spanGaps: true,
          points: { show: true, size: 7 } },
      ],
    };
  }

  function draw() {
    pending = false;
    var steps = Object.keys(byStep).map(Number).sort(function (a, b) { return a - b; });
    charts.forEach(function (chart) {
      var data = seriesOf(chart, steps);
      var count = steps.filter(function (s, i) {
        return data.slice(1).some(function (ys) { return ys[i] !== null; });
      }).length;
      chart.el.dataset.points = String(count);
      if (!window.uPlot || count === 0) return;
      if (chart.plot) chart.plot.setData(data);
      else chart.plot = new window.uPlot(options(chart), data, chart.el);
    });
  }

  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(draw);
  }

  // A resumed run reports the steps after its checkpoint again: the newer
  // values replace the older ones.
  function onMetric(m) {
    if (m.stage !== "train") return;
    var row = byStep[m.step] || (byStep[m.step] = {});
    Object.keys(m.metrics).forEach(function (k) { row[k] = m.metrics[k]; });
    schedule();
  }

  function onProgress(p) {
    var bar = document.getElementById("run-progress");
    if (bar) bar.value = p.percent;
    var text = document.getElementById("run-progress-text");
    if (text) text.textContent = p.text;
    root.querySelectorAll("[data-testid=run-status]").forEach(function (el) {
      el.textContent = p.status;
      el.className = "status status-" + p.status;
    });
    root.dataset.status = p.status;
    var cancel = document.getElementById("cancel-form");
    if (cancel && !p.cancellable) cancel.remove();
    var ckpt = document.getElementById("checkpoint-link");
    if (ckpt && p.checkpoint) ckpt.classList.remove("hidden");
    if (p.error) showError(p.error);
  }

  function showError(msg) {
    var el = root.querySelector("[data-testid=run-error]");
    if (!el) {
      el = document.createElement("p");
      el.className = "error";
      el.dataset.testid = "run-error";
      var text = document.getElementById("run-progress-text");
      text.parentNode.insertBefore(el, text.nextSibling);
    }
    el.textContent = msg;
  }

  function onLog(line) {
    var list = document.getElementById("run-log");
    if (!list) return;
    var li = document.createElement("li");
    li.className = "log-" + line.level;
    var time = document.createElement("time");
    time.textContent = line.time;
    li.appendChild(time);
    li.appendChild(document.createTextNode(" " + line.message));
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  function listen(name, fn) {
    source.addEventListener(name, function (e) { fn(JSON.parse(e.data)); });
  }

  var source = new EventSource(root.dataset.events);
  listen("metric", onMetric);
  listen("progress", onProgress);
  listen("log", onLog);
  listen("end", function () { source.close(); });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      if (chart.plot) {
        chart.plot.setSize({ width: Math.max(240, chart.el.clientWidth - 16), height: 220 });
      }
    });
  });
})();
