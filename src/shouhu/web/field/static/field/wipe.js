// 守护 · 离线走访：手机上的存储（IndexedDB），和退出登录时的清除。
// 每个页面都加载这个文件（ui/base.html）：点“退出登录”时先清掉离线数据包、密钥和已同步的记录；
// 还没同步的记录先提示，确认退出后仍加密保留，直到同步成功或本人明确放弃（docs/offline-data.md）。
(function () {
  "use strict";
  var NAME = "shouhu-field";
  var VERSION = 1;

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    var request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta"); }
      if (!db.objectStoreNames.contains("queue")) { db.createObjectStore("queue", { keyPath: "ref" }); }
    };
    return done(request);
  }

  // 一次事务：make(对象仓库) 返回一个请求，事务完成后给出它的结果
  function run(storeName, mode, make) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var request = make(tx.objectStore(storeName));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error || new Error("手机存储出错")); };
      });
    });
  }

  var store = {
    get: function (name, key) { return run(name, "readonly", function (s) { return s.get(key); }); },
    put: function (name, value, key) {
      return run(name, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
    },
    del: function (name, key) { return run(name, "readwrite", function (s) { return s["delete"](key); }); },
    all: function (name) { return run(name, "readonly", function (s) { return s.getAll(); }); }
  };

  function exists() {
    if (!window.indexedDB) { return Promise.resolve(false); }
    if (!indexedDB.databases) { return Promise.resolve(true); }
    return indexedDB.databases().then(function (list) {
      return list.some(function (db) { return db.name === NAME; });
    }, function () { return true; });
  }

  // 清除离线数据；ask 为真时，还有没同步的记录就先问。答应退出（或无需问）时给出 true。
  function wipe(ask) {
    return exists().then(function (found) {
      if (!found) { return true; }
      return store.all("queue").then(function (items) {
        var waiting = items.filter(function (item) { return item.state !== "synced"; });
        if (ask && waiting.length && !window.confirm("手机上还有 " + waiting.length +
            " 条记录没有同步。退出后它们仍加密保存在这部手机上，下次登录后同步。确定退出吗？")) {
          return false;
        }
        var jobs = [store.del("meta", "package")];
        items.forEach(function (item) {
          if (item.state === "synced") { jobs.push(store.del("queue", item.ref)); }
        });
        if (!waiting.length) { jobs.push(store.del("meta", "key")); }
        return Promise.all(jobs).then(function () { return true; });
      });
    }).catch(function () { return true; });
  }

  window.shouhuField = { store: store, wipe: wipe };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("data-field-wiped")) { return; }
    var path = new URL(form.action, window.location.href).pathname;
    if (path.slice(-8) !== "/logout/") { return; }
    event.preventDefault();
    wipe(true).then(function (go) {
      if (go) {
        form.setAttribute("data-field-wiped", "1");
        form.submit();
      }
    });
  }, true);
})();
