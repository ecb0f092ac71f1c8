"""axe-core (bundled by axe-playwright-python) with every rule it runs by default:
WCAG 2.x A and AA plus best practices."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def axe_report(page) -> str:
    """Runs axe on the page as it is now; "" when there is no violation, else a
    readable report (rule, impact, the elements and what is wrong with them)."""
    results = _axe.run(page)
    if not results.violations_count:
        return ""
    lines = [f"{results.violations_count} axe violation(s) on {page.url}:"]
    for violation in results.response["violations"]:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append(f"      {node['failureSummary']}".replace("\n", " "))
    return "\n".join(lines)
