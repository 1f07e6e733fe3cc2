// The import page: the chosen file is sent to the API as it is (any encoding), first
// as a dry run, then, on confirmation, for real; results are drawn with textContent only.
"use strict";
(function () {
  const form = document.getElementById("import-form");
  if (!form) return;
  const fileInput = form.querySelector("input[type=file]");
  const sheetInput = form.querySelector("input[name=sheet]");
  const result = document.getElementById("import-result");
  const commit = document.getElementById("import-commit");
  const labels = JSON.parse(form.dataset.errorLabels || "{}");

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function table(headers, rows) {
    const t = el("table");
    const head = el("tr");
    headers.forEach((h) => head.appendChild(el("th", h)));
    t.appendChild(head);
    rows.forEach((r) => {
      const tr = el("tr");
      r.forEach((c) => {
        // A cell is a value, or {text, title} for a name with its code as a tooltip.
        const cell = c !== null && typeof c === "object" ? c : { text: c };
        const td = el("td", cell.text === null || cell.text === undefined ? "" : String(cell.text));
        if (cell.title) td.title = cell.title;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    const wrap = el("div", undefined, "scroll");
    wrap.appendChild(t);
    return wrap;
  }

  function show(report, status, dryRun) {
    result.replaceChildren();
    const batch = report.batch || report;
    const rejected = status === 422;
    if (report.replayed) {
      // The same bytes were imported before: nothing would be (or was) written again.
      result.appendChild(el("h2", "此文件已导入", "ok"));
      const note = el("p", "内容与已导入的批次完全相同，不会重复写入。");
      const link = el("a", "查看该批次");
      link.href = "/imports?batch=" + encodeURIComponent(batch.id);
      note.appendChild(document.createTextNode(" "));
      note.appendChild(link);
      result.appendChild(note);
      commit.hidden = true;
      return;
    }
    const heading = rejected ? "导入被拒绝：未写入任何数据" : dryRun ? "试导入结果（未写入）" : "已导入";
    result.appendChild(el("h2", heading, rejected ? "bad" : "ok"));
    const format = batch.sheet ? batch.encoding + "：" + batch.sheet : batch.encoding;
    result.appendChild(table(["格式/编码", "数据行", "续行", "已核对合计行", "新增项目", "新增资产", "未变的行", "错误数"], [[format, batch.data_rows, batch.continued_rows, batch.totals_checked, batch.projects_created, batch.assets_created, batch.rows_unchanged, batch.error_count]]));
    const errors = report.errors || [];
    if (errors.length) {
      result.appendChild(el("h2", "错误（共 " + (report.error_count || errors.length) + " 处" + (errors.length < report.error_count ? "，列出前 " + errors.length + " 处" : "") + "）"));
      result.appendChild(table(["行", "单元格", "列", "错误类型", "说明"], errors.map((e) => [e.line, e.cell, e.column, { text: labels[e.code] || "其他错误", title: e.code }, e.message])));
    }
    (batch.warnings || []).forEach((w) => result.appendChild(el("p", "提示：第 " + w.line + " 行 " + w.message, "muted")));
    if (batch.warnings_truncated) result.appendChild(el("p", "提示共 " + batch.warning_count + " 条，只列出前 " + batch.warnings.length + " 条", "muted"));
    // Only a dry run without errors, of a file not yet imported, may be committed.
    commit.hidden = !(dryRun && !rejected && !report.replayed);
  }

  async function send(dryRun) {
    const file = fileInput.files[0];
    if (!file) {
      result.replaceChildren(el("p", "请先选择文件", "bad"));
      return;
    }
    result.replaceChildren(el("p", dryRun ? "正在校验…" : "正在导入…", "muted"));
    const sheet = sheetInput ? sheetInput.value.trim() : "";
    const url = "/api/v1/imports?dry_run=" + dryRun + "&filename=" + encodeURIComponent(file.name) + (sheet ? "&sheet=" + encodeURIComponent(sheet) : "");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: file,
        credentials: "same-origin",
        headers: { "X-Requested-With": "asset-registry", "Content-Type": "application/octet-stream" },
      });
      const body = await response.json();
      if (response.status >= 400 && response.status !== 422) {
        result.replaceChildren(el("p", (body.title || "错误") + "：" + (body.detail || response.status), "bad"));
        return;
      }
      show(body, response.status, dryRun);
      if (!dryRun && response.status < 300) {
        const history = document.getElementById("import-history-link");
        if (history) history.hidden = false;
      }
    } catch (error) {
      result.replaceChildren(el("p", "请求失败：" + error, "bad"));
    }
  }

  // A file chosen after the preview must be previewed before it can be committed.
  fileInput.addEventListener("change", () => {
    commit.hidden = true;
    result.replaceChildren();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(true);
  });
  commit.addEventListener("click", () => send(false));
})();
