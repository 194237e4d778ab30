#!/usr/bin/env bash
# npm run test:slurm — the README's Slurm array script ("Sweeps on many machines") against a real
# Slurm on this machine: installs Debian's slurm-wlm and munge when missing, starts munged,
# slurmctld and slurmd with a one-node configuration written to a temp dir, submits the script
# exactly as the README shows it as an array of 4 shards of test/slurm/grid.json, waits, merges
# the shards and checks the merged tables are byte-identical to a one-machine `sweep` of the same
# spec. Stops the daemons it started (by pid, also on failure) and prints how long it took.
# Skips with one line (exit 0) where Slurm cannot be installed or its daemons cannot start.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
SHARDS=4
WAIT_JOB=${SPIKEPIPE_SLURM_WAIT:-300}   # seconds the array job may take
t_start=$(date +%s%N)
secs() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
say() { echo "test:slurm: $*"; }
skip() { say "skipped: $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root to install Slurm and run slurmctld/slurmd as a one-node cluster"
[ -f dist/lib/app/cli/main.js ] || { say "FAILED: the compiled CLI is missing (dist/); run npm run build (npm ci does it)"; exit 1; }

# --- install --------------------------------------------------------------------------------
t_install=$(date +%s%N)
installed=
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "slurm-wlm is not installed and there is no apt-get"
  # Keep the packages' maintainer scripts from starting the system daemons (Debian's
  # policy-rc.d convention); only when no policy is in place already.
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1
  fi
  log=$(mktemp)
  ok=1
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge; } >"$log" 2>&1 || ok=
  [ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
  if [ -z "$ok" ]; then why=$(grep -E '^E:' "$log" | tail -1); rm -f "$log"; skip "apt-get could not install slurm-wlm and munge (${why:-see apt-get})"; fi
  rm -f "$log"
  installed=" (installed slurm-wlm and munge in $(secs "$t_install") s)"
fi
install_s=$(secs "$t_install")

# --- configuration in a temp dir ------------------------------------------------------------
tmp=$(mktemp -d /tmp/spikepipe-slurm.XXXXXX)
chmod 700 "$tmp"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/logs" "$tmp/results"
pids=()        # daemons started here, stopped at exit in reverse order
jobid=
cleanup() {
  local rc=$?
  if [ -n "$jobid" ]; then
    scancel "$jobid" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do kill -TERM "${pids[k]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-}" = 1 ] || [ "$rc" != 0 ]; then say "kept $tmp (logs)"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
host=$(hostname -s)
ctld_port=$(free_port); slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
# This node's CPUs and memory as slurmd sees them (fallback: nproc and free).
node_hw=$(slurmd -C 2>/dev/null | head -1 | sed -E 's/^NodeName=[^ ]+ //') || true
if ! grep -q 'CPUs=' <<<"$node_hw"; then
  node_hw="CPUs=$(nproc) RealMemory=$(free -m | awk '/^Mem:/ {print $2}')"
fi
export SLURM_CONF="$tmp/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=spikepipe-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
: > "$tmp/plugstack.conf"

# --- daemons --------------------------------------------------------------------------------
t_daemons=$(date +%s%N)
# An exit within `limit` seconds, or not ready by then: skip, naming the daemon and its last log line.
started() {  # started NAME PID LOG READY-COMMAND
  local name=$1 pid=$2 log=$3 ready=$4
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then skip "$name could not start here: $(grep -v '^\s*$' "$log" | tail -1)"; fi
    if eval "$ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  skip "$name did not come up within 30 s: $(grep -v '^\s*$' "$log" | tail -1)"
}
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
munged -F --force --key-file="$tmp/munge.key" --socket="$tmp/munge.socket" --pid-file="$tmp/munged.pid" \
  --seed-file="$tmp/munge.seed" --log-file="$tmp/munged.log" >>"$tmp/munged.log" 2>&1 &
pids+=($!)
started munged "$!" "$tmp/munged.log" "munge -S '$tmp/munge.socket' -n </dev/null | unmunge -S '$tmp/munge.socket'"
slurmctld -D -i >>"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
started slurmctld "$!" "$tmp/slurmctld.log" "scontrol ping | grep -q UP"
slurmd -D -N "$host" >>"$tmp/slurmd.out" 2>&1 &
pids+=($!)
started slurmd "$!" "$tmp/slurmd.log" "sinfo -h -N -o %T | grep -qx idle"
daemons_s=$(secs "$t_daemons")

# --- the README's script, as an array of $SHARDS shards ----------------------------------------
script="$tmp/sweep.sh"
awk '/^## Sweeps on many machines/ {sec = 1; next} sec && /^## / {exit}
     sec && /^```sh$/ {inblock = 1; n = 0; next} inblock && /^```$/ {if (found) exit; inblock = 0; next}
     inblock {if (n++ == 0 && $0 == "#!/bin/bash") found = 1; if (found) print}' README.md > "$script"
grep -q '^#SBATCH' "$script" || { say "FAILED: no #!/bin/bash block with #SBATCH lines under README's \"Sweeps on many machines\""; exit 1; }
spec="$repo/test/slurm/grid.json"
t_job=$(date +%s%N)
jobid=$(sbatch --parsable --array=0-$((SHARDS - 1)) --output="$tmp/logs/slurm-%A_%a.out" --chdir="$repo" \
  "$script" "$spec" "$tmp/results")
jobid=${jobid%%;*}
deadline=$(( $(date +%s) + WAIT_JOB ))
while [ -n "$(squeue -h -j "$jobid" 2>/dev/null)" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    say "FAILED: array job $jobid still queued or running after $WAIT_JOB s"; squeue -j "$jobid" || true
    tail -n 20 "$tmp"/logs/* 2>/dev/null || true; exit 1
  fi
  sleep 0.5
done
job_s=$(secs "$t_job")
states=$(scontrol -o show job "$jobid" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ')
if [ "$(scontrol -o show job "$jobid" | grep -c 'JobState=COMPLETED')" != "$SHARDS" ]; then
  say "FAILED: array job $jobid did not complete all $SHARDS shards:$states"
  for f in "$tmp"/logs/*; do echo "== $f"; tail -n 20 "$f"; done
  exit 1
fi

# --- merge and compare with one machine -----------------------------------------------------
node bin/spikepipe.js merge "$tmp"/results/shard-*.jsonl --spec "$spec" --out "$tmp/merged" 2>"$tmp/merge.err" \
  || { say "FAILED: merge"; cat "$tmp/merge.err"; exit 1; }
if [ -s "$tmp/merge.err" ]; then say "FAILED: merge warned:"; cat "$tmp/merge.err"; exit 1; fi
t_one=$(date +%s%N)
node bin/spikepipe.js sweep "$spec" --workers 2 --out "$tmp/one" 2>/dev/null >/dev/null
one_s=$(secs "$t_one")
if ! diff -r "$tmp/one" "$tmp/merged" >"$tmp/diff.txt"; then
  say "FAILED: merged tables differ from a one-machine sweep of $spec:"; head -n 40 "$tmp/diff.txt"; exit 1
fi
files=$(ls "$tmp/merged" | wc -l)
say "passed in $(secs "$t_start") s$installed: Slurm $(sinfo -V | awk '{print $2}'), $SHARDS shards of job $jobid in ${job_s} s (daemons up in ${daemons_s} s), merge = one-machine sweep (${one_s} s) in all $files files"
