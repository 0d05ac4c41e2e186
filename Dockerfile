# syntax=docker/dockerfile:1
# One image recipe for the three apps; MODULE picks which (api, notifier-email, notifier-webhook).
# Build from the repository root (it needs the parent pom and sibling modules):
#   docker build --build-arg MODULE=api -t seatwatch/api .
#   docker build --build-arg MODULE=notifier-email -t seatwatch/notifier-email .
#   docker build --build-arg MODULE=notifier-webhook -t seatwatch/notifier-webhook .
ARG MODULE=api

# ---- build: compile with the Maven wrapper, then split the Boot jar into layers ----
FROM eclipse-temurin:17-jdk AS build
ARG MODULE
WORKDIR /src
# Wrapper and every module's pom first (the reactor reads all of them, even those no image contains), so this
# layer is reused while only sources change. The Maven repository and the wrapper's Maven live in a BuildKit
# cache mount. .ci/validate-dockerfile.sh runs these COPY lines and the Maven command below without Docker.
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY http-dates/pom.xml http-dates/
COPY test-support/pom.xml test-support/
COPY webhook-support/pom.xml webhook-support/
COPY api/pom.xml api/
COPY notifier-webhook/pom.xml notifier-webhook/
COPY notifier-email/pom.xml notifier-email/
COPY demo/pom.xml demo/
COPY bench/pom.xml bench/
# The sources of the apps and of what they depend on (test-support too: the reactor builds a module's
# test-scoped dependencies even when tests are skipped); Maven builds only MODULE and what it depends on.
COPY http-dates/src/ http-dates/src/
COPY test-support/src/ test-support/src/
COPY webhook-support/src/ webhook-support/src/
COPY api/src/ api/src/
COPY notifier-email/src/ notifier-email/src/
COPY notifier-webhook/src/ notifier-webhook/src/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl "$MODULE" -am -DskipTests package \
 && cp "$MODULE"/target/"$MODULE"-*.jar /tmp/app.jar
# Spring Boot 4 tools jar mode: one directory per layer (dependencies, spring-boot-loader,
# snapshot-dependencies, application). Together they are app.jar, whose manifest lists lib/*.jar on its class
# path: a plain `java -jar`, no nested-jar launcher, and jars that class data sharing (below) can archive from.
RUN java -Djarmode=tools -jar /tmp/app.jar extract --layers --destination /layers

# ---- runtime: JRE only, non-root ----
FROM eclipse-temurin:17-jre
# wget: the compose health check calls the readiness endpoint with it (installed explicitly rather than
# relying on what the base image happens to ship).
RUN apt-get update \
 && apt-get install -y --no-install-recommends wget \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 seatwatch \
 && useradd --system --uid 10001 --gid seatwatch --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin seatwatch
WORKDIR /app
# Least often changed first: each layer is its own image layer.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# Container-aware heap sizing (cgroup memory limit): 60 % for the heap, because metaspace, code cache, threads and
# GC structures take 200-280 MB beside it under load (docs/operations.md, sizing); each app lowers it.
# G1 named: under a memory limit below 1792 MB (all of k8s/base) the JVM would pick the Serial collector, whose
# full collections stop the app for the whole old generation; G1 is also what bench/ measures.
ENV JAVA_TOOL_OPTIONS="-XX:+UseG1GC -XX:MaxRAMPercentage=60 -XX:InitialRAMPercentage=25 -XX:+ExitOnOutOfMemoryError"
# Class data sharing, Spring Boot's recipe: one training start, stopped once the context is refreshed (before
# anything connects or listens), writes the classes it loaded, parsed and verified to app.jsa; every start maps them
# instead (bench/startup.sh measures this layout with and without it: about 40 % less time and CPU to ready). It
# must run here, on the JVM that runs the app, and as root: the archive stays read-only to the app's user. -Xmx
# keeps compressed oops on whatever the build machine's RAM, as in every container: an archive trained without
# them is ignored at start. The secrets are throwaway values whose form is all the apps check, and port 1 makes
# sure nothing is reached. bench/startup.sh and bench/e2e.sh run this line as written.
RUN SEATWATCH_JWT_SECRET=cds-training-only-not-a-secret-0123456789 SEATWATCH_WEBHOOK_SECRET_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= REDIS_PORT=1 RABBITMQ_PORT=1 SMTP_PORT=1 java -Xmx256m -XX:ArchiveClassesAtExit=app.jsa -Dspring.context.exit=onRefresh -jar app.jar
USER 10001:10001
# api: 8080 public API, 9080 actuator (keep it off public networks). notifier-email: 8081 and
# notifier-webhook: 8082, actuator only.
EXPOSE 8080 8081 8082 9080
# Exec form: java is PID 1 and receives SIGTERM for Spring's graceful shutdown.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=app.jsa", "-jar", "app.jar"]
