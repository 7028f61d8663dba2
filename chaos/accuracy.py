"""Chaos Toolkit actions that break extraction on purpose (a skills file goes missing) and watch accuracy fall."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from chaos.actions import _drill
from chaos.deployment import free_port, wait_until
from observability import generate
from pipeline.canary import run
from pipeline.stages import Limits
from pipeline.taxonomy import load_taxonomy

ALERT = "ShortlistParsingAccuracyBurnRateCritical"
SLI = 'sli:shortlist_parsing_accuracy:ratio_rate5m{slo="parsing-accuracy"}'


def start_prometheus(scale: float = generate.SHORT_SCALE) -> dict:
    """A Prometheus of the drill's own, scraping this web and watcher every second with the SLO rules'
    windows divided by `scale` (5m -> 5s, 1h -> 1m), so a burn-rate page can fire within the drill."""
    drill, dep = _drill()
    folder = Path(tempfile.mkdtemp(prefix="sl-prom-"))
    generate.write(folder, scale=scale)
    web = f"{dep.host}:{dep.port}"
    watcher = urllib.parse.urlsplit(dep.watcher_metrics_url).netloc
    (folder / "prometheus.yml").write_text(generate.prometheus_config(web, watcher, folder, scrape_interval="1s"))
    port = free_port()
    log = open(folder / "prometheus.log", "wb")
    proc = subprocess.Popen(["prometheus", f"--config.file={folder / 'prometheus.yml'}",
                             f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)

    def undo() -> None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
    drill.on_rollback("stop the drill's Prometheus", undo)
    drill.files["prometheus"] = f"http://127.0.0.1:{port}"
    if not wait_until(lambda: _value(SLI) == 1.0, timeout=60, interval=0.5):
        raise RuntimeError(f"the drill's Prometheus did not show parsing accuracy at 1 within 60 s; see {folder}")
    drill.measure(accuracy_before=_value(SLI), recall_before=_value("shortlist_extraction_recall"))
    return {"prometheus": drill.files["prometheus"], "scale": scale}


def break_taxonomy(file: str = "auto") -> dict:
    """Move one skills file out of skills/ (the undo moves it back). `auto` picks the file whose absence still
    loads and lowers the canaries' recall the most: the file they rely on."""
    drill, dep = _drill()
    skills = dep.settings.skills
    name = _most_relied_on(skills, dep) if file == "auto" else file
    aside = dep.settings.store / f"chaos-removed-{name}"
    shutil.move(skills / name, aside)
    drill.mark("fault")

    def undo() -> None:
        if aside.exists():
            shutil.move(aside, skills / name)
            drill.mark("fault ended")
    drill.on_rollback("put the skills file back", undo)
    drill.note(f"moved skills/{name} out of the taxonomy")
    return {"removed": name}


def restore_taxonomy() -> dict:
    """Put the removed skills file back: the taxonomy reloads and the canaries run again."""
    drill, _ = _drill()
    drill.rollback_label("put the skills file back")
    return {"restored_at_s": drill.marks.get("fault ended")}


def await_accuracy(met: bool, within: float = 60) -> dict:
    """Wait for the SLI over the 5m (scaled: 5 s) window to read all-met (1) or all-missed (0); check it."""
    drill, _ = _drill()
    want = 1.0 if met else 0.0
    seen = wait_until(lambda: _value(SLI) == want, timeout=within, interval=0.5)
    label = "accuracy recovered" if met else "accuracy dropped"
    at = drill.mark(label)
    since = drill.between("fault ended" if met else "fault", label)
    drill.check(label, bool(seen), measured=since, bound=within,
                detail=f"recall {_value('shortlist_extraction_recall')}, "
                       f"precision {_value('shortlist_extraction_precision')}")
    drill.measure(**{f"{label.replace(' ', '_')}_after_s": since,
                     f"recall_when_{'recovered' if met else 'dropped'}": _value("shortlist_extraction_recall")})
    if met:
        drill.measure(time_to_recover_s=since)
    return {"at_s": at, "after_s": since}


def await_alert(firing: bool, within: float = 60) -> dict:
    """Wait for the parsing-accuracy page to be firing (or to have stopped firing); check it."""
    drill, _ = _drill()
    seen = wait_until(lambda: (_alert_state() == "firing") == firing, timeout=within, interval=0.5)
    label = "page firing" if firing else "page resolved"
    drill.mark(label)
    since = drill.between("fault" if firing else "fault ended", label)
    drill.check(label, bool(seen), measured=since, bound=within, detail=f"{ALERT} is {_alert_state() or 'inactive'}")
    drill.measure(**{f"{label.replace(' ', '_')}_after_s": since})
    if firing:
        drill.measure(time_to_detect_s=since)
    return {"after_s": since}


def _most_relied_on(skills: Path, dep) -> str:
    limits = Limits(dep.settings.pdf_engine, dep.settings.max_file_bytes, dep.settings.max_pages,
                    dep.settings.min_chars)
    worst: tuple[float, str] | None = None
    for path in sorted(skills.glob("*.yaml")):
        with tempfile.TemporaryDirectory() as tmp:
            for other in skills.glob("*.yaml"):
                if other != path:
                    shutil.copy(other, tmp)
            try:
                recall = run(dep.settings.canary, load_taxonomy(Path(tmp)), limits).recall
            except Exception:  # without this file the rest does not load: the watcher would keep its taxonomy
                continue
        if worst is None or recall < worst[0]:
            worst = (recall, path.name)
    if worst is None:
        raise RuntimeError(f"no file in {skills} can be removed with the rest still loading")
    return worst[1]


def _query(expr: str) -> list[dict]:
    drill, _ = _drill()
    url = drill.files["prometheus"] + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return json.load(answer)["data"]["result"]
    except OSError:
        return []


def _value(expr: str) -> float | None:
    result = _query(expr)
    return float(result[0]["value"][1]) if result else None


def _alert_state() -> str:
    states = {r["metric"].get("alertstate") for r in _query(f'ALERTS{{alertname="{ALERT}"}}')}
    return "firing" if "firing" in states else "pending" if "pending" in states else ""
