"""axe-core (the engine Lighthouse uses, shipped by axe-playwright-python) on a page open in
Chromium: the browser tests' accessibility check."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe


async def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The serious and critical violations: every rule axe runs by default, and WCAG 2.2's
    target size (24 px) too."""
    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    results = await Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
