package dev.backout.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import jakarta.servlet.http.Cookie;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static dev.backout.security.LiveSessionIntegrationTests.ADMIN;
import static dev.backout.security.LiveSessionIntegrationTests.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Reading pages writes no session: the stored session changes only when its identity changes or
 * its last access moved by a minute, and it still expires.
 */
@IntegrationTest
class SessionStoreIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	UserAccounts accounts;

	@Autowired
	JdbcClient jdbc;

	@Test
	void pageViewsWithinAMinuteLeaveTheStoredSessionUnwritten() throws Exception {
		Cookie session = signIn();
		Stored signedIn = stored(session);
		assertThat(signedIn.principal()).startsWith("session-");

		for (int i = 0; i < 3; i++) {
			this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());
		}

		// xmin is the transaction that wrote the row's current version: no write, no new version.
		assertThat(stored(session)).isEqualTo(signedIn);
	}

	/** Signing in again within the minute changes only the session's id: the old id must stop working at once. */
	@Test
	void aNewIdAtSignInIsWrittenAndTheOldOneEnds() throws Exception {
		ConsoleUser user = user();
		Cookie first = signIn(user, null);

		Cookie second = signIn(user, first);

		assertThat(id(second)).isNotEqualTo(id(first));
		assertThat(stored(second).principal()).isEqualTo(user.username());
		assertThat(this.jdbc.sql("select count(*) from spring_session where session_id = :id").param("id", id(first))
			.query(Long.class).single()).isZero();
		this.mvc.perform(get("/").cookie(first)).andExpect(redirectedUrl("/login"));
		this.mvc.perform(get("/").cookie(second)).andExpect(status().isOk());
	}

	@Test
	void aLastAccessAMinuteOldIsWrittenAgain() throws Exception {
		Cookie session = signIn();
		long minuteAgo = System.currentTimeMillis() - SessionStoreConfiguration.ACCESS_PRECISION_MILLIS - 1_000;
		this.jdbc.sql("update spring_session set last_access_time = :at where session_id = :id")
			.param("at", minuteAgo)
			.param("id", id(session))
			.update();

		this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());

		assertThat(stored(session).lastAccess()).isGreaterThan(minuteAgo + SessionStoreConfiguration.ACCESS_PRECISION_MILLIS);
	}

	@Test
	void aSessionPastItsTimeoutStillEnds() throws Exception {
		Cookie session = signIn();
		this.jdbc.sql("""
				update spring_session set last_access_time = last_access_time - 9 * 3600 * 1000,
				       expiry_time = expiry_time - 9 * 3600 * 1000 where session_id = :id""")
			.param("id", id(session))
			.update();

		this.mvc.perform(get("/").cookie(session)).andExpect(redirectedUrl("/login"));
	}

	private Cookie signIn() throws Exception {
		return signIn(user(), null);
	}

	private ConsoleUser user() {
		return this.accounts.create("session-" + System.nanoTime() % 100_000, PASSWORD, Set.of(Role.AUDITOR), ADMIN);
	}

	/** Signs in through the form, in the session {@code existing} names if there is one, as a browser would. */
	private Cookie signIn(ConsoleUser user, Cookie existing) throws Exception {
		MockHttpServletRequestBuilder login = post("/login").param("username", user.username()).param("password", PASSWORD)
			.with(csrf());
		if (existing != null) {
			login.cookie(existing);
		}
		MockHttpServletResponse response = this.mvc.perform(login).andExpect(redirectedUrl("/")).andReturn().getResponse();
		return (response.getCookie("SESSION") != null) ? response.getCookie("SESSION") : existing;
	}

	private Stored stored(Cookie session) {
		return this.jdbc.sql("""
				select xmin::text as version, last_access_time, principal_name from spring_session where session_id = :id""")
			.param("id", id(session))
			.query((rs, row) -> new Stored(rs.getString("version"), rs.getLong("last_access_time"), rs.getString("principal_name")))
			.single();
	}

	/** The cookie carries the session id base64-encoded, as Spring Session writes it. */
	private static String id(Cookie session) {
		return new String(Base64.getDecoder().decode(session.getValue()), StandardCharsets.UTF_8);
	}

	record Stored(String version, long lastAccess, String principal) {
	}

}
