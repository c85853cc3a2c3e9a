// Live queue: polls /console/queue.json and redraws the table. Every caller-supplied value is
// set with textContent, never as HTML, so words a caller said cannot become markup.
"use strict";

(function () {
  const table = document.getElementById("queue");
  if (!table) return;
  const body = table.tBodies[0];
  const counter = document.getElementById("waiting-count");
  const pollMs = Number(table.dataset.pollMs) || 1000;
  let known = new Set(Array.from(body.rows).map((row) => row.dataset.sid).filter(Boolean));

  function words(value) {
    return value === null || value === undefined || value === "" ? "—" : String(value).replace(/_/g, " ");
  }

  function duration(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }

  function cell(row, text) {
    const td = row.insertCell();
    td.textContent = text;
    return td;
  }

  function render(entries) {
    const rows = entries.map((e) => {
      const row = document.createElement("tr");
      row.dataset.sid = e.call_sid;
      row.className = "state-" + e.state + (known.has(e.call_sid) ? "" : " fresh");
      cell(row, duration(e.waiting_s));
      cell(row, words(e.state));
      cell(row, e.number);
      cell(row, e.customer || "unknown");
      cell(row, words(e.intent));
      cell(row, e.order_number || "—");
      cell(row, words(e.reason));
      const flag = cell(row, "");
      if (e.frustrated) {
        const span = document.createElement("span");
        span.className = "flag";
        span.textContent = "frustrated";
        flag.appendChild(span);
      }
      const link = document.createElement("a");
      link.href = "/console/calls/" + encodeURIComponent(e.call_sid);
      link.textContent = "Open";
      row.insertCell().appendChild(link);
      return row;
    });
    if (!rows.length) {
      const row = document.createElement("tr");
      row.className = "empty";
      const td = cell(row, "Nobody has been transferred in the last 12 hours.");
      td.colSpan = 9;
      rows.push(row);
    }
    body.replaceChildren(...rows);
    known = new Set(entries.map((e) => e.call_sid));
  }

  async function poll() {
    try {
      const response = await fetch("/console/queue.json", { headers: { Accept: "application/json" } });
      if (response.status === 401) {
        window.location.assign("/console/login?next=/console/");
        return;
      }
      if (response.ok) {
        const data = await response.json();
        render(data.entries);
        counter.textContent = data.waiting + " waiting";
      }
    } catch (error) {
      // The server is restarting or the network blinked: keep the last list and try again.
    }
    window.setTimeout(poll, pollMs);
  }

  window.setTimeout(poll, pollMs);
})();
