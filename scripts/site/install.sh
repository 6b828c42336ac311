#!/bin/sh
# Installs the site agent on a village PC from this unpacked archive alone (no network, no npm):
#   tar -xzf dyb-site-*.tar.gz && sudo ./dyb-site-*/install.sh [PREFIX]      (PREFIX default /opt/dyb-site)
# Copies the agent to PREFIX, creates the system user dyb, its data dir /var/lib/dyb-agent, /etc/dyb/agent.env,
# and the systemd units dyb-agent (the agent) and dyb-kiosk (Chromium full screen on the TV).
# DESTDIR=/some/dir installs under that directory instead of / without creating users or calling systemctl
# (used by the test, and for building images).
set -eu

SRC=$(cd "$(dirname "$0")" && pwd)
PREFIX=${1:-/opt/dyb-site}
DESTDIR=${DESTDIR:-}
DATA_DIR=/var/lib/dyb-agent

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root: sudo $0 $*" >&2
  exit 1
fi

# better-sqlite3 in node_modules was built for one Node ABI; a bundled bin/node always matches it.
if [ -x "$SRC/bin/node" ]; then
  NODE="$PREFIX/bin/node"
else
  NODE=$(command -v node || true)
  if [ -z "$NODE" ]; then
    echo "install.sh: Node.js is not installed. Install Node.js $(sed -n 's/.*"node": "\([0-9]*\).*/\1/p' "$SRC/package.json") or use a package made with: npm run pack:site -- --with-node" >&2
    exit 1
  fi
  want=$(cat "$SRC/NODE_ABI")
  have=$("$NODE" -p process.versions.modules)
  if [ "$want" != "$have" ]; then
    echo "install.sh: this package needs Node.js $(sed -n 's/.*"node": "\([0-9]*\).*/\1/p' "$SRC/package.json").x (ABI $want); $NODE is $("$NODE" -v) (ABI $have)." >&2
    echo "Install that Node.js, or use a package made with: npm run pack:site -- --with-node" >&2
    exit 1
  fi
fi

mkdir -p "$DESTDIR$PREFIX"
if [ "$(cd "$DESTDIR$PREFIX" && pwd)" != "$SRC" ]; then
  rm -rf "$DESTDIR$PREFIX/player" "$DESTDIR$PREFIX/common" "$DESTDIR$PREFIX/server" "$DESTDIR$PREFIX/node_modules" "$DESTDIR$PREFIX/kiosk"
  cp -R "$SRC/." "$DESTDIR$PREFIX/"
fi

if [ -z "$DESTDIR" ] && ! id dyb >/dev/null 2>&1; then
  useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin dyb
fi
mkdir -p "$DESTDIR$DATA_DIR"
[ -n "$DESTDIR" ] || chown dyb:dyb "$DATA_DIR"

mkdir -p "$DESTDIR/etc/dyb"
ENV_FILE="$DESTDIR/etc/dyb/agent.env"
if [ ! -f "$ENV_FILE" ]; then
  printf '%s\n' '# The provincial server and the one-time pairing code shown when the site was registered.' \
    '# The code is used once (the token is then kept in /var/lib/dyb-agent); remove it afterwards.' \
    '#AGENT_SERVER=http://SERVER:8080' '#AGENT_PAIR_CODE=CODE' > "$ENV_FILE"
  chmod 600 "$ENV_FILE"
fi

mkdir -p "$DESTDIR/etc/systemd/system"
for unit in dyb-agent.service dyb-kiosk.service; do
  sed -e "s#/opt/dyb-site#$PREFIX#g" -e "s#/usr/bin/node #$NODE #g" "$SRC/systemd/$unit" > "$DESTDIR/etc/systemd/system/$unit"
done
[ -n "$DESTDIR" ] || systemctl daemon-reload

cat <<DONE
Installed the site agent $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$SRC/package.json") in $PREFIX.
To pair this PC with the provincial server (once):
  1. edit /etc/dyb/agent.env: set AGENT_SERVER=http://SERVER:8080 and AGENT_PAIR_CODE=<code shown for this site>
     (the environment file keeps the code out of the process list, where --pair would show it)
  2. systemctl enable --now dyb-agent dyb-kiosk
  3. journalctl -u dyb-agent -f   shows "agent: running"; the TV shows the kiosk page.
Afterwards remove AGENT_PAIR_CODE from /etc/dyb/agent.env (the site keeps its token).
DONE
