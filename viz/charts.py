"""Charts for the annual report: SVG with real text (searchable, crisp in print), drawn by matplotlib.

A missing year is a gap in the line, never a zero.
"""

import io

from matplotlib.figure import Figure

from pic.viz.svg_attributes import svg_saving, without_style

COLOURS = ["#7a4b1f", "#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#8c564b"]


def series_svg(series: dict[str, dict[int, float]], unit: str, year: int, index_label: str) -> str:
    """One line per territory. Rates are drawn as they are; counts as an index (first common year = 100)
    so that a commune and a région fit on one chart."""
    fig = Figure(figsize=(7.5, 3.2), dpi=100)
    ax = fig.add_subplot()
    years = sorted({y for values in series.values() for y in values})
    rate = unit == "%"
    base = None
    if not rate:
        common = [y for y in years if all(y in values for values in series.values())]
        base = 2012 if 2012 in common else (common[0] if common else None)
    for i, (name, values) in enumerate(series.items()):
        ys = []
        for y in years:
            v = values.get(y)
            if v is not None and not rate:
                reference = values.get(base) if base is not None else next(iter(values.values()))
                v = 100 * v / reference if reference else None
            ys.append(float("nan") if v is None else v)
        ax.plot(years, ys, marker="o", markersize=3, linewidth=1.6, color=COLOURS[i % len(COLOURS)], label=name)
    ax.axvline(year, color="#999", linestyle=":", linewidth=1)
    ax.set_ylabel(unit if rate else index_label.format(base=base if base is not None else "—"))
    ax.grid(axis="y", color="#e5e5e5")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # stubs: Locator's takes no keywords; the axis's AutoLocator does
    out = io.StringIO()
    with svg_saving():
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = out.getvalue()
    return without_style(svg[svg.index("<svg") :])  # inline in the page: no XML prologue, no CSS
