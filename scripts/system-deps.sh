#!/usr/bin/env bash
# Installs from Debian what exports and browser tests need (Chromium, CJK fonts, and
# poppler-utils, with which the tests render the briefing's pages) when missing;
# with --test also what the store and deployment tests need (PostgreSQL's server binaries, nginx);
# with --proxy nginx too (`make run WORKERS=N` puts it in front of the dashboard processes).
# As root with apt-get it installs them; otherwise it says exactly what to install and carries on,
# since the dashboard itself runs without them (the tests that need them skip, or fail under CI).
set -u
for_tests=false
proxy=false
[ "${1:-}" = "--test" ] && for_tests=true && proxy=true
[ "${1:-}" = "--proxy" ] && proxy=true
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if command -v fc-list >/dev/null 2>&1; then
  fc-list | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  fc-list | grep -qi "WenQuanYi Zen Hei" || missing+=(fonts-wqy-zenhei)
else
  missing+=(fontconfig fonts-noto-cjk fonts-wqy-zenhei)
fi
if $for_tests; then
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 \
    || missing+=(postgresql)
fi
if $proxy; then
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The tests run their own PostgreSQL and nginx; keep the packages from starting the system
  # services (nginx would take port 80) unless a policy is already in place.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    && exit 0
  echo "apt-get could not install: ${missing[*]}" >&2
fi
echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
echo "Without chromium and the fonts the dashboard runs, but PNG/SVG/PDF exports and browser" \
  "tests are unavailable; without postgresql and nginx the PostgreSQL and deployment tests are." >&2
exit 0
