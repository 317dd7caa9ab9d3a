#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What one task of a burst costs in system calls and locking, on average:
#
#   bench/count-syscalls.sh [BUILD_DIR [N [WAY...]]]
#
# BUILD_DIR defaults to build, N to 100000, the ways to run_async run_task
# g_task (those of `mwt-bench --plain`). For each way it runs
# `mwt-bench --plain=WAY` five times with N tasks, one burst, and five times
# with none, and prints the difference of the medians divided by N (which
# leaves out what starting and stopping cost), and the range of the runs
# with N tasks:
#
# - futex, sched_yield and all system calls and context switches of the
#   whole process, with `perf stat` where it can count the syscalls
#   tracepoints, else with `strace -f -c` (no context switches then; and
#   strace slows every system call down so much that the threads meet
#   differently, so that its counts are only a rough guide);
# - libmwt's own calls to g_mutex_lock(), g_mutex_trylock(), g_cond_wait*()
#   and g_cond_signal()/broadcast(), by call site, with the
#   libmwt-lock-count.so module preloaded (see mwt-lock-count.c), and the
#   lock acquisitions summed by the mutex as the source names it
#   (&pool->mutex is the pool's lock).
#
# The counts that depend on how the threads meet (futex calls, yields,
# wake-ups) vary from run to run, and with the machine's load.
set -euo pipefail

build=${1:-build}
n=${2:-100000}
ways=("${@:3}")
[ ${#ways[@]} -gt 0 ] || ways=(run_async run_task g_task)
runs=5

bench=$build/bench/mwt-bench
module=$build/bench/libmwt-lock-count.so
for file in "$bench" "$module"; do
  [ -e "$file" ] || { echo "count-syscalls.sh: no $file: build first" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

events=(syscalls:sys_enter_futex syscalls:sys_enter_sched_yield raw_syscalls:sys_enter context-switches)
if command -v perf >/dev/null &&
   perf stat -x, -o "$tmp/probe" -e syscalls:sys_enter_futex true 2>/dev/null &&
   grep -q '^[0-9]*,,syscalls:sys_enter_futex' "$tmp/probe"; then
  counter=perf
elif command -v strace >/dev/null; then
  counter=strace
else
  counter=none
fi

# Prints "futex sched_yield all-syscalls context-switches" of one run.
count_syscalls () {
  local way=$1 tasks=$2
  case $counter in
    perf)
      perf stat -x, -o "$tmp/perf" $(printf -- '-e %s ' "${events[@]}") \
        -- "$bench" --plain="$way" --tasks="$tasks"
      awk -F, '{ v[$3] = $1 }
               END { print v["syscalls:sys_enter_futex"], v["syscalls:sys_enter_sched_yield"],
                           v["raw_syscalls:sys_enter"], v["context-switches"] }' "$tmp/perf"
      ;;
    strace)
      strace -f -c -o "$tmp/strace" "$bench" --plain="$way" --tasks="$tasks"
      awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { all += $4; c[$NF] = $4 }
           END { print c["futex"] + 0, c["sched_yield"] + 0, all + 0, "nan" }' "$tmp/strace"
      ;;
    none)
      echo nan nan nan nan
      ;;
  esac
}

# Reads lines "KEY SIZE VALUE" (KEY without spaces); prints for each KEY
# "KEY per-task low high": the difference of the medians at N and at 0
# divided by N, and the lowest and highest value at N likewise.
per_task='
function median(list,   v, k, i, j, t) {
  k = split(list, v, " ")
  for (i = 2; i <= k; i++)
    for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
  lo = v[1]; hi = v[k]
  return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
}
{ keys[$1] = 1; list[$1, $2] = list[$1, $2] " " $3 }
END {
  for (key in keys) {
    base = (key, 0) in list ? median(list[key, 0]) : 0
    if (!((key, n) in list)) { list[key, n] = " 0" }
    top = median(list[key, n])
    printf "%s %.3f %.3f %.3f\n", key, (top - base) / n, (lo - base) / n, (hi - base) / n
  }
}'

