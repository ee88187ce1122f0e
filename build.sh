#!/usr/bin/env bash
# MultiAgent: one entry point for a fresh Debian machine (root, or a user with sudo).
#
#   ./build.sh run [-- SETTINGS]  install what is missing, then start the whole system (AppHost + dashboard); settings
#                      after -- go to the AppHost (--MultiAgent:Llm:Model=…); without a model it says how to set one
#   ./build.sh agents --join FILE [--agents coder,reviewer,repomanager] [--replicas N] [-- SETTINGS]
#                      an agent host: only the chosen agents (N instances each) on this machine, against the running
#                      system that wrote FILE (its <DataRoot>/join.json); same settings, health checks, logs, restarts
#                      as at home; dashboard on http://localhost:18898 (docs/scaling.md)
#   ./build.sh demo    a whole job with no model key: a sample repository, the system with a replayed session
#                      (pull request, a review round, merge), watched with the CLI; the dashboard until Ctrl+C
#   ./build.sh test    install what is missing, then build and run every test (unit and integration)
#   ./build.sh test unit  only the unit tests (no server, no process; well under a minute), for a quick loop
#   ./build.sh coverage  the whole suite under the code coverage collector: line coverage of agent code (the agents
#                      and their runtime), in the test process and in the agent processes; report in artifacts/coverage
#   ./build.sh bench   latency of the system health endpoint (GET /health) under concurrent requests: p50/p99
#   ./build.sh bench pipeline [--jobs N] [--concurrency 1,4,16] [--coders 1,2] [--nats-nodes 1,3]
#                      pipeline benchmark (not part of the tests): where a job's time goes (hand-offs, Repo Manager,
#                      Coder: model/tools/check/git, Reviewer, merge) at each concurrency and Coder count, jobs/min, the
#                      floor of the same servers and the overhead's ratio to it, memory; exits 1 when a target is missed
#   ./build.sh soak [--minutes N] [--concurrency N] [--chaos-every SECONDS] [--seed N]
#                      soak benchmark (not part of the tests): jobs submitted continuously against a scripted model
#                      while a part (agent, nats-server, PostgreSQL) is killed every few minutes; prints jobs, duplicates,
#                      restarts, job times and memory growth; exits 1 when a target is missed
#   ./build.sh images [--local-base] [--base IMAGE] [--coder-base IMAGE] [--coder-check COMMAND] [--output DIR]
#                      build the agents' container images with the .NET SDK (no Docker) as tarballs in artifacts/images
#                      and check what is inside (git, the entry point, the Coder's toolchain): docs/deployment.md
#   ./build.sh setup   install what is missing, restore NuGet packages, and install the multi-agent CLI as a .NET tool
#                      from this build (~/.dotnet/tools must be on PATH)
#   ./build.sh install-service    (root) build, then install and start the systemd unit 'multiagent': the whole system
#                      from boot, restarted if it dies; settings in /etc/multiagent/multiagent.env
#   ./build.sh uninstall-service  (root) stop and remove that unit (the data folder stays)
#
# The tests start their own nats-server and PostgreSQL processes (through the AppHost, on random ports);
# nothing needs to be running beforehand.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "installing packages needs root: run this script as root or install sudo"
  fi
}

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 ||
    die "the .NET 10 SDK is not installed; see https://learn.microsoft.com/dotnet/core/install/linux-debian"
  local major
  major=$(dotnet --version 2>/dev/null | cut -d. -f1)
  [ "${major:-0}" -ge 10 ] || die ".NET SDK 10 or newer is required (found $(dotnet --version 2>/dev/null || echo none))"
}

