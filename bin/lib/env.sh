# Sourced by the bin/ scripts: selects a JDK 21+ and checks for Maven. See DEVELOPERS.md.

java_major() { # prints the major version of the java at $1/bin/java
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]) }'
}

select_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 21 ]; then
      best=$JAVA_HOME best_major=$major
    fi
  fi
  if [ -z "$best" ]; then # the newest JDK under /usr/lib/jvm
    for candidate in /usr/lib/jvm/*; do
      [ -x "$candidate/bin/javac" ] || continue
      major=$(java_major "$candidate")
      if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
        best=$candidate best_major=$major
      fi
    done
  fi
  if [ -z "$best" ]; then
    echo "error: MaskSearch needs a JDK 21 or newer (Lucene 10.5, OpenSearch 3.8), and none was found in" >&2
    echo "JAVA_HOME or /usr/lib/jvm. Install one, for example: apt-get install openjdk-21-jdk-headless" >&2
    echo "(or a Temurin 21+ JDK), or point JAVA_HOME at it." >&2
    exit 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8's bundled Guava warns on JDK 23+ unless sun.misc.Unsafe memory access is allowed.
  if [ "$best_major" -ge 23 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "error: Maven is not installed. Install it, for example: apt-get install maven" >&2
    exit 1
  fi
}

select_jdk
require_maven
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
MVN=(mvn -B -ntp)
