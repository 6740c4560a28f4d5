// 守护 · 离线走访（/field/）。儿童主任和督导员在没有信号的村里查看所服务的儿童、记录探访（含照片）、
// 核查和强制报告；记录先加密存在手机上，联网后自动（或点“立即同步”）上传，每条只记一次。
//
// 手机上的存储（docs/offline-data.md）：IndexedDB 里一把随机生成、不可导出的 AES-GCM 密钥（Web Crypto），
// 数据包和每条记录的内容都用它加密；数据包 72 小时后清除，退出登录时清除（wipe.js）。
// 写法照顾旧的安卓浏览器：不用模块、可选链和 ?? 运算符。
(function () {
  "use strict";
  var body = document.body;
  var CONF = {
    retry: (parseInt(body.getAttribute("data-retry"), 10) || 15) * 1000,
    maxPhotos: parseInt(body.getAttribute("data-max-photos"), 10) || 3,
    worker: body.getAttribute("data-worker"),
    pkg: body.getAttribute("data-package"),
    sync: body.getAttribute("data-sync"),
    login: body.getAttribute("data-login")
  };
  var PHOTO_EDGE = 1280;
  var KIND_LABELS = { visit: "探访", review: "核查", report: "强制报告" };
  var store = window.shouhuField.store;
  var main = document.getElementById("f-main");
  var state = { pkg: null, items: [], online: null, signedOut: false, note: "", syncing: false, draftPhotos: [], flash: "" };

  // ------------------------------------------------------------------ 小工具

  function esc(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // 本地时间“年-月-日T时:分”（datetime-local 的值）
  function localInput(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // 带时区的 ISO 时间（服务器按它记手机上的记录时间）
  function isoWithZone(d) {
    var offset = -d.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return localInput(d) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }

  function shown(iso) {
    var d = new Date(iso);
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function newRef() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var found = document.cookie.split(";").map(function (c) { return c.trim(); }).filter(function (c) {
      return c.indexOf("csrftoken=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(10)) : "";
  }

  function blobBytes(blob) {
    if (blob.arrayBuffer) { return blob.arrayBuffer(); }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(blob);
    });
  }

  // ------------------------------------------------------------------ 加密（Web Crypto，密钥不可导出）

  var keyPromise = null;

  function key() {
    if (!keyPromise) {
      keyPromise = store.get("meta", "key").then(function (found) {
        if (found) { return found; }
        return window.crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
          .then(function (made) { return store.put("meta", made, "key").then(function () { return made; }); });
      });
      keyPromise.catch(function () { keyPromise = null; });
    }
    return keyPromise;
  }

  function seal(bytes) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    return key().then(function (k) {
      return window.crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k, bytes);
    }).then(function (data) { return { iv: iv, data: data }; });
  }

  function unseal(box) {
    return key().then(function (k) {
      return window.crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, k, box.data);
    });
  }

  function sealJSON(value) { return seal(new TextEncoder().encode(JSON.stringify(value))); }

  function unsealJSON(box) {
    return unseal(box).then(function (bytes) { return JSON.parse(new TextDecoder().decode(bytes)); });
  }

  // ------------------------------------------------------------------ 数据包

  function loadPackage() {
    return store.get("meta", "package").then(function (saved) {
      if (!saved) { return null; }
      if (Date.parse(saved.expires_at) <= Date.now()) {  // 72 小时到了：删除，不再显示
        return store.del("meta", "package").then(function () { return null; });
      }
      return unsealJSON(saved.box).catch(function () { return null; });
    });
  }

  function fetchPackage() {
    return fetch(CONF.pkg, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      state.online = true;
      if (response.status === 401 || response.redirected) {  // 会话过期（或被转到登录、改密码页）
        state.signedOut = true;
        return null;
      }
      state.signedOut = false;
      if (!response.ok) {
        return response.json().then(function (answer) {
          state.note = answer.error || "下载离线数据失败。";
          if (answer.wipe) {  // 角色或账户变了：服务器要求清除
            state.pkg = null;
            return store.del("meta", "package");
          }
        }, function () { state.note = "下载离线数据失败，稍后再试。"; });
      }
      return response.json().then(function (pkg) {
        return sealJSON(pkg).then(function (box) {
          return store.put("meta", { box: box, expires_at: pkg.expires_at, username: pkg.user.username }, "package");
        }).then(function () { state.pkg = pkg; });
      });
    }, function () { state.online = false; })["catch"](function () {
      state.note = "下载离线数据失败，稍后再试；手机上已有的数据照常可用。";
    });
  }

  // 每名儿童一个键：个案编号（"12"），没有个案的名册儿童是名册登记（"e34"）
  function keyOf(c) { return String(c.key || c["case"]); }

  function child(key) {
    var found = null;
    (state.pkg ? state.pkg.children : []).forEach(function (c) { if (keyOf(c) === String(key)) { found = c; } });
    return found;
  }

  // ------------------------------------------------------------------ 记录队列

  function loadItems() {
    return store.all("queue").then(function (items) {
      // 按记录的先后：recorded_at 只到秒，同一秒里的几条按 seq（记录时的毫秒计时）分先后
      items.sort(function (a, b) {
        if (a.recorded_at !== b.recorded_at) { return a.recorded_at < b.recorded_at ? -1 : 1; }
        return (a.seq || 0) - (b.seq || 0);
      });
      state.items = items;
    });
  }

  function counts() {
    var c = { synced: 0, pending: 0, failed: 0, conflict: 0 };
    state.items.forEach(function (item) { c[item.state] += 1; });
    return c;
  }

  function queueRecord(kind, c, data, photos) {
    var now = new Date();
    var content = { data: data, base: c.version, case_state: c.state, name: c.name };
    return Promise.all([sealJSON(content), sealJSON({ name: c.name })].concat(photos.map(function (p) {
      return seal(p.bytes);
    }))).then(function (boxes) {
      var item = {
        ref: newRef(), kind: kind, case_id: c["case"], entry_id: c.entry || null, state: "pending", force: false, by: state.pkg.user.username,
        recorded_at: isoWithZone(now), seq: now.getTime(), box: boxes[0], label: boxes[1], photos: boxes.slice(2),
        error: "", conflict: null, synced_at: ""
      };
      return store.put("queue", item);
    });
  }

  function settle(item, status, answer) {
    if (status === 200 && answer && (answer.status === "synced" || answer.status === "duplicate")) {
      item.state = "synced";
      item.synced_at = isoWithZone(new Date());
      item.box = null;  // 已在服务器上：手机上只留一条“已同步”的记号，退出登录时清除
      item.photos = [];
      item.error = "";
      item.conflict = null;
      return store.put("queue", item).then(function () { return true; });
    }
    if (status === 409 && answer && answer.status === "conflict") {
      return sealJSON(answer).then(function (box) {
        item.state = "conflict";
        item.conflict = box;
        item.error = answer.message || "服务器上的个案有了变化。";
        return store.put("queue", item);
      }).then(function () { return true; });
    }
    if (status === 401) {
      state.signedOut = true;
      state.note = "登录已过期：请重新登录，记录会在登录后同步。";
      return Promise.resolve(false);
    }
    if (answer && answer.error && status >= 400 && status < 500) {
      item.state = "failed";
      item.error = answer.error;
      return store.put("queue", item).then(function () { return true; });
    }
    state.note = status === 403 ? "请重新登录后同步（页面已过期）。" : "服务器暂时无法处理，稍后自动重试。";
    return Promise.resolve(false);
  }

  function sendOne(item) {
    return unsealJSON(item.box).then(function (content) {
      return Promise.all(item.photos.map(unseal)).then(function (photos) {
        var form = new FormData();
        form.append("record", JSON.stringify({
          ref: item.ref, kind: item.kind, "case": item.case_id, entry: item.entry_id || null, base: content.base,
          recorded_at: item.recorded_at, force: item.force, data: content.data, by: item.by
        }));
        photos.forEach(function (bytes, i) {
          form.append("photo", new Blob([bytes], { type: "image/jpeg" }), "photo" + (i + 1) + ".jpg");
        });
        return fetch(CONF.sync, {
          method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRFToken": csrf() }
        });
      });
    }).then(function (response) {
      state.online = true;
      if (response.redirected) { return settle(item, 401, null); }
      return response.json().then(function (answer) { return answer; }, function () { return null; })
        .then(function (answer) { return settle(item, response.status, answer); });
    }, function (error) {
      if (error && error.name === "OperationError") {  // 解不开（密钥已不在）：标为失败，不悄悄删
        item.state = "failed";
        item.error = "这条记录在手机上无法解密，只能放弃。";
        return store.put("queue", item).then(function () { return true; });
      }
      state.online = false;
      state.note = "无法连接服务器：记录已保存在手机上，联网后自动同步。";
      return false;
    });
  }

  function syncAll() {
    if (state.syncing) { return Promise.resolve(); }
    state.syncing = true;
    return loadItems().then(function () {
      var chain = Promise.resolve(true);
      state.items.filter(function (item) { return item.state === "pending"; }).forEach(function (item) {
        chain = chain.then(function (go) { return go ? sendOne(item) : false; });
      });
      return chain.then(function (allSent) {
        if (allSent && state.online) { state.note = ""; }
      });
    }).catch(function () {
      state.note = "同步时出错，稍后自动重试。";
    }).then(function () {
      state.syncing = false;
      return loadItems();
    }).then(function () {
      if (location.hash === "#/queue" || location.hash === "" || location.hash === "#/") { render(); } else { renderBar(); }
    });
  }

  // ------------------------------------------------------------------ 照片：在手机上缩小

  function decode(file) {
    if (window.createImageBitmap) { return window.createImageBitmap(file); }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = reject;
        img.src = reader.result;
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function draw(img, edge) {
    var scale = Math.min(1, edge / Math.max(img.width, img.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(img.width * scale));
    canvas.height = Math.max(1, Math.round(img.height * scale));
    canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  function shrink(file) {
    return decode(file).then(function (img) {
      var big = draw(img, PHOTO_EDGE);
      var preview = draw(img, 160).toDataURL("image/jpeg", 0.6);
      return new Promise(function (resolve) { big.toBlob(resolve, "image/jpeg", 0.82); }).then(blobBytes)
        .then(function (bytes) { return { bytes: bytes, preview: preview }; });
    });
  }

  // ------------------------------------------------------------------ 页面

  function renderBar() {
    var c = counts();
    var failed = c.failed + c.conflict;
    var text = "已同步 " + c.synced + " 条 · 待同步 " + c.pending + " 条 · 失败 " + failed + " 条";
    document.getElementById("f-counts").textContent = text;
    document.getElementById("f-counts").className = "f-counts" + (failed ? " f-counts-bad" : "");
    var net = document.getElementById("f-net");
    net.textContent = state.online === false ? "未联网：记录保存在手机上" :
      (state.signedOut ? "已联网，未登录" : (state.online ? "已联网" : "正在检查网络……"));
    net.className = "f-net" + (state.online === false ? " f-net-off" : "");
    var note = state.note;
    if (!note && c.conflict) { note = c.conflict + " 条记录与服务器上的变化冲突，请点上面的数字查看并选择。"; }
    if (!note && c.failed) { note = c.failed + " 条记录没有被服务器接受，请点上面的数字查看原因。"; }
    document.getElementById("f-note").textContent = note;
    var who = document.getElementById("f-who");
    who.textContent = state.pkg ? state.pkg.user.name + " · " + state.pkg.user.role + " · " + state.pkg.user.division : "";
  }

  function signInHint() {
    return state.signedOut ? '<p class="f-hint">登录已过期。<a class="f-link" href="' + esc(CONF.login) +
      '">重新登录</a>后可下载最新数据并同步记录。</p>' : "";
  }

  function homeView() {
    if (!state.pkg) {
      return '<section class="f-card"><h1>离线走访</h1><p>手机上还没有离线数据（或已超过 72 小时被清除）。' +
        "请在有信号的地方登录后打开本页，所服务儿童的资料会自动下载到手机上。</p>" +
        '<p><a class="f-btn f-btn-primary" href="' + esc(CONF.login) + '">登录</a></p>' + signInHint() + "</section>";
    }
    var pkg = state.pkg;
    var due = pkg.due.map(function (row) {
      var c = child(row.key || row["case"]);
      var target = row.what === "核查" ? "#/review/" : "#/visit/";
      return '<li><a class="f-row' + (row.urgent || row.overdue ? " f-row-urgent" : "") + '" href="' + target + esc(row.key || row["case"]) + '">' +
        '<span class="f-row-main">' + esc(c ? c.name : "") + '</span><span class="f-row-sub">' + esc(row.what) + " · " +
        esc(row.due_text) + (row.overdue ? "（已逾期）" : "") + "</span></a></li>";
    }).join("");
    var kids = pkg.children.map(function (c) {
      return '<li><a class="f-row" href="#/child/' + esc(keyOf(c)) + '"><span class="f-row-main">' + esc(c.name) +
        '</span><span class="f-row-sub">' + esc(c.village) + " · " + esc(c.risk) + "</span></a></li>";
    }).join("");
    var flash = state.flash ? '<p class="f-flash" role="status">' + esc(state.flash) + "</p>" : "";
    return flash + signInHint() +
      '<section class="f-card"><h2>14 天内到期（' + pkg.due.length + "）</h2>" +
      (due ? '<ul class="f-list">' + due + "</ul>" : '<p class="f-empty">14 天内没有到期的探访和核查。</p>') + "</section>" +
      '<section class="f-card"><h2>我服务的儿童（' + pkg.children.length + "）</h2>" +
      (kids ? '<ul class="f-list">' + kids + "</ul>" : '<p class="f-empty">辖区内没有保障中的儿童。</p>') + "</section>" +
      '<p class="f-small">数据下载于 ' + esc(shown(pkg.generated_at)) + "，" + esc(shown(pkg.expires_at)) + " 自动清除。</p>";
  }

  function childView(c) {
    var forms = state.pkg.forms;
    var carers = c.carers.map(function (p) {
      return "<li>" + esc(p.name) + (p.relation ? "（" + esc(p.relation) + "）" : "") +
        (p.phone ? ' <a class="f-link" href="tel:' + esc(p.phone) + '">' + esc(p.phone) + "</a>" : "") + "</li>";
    }).join("");
    var facts = c.facts.map(function (f) { return "<li>" + esc(f) + "</li>"; }).join("");
    var key = esc(keyOf(c));
    var actions = (forms.visit ? '<a class="f-btn f-btn-primary f-big" href="#/visit/' + key + '">记录探访</a>' : "") +
      (forms.review && !c.entry ? '<a class="f-btn f-big" href="#/review/' + key + '">记录核查</a>' : "") +
      (forms.report ? '<a class="f-btn f-btn-danger f-big" href="#/report/' + key + '">强制报告</a>' : "");
    return '<section class="f-card"><h1>' + esc(c.name) + "</h1>" +
      '<div class="f-actions">' + actions + "</div>" +
      '<dl class="f-facts">' +
      "<dt>性别</dt><dd>" + esc(c.gender || "—") + "</dd><dt>出生日期</dt><dd>" + esc(c.birth) + "</dd>" +
      "<dt>身份证号</dt><dd>" + esc(c.id_masked) + "</dd><dt>村（居）</dt><dd>" + esc(c.village) + "</dd>" +
      "<dt>" + esc(c.category_title || "保障类别") + "</dt><dd>" + esc(c.category) + "</dd><dt>风险等级</dt><dd>" + esc(c.risk) + "</dd>" +
      "<dt>下次探访</dt><dd>" + esc(c.urgent_due ? shown(c.urgent_due) + " 前（24 小时内）" : c.visit_due_text) + "</dd>" +
      "</dl>" +
      "<h2>监护人、照料人</h2>" + (carers ? '<ul class="f-plain">' + carers + "</ul>" : '<p class="f-empty">没有登记。</p>') +
      "<h2>情况概况</h2>" + (facts ? '<ul class="f-plain">' + facts + "</ul>" : '<p class="f-empty">没有需要注意的情况。</p>') +
      "</section>";
  }

  function radios(name, options, required) {
    return options.map(function (o, i) {
      return '<label class="f-choice"><input type="radio" name="' + esc(name) + '" value="' + esc(o[0]) + '"' +
        (required && i === 0 ? " required" : "") + "> " + esc(o[1]) + "</label>";
    }).join("");
  }

  function field(label, control, hint) {
    return '<label class="f-field"><span class="f-label">' + label + "</span>" + control +
      (hint ? '<span class="f-hint">' + hint + "</span>" : "") + "</label>";
  }

  function formShell(c, title, kind, inner) {
    return '<section class="f-card"><p class="f-small"><a class="f-link" href="#/child/' + esc(keyOf(c)) + '">' + esc(c.name) +
      "</a></p><h1>" + title + "</h1>" +
      '<form class="f-form" data-kind="' + kind + '" data-case="' + esc(keyOf(c)) + '" novalidate>' + inner +
      '<p class="f-error" role="alert"></p>' +
      '<button type="submit" class="f-btn f-btn-primary f-big">保存在手机上</button>' +
      '<p class="f-small">保存后联网时自动同步；没有信号也可以先保存。</p></form></section>';
  }

  function visitForm(c) {
    var forms = state.pkg.forms;
    var checks = forms.checks.map(function (check) {
      return '<fieldset class="f-check"><legend>' + esc(check[1]) + "</legend>" +
        '<div class="f-choices">' + radios("check_" + check[0], forms.statuses) + "</div>" +
        '<input class="f-input" type="text" name="note_' + esc(check[0]) + '" placeholder="有问题时写明是什么问题" aria-label="' +
        esc(check[1]) + '的说明" maxlength="200"></fieldset>';
    }).join("");
    state.draftPhotos = [];
    return formShell(c, "记录探访", "visit",
      field("探访时间", '<input class="f-input" type="datetime-local" name="visited_at" value="' + localInput(new Date()) + '" required>') +
      field("探访地点", '<input class="f-input" type="text" name="place" maxlength="100" required value="' + esc(c.village) + '">') +
      field("见到的人", '<input class="f-input" type="text" name="seen" maxlength="200" required placeholder="如：儿童本人、祖母">') +
      checks +
      field("探访记录", '<textarea class="f-input" name="notes" rows="3"></textarea>') +
      '<div class="f-field"><span class="f-label">照片（最多 ' + CONF.maxPhotos + " 张，在手机上缩小后保存）</span>" +
      '<label class="f-btn f-photo-btn">拍照或选择照片<input type="file" accept="image/*" capture="environment" multiple ' +
      'class="f-photo-input" aria-label="拍照或选择照片"></label><div class="f-thumbs" id="f-thumbs"></div></div>');
  }

  function reviewForm(c) {
    var today = localInput(new Date()).slice(0, 10);
    return formShell(c, "记录核查", "review",
      field("核查日期", '<input class="f-input" type="date" name="reviewed_on" value="' + today + '" required>') +
      '<fieldset class="f-check"><legend>核查结论</legend><div class="f-choices f-choices-col">' +
      radios("outcome", state.pkg.forms.review_outcomes) + "</div></fieldset>" +
      field("核查说明", '<textarea class="f-input" name="note" rows="3"></textarea>', "结论为“需变更”或“建议终止”时必填。"));
  }

  function reportForm(c) {
    var kinds = state.pkg.forms.reporter_kinds.map(function (k) {
      return '<option value="' + esc(k[0]) + '">' + esc(k[1]) + "</option>";
    }).join("");
    return formShell(c, "强制报告", "report",
      '<p class="f-warn">提交后儿童临时按高风险，须在 24 小时内走访到位。</p>' +
      field("报告单位类别", '<select class="f-input" name="reporter_kind" required><option value="">请选择</option>' + kinds + "</select>") +
      field("报告单位", '<input class="f-input" type="text" name="reporter_org" maxlength="100" required>') +
      field("报告人", '<input class="f-input" type="text" name="reporter_name" maxlength="50" required>') +
      field("联系电话", '<input class="f-input" type="tel" name="reporter_phone" maxlength="30">') +
      field("发现的时间", '<input class="f-input" type="datetime-local" name="seen_at" value="' + localInput(new Date()) + '" required>') +
      field("发现的情况", '<textarea class="f-input" name="what_seen" rows="4" required></textarea>'));
  }

  function summary(kind, data) {
    if (kind === "visit") {
      return "探访时间 " + data.visited_at.replace("T", " ") + "，见到 " + data.seen + (data.notes ? "：" + data.notes : "");
    }
    if (kind === "review") { return "核查日期 " + data.reviewed_on + (data.note ? "：" + data.note : ""); }
    return data.reporter_org + " " + data.reporter_name + "：" + data.what_seen;
  }

  function itemView(item, content, conflict, label) {
    var head = "<h3>" + KIND_LABELS[item.kind] + " · " + esc(label ? label.name : "") + "</h3>" +
      '<p class="f-small">手机上记录于 ' + esc(shown(item.recorded_at)) +
      (item.synced_at ? "，已于 " + esc(shown(item.synced_at)) + " 同步" : "") + "</p>";
    var text = content ? '<p class="f-record">' + esc(summary(item.kind, content.data)) +
      (item.photos.length ? "（照片 " + item.photos.length + " 张）" : "") + "</p>" : "";
    var extra = "";
    if (item.state === "conflict" && conflict && content) {
      var theirs = {};
      conflict.theirs.forEach(function (row) { theirs[row[0]] = row[1]; });
      var rows = content.case_state.map(function (row) {
        var now = theirs[row[0]] !== undefined ? theirs[row[0]] : row[1];
        return "<tr" + (now !== row[1] ? ' class="f-diff"' : "") + "><th>" + esc(row[0]) + "</th><td>" + esc(row[1]) +
          "</td><td>" + esc(now) + "</td></tr>";
      }).join("");
      extra = '<p class="f-warn">' + esc(item.error) + "</p>" +
        '<table class="f-versions"><thead><tr><th>项目</th><th>您记录时</th><th>服务器现在</th></tr></thead><tbody>' + rows + "</tbody></table>" +
        '<div class="f-actions">' +
        (conflict.may_force ? '<button type="button" class="f-btn f-btn-primary" data-act="force" data-ref="' + item.ref + '">仍按我的记录提交</button>' : "") +
        '<button type="button" class="f-btn" data-act="drop" data-ref="' + item.ref + '">以服务器为准，放弃我的这条</button></div>';
    } else if (item.state === "failed") {
      extra = '<p class="f-warn">没有被服务器接受：' + esc(item.error) + "</p>" + '<div class="f-actions">' +
        '<button type="button" class="f-btn" data-act="retry" data-ref="' + item.ref + '">再试一次</button>' +
        '<button type="button" class="f-btn" data-act="drop" data-ref="' + item.ref + '">放弃这条</button></div>';
    }
    var status = { synced: "已同步", pending: "待同步", failed: "失败", conflict: "冲突，待您选择" }[item.state];
    return '<li class="f-item f-item-' + item.state + '" data-ref="' + item.ref + '"><span class="f-tag">' + status + "</span>" +
      head + text + extra + "</li>";
  }

  function queueView() {
    var rank = { conflict: 0, failed: 1, pending: 2, synced: 3 };  // 要处理的在前，其余新的在前
    var items = state.items.slice().reverse().sort(function (a, b) { return rank[a.state] - rank[b.state]; });
    if (!items.length) { return '<section class="f-card"><h1>记录</h1><p class="f-empty">手机上没有记录。</p></section>'; }
    return Promise.all(items.map(function (item) {
      var none = Promise.resolve(null);
      return Promise.all([
        item.box ? unsealJSON(item.box).catch(function () { return null; }) : none,
        item.conflict ? unsealJSON(item.conflict).catch(function () { return null; }) : none,
        item.label ? unsealJSON(item.label).catch(function () { return null; }) : none
      ]).then(function (parts) { return itemView(item, parts[0], parts[1], parts[2]); });
    })).then(function (html) {
      return '<section class="f-card"><h1>记录</h1><ul class="f-items">' + html.join("") + "</ul></section>";
    });
  }

  function render() {
    renderBar();
    var hash = location.hash || "#/";
    var parts = hash.slice(2).split("/");
    var view = parts[0];
    var c = state.pkg && parts[1] ? child(parts[1]) : null;
    var html;
    if (view === "queue") {
      html = queueView();
    } else if (c && view === "child") {
      html = childView(c);
    } else if (c && view === "visit") {
      html = visitForm(c);
    } else if (c && view === "review" && state.pkg.forms.review && !c.entry) {
      html = reviewForm(c);
    } else if (c && view === "report") {
      html = reportForm(c);
    } else {
      html = homeView();
    }
    if (view && view !== "queue") { state.flash = ""; }  // 离开首页后不再显示“已保存”
    return Promise.resolve(html).then(function (text) {
      main.innerHTML = text;
      window.scrollTo(0, 0);
    });
  }

  // ------------------------------------------------------------------ 表单

  function value(form, name) {
    var el = form.elements[name];
    return el ? String(el.value || "").trim() : "";
  }

  function collect(form, kind) {
    var problems = [];
    var data = {};
    function need(name, what) {
      data[name] = value(form, name);
      if (!data[name]) { problems.push("请填写" + what + "。"); }
    }
    if (kind === "visit") {
      need("visited_at", "探访时间");
      need("place", "探访地点");
      need("seen", "见到的人");
      data.notes = value(form, "notes");
      data.checks = {};
      state.pkg.forms.checks.forEach(function (check) {
        var status = value(form, "check_" + check[0]);
        var note = value(form, "note_" + check[0]);
        if (!status) { problems.push("请选择“" + check[1] + "”是正常还是有问题。"); }
        if (status === "concern" && !note) { problems.push("“" + check[1] + "”有问题，请简要写明是什么问题。"); }
        data.checks[check[0]] = { status: status, note: note };
      });
    } else if (kind === "review") {
      need("reviewed_on", "核查日期");
      data.outcome = value(form, "outcome");
      data.note = value(form, "note");
      if (!data.outcome) { problems.push("请选择核查结论。"); }
      if (data.outcome && data.outcome !== "continue" && !data.note) { problems.push("这个结论须写明核查说明。"); }
    } else {
      need("reporter_kind", "报告单位类别");
      need("reporter_org", "报告单位");
      need("reporter_name", "报告人");
      data.reporter_phone = value(form, "reporter_phone");
      need("seen_at", "发现的时间");
      need("what_seen", "发现的情况");
    }
    return { data: data, problems: problems };
  }

  main.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("f-form")) { return; }
    event.preventDefault();
    var kind = form.getAttribute("data-kind");
    var c = child(form.getAttribute("data-case"));
    var found = collect(form, kind);
    var error = form.querySelector(".f-error");
    if (found.problems.length) {
      error.textContent = found.problems.join(" ");
      return;
    }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    queueRecord(kind, c, found.data, kind === "visit" ? state.draftPhotos : []).then(function () {
      state.draftPhotos = [];
      state.flash = "已保存在手机上：" + KIND_LABELS[kind] + " · " + c.name + "。联网后自动同步。";
      return loadItems();
    }).then(function () {
      location.hash = "#/";
      syncAll();
    }, function () {
      button.disabled = false;
      error.textContent = "保存到手机上失败（存储空间不足？），请重试。";
    });
  });

  main.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("f-photo-input")) { return; }
    var files = Array.prototype.slice.call(input.files || []);
    var room = CONF.maxPhotos - state.draftPhotos.length;
    var error = input.form.querySelector(".f-error");
    error.textContent = files.length > room ? "最多 " + CONF.maxPhotos + " 张照片，多出的没有加入。" : "";
    Promise.all(files.slice(0, Math.max(room, 0)).map(shrink)).then(function (photos) {
      state.draftPhotos = state.draftPhotos.concat(photos);
      document.getElementById("f-thumbs").innerHTML = state.draftPhotos.map(function (p, i) {
        return '<img class="f-thumb" src="' + p.preview + '" alt="照片 ' + (i + 1) + '">';
      }).join("");
      input.value = "";
    }, function () { error.textContent = "这张照片无法读取，请换一张。"; });
  });

  main.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-act]") : null;
    if (!button) { return; }
    var ref = button.getAttribute("data-ref");
    var item = state.items.filter(function (i) { return i.ref === ref; })[0];
    if (!item) { return; }
    var act = button.getAttribute("data-act");
    var job;
    if (act === "drop") {
      if (!window.confirm("确定放弃这条记录吗？放弃后手机上不再保留，也不会上传。")) { return; }
      job = store.del("queue", ref);
    } else {
      item.state = "pending";
      item.force = act === "force";
      item.error = "";
      item.conflict = null;
      job = store.put("queue", item);
    }
    job.then(loadItems).then(render).then(syncAll);
  });

  document.getElementById("f-sync-now").addEventListener("click", function () {
    state.note = "正在同步……";
    renderBar();
    fetchPackage().then(syncAll);
  });

  document.getElementById("f-logout").addEventListener("click", function (event) {
    event.preventDefault();  // 先清除手机上的数据，再到退出登录页
    var href = event.currentTarget.getAttribute("href");
    window.shouhuField.wipe(true).then(function (go) { if (go) { location.href = href; } });
  });

  window.addEventListener("hashchange", render);
  window.addEventListener("online", function () { fetchPackage().then(syncAll); });

  setInterval(function () {
    if (state.items.some(function (i) { return i.state === "pending"; })) { syncAll(); }
    if (state.pkg && Date.parse(state.pkg.expires_at) <= Date.now()) {  // 72 小时到了
      state.pkg = null;
      store.del("meta", "package").then(render);
    }
  }, CONF.retry);

  // ------------------------------------------------------------------ 打开

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(CONF.worker, { scope: "./" })["catch"](function () {});
  }
  if (!window.indexedDB || !window.crypto || !window.crypto.subtle) {
    main.innerHTML = '<section class="f-card"><p>这个浏览器不支持加密的离线存储，无法离线使用。请换用较新的浏览器。</p></section>';
    return;
  }
  Promise.all([loadPackage(), loadItems()]).then(function (found) {
    state.pkg = found[0];
    return render();
  }).then(fetchPackage).then(render).then(syncAll);
})();