install_os_packages() {
  local missing=()
  command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # setpriv starts PostgreSQL as the 'postgres' user when the AppHost runs as root.
  [ -x /usr/bin/setpriv ] || missing+=(util-linux)
  # bubblewrap sandboxes the repository's check the Coder runs (docs/security.md, "Repository checks").
  [ -x /usr/bin/bwrap ] || missing+=(bubblewrap)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing OS packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# An ASP.NET Core development certificate for DCP, Aspire's process orchestrator, to serve its API with (created once;
# again when the last is a year old): without one, DCP generates a new certificate at every start of an AppHost, about
# 1-3 s of CPU each time (docs/operations.md). It is not trusted anywhere (no --trust); src/MultiAgent.Hosting/Local/
# DcpCertificate.cs explains how DCP gets it.
development_certificate() {
  local store="$HOME/.dotnet/corefx/cryptography/x509stores/my"
  if [ -z "$(find "$store" -name '*.pfx' -mtime -365 2>/dev/null | head -1)" ]; then
    log "creating an ASP.NET Core development certificate for the process orchestrator (dotnet dev-certs https)"
    dotnet dev-certs https >/dev/null
  fi
}

setup() {
  require_dotnet
  install_os_packages
  development_certificate
  log "restoring NuGet packages"
  dotnet restore MultiAgent.sln --verbosity quiet
}

# The multi-agent CLI as a global .NET tool, packed from this tree and installed from that folder alone (a tool
# package carries its dependencies; no feed is asked). Replaces an installed one.
install_cli() {
  local out=artifacts/cli config
  log "installing the multi-agent CLI (a .NET tool from this build) into ~/.dotnet/tools"
  rm -rf "$out" && mkdir -p "$out"
  dotnet pack src/MultiAgent.Cli --configuration Release --output "$out" --verbosity quiet >/dev/null
  config="$out/nuget.config"
  printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><clear /><add key="cli" value="%s" /></packageSources></configuration>\n' \
    "$PWD/$out" > "$config"
  dotnet tool uninstall --global MultiAgent.Cli >/dev/null 2>&1 || true
  dotnet tool install --global MultiAgent.Cli --configfile "$config" >/dev/null
  if ! command -v multi-agent >/dev/null 2>&1; then
    log "multi-agent is installed in $HOME/.dotnet/tools, which is not on PATH: export PATH=\"\$PATH:\$HOME/.dotnet/tools\""
  fi
}

# Whether a model name is set anywhere the AppHost reads it from: the arguments, the environment, its user secrets.
model_configured() {
  printf '%s\n' "$@" | grep -qiE '^--?MultiAgent:Llm:(Agents:[a-z]+:)?Model=.' && return 0
  env | grep -qiE '^MultiAgent__Llm__(Agents__[a-z]+__)?Model=.' && return 0
  # The AppHost's user secrets, read from their file (what `dotnet user-secrets set` writes) rather than through
  # `dotnet user-secrets list`, which costs a second of every start.
  local id
  id=$(sed -n 's:.*<UserSecretsId>\(.*\)</UserSecretsId>.*:\1:p' src/MultiAgent.AppHost/MultiAgent.AppHost.csproj)
  [ -n "$id" ] && grep -qiE '"MultiAgent:Llm:(Agents:[a-z]+:)?Model" *: *"[^"]' "$HOME/.microsoft/usersecrets/$id/secrets.json" 2>/dev/null && return 0
  return 1
}

# Where ./build.sh run keeps its data (MultiAgent:DataRoot): /var/lib/multiagent as root, else the AppHost's .data.
system_data_root() {
  if [ -n "${MultiAgent__DataRoot:-}" ]; then echo "$MultiAgent__DataRoot"
  elif [ "$(id -u)" -eq 0 ]; then echo /var/lib/multiagent
  else echo "$PWD/src/MultiAgent.AppHost/.data"; fi
}

# Waits up to $2 seconds for $1 to answer; dies with $3 when it does not, and at once when process $4 (if given) is gone.
wait_until_healthy() {
  local url=$1 seconds=$2 failure=$3 pid=${4:-}
  for _ in $(seq 1 "$seconds"); do
    curl -fs -o /dev/null "$url" 2>/dev/null && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then die "the system stopped while starting"; fi
    sleep 1
  done
  curl -fs -o /dev/null "$url" || die "$failure"
}

run_system() {
  # The packages and build of the AppHost's projects only (dotnet build restores them), not the whole solution's.
  require_dotnet
  install_os_packages
  # The CLI on PATH for whoever follows the README; ./build.sh setup installs it again after a change.
  [ -x "$HOME/.dotnet/tools/multi-agent" ] || install_cli
  log "starting the AppHost: dashboard http://localhost:18888, NATS nats://localhost:4222, PostgreSQL localhost:5433"
  # NATS admits only known users; the AppHost writes the CLI's credentials into its data folder (mode 0600).
  local data_root
  data_root=$(system_data_root)
  log "CLI credentials: export MULTIAGENT_CONFIG=$data_root/cli/operator.json (or --config $data_root/cli/viewer.json to look only)"
  if [ -z "${MultiAgent__LocalGit__AllowedRoots__0:-}${MultiAgent__LocalGit__AllowedRoots:-}" ]; then
    log "local repositories: put them under $data_root/repos (the allowed root; MultiAgent:LocalGit:AllowedRoots lists others)"
  fi
  if ! model_configured "$@"; then
    log "no language model is configured: submitted jobs and projects fail at once, saying so, until one is. Set one:"
    log "  user secrets: dotnet user-secrets --project src/MultiAgent.AppHost set MultiAgent:Llm:ApiKey <key>   (and MultiAgent:Llm:Model <model>; Provider and Endpoint as needed)"
    log "  environment:  MultiAgent__Llm__ApiKey=<key> MultiAgent__Llm__Model=<model> ./build.sh run"
    log "  arguments:    ./build.sh run -- --MultiAgent:Llm:ApiKey=<key> --MultiAgent:Llm:Model=<model>   (docs/llm.md)"
  fi
  # Settings after 'run --' go to the AppHost (e.g. --MultiAgent:NatsPort=4300), which hands them on to the agents.
  start_apphost 18888 "$@"
}

# Builds the AppHost and the agents (Release), then becomes the AppHost's own process, not under `dotnet run` (which
# does not pass SIGTERM on and costs a process of its own): Ctrl+C or SIGTERM reach the AppHost, which stops everything
# it started. It runs the agents' Release builds directly. The environment is the http launch profile's
# (src/MultiAgent.AppHost/Properties/launchSettings.json), with the dashboard on port $1 and the two after it.
start_apphost() {
  local dashboard=$1; shift
  development_certificate
  local apphost=src/MultiAgent.AppHost/bin/Release/net10.0/MultiAgent.AppHost.dll
  local stamp=src/MultiAgent.AppHost/bin/Release/net10.0/.built-by-build-sh
  # Built once: again only when a source or build file is newer than the last build (a no-op build costs ~7 s).
  if [ -f "$apphost" ] && [ -f "$stamp" ] && [ -z "$(find src Directory.Build.props Directory.Packages.props global.json \
      -newer "$stamp" -type f -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/.data/*' 2>/dev/null | head -1)" ]; then
    log "the AppHost and the agents are built and up to date (Release)"
  else
    log "building the AppHost and the agents (Release)"
    dotnet build src/MultiAgent.AppHost --configuration Release --verbosity quiet -warnaserror
    touch "$stamp"
  fi
  export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:$dashboard}"
  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
  export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="${ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL:-http://localhost:$((dashboard + 1))}"
  export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="${ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL:-http://localhost:$((dashboard + 2))}"
  export ASPIRE_ALLOW_UNSECURED_TRANSPORT="${ASPIRE_ALLOW_UNSECURED_TRANSPORT:-true}"
  exec dotnet "$apphost" "$@"
}

