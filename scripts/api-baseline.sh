#!/usr/bin/env bash
# Records the core's exported API as the baseline that later builds are checked against
# (bnd-baseline-maven-plugin, bound to core's verify). Run it when a release is cut, after the
# packages' @Version are right:
#
#   scripts/api-baseline.sh 1.1.0          # then set isola.api.baseline=1.1.0 in the parent pom
#   scripts/api-baseline.sh 1.1.0 some.jar # record a jar built elsewhere (e.g. from a tag)
#   scripts/api-baseline.sh --spi-support 1.0.0   # the SPI's helpers: isola.spi.support.baseline
#
# The baseline is a jar holding the manifest and the classes of the exported packages only (what
# plugins compile against), stored as io.isola:isola-core-api-baseline:VERSION in a file-based
# Maven repository under core/api-baseline, so that the check works offline and without a release.
# io.isola.spi.support is versioned apart from the contract and has its own baseline,
# io.isola:isola-spi-support-baseline:VERSION, beside the other; each holds only its packages.
set -euo pipefail

artifact=isola-core-api-baseline
support=io.isola.spi.support
if [[ ${1:-} == --spi-support ]]; then
    artifact=isola-spi-support-baseline
    shift
fi
version=${1:?usage: api-baseline.sh [--spi-support] VERSION [CORE_JAR]}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=${2:-}
if [[ -z $jar ]]; then
    (cd "$repo" && mvn -q -B -pl core -DskipTests -Dbnd.baseline.skip package)
    for candidate in "$repo"/core/target/isola-core-*.jar; do
        case $candidate in *-tests.jar | *-sources.jar) ;; *) jar=$candidate; break ;; esac
    done
fi
dir=$repo/core/api-baseline/io/isola/$artifact/$version
if [[ -e $dir ]]; then
    echo "api-baseline.sh: baseline $version exists already: a released API never changes" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unzip -q "$jar" -d "$work/all"
# Export-Package, its continuation lines joined, reduced to the package names
exports=$(awk '/^Export-Package:/{on=1; sub(/^Export-Package: /,""); h=$0; next}
               on && /^ /{sub(/^ /,""); h=h $0; next} {on=0} END{print h}' "$work/all/META-INF/MANIFEST.MF" |
          tr -d '\r' | sed -E 's/"[^"]*"//g' | tr ',' '\n' | cut -d';' -f1 | grep -v '^$')
if [[ $artifact == isola-spi-support-baseline ]]; then
    exports=$(grep -x "$support" <<<"$exports")
else
    exports=$(grep -vx "$support" <<<"$exports")
fi
mkdir -p "$work/api/META-INF"
cp "$work/all/META-INF/MANIFEST.MF" "$work/api/META-INF/"
for pkg in $exports; do
    path=${pkg//./\/}
    mkdir -p "$work/api/$path"
    find "$work/all/$path" -maxdepth 1 -type f -exec cp {} "$work/api/$path/" \;
done

mkdir -p "$dir"
name=$artifact-$version
(cd "$work/api" && find . -type f | sort | sed 's|^\./||' | TZ=UTC zip -q -X -D "$dir/$name.jar" -@)
cat > "$dir/$name.pom" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.isola</groupId>
  <artifactId>$artifact</artifactId>
  <version>$version</version>
  <description>The exported packages of isola-core as plugins saw them at $version ($artifact only)</description>
</project>
EOF
for f in "$dir/$name.jar" "$dir/$name.pom"; do
    sha1sum "$f" | cut -d' ' -f1 > "$f.sha1"
done
echo "recorded ${exports//$'\n'/ } as $dir/$name.jar"
