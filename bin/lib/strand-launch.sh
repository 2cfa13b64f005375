# shellcheck shell=bash
# The one launch library of every bin/ script: where the project is (STRAND_HOME), which java
# (JAVA), building it when the jars are missing (quietly, on stderr), the classpaths of the
# server and tool JVMs, and small helpers. Sourced, never run.
#
# Two layouts (STRAND_LAYOUT), told apart by a libs/ directory next to bin/:
#   release   an unpacked release archive (strand-<version>.tar.gz): every runtime jar in libs/,
#             every JVM runs with -cp "libs/*"; no sources, no Maven, nothing is ever built
#   source    a source checkout: the jars are built by Maven into <module>/target (and built
#             here first when missing)
#
# Environment understood here:
#   JAVA_HOME                 java is $JAVA_HOME/bin/java when set, else java on PATH
#   STRAND_SERVER_CLASSPATH   use this classpath for the broker and ZooKeeper JVMs
#                             instead of server/target or libs/ (no build check then)
#   STRAND_TOOLS_CLASSPATH    the same for tool JVMs (tools/target or libs/)

STRAND_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"

if [[ -d "$STRAND_HOME/libs" ]]; then
  STRAND_LAYOUT=release
else
  STRAND_LAYOUT=source
fi

# shellcheck disable=SC2034  # JAVA is for the scripts that source this file
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

STRAND_PROG="${STRAND_PROG:-$(basename "$0")}"

# strand_usage — the running script's header comment (line 2 up to 'set -euo'), for --help.
strand_usage() {
  sed -n '2,/^set -euo/p' "$(readlink -f "$0")" | sed -e '$d' -e 's/^# \{0,1\}//'
}

strand_err() { printf '%s: %s\n' "$STRAND_PROG" "$*" >&2; }
strand_die() { strand_err "$@"; exit 1; }

