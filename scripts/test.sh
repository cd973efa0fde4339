#!/usr/bin/env bash
# Runs Hangar's whole test suite. On a fresh Debian/Ubuntu machine it first installs what the
# tests use: ripgrep (grep tool), PostgreSQL server binaries (tests start their own throwaway clusters; no shared
# service is started here), bubblewrap, socat and slirp4netns (sandboxes and
# their networking), curl (network tests run it inside sandboxes), Node.js and npm (the interop tests
# run the official TypeScript SDK from tests/interop-ts; they install it with `npm ci` themselves; the SDK
# needs Node.js 20+, which Debian 13 ships — on Debian 12 install a newer nodejs first).
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~Cli".
set -euo pipefail

cd "$(dirname "$0")/.."

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; }
have() { command -v "$1" > /dev/null 2>&1; }

missing=()
have_postgres || missing+=(postgresql)
have bwrap || missing+=(bubblewrap)
have rg || missing+=(ripgrep)
have socat || missing+=(socat)
have slirp4netns || missing+=(slirp4netns)
have curl || missing+=(curl)
have node || missing+=(nodejs)
have npm || missing+=(npm)

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -eq 0 ]]; then
        sudo=()
    elif have sudo; then
        sudo=(sudo)
    else
        echo "test.sh: missing ${missing[*]} and not root (no sudo to install them)." >&2
        exit 1
    fi
    echo "test.sh: installing ${missing[*]}..." >&2
    export DEBIAN_FRONTEND=noninteractive
    # Debian starts a postgresql service on install; the tests want none (they run their own
    # clusters), so deny service starts for the duration unless a policy is already in place.
    policy=/usr/sbin/policy-rc.d
    own_policy=false
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" > /dev/null
        "${sudo[@]}" chmod +x "$policy"
        own_policy=true
    fi
    "${sudo[@]}" apt-get update -qq > /dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
    if $own_policy; then "${sudo[@]}" rm -f "$policy"; fi
fi

if ! have dotnet; then
    echo "test.sh: 'dotnet' not found. Install the .NET 10 SDK (https://dot.net/download) and put it on PATH." >&2
    exit 1
fi

exec dotnet test Hangar.slnx --logger "console;verbosity=normal" "$@"