# The call site of an offset into libmwt: "function<outer file:line".
site () {
  local lib=$1 offset=$2
  addr2line -f -i -e "$lib" "$(printf '0x%x' $(( offset - 1 )))" |
    awk 'NR == 1 { f = $0 } NR == 2 { l = $0 } NR > 1 && NR % 2 == 1 { o = $0 }
         END { sub(/.*\//, "", l); print f (o != "" && o != f ? "<" o : "") " " l }'
}

# The line of source at an offset into libmwt, without its indent.
source_line () {
  local lib=$1 offset=$2 where
  where=$(addr2line -e "$lib" "$(printf '0x%x' $(( offset - 1 )))" | head -n 1)
  sed -n "${where##*:}{s/^[[:space:]]*//;p;}" "${where%:*}" 2>/dev/null || true
}

echo "per task: (median of $runs bursts of $n tasks - median of $runs runs without) / $n;"
echo "in brackets the lowest and highest of the bursts; system calls counted with $counter"

for way in "${ways[@]}"; do
  : > "$tmp/syscalls"
  : > "$tmp/locks"
  for run in $(seq "$runs"); do
    for tasks in 0 "$n"; do
      read -r futex yield all switches < <(count_syscalls "$way" "$tasks")
      printf '%s %s %s\n' 1-futex "$tasks" "$futex" 2-sched_yield "$tasks" "$yield" \
        3-syscalls "$tasks" "$all" 4-context-switches "$tasks" "$switches" >> "$tmp/syscalls"

      LD_PRELOAD=$module MWT_LOCK_COUNT=$tmp/run \
        "$bench" --plain="$way" --tasks="$tasks"
      awk -v tasks="$tasks" '/^g_/ { print $1 ":" $2, tasks, $3 }' "$tmp/run" >> "$tmp/locks"
      lib=$(sed -n 's/^# lib //p' "$tmp/run")
      lost=$(sed -n 's/^# lost //p' "$tmp/run")
      [ "$lost" = 0 ] || echo "($lost calls not counted: the module's table was full)" >&2
    done
  done

  echo
  echo "== $way"
  if [ "$counter" = none ]; then
    echo "  (no perf or strace to count system calls)"
  fi
  grep -v nan "$tmp/syscalls" | awk -v n="$n" "$per_task" | sort |
    awk 'BEGIN { split("futex calls|sched_yield calls|system calls|context switches", name, "|") }
         { printf "  %-22s %9.3f  [%.3f, %.3f]\n", name[$1 + 0], $2, $3, $4 }'
  if [ "$counter" = strace ]; then
    printf '  %-22s %9s\n' "context switches" "n/a"
  fi

  awk -v n="$n" "$per_task" "$tmp/locks" | sort -k2,2gr > "$tmp/sites"
  printf '  %-22s %9s  %s\n' "libmwt's calls" "per task" "[range]  site (function<caller file:line): source"
  : > "$tmp/acquired"
  while read -r key per low high; do
    func=${key%%:0x*}
    offset=${key##*:}
    awk -v p="$per" -v h="$high" 'BEGIN { exit !(p >= 0.0005 || p <= -0.0005 || h >= 0.0005) }' ||
      continue
    text=$(source_line "$lib" $((offset)))
    printf '  %-22s %9.3f  [%.3f, %.3f]  %s: %s\n' "$func" "$per" "$low" "$high" \
      "$(site "$lib" $((offset)))" "$text"
    case $func in
      g_mutex_lock|g_mutex_trylock:taken)
        mutex=$(sed -n 's/.*g_mutex_[a-z]*lock (\([^()]*\)).*/\1/p' <<< "$text") ;;
      g_cond_wait|g_cond_wait_until)
        mutex=$(sed -n 's/.*g_cond_wait[a-z_]* ([^,]*, *\([^,()]*\).*/\1/p' <<< "$text") ;;
      *)
        continue ;;
    esac
    echo "${mutex:-?} $per" >> "$tmp/acquired"
  done < "$tmp/sites"

  if [ -s "$tmp/acquired" ]; then
    echo "  lock acquisitions (locks, trylocks that took the lock, returns from cond waits):"
    awk '{ a[$1] += $2 } END { for (m in a) printf "  %-22s %9.3f\n", m, a[m] }' "$tmp/acquired" |
      sort -k2,2gr
    awk '{ all += $2 } END { printf "  %-22s %9.3f\n", "all of libmwt'"'"'s", all }' "$tmp/acquired"
  else
    echo "  (none)"
  fi
done
