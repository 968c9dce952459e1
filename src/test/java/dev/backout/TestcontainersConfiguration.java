package dev.backout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * PostgreSQL for tests: a Testcontainers PostgreSQL 17 where a Docker engine is available;
 * otherwise no bean, and the console's own embedded PostgreSQL serves (a real server either way).
 * As in production, migrations run as the container's superuser and the console as a role of
 * its own, which is no superuser (the console refuses to run as one).
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestcontainersConfiguration {

	static final String CONSOLE_ROLE = "backout";

	static final String CONSOLE_PASSWORD = "backout-test";

	@Bean
	@Conditional(DockerAvailable.class)
	PostgreSQLContainer postgresContainer() {
		PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse("postgres:17-alpine"));
		container.start();
		try (Connection connection = DriverManager.getConnection(container.getJdbcUrl(), container.getUsername(),
				container.getPassword()); Statement statement = connection.createStatement()) {
			statement.execute("create role " + CONSOLE_ROLE + " login nosuperuser password '" + CONSOLE_PASSWORD + "'");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot create the console's role in the test container", ex);
		}
		return container;
	}

	@Bean
	@Conditional(DockerAvailable.class)
	JdbcConnectionDetails consoleConnection(PostgreSQLContainer postgres) {
		return new JdbcConnectionDetails() {

			@Override
			public String getJdbcUrl() {
				return postgres.getJdbcUrl();
			}

			@Override
			public String getUsername() {
				return CONSOLE_ROLE;
			}

			@Override
			public String getPassword() {
				return CONSOLE_PASSWORD;
			}

		};
	}

	@Bean
	@Conditional(DockerAvailable.class)
	LiquibaseConnectionDetails migrationConnection(PostgreSQLContainer postgres) {
		return new LiquibaseConnectionDetails() {

			@Override
			public String getJdbcUrl() {
				return postgres.getJdbcUrl();
			}

			@Override
			public String getUsername() {
				return postgres.getUsername();
			}

			@Override
			public String getPassword() {
				return postgres.getPassword();
			}

		};
	}

	/**
	 * Lets a test count the statements a request sends to the console's database. A benchmark that
	 * measures the console as it ships turns it off.
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = "backout.test.record-statements", matchIfMissing = true)
	static ConsoleStatements consoleStatements() {
		return new ConsoleStatements();
	}

	static class DockerAvailable implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			try {
				return DockerClientFactory.instance().isDockerAvailable();
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

	}

}
