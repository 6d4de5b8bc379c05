# Sourced by .ci/run: Debian's chromium for the browser test (tests/browser/test_rserve_browser.py drives it
# with Playwright's Python API and executable_path; no `playwright install`, no browser download). Without
# it that test skips, with a reason.
if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null; then
    echo "Chromium for the browser test: $(command -v chromium || echo /usr/bin/chromium)" >&2
elif command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || true
    if [ -x /usr/bin/chromium ]; then
        echo "Chromium installed for the browser test" >&2
    else
        echo "Chromium could not be installed (apt-get install chromium failed): the browser test will skip" >&2
    fi
else
    echo "Chromium is not installed and cannot be (needs root and apt-get): the browser test will skip" >&2
fi