# An agent host: chosen agents on this machine against a running system's NATS and PostgreSQL (docs/scaling.md). The
# join file is the system's <DataRoot>/join.json (mode 0600: it holds passwords), copied here; its addresses must be
# reachable from here. The dashboard is on port 18898, apart from a system's on the same machine.
run_agent_host() {
  local join="" agents="" replicas="" settings=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --join) join=${2:-}; shift 2 ;;
      --agents) agents=${2:-}; shift 2 ;;
      --replicas) replicas=${2:-}; shift 2 ;;
      --) shift; settings+=("$@"); break ;;
      *) die "agents: unknown argument '$1' (usage: ./build.sh agents --join FILE [--agents coder,reviewer,repomanager] [--replicas N] [-- SETTINGS])" ;;
    esac
  done
  [ -n "$join" ] || die "agents: --join FILE is required: the running system's <DataRoot>/join.json, copied to this machine"
  [ -r "$join" ] || die "agents: cannot read the join file '$join'"
  join=$(cd "$(dirname "$join")" && pwd)/$(basename "$join")
  if [ -n "$replicas" ] && ! [[ "$replicas" =~ ^[1-8]$ ]]; then die "agents: --replicas must be between 1 and 8 (it is '$replicas')"; fi
  require_dotnet
  install_os_packages
  local args=("--MultiAgent:Join:File=$join")
  [ -n "$agents" ] && args+=("--MultiAgent:Agents=$agents")
  if [ -n "$replicas" ]; then
    local agent
    for agent in $(echo "${agents:-coder,reviewer,repomanager}" | tr ',' ' '); do args+=("--MultiAgent:Replicas:$agent=$replicas"); done
  fi
  log "starting an agent host (${agents:-every agent}, ${replicas:-1} instance(s) each) against the system in $join: dashboard http://localhost:18898"
  start_apphost 18898 "${args[@]}" "${settings[@]}"
}

