"""The SLO page: each SLO's SLI against its objective, error budget, burn rate and an SVG chart, from Prometheus.

Without a reachable Prometheus, or when Prometheus scrapes no target for this instance (so its SLIs describe some
other service), it says so and shows this web process's own figures since it started.
The JSON twin (/slo.json) is the report of ui/slo.py as it is, chart series included.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from observability.targets import bind_addresses
from ui import slo as report_of
from ui.render import htmx_target, render, wants_json
from ui.routing import choice_param, page

WIDTH, HEIGHT = 420, 150  # drawn about this size in a card, so 11 px labels stay readable
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 6, 8, 22


def _bounds(row: dict[str, Any], values: list[float]) -> tuple[float, float]:
    """The y range: a ratio from just below the lowest of its values and the objective up to 100%, an error
    ratio from 0 up to above its budget, a plain value from 0 to 100."""
    if not row["is_ratio"]:
        return 0.0, max([100.0, *values])
    marks = [t for t in (row["threshold"],) if t is not None]
    if row["lower_is_better"]:
        top = max([*marks, *values, 0.001]) * 1.5
        return 0.0, min(1.0, _nice_up(top))
    bottom = min([*marks, *values, 1.0])
    span = max(1 - bottom, 0.001) * 1.5
    return max(0.0, _nice_down(1 - span)), 1.0


def _nice_up(value: float) -> float:
    step = 10 ** math.floor(math.log10(value)) if value > 0 else 0.01
    return math.ceil(value / step) * step


def _nice_down(value: float) -> float:
    if value <= 0:
        return 0.0
    step = 10 ** math.floor(math.log10(1 - value)) if value < 1 else 0.001
    return math.floor(value / step) * step


def chart(row: dict[str, Any], start: float, end: float) -> dict[str, Any]:
    """Geometry of one SLO's chart: the SLI as path segments (a gap where there is no value), the objective
    line, axis labels and a sentence describing it for screen readers."""
    points = [(t, v) for t, v in row["series"]]
    values = [v for _, v in points if v is not None]
    lo, hi = _bounds(row, values)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(t: float) -> float:
        return round(PAD_LEFT + plot_w * (t - start) / max(end - start, 1), 1)

    def y(v: float) -> float:
        v = min(max(v, lo), hi)
        return round(PAD_TOP + plot_h * (hi - v) / max(hi - lo, 1e-9), 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if v is None:
            segments.append([])
        else:
            segments[-1].append((x(t), y(v)))
    fmt = report_of.percent if row["is_ratio"] else report_of.number
    summary = f"{row['title']}: no data in this range."
    if values:
        summary = (
            f"{row['title']} over the chart's range: lowest {fmt(min(values))}, highest {fmt(max(values))}, "
            f"latest {fmt(values[-1])}; objective {row['objective_text']}."
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
        "top": PAD_TOP,
        "bottom": HEIGHT - PAD_BOTTOM,
        "mid_y": (PAD_TOP + HEIGHT - PAD_BOTTOM) / 2,
        "paths": ["M" + " L".join(f"{px},{py}" for px, py in seg) for seg in segments if len(seg) > 1],
        "dots": [seg[0] for seg in segments if len(seg) == 1],
        "objective_y": y(row["threshold"]) if row["threshold"] is not None and lo <= row["threshold"] <= hi else None,
        "hi_label": fmt(hi),
        "lo_label": fmt(lo),
        "start_label": _clock(start),
        "end_label": _clock(end),
        "empty": not values,
        "summary": summary,
    }


def _clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%H:%M UTC")


def _figures(row: dict[str, Any]) -> dict[str, str]:
    fmt = report_of.percent if row["is_ratio"] else report_of.number
    return {
        "now": fmt(row["sli_now"]),
        "period": fmt(row["sli_period"]),
        "budget": report_of.percent(row["budget_remaining"], 1),
        "burn": report_of.burn(row["burn_rate"]),
        "spent_hour": report_of.percent(row["budget_spent_last_hour"], 2),
    }


async def slo(request: Request) -> Response:
    settings = request.app.state.settings
    range_key = choice_param(request.query_params, "range", list(report_of.RANGES), report_of.DEFAULT_RANGE)
    report = await report_of.measure(settings.prometheus_url, range_key, instance=bind_addresses(settings))
    report["local"] = report_of.local_figures(report_of.samples_from_registry(request.app.state.metrics.registry))
    if wants_json(request):
        return render(request, "slo.html", report)
    extra = {
        "cards": [
            {**row, "figures": _figures(row), "chart": chart(row, report["start"], report["end"])}
            for row in report["slos"]
        ],
        "fmt_percent": report_of.percent,
        "fmt_number": report_of.number,
    }
    block = "slo_body" if htmx_target(request) == "slo-body" else None
    return render(request, "slo.html", report, block=block, extra=extra)


routes = [*page("/slo", slo, "slo")]
