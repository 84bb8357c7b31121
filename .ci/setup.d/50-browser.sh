# Browser tests (.ci/check.d/50-browser.sh): Debian's chromium, and the pinned
# playwright-core and axe-core from .ci/browser's lock file.
apt-get install -y -qq --no-install-recommends chromium >/dev/null
(cd .ci/browser && npm ci --no-audit --no-fund --loglevel=error)