# A whole job with no model key: a sample repository (demo/repository) in the allowed root, the system started with the
# Replay provider playing demo/session.json (the Coder makes greet.sh take a name, the Reviewer asks for a default, the
# Coder adds it, the Reviewer approves), the job submitted and watched with the CLI. The system keeps running for the
# dashboard (http://localhost:18888) until Ctrl+C. The replay's answers are used once: run the demo on a fresh start.
run_demo() {
  setup
  [ -x "$HOME/.dotnet/tools/multi-agent" ] || install_cli
  if curl -fs -o /dev/null http://localhost:5100/health/ready 2>/dev/null; then
    die "a system is running already (http://localhost:5100); stop it first: the demo starts one of its own"
  fi
  local data_root repo scratch
  data_root=$(system_data_root)
  mkdir -p "$data_root/repos"
  repo="$data_root/repos/greet-demo-$(date +%Y%m%d-%H%M%S).git"
  scratch=$(mktemp -d)
  git init --quiet --bare --initial-branch=main "$repo"
  cp -R demo/repository/. "$scratch/"
  git -C "$scratch" init --quiet --initial-branch=main
  git -C "$scratch" add --all
  git -C "$scratch" -c user.name="MultiAgent demo" -c user.email=demo@multiagent.invalid commit --quiet -m "greet.sh, its check"
  git -C "$scratch" push --quiet "$repo" main
  rm -rf "$scratch"
  # The sandbox runs the check as nobody in a copy, and the agents read the repository: readable by all, like a
  # repository a user keeps under the allowed root.
  chmod -R a+rX "$repo"
  log "sample repository: $repo"
  (run_system --MultiAgent:Llm:Provider=Replay "--MultiAgent:Llm:ReplayFile=$PWD/demo/session.json" --MultiAgent:Llm:Model=replay) &
  local system=$!
  trap 'kill -TERM "$system" 2>/dev/null; wait "$system" 2>/dev/null' EXIT
  trap 'exit 130' INT TERM
  wait_until_healthy http://localhost:5100/health 180 "the system did not become healthy within 3 minutes" "$system"
  export MULTIAGENT_CONFIG="$data_root/cli/operator.json"
  local multi_agent="$HOME/.dotnet/tools/multi-agent" job
  job=$("$multi_agent" submit-feature --repo "$repo" --title "Let greet.sh take a name" \
    --description "greet.sh greets whoever is named as its first argument." \
    --requirements "sh greet.sh Ada prints Hello, Ada!" --json | sed -E 's/.*"jobId" *: *"([^"]+)".*/\1/')
  log "submitted $job; watching it (the dashboard shows its trace: http://localhost:18888)"
  "$multi_agent" watch "$job" || true
  "$multi_agent" job-status "$job" || true
  log "main now holds: $(git --git-dir="$repo" log --oneline main | head -3 | tr '\n' ' ')"
  log "the system keeps running for the dashboard (http://localhost:18888); Ctrl+C stops it"
  wait "$system"
}

