#!/usr/bin/env bash
# Fuzzing campaigns with Jazzer: scripts/fuzz.sh SECONDS [TARGET]
#   TARGET: Container, Decoder, Safetensors, Onnx or RoundTrip (the classes src/test/java/dev/l2c/fuzz/*FuzzTest);
#   without one, each target in turn, one process at a time, SECONDS each.
# scripts/fuzz.sh seeds rewrites the committed seed corpus (dev.l2c.fuzz.SeedCorpus).
# The default test run (scripts/test.sh) only replays the committed inputs (Jazzer's regression mode).
# Inputs that grow coverage go to .cifuzz-corpus/ (not committed); inputs that fail are moved from
# src/test/resources/dev/l2c/fuzz/<Target>FuzzTestInputs/ to src/test/resources/fuzz-findings/<Target>/,
# which the default run does not replay: fix the defect, then move the file back as a regression input.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
usage() { echo "usage: scripts/fuzz.sh SECONDS [Container|Decoder|Safetensors|Onnx|RoundTrip] | scripts/fuzz.sh seeds" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage

# FUZZ_MVN_ARGS: extra build flags, e.g. "-o -Djavacpp.skip=true -Dl2c.noCuda" to reuse built kernels.
mvn -B -ntp -q -DskipTests ${FUZZ_MVN_ARGS:-} test-compile
if [[ $1 == seeds ]]; then
  mvn -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
  exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" dev.l2c.fuzz.SeedCorpus
fi
[[ $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
targets=(Container Decoder Safetensors Onnx RoundTrip)
if [[ $# -eq 2 ]]; then
  [[ " ${targets[*]} " == *" $2 "* ]] || usage
  targets=("$2")
fi

mkdir -p target/fuzz
status=0
for t in "${targets[@]}"; do
  log="target/fuzz/$t.log"
  inputs="src/test/resources/dev/l2c/fuzz/${t}FuzzTestInputs"
  echo "fuzzing $t for ${seconds}s (log: $log)"
  # surefire:test alone, on the classes built above. Jazzer reads libFuzzer flags from the
  # jazzer.internal.arg.N parameters (0 is argv[0]) and its own options as jazzer.NAME; keep_going
  # goes on past distinct findings so one campaign reports them all.
  set +e
  JAZZER_FUZZ=1 mvn -B -ntp -o surefire:test -Dtest="dev.l2c.fuzz.${t}FuzzTest" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$seconds" -Djazzer.internal.arg.2=-timeout=30 \
    -Djazzer.keep_going=100 -Dl2c.jazzerHooks=true >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  rate=$(grep -Eo '#[0-9]+[[:space:]]+DONE .*exec/s: [0-9]+' "$log" | grep -Eo 'exec/s: [0-9]+' | tail -1 || true)
  findings=$(grep -c '== Java Exception' "$log" || true)
  moved=0
  while IFS= read -r -d '' f; do
    mkdir -p "src/test/resources/fuzz-findings/$t"
    mv "$f" "src/test/resources/fuzz-findings/$t/"
    moved=$((moved + 1))
  done < <(find "$inputs" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'slow-unit-*' \) -print0 2>/dev/null)
  echo "$t: ${runs:-no run count found}, ${rate:-exec/s unknown}, findings: $findings, inputs saved to fuzz-findings/$t: $moved, exit $rc"
  if [[ $rc -ne 0 && $findings -eq 0 ]]; then
    echo "$t: the test JVM failed without a Jazzer finding (a crash? see $log and any hs_err_pid*.log)" >&2
  fi
  [[ $rc -eq 0 ]] || status=1
done
exit $status
