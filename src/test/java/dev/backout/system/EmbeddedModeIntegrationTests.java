package dev.backout.system;

import java.util.List;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class EmbeddedModeIntegrationTests {

	@Autowired
	JdbcClient jdbc;

	@Value("${server.address:}")
	String serverAddress;

	@Test
	void runsOnARealPostgresql17WithTheLiquibaseSchemaApplied() {
		assertThat(this.jdbc.sql("show server_version").query(String.class).single()).startsWith("17.");
		List<String> tables = this.jdbc
			.sql("select table_name from information_schema.tables where table_schema = 'public' order by 1")
			.query(String.class)
			.list();
		assertThat(tables).contains("audit_event", "console_user", "console_user_role", "databasechangelog");
		assertThat(this.jdbc.sql("select count(*) from databasechangelog").query(Long.class).single()).isPositive();
	}

	@Test
	void bindsToLoopbackByDefaultInEmbeddedMode() {
		assertThat(this.serverAddress).isEqualTo("127.0.0.1");
	}

}
