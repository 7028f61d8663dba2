/* Shortlist's own script: error flashes for htmx requests, and the upload page (drag and drop, live per-file progress). */
(function () {
  "use strict";

  function flash(text, isError) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "toast" + (isError ? " toast-error" : "");
    p.textContent = text;
    box.appendChild(p);
  }

  function messageOf(xhr) {
    try {
      if ((xhr.getResponseHeader("Content-Type") || "").indexOf("json") >= 0) return JSON.parse(xhr.responseText).error;
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var node = doc.querySelector("[data-status]");
      return node ? node.textContent.trim() : "";
    } catch (e) { return ""; }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    flash(messageOf(xhr) || ("The request failed (HTTP " + xhr.status + ")."), true);
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Shortlist did not answer. Is the server running? Try again in a moment.", true);
  });

  /* ---- upload page ---- */
  var uploader = document.getElementById("uploader");
  if (!uploader) return;
  var list = document.getElementById("upload-list");
  var empty = document.getElementById("upload-empty");
  var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"];
  var maxBytes = Number(uploader.getAttribute("data-max-bytes"));
  var rank = { uploading: 0, queued: 1, parsing: 2, parsed: 3, scored: 4, duplicate: 4, failed: 4, refused: 4 };
  var labels = { uploading: "uploading", queued: "queued", parsing: "parsing", parsed: "parsed",
                 scored: "scored", duplicate: "already known", failed: "failed", refused: "refused" };
  var items = {};  /* sha256 -> list item */
  var seen = {};   /* sha256 -> newest status, for events that arrive before the upload answer */

  function row(name, kind) {
    if (empty) { empty.remove(); empty = null; }
    var li = document.createElement("li");
    li.className = "upload-item";
    li.setAttribute("data-status", "uploading");
    var parts = [["file-name", name], ["kind", kind === "job" ? "job description" : "resume"], ["state", labels.uploading], ["detail", ""]];
    parts.forEach(function (part) {
      var span = document.createElement("span");
      span.className = part[0];
      span.textContent = part[1];
      li.appendChild(span);
    });
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    li.appendChild(bar);
    list.appendChild(li);
    return li;
  }

  /* The wording of pipeline/parse/errors.py size_and_limit: a size over its limit never reads as the limit. */
  function sizeAndLimit(size, limit) {
    var MB = 1048576, unit = Math.max(size, limit) >= MB ? MB : 1024, name = unit === MB ? " MB" : " KB";
    function amount(n, digits) { return (n / unit).toFixed(digits).replace(/\.?0+$/, "") + name; }
    if (Math.max(size, limit) >= 1024) {
      for (var digits = 1; digits <= 3; digits++) {
        var said = amount(size, digits), allowed = amount(limit, digits);
        if (said !== allowed) return [said, allowed];
      }
    }
    return [size.toLocaleString("en-US") + " bytes", limit.toLocaleString("en-US") + " bytes"];
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    return a;
  }

  function setStatus(li, st) {
    var current = li.getAttribute("data-status");
    if (rank[st.status] === undefined || rank[st.status] < rank[current]) return;
    li.setAttribute("data-status", st.status);
    li.querySelector(".state").textContent = labels[st.status];
    var detail = li.querySelector(".detail");
    detail.textContent = st.detail || li.getAttribute("data-note") || "";
    var bar = li.querySelector("progress");
    if (bar && st.status !== "uploading") bar.remove();
    if (st.status === "scored" || st.status === "duplicate") {
      if (st.candidate_id) { detail.textContent = ""; detail.appendChild(link("/candidates/" + st.candidate_id, "Open the candidate")); }
      else if (st.job_id) { detail.textContent = ""; detail.appendChild(link("/jobs/" + st.job_id, "Open the ranking")); }
    }
    if (st.status === "failed" && !st.detail) detail.textContent = "See failed files for the reason.";
  }

  function fail(li, message) {
    li.setAttribute("data-status", "failed");
    li.querySelector(".state").textContent = labels.failed;
    li.querySelector(".detail").textContent = message;
    var bar = li.querySelector("progress");
    if (bar) bar.remove();
  }

  function refresh(hashes) {
    if (!hashes.length) return;
    var query = hashes.map(function (h) { return "sha=" + h; }).join("&");
    fetch("/upload/status.json?" + query, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { files: [] }; })
      .then(function (body) {
        body.files.forEach(function (st) { if (items[st.sha256]) setStatus(items[st.sha256], st); });
      })
      .catch(function () {});
  }

  function pending() {
    return Object.keys(items).filter(function (h) { return rank[items[h].getAttribute("data-status")] < 4; });
  }

  function uploadOne(kind, file) {
    var li = row(file.name, kind);
    if (file.size > maxBytes) {
      var words = sizeAndLimit(file.size, maxBytes);
      fail(li, file.name + " is " + words[0] + "; the limit is " + words[1] + " per file.");
      return;
    }
    var data = new FormData();
    data.append("kind", kind);
    data.append("files", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload");
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      var bar = li.querySelector("progress");
      if (bar && e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (!body.files) { fail(li, body.error || ("Upload refused (HTTP " + xhr.status + ").")); return; }
      var stored = body.files[0];
      if (stored.outcome === "refused") { fail(li, stored.detail); return; }
      items[stored.sha256] = li;
      li.setAttribute("data-sha", stored.sha256);
      if (stored.stored_as !== file.name) li.setAttribute("data-note", "saved as " + stored.stored_as);
      setStatus(li, stored);
      if (seen[stored.sha256]) setStatus(li, seen[stored.sha256]);
      else refresh([stored.sha256]);
    });
    xhr.addEventListener("error", function () { fail(li, "The upload did not reach the server."); });
    xhr.send(data);
  }

  uploader.querySelectorAll(".dropzone").forEach(function (zone) {
    var kind = zone.getAttribute("data-kind");
    var input = zone.querySelector("input[type=file]");
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, function (f) { uploadOne(kind, f); });
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      Array.prototype.forEach.call(e.dataTransfer.files, function (f) { uploadOne(kind, f); });
    });
  });

  var source = new EventSource("/events?after=" + encodeURIComponent(uploader.getAttribute("data-after")));
  source.addEventListener("file", function (e) {
    var st = JSON.parse(e.data);
    seen[st.sha256] = st;
    if (items[st.sha256]) setStatus(items[st.sha256], st);
  });
  source.addEventListener("resync", function () { refresh(pending()); });
  source.addEventListener("open", function () { refresh(pending()); });
})();
