#!/bin/sh
# Starts Chromium full screen on the site agent's kiosk page, for a TV driven only by a remote control.
# - waits for the agent so the TV never shows a browser error page at boot;
# - a fresh profile each start: no "restore pages?" bubble, no crash infobar after a power cut;
# - autoplay allowed without a user gesture (the broadcast starts by itself);
# - no translate bar, no first-run wizard, no update nags, no pinch zoom, no overscroll navigation.
# Environment: KIOSK_URL (default http://127.0.0.1:8090/), CHROMIUM (default: first of chromium, chromium-browser,
# google-chrome found), KIOSK_PROFILE (default $XDG_RUNTIME_DIR or /tmp), KIOSK_OZONE (x11|wayland, optional),
# KIOSK_WAIT_SECONDS (default 120).
set -eu

URL="${KIOSK_URL:-http://127.0.0.1:8090/}"
WAIT="${KIOSK_WAIT_SECONDS:-120}"

if [ -z "${CHROMIUM:-}" ]; then
  for c in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$c" >/dev/null 2>&1; then CHROMIUM="$c"; break; fi
  done
fi
if [ -z "${CHROMIUM:-}" ]; then
  echo "kiosk-launcher: no Chromium found; install it (apt-get install chromium) or set CHROMIUM" >&2
  exit 1
fi

# Wait for the agent (it serves the page and everything the page plays).
i=0
while [ "$i" -lt "$WAIT" ]; do
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null "${URL%/}/local/status" && break
  else
    # Without curl, give the agent a moment and let the page's own retry handle the rest.
    sleep 5; break
  fi
  i=$((i + 1))
  sleep 1
done

BASE="${KIOSK_PROFILE:-${XDG_RUNTIME_DIR:-/tmp}}"
PROFILE="$BASE/dyb-kiosk-profile"
rm -rf "$PROFILE"
mkdir -p "$PROFILE"

# Hide the mouse pointer when unclutter is installed (the TV has no mouse).
if command -v unclutter >/dev/null 2>&1; then unclutter -idle 1 -root & fi
# Keep the screen from blanking during a broadcast (X11 only).
if [ -n "${DISPLAY:-}" ] && command -v xset >/dev/null 2>&1; then
  xset s off -dpms s noblank 2>/dev/null || true
fi

OZONE=""
if [ -n "${KIOSK_OZONE:-}" ]; then OZONE="--ozone-platform=$KIOSK_OZONE"; fi

# shellcheck disable=SC2086
exec "$CHROMIUM" \
  --kiosk "$URL" \
  --user-data-dir="$PROFILE" \
  --no-first-run \
  --no-default-browser-check \
  --noerrdialogs \
  --disable-infobars \
  --disable-session-crashed-bubble \
  --hide-crash-restore-bubble \
  --disable-restore-session-state \
  --disable-translate \
  --disable-features=Translate,TranslateUI,MediaRouter,InfiniteSessionRestore \
  --disable-pinch \
  --overscroll-history-navigation=0 \
  --autoplay-policy=no-user-gesture-required \
  --disable-background-networking \
  --disable-component-update \
  --disable-sync \
  --check-for-update-interval=31536000 \
  --disk-cache-size=33554432 \
  --lang=zh-CN \
  $OZONE