# strand_abs_path PATH — absolute path without resolving symlinks; PATH need not exist.
strand_abs_path() {
  local p="$1"
  [[ "$p" == /* ]] || p="$PWD/$p"
  # squeeze "/./" and trailing "/." or "/" so that equal paths compare equal
  while [[ "$p" == *"/./"* ]]; do p="${p//\/.\//\/}"; done
  p="${p%/.}"
  while [[ "$p" == *//* ]]; do p="${p//\/\//\/}"; done
  [[ "$p" == "/" ]] || p="${p%/}"
  printf '%s\n' "$p"
}

# The first file matching a glob, or nothing.
strand_first_glob() {
  local f
  for f in "$@"; do
    [[ -e "$f" ]] && { printf '%s\n' "$f"; return 0; }
  done
  return 1
}

# The directory holding the runtime jars next to a module's own jar: libs/ of a release, the
# module's target/lib in a source checkout.
strand_lib_dir() {
  if [[ "$STRAND_LAYOUT" == release ]]; then
    printf '%s\n' "$STRAND_HOME/libs"
  else
    printf '%s\n' "$STRAND_HOME/$1/target/lib"
  fi
}

strand_server_jar() {
  if [[ "$STRAND_LAYOUT" == release ]]; then
    strand_first_glob "$STRAND_HOME"/libs/strand-server-*[0-9T].jar
  else
    strand_first_glob "$STRAND_HOME"/server/target/strand-server-*[0-9T].jar
  fi
}
strand_tools_jar() {
  if [[ "$STRAND_LAYOUT" == release ]]; then
    strand_first_glob "$STRAND_HOME"/libs/strand-tools-*[0-9T].jar
  else
    strand_first_glob "$STRAND_HOME"/tools/target/strand-tools-*[0-9T].jar
  fi
}

strand_server_built() {
  strand_server_jar >/dev/null &&
    strand_first_glob "$(strand_lib_dir server)"/zookeeper-[0-9]*.jar >/dev/null
}
strand_tools_built() {
  strand_tools_jar >/dev/null &&
    strand_first_glob "$(strand_lib_dir tools)"/kafka-clients-*.jar >/dev/null
}

# strand_require_source NEED — die unless this is a source checkout (NEED says what needs one).
strand_require_source() {
  [[ "$STRAND_LAYOUT" == source ]] ||
    strand_die "$1 needs a source checkout with Maven; this is a release ($STRAND_HOME/libs)"
}

# strand_mvn ARGS... — run Maven in STRAND_HOME, its output on stderr so that a caller's stdout
# stays clean: batch mode, quiet, without the stray terminal escapes Maven 3.8's jansi prints even
# with -q (-Djansi.noreset=true), and without the format check (a user's unformatted local edit
# must not stop a launch; the project's own build checks the format).
strand_mvn() {
  command -v mvn >/dev/null 2>&1 || strand_die "mvn is not on PATH (needed for: mvn $*)"
  (cd "$STRAND_HOME" && MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" \
    mvn -B -q -Dspotless.check.skip=true "$@") >&2
}

# Build the whole project (never install it). A release is never built: its libs/ is what runs.
strand_build() {
  [[ "$STRAND_LAYOUT" == source ]] ||
    strand_die "$STRAND_HOME/libs lacks jars this command needs (strand-server, strand-tools, zookeeper, kafka-clients): unpack the release archive again"
  command -v mvn >/dev/null 2>&1 || strand_die "the project is not built and mvn is not on PATH; build it with: mvn -DskipTests package"
  strand_err "building the project (mvn -q -DskipTests package in $STRAND_HOME)..."
  strand_mvn -DskipTests package ||
    strand_die "the build failed; run 'mvn -DskipTests package' in $STRAND_HOME to see why"
}

# Warn, once, when sources are newer than the jar that would run (no rebuild:
# rebuilding would rewrite jars under running JVMs).
strand_warn_if_stale() {
  local jar="$1"; shift
  local newer
  newer="$(cd "$STRAND_HOME" && find "$@" -name target -prune -o -type f \
    \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
    -newer "$jar" -print -quit 2>/dev/null)" || true  # a missing source dir is no error
  if [[ -n "$newer" ]]; then
    strand_err "note: $newer is newer than $(basename "$jar"); run 'mvn -DskipTests package' to rebuild"
  fi
}

strand_ensure_server_built() {
  [[ -n "${STRAND_SERVER_CLASSPATH:-}" ]] && return 0
  strand_server_built || strand_build
  strand_server_built || strand_die "the build did not produce server/target/strand-server-*.jar and server/target/lib/"
  [[ "$STRAND_LAYOUT" == release ]] || strand_warn_if_stale "$(strand_server_jar)" pom.xml wal coordinator server
}

strand_ensure_tools_built() {
  [[ -n "${STRAND_TOOLS_CLASSPATH:-}" ]] && return 0
  strand_tools_built || strand_build
  strand_tools_built || strand_die "the build did not produce tools/target/strand-tools-*.jar and tools/target/lib/"
}

strand_server_classpath() {
  if [[ -n "${STRAND_SERVER_CLASSPATH:-}" ]]; then
    printf '%s\n' "$STRAND_SERVER_CLASSPATH"
  elif [[ "$STRAND_LAYOUT" == release ]]; then
    printf '%s\n' "$STRAND_HOME/libs/*"
  else
    printf '%s\n' "$(strand_server_jar):$STRAND_HOME/server/target/lib/*"
  fi
}

strand_tools_classpath() {
  if [[ -n "${STRAND_TOOLS_CLASSPATH:-}" ]]; then
    printf '%s\n' "$STRAND_TOOLS_CLASSPATH"
  elif [[ "$STRAND_LAYOUT" == release ]]; then
    printf '%s\n' "$STRAND_HOME/libs/*"
  else
    printf '%s\n' "$(strand_tools_jar):$STRAND_HOME/tools/target/lib/*"
  fi
}

# strand_cfg_value FILE KEY — last value of KEY in a zoo.cfg / .properties file.
strand_cfg_value() {
  local file="$1" key="$2" line k v value=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* || "$line" == \!* ]] && continue
    [[ "$line" == *=* ]] || continue
    k="${line%%=*}"; v="${line#*=}"
    k="${k%"${k##*[![:space:]]}"}"
    v="${v#"${v%%[![:space:]]*}"}"; v="${v%"${v##*[![:space:]]}"}"
    [[ "$k" == "$key" ]] && value="$v"
  done <"$file"
  printf '%s\n' "$value"
}
