#!/usr/bin/env bash
# Runs the Spark job (spark/target/l2c-spark-*-job.jar, built by scripts/test.sh or
# `mvn -f spark/pom.xml package`) on this machine in Spark's local mode, local[CORES] (default 2),
# without a Spark installation: Spark's jars come from the Maven build's class path, and the JVM
# gets the options Spark's own launcher passes on JDK 17. On a cluster use spark-submit instead
# (README, "More than one machine: Spark"). Arguments after the cores are the job's:
#   scripts/spark-local.sh [--cores N] MODEL... -o OUT (--lossless | --bits B) [--per-channel] ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cores=2
if [[ "${1:-}" == "--cores" ]]; then cores="$2"; shift 2; fi
jar="$(ls "$here"/spark/target/l2c-spark-*-job.jar 2>/dev/null | head -1)"
[[ -n "$jar" ]] || { echo "spark-local.sh: no job jar; build it: mvn -B -f $here/spark/pom.xml package" >&2; exit 2; }
cp_file="$here/spark/target/spark-classpath.txt"
if [[ ! -s "$cp_file" || "$here/spark/pom.xml" -nt "$cp_file" ]]; then
  # Spark and the libraries beside it; not the unshaded l2c jar, which the job jar holds.
  mvn -B -q -ntp -f "$here/spark/pom.xml" dependency:build-classpath -Dmdep.includeScope=provided -DexcludeGroupIds=dev.l2c \
      -Dmdep.outputFile="$cp_file" >&2
fi
# As the ./l2c launcher: OpenMP threads sleep at barriers rather than spin (read when libgomp loads).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"  # as ./l2c
jvm="$(sed -n 's:.*<spark.jvmOptions>\(.*\)</spark.jvmOptions>.*:\1:p' "$here/spark/pom.xml")"
# shellcheck disable=SC2086 # the options are separate words
exec java $jvm ${L2C_JAVA_OPTS:--Xmx4g} -Dspark.master="local[$cores]" -Dspark.ui.enabled=false \
    -cp "$jar:$(cat "$cp_file")" dev.l2c.spark.SparkCompress "$@"
