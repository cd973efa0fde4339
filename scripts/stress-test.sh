#!/usr/bin/env bash
# Runs the whole test suite three times in a row under CPU load (`stress --cpu N`, N = the number
# of cores by default), failing on the first failure: tests that wait on the wall clock instead of
# on signals flake on a loaded machine, and this is how to find them. Not part of .ci/run (it
# triples the test time); run it before a release or after touching timing-sensitive code.
# Usage: scripts/stress-test.sh [--runs N] [--cpu N] [extra `dotnet test` arguments, e.g. --filter ...]
set -euo pipefail

cd "$(dirname "$0")/.."

runs=3
cpu=$(nproc)
while (($# > 0)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        *) break ;;
    esac
done

if ! command -v stress > /dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo > /dev/null 2>&1; then sudo=(sudo); else
        echo "stress-test.sh: 'stress' is missing and we are not root (no sudo to install it)." >&2
        exit 1
    fi
    echo "stress-test.sh: installing stress..." >&2
    "${sudo[@]}" apt-get update -qq > /dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress > /dev/null
fi

# In its own process group, so its workers go with it when the script ends (however it ends).
setsid stress --cpu "$cpu" > /dev/null 2>&1 &
stress_pid=$!
trap 'kill -- "-$stress_pid" 2> /dev/null || true; wait "$stress_pid" 2> /dev/null || true' EXIT

for run in $(seq 1 "$runs"); do
    echo "stress-test.sh: run $run of $runs under stress --cpu $cpu" >&2
    start=$(date +%s)
    if ! scripts/test.sh "$@"; then
        echo "stress-test.sh: run $run failed after $(($(date +%s) - start)) s." >&2
        exit 1
    fi
    echo "stress-test.sh: run $run passed in $(($(date +%s) - start)) s." >&2
done
echo "stress-test.sh: all $runs runs passed under load." >&2