# One plain closing line that any reader understands: "tests: N passed, N failed, N skipped" (from dotnet test's log).
test_summary() {
  grep -E 'Failed:[[:space:]]+[0-9]+, Passed:[[:space:]]+[0-9]+, Skipped:[[:space:]]+[0-9]+' "$1" |
    sed -E 's/.*Failed:[[:space:]]+([0-9]+), Passed:[[:space:]]+([0-9]+), Skipped:[[:space:]]+([0-9]+).*/\2 \1 \3/' |
    awk '{p+=$1; f+=$2; s+=$3} END {printf "%d passed, %d failed, %d skipped", p, f, s}' || true
}

# What the tests' processes (test hosts, servers, agents) run with: their scratch data (every data folder, repository and
# workspace is made under TMPDIR) on a RAM-backed folder when /dev/shm has room, so that PostgreSQL's fsyncs and git's
# writes cost no disk flushing; no profile-guided re-JIT (DOTNET_TieredPGO=0) and no re-JIT of hot methods at all
# (DOTNET_TC_CallCounting=0: methods stay as first compiled, loops still optimised on the spot), which processes that
# live seconds to minutes pay for and never earn back. Measured on 2 cores: the integration tests 3 min 3 s with the
# first two, 4 min 9-23 s without; 4 min 29 s with all three against 5 min 18 s without the last, the CPU of the .NET
# processes 228 s against 348 s (docs/testing.md). Removed when the run ends.
TEST_TMP=""
test_environment() {
  export DOTNET_TieredPGO=0
  export DOTNET_TC_CallCounting=0
  if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -ge 2097152 ]; then
    TEST_TMP=$(mktemp -d /dev/shm/multiagent-tests.XXXXXX)
    # Open like /tmp: PostgreSQL runs as its own user and the check sandbox as nobody, both under this folder.
    chmod 1777 "$TEST_TMP"
    export TMPDIR=$TEST_TMP
    trap 'rm -rf "$TEST_TMP"' EXIT
  fi
}

# The run's closing lines from dotnet test's log $1 (removed after), for a run started at $2 whose tests started at $3.
report_tests() {
  local summary
  summary=$(test_summary "$1")
  rm -f "$1"
  log "test suite took $(( $(date +%s) - $2 ))s ($(( $(date +%s) - $3 ))s of it running the tests, the rest building)"
  echo "tests: ${summary:-0 passed, 0 failed, 0 skipped}"
}

run_tests() {
  local scope=${1:-all} target
  case "$scope" in
    all) target=MultiAgent.sln ;;
    unit) target=tests/MultiAgent.UnitTests ;;
    *) die "unknown test scope '$scope': use ./build.sh test (everything) or ./build.sh test unit" ;;
  esac
  setup
  local started log
  started=$(date +%s)
  log "building"
  dotnet build "$target" --no-restore --configuration Release --verbosity quiet -warnaserror
  log "running the tests ($scope)"
  log=$(mktemp)
  test_environment
  local tests_started
  tests_started=$(date +%s)
  set +e
  dotnet test "$target" --no-build --configuration Release 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  report_tests "$log" "$started" "$tests_started"
  return "$status"
}

