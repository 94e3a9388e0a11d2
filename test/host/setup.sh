#!/usr/bin/env bash
# Installs what the real-extension-host tests need (docs/testing.md) into a cache outside the repository:
#   ${CONTEXT_LENS_HOST_CACHE:-$HOME/.cache/context-lens-host}/<version key>/
# Idempotent: a second run with everything cached touches no network and takes well under a second.
# Usage: bash test/host/setup.sh        Exit: 0 ready, 1 a step failed (the message names it and what to do).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

case "$(uname -m)" in
	x86_64) arch=x64 ;;
	aarch64) arch=arm64 ;;
	*) echo "setup: unsupported machine $(uname -m); the host tests need linux x64 or arm64" >&2; exit 1 ;;
esac
cache_root=${CONTEXT_LENS_HOST_CACHE:-$HOME/.cache/context-lens-host}
key="code-server-$CODE_SERVER_VERSION-node$NODE_MAJOR-linux-$arch"
dest="$cache_root/$key"
node_pkg="node-linux-$arch"
node_home="$dest/node/node_modules/$node_pkg"
cs_home="$dest/code-server/node_modules/code-server"
server_main="$cs_home/lib/vscode/out/server-main.js"
manifest="$dest/toolchain.json"

now() { date +%s.%N; }
started=$(now)
step_started=$started
step() {
	local t
	t=$(now)
	printf 'setup: %-12s %6.1fs\n' "$1" "$(awk "BEGIN{print $t - $step_started}")"
	step_started=$t
}
fail() {
	echo "setup: FAILED: $*" >&2
	exit 1
}
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		fail "need root to run: $* (run this script as root, or install those packages yourself)"
	fi
}

# 1. Debian packages: chromium renders the workbench; krb5 headers and a toolchain build code-server's native modules.
apt_packages=(chromium libkrb5-dev build-essential pkg-config python3)
missing=()
for p in "${apt_packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing Debian packages: ${missing[*]}"
	as_root apt-get update -q || fail "apt-get update (is a Debian mirror reachable?)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
		fail "apt-get install ${missing[*]}"
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing after installing the chromium package"
step apt

mkdir -p "$dest"

# 2. Node 24 from npm, used only for code-server: its VS Code server does not start on the project's Node 20.
node_ok() { [ -x "$node_home/bin/node" ] && [ "$("$node_home/bin/node" -p 'process.versions.node.split(".")[0]')" = "$NODE_MAJOR" ]; }
if ! node_ok; then
	echo "setup: installing $node_pkg@$NODE_MAJOR from npm"
	mkdir -p "$dest/node"
	[ -f "$dest/node/package.json" ] || echo '{ "private": true }' >"$dest/node/package.json"
	npm install --prefix "$dest/node" --no-audit --no-fund --prefer-offline --loglevel=error "$node_pkg@$NODE_MAJOR" ||
		fail "npm install $node_pkg@$NODE_MAJOR (needs the npm registry or a warm npm cache)"
	node_ok || fail "$node_home/bin/node is not a working Node $NODE_MAJOR"
fi
node_version=$("$node_home/bin/node" --version)
step node

# 3. code-server (bundles the VS Code server); its postinstall builds native modules against Node 24's headers.
stamp="$dest/code-server/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$stamp" ] || [ ! -f "$server_main" ]; then
	echo "setup: installing code-server@$CODE_SERVER_VERSION with $node_version (about two minutes the first time)"
	mkdir -p "$dest/code-server"
	[ -f "$dest/code-server/package.json" ] || echo '{ "private": true }' >"$dest/code-server/package.json"
	rm -f "$stamp"
	PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
		npm install --prefix "$dest/code-server" --no-audit --no-fund --prefer-offline --loglevel=error \
		"code-server@$CODE_SERVER_VERSION" ||
		fail "npm install code-server@$CODE_SERVER_VERSION (see the npm output above; native modules need libkrb5-dev)"
	[ -f "$server_main" ] || fail "code-server installed but $server_main is missing"
	touch "$stamp"
fi
vscode_version=$("$node_home/bin/node" -p 'require(process.argv[1]).version' "$cs_home/lib/vscode/package.json")
step code-server

# The runner reads this manifest instead of repeating the cache layout; written whole, then renamed into place.
"$node_home/bin/node" -e '
const fs = require("node:fs");
const [file, node, nodeVersion, codeServerVersion, vscodeVersion, serverMain, chromium] = process.argv.slice(1);
const manifest = { node, nodeVersion, codeServerVersion, vscodeVersion, serverMain, chromium };
fs.writeFileSync(file + ".tmp", JSON.stringify(manifest, null, "\t") + "\n");
fs.renameSync(file + ".tmp", file);
' "$manifest" "$node_home/bin/node" "$node_version" "$CODE_SERVER_VERSION" "$vscode_version" "$server_main" \
	/usr/bin/chromium || fail "could not write $manifest"

total=$(awk "BEGIN{print $(now) - $started}")
printf 'setup: ready in %.1fs: VS Code server %s on Node %s, chromium %s\n' "$total" "$vscode_version" \
	"$node_version" "$(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
echo "setup: cache $dest"
