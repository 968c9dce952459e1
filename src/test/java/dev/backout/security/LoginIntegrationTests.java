package dev.backout.security;

import java.util.List;
import java.util.Set;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@IntegrationTest
class LoginIntegrationTests {

	static final String DEMO_PASSWORD = "demo-password-for-tests";

	@Autowired
	MockMvc mvc;

	@Autowired
	UserAccounts accounts;

	@Autowired
	JdbcClient jdbc;

	@Test
	void everyDemoUserSignsInWithTheRoleItsNameSays() throws Exception {
		assertThat(DemoUsers.USERS).as("one demo user per role").hasSize(Role.values().length);
		for (var user : DemoUsers.USERS.entrySet()) {
			this.mvc.perform(formLogin().user(user.getKey()).password(DEMO_PASSWORD))
				.andExpect(redirectedUrl("/"))
				.andExpect(authenticated().withUsername(user.getKey()).withRoles(user.getValue().name()));
		}
	}

	@Test
	void unknownUsersAndWrongPasswordsGetTheSameAnswer() throws Exception {
		this.mvc.perform(formLogin().user("nobody-by-this-name").password("whatever-password"))
			.andExpect(redirectedUrl("/login?error"))
			.andExpect(unauthenticated());
		this.mvc.perform(formLogin().user("commander").password("wrong-password"))
			.andExpect(redirectedUrl("/login?error"))
			.andExpect(unauthenticated());
	}

	@Test
	void fiveFailuresLockTheAccountForFifteenMinutesAndEveryStepIsAudited() throws Exception {
		String name = "lockout-" + System.nanoTime() % 100000;
		this.accounts.create(name, "the-right-password", Set.of(Role.COMMANDER), null);
		long before = lastSeq();

		for (int i = 0; i < LoginAttempts.MAX_FAILURES; i++) {
			this.mvc.perform(formLogin().user(name).password("wrong-" + i)).andExpect(redirectedUrl("/login?error"));
		}
		// The right password no longer helps while the lock holds.
		this.mvc.perform(formLogin().user(name).password("the-right-password"))
			.andExpect(redirectedUrl("/login?error"))
			.andExpect(unauthenticated());

		assertThat(this.jdbc.sql("select locked_until > now() + interval '14 minutes' from console_user where username = ?")
			.param(name)
			.query(Boolean.class)
			.single()).isTrue();
		List<String> actions = this.jdbc
			.sql("select action from audit_event where actor = ? and seq > ? order by seq")
			.param(name)
			.param(before)
			.query(String.class)
			.list();
		assertThat(actions).containsExactly("LOGIN_FAILED", "LOGIN_FAILED", "LOGIN_FAILED", "LOGIN_FAILED",
				"LOGIN_FAILED", "ACCOUNT_LOCKED", "LOGIN_REFUSED");
	}

	@Test
	void aSuccessfulSignInResetsTheFailureCount() throws Exception {
		String name = "reset-" + System.nanoTime() % 100000;
		this.accounts.create(name, "the-right-password", Set.of(Role.AUDITOR), null);
		for (int i = 0; i < LoginAttempts.MAX_FAILURES - 1; i++) {
			this.mvc.perform(formLogin().user(name).password("wrong"));
		}
		this.mvc.perform(formLogin().user(name).password("the-right-password")).andExpect(authenticated());
		this.mvc.perform(formLogin().user(name).password("wrong"));
		this.mvc.perform(formLogin().user(name).password("the-right-password")).andExpect(authenticated());
		assertThat(this.jdbc.sql("select failed_logins from console_user where username = ?")
			.param(name)
			.query(Integer.class)
			.single()).isZero();
	}

	@Test
	void failedSignInsOfUnknownNamesAreAuditedToo() throws Exception {
		String name = "ghost-" + System.nanoTime() % 100000;
		this.mvc.perform(formLogin().user(name).password("x"));
		assertThat(this.jdbc.sql("select details->>'knownUser' from audit_event where actor = ? and action = 'LOGIN_FAILED'")
			.param(name)
			.query(String.class)
			.single()).isEqualTo("false");
	}

	@Test
	void aLoginPostWithoutCsrfTokenIsRejected() throws Exception {
		this.mvc.perform(post("/login").param("username", "admin").param("password", DEMO_PASSWORD))
			.andExpect(status().isForbidden())
			.andExpect(unauthenticated());
	}

	private long lastSeq() {
		return this.jdbc.sql("select coalesce(max(seq), 0) from audit_event").query(Long.class).single();
	}

}
