#!/bin/sh
# Stands in for a VS Code executable: runHostTests passes this file to @vscode/test-electron's
# runTests({ vscodeExecutablePath }), which runs it with VS Code's command line; runVscodeTests.ts reads that
# command line and ignores the desktop-only flags. Runs on the machine's Node (20) with the project's tsx.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exec node --import "$root/node_modules/tsx/dist/loader.mjs" "$here/runVscodeTests.ts" "$@"
