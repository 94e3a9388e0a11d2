#!/usr/bin/env bash
# Installs the real agent CLIs the client suite runs (docs/testing.md) into a cache outside the repository:
#   ${CONTEXT_LENS_CLIENTS_CACHE:-$HOME/.cache/context-lens-clients}/codex-<version>/
# Idempotent: with everything cached it touches no network. Usage: bash test/clients/setup.sh   Exit: 0 ready, 1 failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache_root=${CONTEXT_LENS_CLIENTS_CACHE:-$HOME/.cache/context-lens-clients}
dest="$cache_root/codex-$CODEX_VERSION"
bin="$dest/node_modules/.bin/codex"
if [ -x "$bin" ]; then
	echo "clients: codex $CODEX_VERSION cached at $dest"
	exit 0
fi
mkdir -p "$dest"
echo "clients: installing @openai/codex@$CODEX_VERSION (its native binary comes inside the npm package)"
(cd "$dest" && npm install --no-audit --no-fund --no-save --prefix "$dest" "@openai/codex@$CODEX_VERSION" >/dev/null) ||
	{ echo "clients: FAILED: npm install @openai/codex@$CODEX_VERSION into $dest" >&2; exit 1; }
[ -x "$bin" ] || { echo "clients: FAILED: $bin is missing after the install" >&2; exit 1; }
echo "clients: codex $CODEX_VERSION ready at $dest"