# Line coverage of agent code (Agents.Coder, Agents.Reviewer, Agents.RepoManager, MultiAgent.AgentRuntime), counting
# what runs inside the agent processes as well as in the test process. How it works: docs/testing.md, "Coverage".
run_coverage() {
  setup
  local out=artifacts/coverage started log
  local reportgenerator=artifacts/tools/reportgenerator
  started=$(date +%s)
  if [ ! -x "$reportgenerator" ]; then
    log "installing ReportGenerator into artifacts/tools"
    dotnet tool install dotnet-reportgenerator-globaltool --version 5.6.0 --tool-path artifacts/tools >/dev/null
  fi
  log "building"
  dotnet build MultiAgent.sln --no-restore --configuration Release --verbosity quiet -warnaserror
  rm -rf "$out"
  mkdir -p "$out"
  log "running the test suite under the code coverage collector (tests/coverage.runsettings)"
  log=$(mktemp)
  test_environment
  local tests_started
  tests_started=$(date +%s)
  set +e
  dotnet test MultiAgent.sln --no-build --configuration Release --settings tests/coverage.runsettings \
    --collect "Code Coverage" --results-directory "$out/raw" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  report_tests "$log" "$started" "$tests_started"

  compgen -G "$out/raw/*/*.cobertura.xml" >/dev/null || die "no coverage file was written under $out/raw"
  log "merging the coverage files into $out"
  "$reportgenerator" "-reports:$out/raw/*/*.cobertura.xml" "-targetdir:$out" \
    "-reporttypes:Html;Cobertura;TextSummary" "-title:MultiAgent agent code" \
    "-assemblyfilters:+Agents.Coder;+Agents.Reviewer;+Agents.RepoManager;+MultiAgent.AgentRuntime" \
    -verbosity:Warning
  # Summary.txt: a header (totals), then one unindented line per assembly and an indented line per class.
  echo "line coverage of agent code (test process + agent processes):"
  awk '/^[A-Za-z]/ && NF == 2 && $2 ~ /%$/ {printf "  %-26s %7s\n", $1, $2}' "$out/Summary.txt"
  awk -F': *' '/^ *Line coverage:/ {total=$2} /^ *Covered lines:/ {c=$2} /^ *Coverable lines:/ {v=$2}
    END {printf "  %-26s %7s  (%s of %s lines)\n", "total", total, c, v}' "$out/Summary.txt"
  echo "report: $out/index.html (merged Cobertura: $out/Cobertura.xml)"
  # An agent assembly that no process loaded under the collector would silently drop out of the total.
  local assembly
  for assembly in Agents.Coder Agents.Reviewer Agents.RepoManager MultiAgent.AgentRuntime; do
    grep -q "^$assembly " "$out/Summary.txt" || die "no coverage data for $assembly"
  done
  return "$status"
}

run_benchmark() {
  setup
  local url=http://localhost:5100/health
  BENCH_APPHOST=""
  dotnet build tools/MultiAgent.Benchmarks --configuration Release --verbosity quiet --nologo >/dev/null
  if ! curl -fs -o /dev/null "http://localhost:5100/health/ready" 2>/dev/null; then
    log "starting the system for the benchmark"
    dotnet run --project src/MultiAgent.AppHost --launch-profile http >/tmp/multiagent-bench-apphost.log 2>&1 &
    BENCH_APPHOST=$!
    # dotnet run does not pass SIGTERM on: stop the AppHost itself (its child), which stops the servers and agents.
    trap 'if [ -n "${BENCH_APPHOST:-}" ]; then pkill -TERM -P "$BENCH_APPHOST" 2>/dev/null; wait "$BENCH_APPHOST" 2>/dev/null; fi' EXIT
    wait_until_healthy "$url" 120 "the system did not become healthy; see /tmp/multiagent-bench-apphost.log"
  fi
  log "benchmarking GET $url (${BENCH_CONCURRENCY:-32} clients, ${BENCH_SECONDS:-15}s)"
  dotnet tools/MultiAgent.Benchmarks/bin/Release/net10.0/MultiAgent.Benchmarks.dll "$url" "${BENCH_CONCURRENCY:-32}" "${BENCH_SECONDS:-15}"
}

# The benchmarks that run the end-to-end topology (AppHost, servers, agents on random ports, a data folder of its own),
# so they run beside a system started with ./build.sh run: `soak` (jobs under kills; docs/operations.md, "Soak
# benchmark") and `pipeline` (where a job's time goes, against the floor of the same servers; "Pipeline benchmark").
run_system_benchmark() {
  setup
  log "building the system benchmarks (Release)"
  dotnet build tools/MultiAgent.SystemBenchmarks --no-restore --configuration Release --verbosity quiet -warnaserror
  dotnet tools/MultiAgent.SystemBenchmarks/bin/Release/net10.0/MultiAgent.SystemBenchmarks.dll "$@"
}

SERVICE_NAME=multiagent
SERVICE_UNIT=/etc/systemd/system/$SERVICE_NAME.service
SERVICE_ENV=/etc/multiagent/multiagent.env

