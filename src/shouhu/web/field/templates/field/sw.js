// 守护 · 离线走访的服务工作线程（作用范围 /field/）。只缓存不含个人信息的外壳和脚本、样式；
// 数据包和上传从不经过缓存（数据包在页面里加密后存入 IndexedDB）。
"use strict";
var CACHE = "{{ version }}";
var SHELL = "{% url 'field_app' %}";
var FILES = [{% for f in files %}"{{ f }}", {% endfor %}SHELL];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(FILES);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("shouhu-field") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname === SHELL) {  // 外壳：联网时取新的（并更新缓存），不通时用缓存
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(SHELL, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(SHELL);
    }));
    return;
  }
  if (FILES.indexOf(url.pathname) >= 0) {  // 脚本、样式、图标：缓存优先（版本随内容变）
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request);
    }));
  }
  // 其余（数据包、上传、照片）：不经缓存，直接走网络
});
