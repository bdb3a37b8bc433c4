"""report.html in a real browser: headless Chromium at 800 and 1280 px, with no network.

A copy of the report gets a small script that, once the page has loaded, writes what it measured
into the page (horizontal overflow of the page and of every table's scroll box, and whether every
image decoded); Chromium's ``--dump-dom`` prints the page after that, and the test reads it back.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import gridimpact
from gridimpact.report.document import write_report

pytest.importorskip("matplotlib")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                "(Debian: apt-get install chromium; .ci/run installs it)")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--virtual-time-budget=5000")

PROBE = """<script>
window.addEventListener("load", function () {
  var root = document.documentElement;
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".scroll"));
  var images = Array.prototype.slice.call(document.images);
  var result = {
    viewport: root.clientWidth,
    page_width: root.scrollWidth,
    overflowing_tables: boxes.filter(function (b) { return b.scrollWidth > b.clientWidth + 1; }).length,
    images: images.length,
    broken_images: images.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).length,
    answer_top: document.querySelector("section.answer").getBoundingClientRect().top
  };
  var out = document.createElement("pre");
  out.id = "probe-result";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    write_report(gridimpact.compare(members=4, days=5), folder / "report")
    page = (folder / "report" / "report.html").read_text(encoding="utf-8")
    probed = folder / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    return probed


def measure(page: Path, width: int, profile: Path) -> dict:
    run = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},1000",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', run.stdout)
    assert found, f"Chromium printed no measurement (exit {run.returncode}): {run.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.mark.parametrize("width", [800, 1280])
def test_the_report_fits_the_window_and_every_image_loads(report_html, tmp_path, width):
    seen = measure(report_html, width, tmp_path / "profile")
    assert seen["viewport"] == width
    assert seen["page_width"] <= seen["viewport"], seen
    assert seen["overflowing_tables"] == 0, seen
    assert seen["images"] >= 3 and seen["broken_images"] == 0, seen
    assert seen["answer_top"] < 300, seen          # the answer is on the first screen, under the title
