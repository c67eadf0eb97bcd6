#!/usr/bin/env bash
# Builds and tests dist/examples/embedded-classpath and embedded-app as a user's projects are built:
# outside the reactor, against io.isola's artifacts installed in a Maven repository (io.isola:isola-bom,
# isola-core, isola-ns-*, isola-launcher). The repository is a temporary one, removed at the end;
# everything else comes from ~/.m2/repository as a read-only mirror (the reactor's build filled it),
# so nothing is downloaded and ~/.m2 is not written. Exits non-zero on a failure.
# Usage, as root (the examples' tests start containers), after a build: scripts/smoke-embedded.sh
#
# The artifacts installed are the ones the build made (each module's pom.xml and target jar, in the
# repository's layout, as "mvn install" lays them out), not a second build of the reactor: that
# rebuilt, re-formatted and re-checked the same classes, minutes of the suite for the same jars.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seed=${ISOLA_MAVEN_SEED:-$HOME/.m2/repository}
[[ -d $seed ]] || { echo "smoke-embedded: no Maven repository in $seed: build first" >&2; exit 1; }

work=$(mktemp -d /var/tmp/isola-embedded.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
cat >"$work/settings.xml" <<SETTINGS
<settings>
  <localRepository>$work/repository</localRepository>
  <offline>false</offline>
  <mirrors>
    <mirror>
      <id>seed</id>
      <mirrorOf>*</mirrorOf>
      <url>file://$seed</url>
    </mirror>
  </mirrors>
</settings>
SETTINGS
mvn_() { mvn -B -ntp -s "$work/settings.xml" "$@" </dev/null; }

# the version every module of the reactor has: the parent's (pom.xml's first <version>)
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$repo/pom.xml" | head -n 1)
[[ -n $version ]] || { echo "smoke-embedded: no <version> in $repo/pom.xml" >&2; exit 1; }
# install_artifact ARTIFACT-ID POM [JAR]: as "mvn install" does, into io/isola/ARTIFACT-ID/VERSION/
install_artifact() {
    local dir=$work/repository/io/isola/$1/$version
    mkdir -p "$dir"
    cp "$2" "$dir/$1-$version.pom"
    if [[ -n ${3:-} ]]; then
        [[ -f $3 ]] || { echo "smoke-embedded: no $3: build first" >&2; exit 1; }
        cp "$3" "$dir/$1-$version.jar"
    fi
}

echo "smoke-embedded: installing io.isola's artifacts into $work/repository"
install_artifact isola-parent "$repo/pom.xml"
install_artifact isola-bom "$repo/dist/bom/pom.xml"
for module in core ns-uts ns-ipc ns-pid ns-mount ns-net ns-user ns-cgroup launcher; do
    install_artifact "isola-$module" "$repo/$module/pom.xml" "$repo/$module/target/isola-$module-$version.jar"
done
find "$work/repository/io/isola" -maxdepth 1 -mindepth 1 -printf '%f\n' | sort | xargs echo "smoke-embedded: installed:"

for example in embedded-classpath embedded-app; do
    cp -r "$repo/dist/examples/$example" "$work/$example"
    rm -rf "$work/$example/target"
    echo "smoke-embedded: $example, on its own"
    mvn_ -f "$work/$example/pom.xml" verify >"$work/$example.log" 2>&1 ||
        { tail -n 40 "$work/$example.log" >&2; echo "smoke-embedded: FAILED: $example" >&2; exit 1; }
    grep -E '^\[INFO\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: 0$' "$work/$example.log" | tail -n 1
done
echo "smoke-embedded: ok"
