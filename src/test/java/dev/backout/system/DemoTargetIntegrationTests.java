package dev.backout.system;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@IntegrationTest
class DemoTargetIntegrationTests {

	static final TestingAuthenticationToken ADMIN = new TestingAuthenticationToken("admin", null, "ROLE_ADMIN");

	@Autowired
	DemoTarget demo;

	@Test
	void aResetRebuildsEveryRollbackAbleSchema() throws Exception {
		this.demo.reset(ADMIN);
		try (Connection connection = DriverManager.getConnection(this.demo.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = connection.createStatement()) {
			statement.execute("DROP TABLE memory_chunks");
			this.demo.reset(ADMIN);
		}
		try (Connection connection = DriverManager.getConnection(this.demo.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = connection.createStatement();
				var rs = statement.executeQuery("SELECT count(*) FROM memory_chunks")) {
			rs.next();
			assertThat(rs.getLong(1)).isEqualTo(10_000);
		}
	}

	@Test
	void aResetIsRefusedWhileAnExecutionHoldsTheDemoTarget() throws Exception {
		this.demo.reset(ADMIN);
		try (Connection executing = DriverManager.getConnection(this.demo.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = executing.createStatement()) {
			statement.execute("SELECT pg_advisory_lock(" + ExecutionLock.CLASS_ID + ", " + ExecutionLock.OBJECT_ID + ")");
			assertThatExceptionOfType(DemoTarget.DemoTargetBusy.class).isThrownBy(() -> this.demo.reset(ADMIN))
				.withMessage("An incident is executing a step on the demo target; reset it when the step has finished.");
			assertThat(executing.isValid(2)).isTrue();
			statement.execute("SELECT pg_advisory_unlock(" + ExecutionLock.CLASS_ID + ", " + ExecutionLock.OBJECT_ID + ")");
		}
		this.demo.reset(ADMIN);
	}

}
