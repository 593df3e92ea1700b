#!/usr/bin/env bash
# Installs what exports and browser tests need from Debian (Chromium, CJK fonts) when missing,
# and poppler-utils, with which the tests render the briefing's pages.
# As root with apt-get it installs them; otherwise it says exactly what to install and carries on,
# since the dashboard itself runs without them.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if command -v fc-list >/dev/null 2>&1; then
  fc-list | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  fc-list | grep -qi "WenQuanYi Zen Hei" || missing+=(fonts-wqy-zenhei)
else
  missing+=(fontconfig fonts-noto-cjk fonts-wqy-zenhei)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  echo "apt-get could not install: ${missing[*]}" >&2
fi
echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
echo "Without them the dashboard runs, but PNG/SVG/PDF exports and browser tests are unavailable." >&2
exit 0