# The unit: the AppHost built in Release, run by `dotnet run --no-build` from this checkout (the http launch profile, as
# ./build.sh run uses), its data in /var/lib/multiagent, settings and secrets from $SERVICE_ENV. systemd restarts the
# AppHost if it dies; the AppHost restarts the agents and servers (docs/operations.md, "Restarts").
service_unit() {
  local dotnet
  dotnet=$(command -v dotnet)
  cat <<UNIT
[Unit]
Description=MultiAgent (AppHost: NATS, PostgreSQL, the Coder, the Reviewer and the Repo Manager)
Documentation=file://$PWD/docs/operations.md
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory=$PWD
Environment=HOME=/var/lib/multiagent
Environment=DOTNET_CLI_TELEMETRY_OPTOUT=1
Environment=DOTNET_NOLOGO=1
Environment=MultiAgent__DataRoot=/var/lib/multiagent
EnvironmentFile=-$SERVICE_ENV
ExecStart=$dotnet run --no-build --configuration Release --project $PWD/src/MultiAgent.AppHost --launch-profile http
Restart=on-failure
RestartSec=5
# Every process of the unit gets the stop signal: the AppHost stops its servers and agents, dotnet run has no say.
KillMode=control-group
TimeoutStopSec=60

[Install]
WantedBy=multi-user.target
UNIT
}

install_service() {
  [ "$(id -u)" -eq 0 ] || die "install-service writes to /etc/systemd/system: run it as root (sudo ./build.sh install-service)"
  [ -d /run/systemd/system ] || die "systemd is not running on this machine (no /run/systemd/system); start ./build.sh run another way"
  setup
  log "building the AppHost and the agents (Release)"
  dotnet build src/MultiAgent.AppHost --no-restore --configuration Release --verbosity quiet -warnaserror
  install -d -m 0755 /var/lib/multiagent
  install -d -m 0700 "$(dirname "$SERVICE_ENV")"
  if [ ! -e "$SERVICE_ENV" ]; then
    install -m 0600 /dev/null "$SERVICE_ENV"
    cat >"$SERVICE_ENV" <<'ENV'
# Settings for the multiagent service (KEY=value, as environment variables: ':' becomes '__'); mode 0600.
# Then: systemctl restart multiagent. See docs/configuration.md.
# MultiAgent__Llm__ApiKey=...
# MultiAgent__GitHub__Token=...
# MultiAgent__LocalGit__AllowedRoots__0=/srv/repos
ENV
  fi
  service_unit >"$SERVICE_UNIT"
  systemctl daemon-reload
  systemctl enable --now "$SERVICE_NAME"
  log "installed $SERVICE_UNIT; settings: $SERVICE_ENV; logs: journalctl -u $SERVICE_NAME and /var/lib/multiagent/logs"
}

uninstall_service() {
  [ "$(id -u)" -eq 0 ] || die "uninstall-service changes /etc/systemd/system: run it as root"
  if [ -e "$SERVICE_UNIT" ]; then
    systemctl disable --now "$SERVICE_NAME" || true
    rm -f "$SERVICE_UNIT"
    systemctl daemon-reload
    log "removed $SERVICE_UNIT (the data in /var/lib/multiagent and $SERVICE_ENV stay)"
  else
    log "no $SERVICE_UNIT: nothing to remove"
  fi
}

case "${1:-}" in
  run) shift; [ "${1:-}" = "--" ] && shift; run_system "$@" ;;
  agents) shift; run_agent_host "$@" ;;
  test) run_tests "${2:-all}" ;;
  coverage) run_coverage ;;
  demo) run_demo ;;
  bench) shift; if [ "${1:-}" = pipeline ]; then run_system_benchmark "$@"; else run_benchmark; fi ;;
  soak) shift; run_system_benchmark soak "$@" ;;
  images) shift; setup; tools/images/build-images.sh "$@" ;;
  setup) setup; install_cli ;;
  install-service) install_service ;;
  uninstall-service) uninstall_service ;;
  service-unit) service_unit ;;
  *) echo "usage: $0 run | agents --join FILE [--agents LIST] [--replicas N] | demo | test [unit] | coverage | bench [pipeline [--jobs N] [--concurrency 1,4,16] [--coders 1,2] [--nats-nodes 1,3]] | soak [--minutes N] | images [--local-base] | setup | install-service | uninstall-service" >&2; exit 2 ;;
esac
