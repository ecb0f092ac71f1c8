"""axe really runs: a page with known faults is reported, fault by fault."""

import pytest

from tests.e2e.a11y import axe_report

pytestmark = pytest.mark.e2e


def test_axe_reports_known_violations(browser):
    page = browser.new_page()
    try:
        page.set_content('<html><body><img src="x.png"><a href="/"></a></body></html>')
        report = axe_report(page)
    finally:
        page.close()
    assert "- html-has-lang (serious)" in report
    assert "- image-alt (critical)" in report
    assert "- link-name (serious)" in report
