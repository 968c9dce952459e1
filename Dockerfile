# syntax=docker/dockerfile:1
# Build with the Maven wrapper for Java 17; run on a Java 25 JRE, whose AOT cache (JEP 483, filled
# by a training start below) halves the start, as a non-root user (external mode: set SPRING_DATASOURCE_URL).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
COPY frontend-templates frontend-templates
RUN ./mvnw -B -q package -DskipTests && cp target/backout-*.jar /backout.jar
# Spring Boot's layers, least changing first: a new build of the console reuses the dependency layers.
# A plain jar and lib/ rather than the launcher: the AOT cache only holds classes from the class path.
RUN java -Djarmode=tools -jar /backout.jar extract --layers --application-filename backout.jar --destination /layers

FROM eclipse-temurin:25-jre
RUN groupadd --system backout && useradd --system --gid backout --home-dir /app backout \
    && apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# Training start in embedded mode, as the user the console runs as (PostgreSQL refuses to run as
# root, and a build container may not give it a user namespace to pretend otherwise): up to the
# login page answering, then stopped as a container is (SIGTERM, so that the embedded PostgreSQL
# stops too; spring.context.exit would halt the JVM without stopping it). Only the cache is kept.
# Should the training fail, the image still works: the JVM then starts without the cache, slower.
RUN mkdir /tmp/training && chown backout:backout /tmp/training
USER backout
WORKDIR /tmp/training
RUN BACKOUT_DEMO_PASSWORD=aot-training-only java -XX:AOTCacheOutput=backout.aot -jar /app/backout.jar \
      > training.log 2>&1 & training=$!; up=no; \
    for attempt in $(seq 1 180); do \
      if curl -fs -o /dev/null http://localhost:8080/login; then up=yes; break; fi; \
      kill -0 $training 2>/dev/null || break; sleep 1; \
    done; \
    kill $training 2>/dev/null; wait $training; \
    if [ $up = yes ] && [ -s backout.aot ]; then echo "AOT cache written"; \
    else tail -n 40 training.log; rm -f backout.aot; echo "AOT training failed: the console will start without its cache"; fi
USER root
WORKDIR /app
# The cache is code the JVM trusts: root's, like the jar, not the user's who runs the console.
RUN if [ -f /tmp/training/backout.aot ]; then mv /tmp/training/backout.aot /app/backout.aot \
      && chown root:root /app/backout.aot; fi; \
    rm -rf /tmp/training /tmp/embedded-pg
# Trail checkpoints and their key live here, outside the database: mount a volume.
RUN mkdir -p /app/data && chown backout:backout /app/data
VOLUME /app/data
USER backout
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://localhost:8080/actuator/health/readiness || exit 1
# The same class path as the training start: the cache is only used for the jar it was made with.
ENTRYPOINT ["java", "-XX:AOTCache=/app/backout.aot", "-jar", "/app/backout.jar"]
