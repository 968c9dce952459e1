# syntax=docker/dockerfile:1
# Build with the Maven wrapper, run on a JRE as a non-root user (external mode: set SPRING_DATASOURCE_URL).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
COPY frontend-templates frontend-templates
RUN ./mvnw -B -q package -DskipTests && cp target/backout-*.jar /backout.jar
# Spring Boot's layers, least changing first: a new build of the console reuses the dependency layers.
RUN java -Djarmode=tools -jar /backout.jar extract --layers --launcher --destination /layers

FROM eclipse-temurin:17-jre
RUN groupadd --system backout && useradd --system --gid backout --home-dir /app backout \
    && apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# Trail checkpoints and their key live here, outside the database: mount a volume.
RUN mkdir -p /app/data && chown backout:backout /app/data
VOLUME /app/data
USER backout
EXPOSE 8080
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://localhost:8080/actuator/health/readiness || exit 1
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
