#!/usr/bin/env bash
# Runs the replica test with larger numbers and prints its figures:
# several `industrybot serve` processes on one PostgreSQL database, every
# subscription due in the same minute, one process killed with SIGKILL in the
# middle, each post counted.
#
#   scripts/replicas.sh [SUBSCRIPTIONS] [PROCESSES]     # default 2000 5
#
# Needs PostgreSQL on 127.0.0.1:5432 (or INDUSTRYBOT_TEST_POSTGRES).
set -euo pipefail
cd "$(dirname "$0")/.."
subs=${1:-2000}
procs=${2:-5}
export INDUSTRYBOT_REPLICAS_SUBS=$subs INDUSTRYBOT_REPLICAS_PROCS=$procs INDUSTRYBOT_TEST_POSTGRES_REQUIRED=1
out=$(go test -count=1 -run '^TestReplicas$' -v -timeout 10m ./cmd/industrybot 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -o 'replicas: .*'
echo "$out" | tail -n 1
