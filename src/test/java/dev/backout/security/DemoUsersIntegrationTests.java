package dev.backout.security;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Embedded mode's demo users at every start: created with one shared hash, and a configured
 * password that is already in place is neither hashed nor written again.
 */
@IntegrationTest
class DemoUsersIntegrationTests {

	static final String PASSWORD = "demo-password-for-tests";

	@Autowired
	DemoUsers demoUsers;

	@Autowired
	UserAccounts accounts;

	@Autowired
	ConsoleUserRepository users;

	@Autowired
	PasswordEncoder encoder;

	@Autowired
	JdbcClient jdbc;

	@Test
	void aStartWithTheSamePasswordChangesNothingAndAChangedOneIsPutBack() {
		long resetsBefore = resets();
		this.demoUsers.afterSingletonsInstantiated();
		assertThat(resets()).as("nothing rewritten when the configured password is in place").isEqualTo(resetsBefore);

		ConsoleUser auditor = this.users.findByUsername("auditor").orElseThrow();
		this.accounts.resetPassword(auditor.id(), "another-password-entirely", null);
		this.demoUsers.afterSingletonsInstantiated();

		assertThat(resets()).as("the changed one is put back, the others are left").isEqualTo(resetsBefore + 2);
		ConsoleUser restored = this.users.findByUsername("auditor").orElseThrow();
		assertThat(this.encoder.matches(PASSWORD, restored.passwordHash())).isTrue();
		assertThat(this.encoder.matches(PASSWORD, this.users.findByUsername("lead").orElseThrow().passwordHash())).isTrue();
	}

	private long resets() {
		return this.jdbc.sql("select count(*) from audit_event where action = 'PASSWORD_RESET'").query(Long.class).single();
	}

}
