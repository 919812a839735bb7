#!/usr/bin/env bash
# The one-command demo: builds the sample app (first run: Maven downloads what it needs), then starts
# Redis, a Telnet destination and three instances of the sample app, kills the leader, stops and
# restarts Redis, and prints what happens. Needs only a JDK 17+. Ctrl-C stops everything it started.
# Options: --store=redis|jdbc|file|zookeeper (or --store X; postgres = jdbc; default redis: the store
# the instances elect through, whose server the outage and restart steps stop and start; the file
# store has none, its steps freeze the holder instead), --instances=N (2..9), --log-dir=PATH.
set -euo pipefail
cd "$(dirname "$0")"
echo "Building the sample app and the demo (quiet; the first run downloads dependencies)..."
./mvnw -q -B -DskipTests -pl demo -am package
exec java -cp "demo/target/classes:$(cat demo/target/demo.classpath)" dev.leaderelection.demo.Demo "$@"
