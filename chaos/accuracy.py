"""Chaos Toolkit actions that break extraction on purpose (a skills file goes missing) and watch accuracy fall."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from chaos.actions import _drill
from chaos.deployment import free_port, wait_until
from observability import generate
from pipeline.canary import load_spec

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
    proc = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )

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
    """Delete one skills file's skills from the taxonomy, as a careless bulk edit would: the file goes, and the
    relations other files had to its skills are cut so the rest still loads (else the watcher would keep its
    taxonomy and nothing would break). `auto` picks the file that declares the most of the skills the canaries
    expect. The undo restores every file as it was."""
    drill, dep = _drill()
    skills = dep.settings.skills
    name = _most_relied_on(skills, dep) if file == "auto" else file
    edits = _without(skills, name)
    backup = dep.settings.store / "chaos-taxonomy-backup"
    backup.mkdir(parents=True, exist_ok=True)
    for path in sorted(skills.glob("*.yaml")):
        shutil.copy2(path, backup / path.name)
    for edited, text in edits.items():
        if text is None:
            (skills / edited).unlink()
        else:
            (skills / edited).write_text(text, encoding="utf-8")
    drill.mark("fault")

    def undo() -> None:
        if backup.exists():
            for path in backup.glob("*.yaml"):
                shutil.copy2(path, skills / path.name)
            shutil.rmtree(backup, ignore_errors=True)
            drill.mark("fault ended")

    drill.on_rollback("put the skills files back", undo)
    drill.note(f"deleted the skills of skills/{name} and cut the relations to them in {len(edits) - 1} other files")
    return {"removed": name, "files_edited": len(edits) - 1}


def _without(skills: Path, name: str) -> dict[str, str | None]:
    """The new text of every file that changes when `name` goes (None: the file itself is deleted)."""
    gone = {entry["name"] for entry in yaml.safe_load((skills / name).read_text(encoding="utf-8"))["skills"]}
    edits: dict[str, str | None] = {name: None}
    for path in sorted(skills.glob("*.yaml")):
        if path.name == name:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        changed = False
        for entry in data["skills"]:
            for key in ("implies", "broader"):
                kept = [n for n in _listed(entry.get(key)) if n not in gone]
                if key in entry and kept != _listed(entry[key]):
                    entry[key], changed = kept, True
            related = entry.get("related")
            if isinstance(related, dict) and set(related) & gone:
                entry["related"], changed = {k: v for k, v in related.items() if k not in gone}, True
            elif isinstance(related, list) and set(related) & gone:
                entry["related"], changed = [n for n in related if n not in gone], True
        if changed:
            edits[path.name] = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return edits


def _listed(value) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def restore_taxonomy() -> dict:
    """Put the removed skills file back: the taxonomy reloads and the canaries run again."""
    drill, _ = _drill()
    drill.rollback_label("put the skills files back")
    return {"restored_at_s": drill.marks.get("fault ended")}


def await_accuracy(met: bool, within: float = 60) -> dict:
    """Wait for the SLI over the 5m (scaled: 5 s) window to read all-met (1) or all-missed (0); check it."""
    drill, _ = _drill()
    want = 1.0 if met else 0.0
    seen = wait_until(lambda: _value(SLI) == want, timeout=within, interval=0.5)
    label = "accuracy recovered" if met else "accuracy dropped"
    at = drill.mark(label)
    since = drill.between("fault ended" if met else "fault", label)
    drill.check(
        label,
        bool(seen),
        measured=since,
        bound=within,
        detail=f"recall {_value('shortlist_extraction_recall')}, precision {_value('shortlist_extraction_precision')}",
    )
    drill.measure(
        **{
            f"{label.replace(' ', '_')}_after_s": since,
            f"recall_when_{'recovered' if met else 'dropped'}": _value("shortlist_extraction_recall"),
        }
    )
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
    """The skills file that declares the most of the skills the canaries expect (ties: the first by name)."""
    expected = {
        name
        for doc in load_spec(dep.settings.canary)
        for key in ("skills", "required", "preferred")
        for name in doc.get(key, [])
    }
    counts = {
        path.name: len(
            expected & {entry["name"] for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["skills"]}
        )
        for path in sorted(skills.glob("*.yaml"))
    }
    best = max(counts, key=lambda name: counts[name], default=None)
    if best is None or not counts[best]:
        raise RuntimeError(f"no file in {skills} declares a skill the canaries expect")
    return best


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
