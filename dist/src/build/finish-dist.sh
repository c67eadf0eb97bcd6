#!/usr/bin/env bash
# Finishes the assembled distribution directory before the tarball is made from it (mvn package,
# through exec-maven-plugin):
#   1. lib/classpath: the jars of lib/ in a fixed order, which bin/isola uses as the class path
#      (a CDS archive maps only with the class path it was made with);
#   2. licenses/: every jar of lib/ and bundles/ must be listed in licenses/THIRD-PARTY; the
#      licence and notice files the jars carry are copied to licenses/<jar>/;
#   2b. the class files of lib/'s jars older than Java 6's raised to Java 8's (ClassFileLevel.java):
#      JDK 25's AOT cache skips the old ones, which a cold start then reads and verifies;
#   3. lib/isola.jsa: the application class-data archive, made by bin/isola-cds. Best effort:
#      without it (no root, an odd JDK) the distribution works, only starts slower.
# Usage: finish-dist.sh DIST_DIR
set -euo pipefail
command -v unzip >/dev/null || { echo "finish-dist: unzip is needed (apt-get install unzip)" >&2; exit 1; }

dist=$1
{ [ -d "$dist/lib" ] && [ -d "$dist/bundles" ]; } || { echo "finish-dist: $dist is not an assembled distribution" >&2; exit 1; }

(cd "$dist/lib" && LC_ALL=C ls -1 -- *.jar) >"$dist/lib/classpath"

# 2. licences
third_party=$dist/licenses/THIRD-PARTY
missing=()
for jar in "$dist"/lib/*.jar "$dist"/bundles/*.jar; do
    name=$(basename "$jar" .jar)
    case $name in isola-*) continue ;; esac
    artifact=${name%%-[0-9]*}                      # drop "-VERSION" (zstd-jni-1.5.7-21 has two dashes in it)
    grep -Eq "(^|[ ,])$artifact([ ,]|$)" "$third_party" || missing+=("$name.jar")
    entries=$(unzip -Z1 "$jar" | grep -E '^META-INF/(LICEN[CS]E|NOTICE)[^/]*$' || true)
    if [ -n "$entries" ]; then
        mkdir -p "$dist/licenses/$name"
        # shellcheck disable=SC2086
        unzip -o -q -j "$jar" $entries -d "$dist/licenses/$name"
    fi
done
if ((${#missing[@]})); then
    echo "finish-dist: no licence listed in dist/src/main/dist/licenses/THIRD-PARTY for: ${missing[*]}" >&2
    exit 1
fi
felix=$(ls "$dist"/licenses/org.apache.felix.framework-*/LICENSE)
cp "$felix" "$dist/licenses/Apache-2.0"

# 2b. after the licences (copied from the jars as they came), before the archives (made for the jars as they ship)
asm=$(ls "$dist"/lib/asm-[0-9]*.jar)
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$asm" "$(dirname "${BASH_SOURCE[0]}")/ClassFileLevel.java" "$dist/lib"

# 3. the class-data archive, for this directory
rm -f "$dist/lib/isola.jsa" "$dist/lib/isola.jsa.home" "$dist/lib/isola-client.jsa" "$dist/lib/isola-thin.aot" "$dist/lib/isola.aot"
if [ "$(id -u)" != 0 ]; then
    echo "finish-dist: not root; the CDS archive is trained without starting a container" >&2
fi
if ! "$dist/bin/isola-cds"; then
    echo "finish-dist: WARNING: no CDS archive; bin/isola works but starts slower" >&2
fi
