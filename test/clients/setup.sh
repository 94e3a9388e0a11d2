#!/usr/bin/env bash
# Installs the real agent CLIs the client suite runs (docs/testing.md) into a cache outside the repository, one
# folder per CLI and version:
#   ${CONTEXT_LENS_CLIENTS_CACHE:-$HOME/.cache/context-lens-clients}/codex-<version>/
#   …/claude-code-<version>/   …/gemini-cli-<version>/
# Idempotent: with everything cached it touches no network. Usage: bash test/clients/setup.sh   Exit: 0 ready, 1 failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache_root=${CONTEXT_LENS_CLIENTS_CACHE:-$HOME/.cache/context-lens-clients}

# install NAME NPM_PACKAGE VERSION BIN_NAME NOTE
install() {
	local name=$1 package=$2 version=$3 bin_name=$4 note=$5
	local dest="$cache_root/$name-$version"
	local bin="$dest/node_modules/.bin/$bin_name"
	if [ -x "$bin" ]; then
		echo "clients: $name $version cached at $dest"
		return 0
	fi
	# A half-finished earlier install is removed rather than trusted.
	rm -rf "$dest.partial"
	mkdir -p "$dest.partial"
	echo "clients: installing $package@$version ($note)"
	local started=$SECONDS
	(cd "$dest.partial" && npm install --no-audit --no-fund --no-save --prefix "$dest.partial" "$package@$version" >/dev/null) ||
		{ echo "clients: FAILED: npm install $package@$version into $dest.partial" >&2; return 1; }
	rm -rf "$dest"
	mv "$dest.partial" "$dest"
	[ -x "$bin" ] || { echo "clients: FAILED: $bin is missing after the install" >&2; return 1; }
	# A package whose binary does not start (a platform package missing) is not left in the cache as ready.
	timeout 120 "$bin" --version >/dev/null 2>&1 </dev/null ||
		{ echo "clients: FAILED: $bin --version does not run; removed $dest" >&2; rm -rf "$dest"; return 1; }
	echo "clients: $name $version ready at $dest ($((SECONDS - started)) s)"
}

install codex @openai/codex "$CODEX_VERSION" codex 'its native binary comes inside the npm package'
install claude-code @anthropic-ai/claude-code "$CLAUDE_CODE_VERSION" claude 'its native binary comes in a platform package'
install gemini-cli @google/gemini-cli "$GEMINI_CLI_VERSION" gemini 'JavaScript, runs on this Node'
