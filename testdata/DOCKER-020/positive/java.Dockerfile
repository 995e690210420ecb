FROM maven:3.9-eclipse-temurin-21 AS build
COPY . /src
RUN mvn -f /src/pom.xml -q package

FROM openjdk:17-jdk-slim
COPY --from=build /src/target/app.jar /app.jar
USER 10001
ENTRYPOINT ["java", "-jar", "/app.jar"]
