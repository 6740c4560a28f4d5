"""离线走访在真的 Chromium 里（390×844）：联网时打开应用（数据包加密存在手机上），然后服务器“断网”
（浏览器和服务器之间的一个中继被关掉：连接被拒，服务工作线程的请求也到不了），记 3 次探访（其中
一次 2 张照片）和 1 份强制报告，重新加载，关掉浏览器再打开（同一个用户目录，IndexedDB 还在），
仍然离线；其间经办人员在服务器上改了其中一名儿童的风险等级。恢复连接：应用自动同步，每条只到
服务器一次，改过的那条显示两边的版本，儿童主任选“仍按我的记录提交”。最后退出登录，手机上的数据
被清除。截图（390 和 1366 宽）放在 $SHOUHU_SCREENSHOT_DIR（没有设置时放在测试的临时目录）。
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import zlib
from datetime import date
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry, Purpose
from shouhu.web.cases.models import CareArrangement, MandatoryReport, Visit
from shouhu.web.cases.plans import plans_set
from shouhu.web.cases.registers import EntryInput, register_entry_create
from shouhu.web.cases.risk import risk_confirm
from shouhu.web.field.models import SyncReceipt, VisitPhoto
from tests.web import factories as f
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, FITS, PHONE, UI_MARKS
from tests.web.factories import CLIENT_IP
from tests.web.ui.test_browser import sign_in

pytestmark = UI_MARKS
WIDE = {"width": 1366, "height": 900}
NAMES = ("王小雨", "萨仁高娃", "李思远")
# 等服务工作线程接管页面（wait_for_function 轮询要 eval，页面的内容安全策略不许）
CONTROLLED = """() => new Promise(ok => navigator.serviceWorker.controller ? ok(true)
    : navigator.serviceWorker.addEventListener("controllerchange", () => ok(true)))"""


class Signal:
    """浏览器和测试服务器之间的 TCP 中继，可以关掉（新连接被拒、已有连接切断）再在同一端口打开：
    手机的信号。只关中继、不停服务器，测试线程照样能改数据库。"""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def on(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def off(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for conn in self._open:
                _shut(conn)
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _shut(source)
            _shut(sink)


def _shut(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()


def photo_png(width: int = 2000, height: int = 1500) -> bytes:
    """一张 2000×1500 的照片（PNG，上下两种颜色）：应用须在手机上缩成长边 1280 的 JPEG。"""
    top, bottom = b"\x00" + b"\x30\x80\xc0" * width, b"\x00" + b"\xd0\x90\x20" * width
    raw = top * (height // 2) + bottom * (height - height // 2)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


@pytest.fixture
def village(region, personas):
    cases = []
    for name in NAMES:
        case = f.case(f.person(region.village_a, name=name, birth=date(2014, 7, 9)))
        plans_set(case, today=timezone.localdate())
        cases.append(case)
    CareArrangement.objects.create(case=cases[0], carer_name="王奶奶", relation="祖母",
                                   phone="13800001111", started_on=date(2025, 1, 1))  # fmt: skip
    personas.child_director_a.full_name = "张海军"
    personas.child_director_a.save(update_fields=["full_name"])
    return cases


@pytest.fixture
def signal(live_server):
    where = urlparse(live_server.url)
    relay = Signal((where.hostname or "localhost", where.port or 80))
    relay.on()
    yield relay
    relay.off()


def open_child(page, name: str) -> None:
    """首页“我服务的儿童”里点一名儿童（14 天内到期的一栏点一下直接到探访表单）。"""
    page.locator(".f-card", has_text="我服务的儿童").get_by_role("link", name=name).click()


def record_visit(
    page, name: str, photos: list[dict[str, object]] | None = None, shots=None
) -> None:
    open_child(page, name)  # 第一下：儿童
    if shots is not None:
        page.screenshot(path=str(shots / "offline-child-390.png"), full_page=True)
    page.get_by_role("link", name="记录探访").click()  # 第二下：表单
    page.get_by_label("见到的人").fill("儿童、祖母")
    checks = page.locator("fieldset.f-check")
    for i in range(checks.count()):
        checks.nth(i).get_by_label("正常").check()
    if photos:
        page.locator(".f-photo-input").set_input_files(photos)
        expect(page.locator(".f-thumb")).to_have_count(len(photos))
    if shots is not None:
        assert page.evaluate(FITS)
        page.screenshot(path=str(shots / "offline-visit-390.png"), full_page=True)
    page.get_by_role("button", name="保存在手机上").click()
    expect(page.locator(".f-flash")).to_contain_text(f"已保存在手机上：探访 · {name}")


@pytest.mark.usefixtures("transactional_db")
def test_a_director_works_offline_and_everything_arrives_once(
    live_server, village, personas, signal, browser, shots, settings, tmp_path
) -> None:
    settings.FIELD_RETRY_SECONDS = 1
    settings.FIELD_PHOTO_DIR = tmp_path / "photos"
    launch = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "viewport": PHONE,
              "is_mobile": True, "has_touch": True, "locale": "zh-CN"}  # fmt: skip
    # 没有个案的留守儿童（名册登记上排探访）：也在包里，探访记在登记上
    left_behind = f.person(personas.child_director_a.division, name="孙留守",
                           birth=date(2016, 2, 2))  # fmt: skip
    entry = register_entry_create(
        ctx=RequestContext(user=personas.caseworker_a, client_ip=CLIENT_IP,
                           purpose=Purpose.CASE_WORK),
        child=left_behind, data=EntryInput("left_behind", "父母外出务工", timezone.localdate(),
                                           "away_in_province", "away_in_province", "孙爷爷",
                                           "祖父"),
    )  # fmt: skip
    profile = str(tmp_path / "phone")
    phone = browser.browser_type.launch_persistent_context(profile, **launch)
    page = phone.new_page()
    sign_in(page, signal.url, "director_a")
    page.goto(f"{signal.url}/field/")
    expect(page.get_by_role("heading", name="我服务的儿童（4）")).to_be_visible()
    page.evaluate(CONTROLLED)
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "offline-home-online-390.png"), full_page=True)

    signal.off()  # 没有信号了
    page.reload()
    expect(page.locator("#f-net")).to_have_text("未联网：记录保存在手机上")
    photo = {"name": "photo.png", "mimeType": "image/png", "buffer": photo_png()}
    record_visit(page, NAMES[0], [photo, {**photo, "name": "photo2.png"}], shots)
    record_visit(page, NAMES[1])
    record_visit(page, NAMES[2])
    open_child(page, NAMES[0])
    page.get_by_role("link", name="强制报告").click()
    page.get_by_label("报告单位类别").select_option("school")
    page.get_by_label("报告单位", exact=True).fill("示范村小学")
    page.get_by_label("报告人").fill("李老师")
    page.get_by_label("发现的情况").fill("孩子身上有淤青")
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "offline-report-390.png"), full_page=True)
    page.get_by_role("button", name="保存在手机上").click()
    counts = page.locator("#f-counts")
    expect(counts).to_have_text("已同步 0 条 · 待同步 4 条 · 失败 0 条")

    # 离线期间，经办人员在服务器上把第三名儿童改为高风险（探访计划随之改变）
    caseworker = RequestContext(user=personas.caseworker_a, client_ip=CLIENT_IP,
                                purpose=Purpose.CASE_WORK)  # fmt: skip
    risk_confirm(ctx=caseworker, case=village[2], level="high", reason="照料人外出务工")

    page.reload()
    expect(counts).to_have_text("已同步 0 条 · 待同步 4 条 · 失败 0 条")
    phone.close()  # 关掉浏览器，再打开（同一个用户目录），仍然离线
    phone = browser.browser_type.launch_persistent_context(profile, **launch)
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(f"{signal.url}/field/")
    counts = page.locator("#f-counts")
    expect(counts).to_have_text("已同步 0 条 · 待同步 4 条 · 失败 0 条")
    expect(page.get_by_role("link", name=NAMES[2]).first).to_be_visible()
    page.screenshot(path=str(shots / "offline-pending-390.png"), full_page=True)
    assert not Visit.objects.exists()
    assert not MandatoryReport.objects.exists()

    signal.on()  # 信号回来了：应用自己同步
    expect(counts).to_have_text("已同步 3 条 · 待同步 0 条 · 失败 1 条", timeout=15_000)
    counts.click()
    conflict = page.locator(".f-item-conflict")
    expect(conflict.locator(".f-versions")).to_contain_text("风险等级一般高风险")
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "offline-conflict-390.png"), full_page=True)
    conflict.get_by_role("button", name="仍按我的记录提交").click()
    expect(counts).to_have_text("已同步 4 条 · 待同步 0 条 · 失败 0 条")
    page.get_by_role("button", name="立即同步").click()  # 再同步一次：什么也不多
    expect(page.locator("#f-note")).to_be_empty()

    visits = list(Visit.objects.order_by("pk"))  # 按手机上记录的先后上传
    assert [v.case.child.name for v in visits] == list(NAMES)
    assert len({v.client_ref for v in visits}) == 3
    assert MandatoryReport.objects.get().change.case_id == village[0].pk
    assert SyncReceipt.objects.count() == 4
    assert SyncReceipt.objects.filter(forced=True).get().case_id == village[2].pk
    assert AuditEntry.objects.filter(object_type="field_sync").count() == 4
    photos = list(VisitPhoto.objects.all())
    assert [p.visit_id for p in photos] == [visits[0].pk, visits[0].pk]
    size = page.evaluate(
        """url => new Promise(ok => { const i = new Image(); i.onload = () => ok([i.naturalWidth,
        i.naturalHeight]); i.src = url; })""",
        f"/field/photos/{photos[0].pk}/",
    )
    assert size == [1280, 960]  # 在手机上缩小的
    page.goto(f"{signal.url}/field/#/")
    record_visit(page, "孙留守")  # 联网时：马上同步，记在名册登记上
    expect(counts).to_have_text("已同步 5 条 · 待同步 0 条 · 失败 0 条")
    assert Visit.objects.get(entry=entry).case is None

    page.set_viewport_size(WIDE)
    page.goto(f"{signal.url}/field/#/")
    expect(page.get_by_role("heading", name="我服务的儿童（4）")).to_be_visible()
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "offline-home-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)

    page.get_by_role("link", name="退出登录").click()  # 先清除手机上的数据，再到退出页
    page.locator("#main").get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login/")
    left = page.evaluate(
        """() => new Promise(ok => { const r = indexedDB.open("shouhu-field");
        r.onsuccess = () => { const t = r.result.transaction(["meta", "queue"]);
          const keys = t.objectStore("meta").getAllKeys(), queue = t.objectStore("queue").count();
          t.oncomplete = () => ok([keys.result, queue.result]); }; })"""
    )
    assert left == [[], 0]
    phone.close()
