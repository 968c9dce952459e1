package dev.backout.security;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.web.servlet.RequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;

/**
 * Password guessing is slowed per client and per user name, and a burst leaves a summary in the
 * trail rather than an event per guess (ASVS 4.0.3 V2.2.1, V7.1.4). With the default limit of 10
 * failures a minute, in a context of its own.
 */
@IntegrationTest
@TestPropertySource(properties = "backout.login.failures-per-minute=10")
class SignInThrottleIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	JdbcClient jdbc;

	@Test
	void aBurstOfGuessesFromOneClientIsThrottledAndSummarised() throws Exception {
		String prefix = "spray" + System.nanoTime() % 100_000 + "-";
		int errors = 0;
		int throttled = 0;
		for (int i = 0; i < 30; i++) {
			String target = this.mvc.perform(login(prefix + i, "guess-" + i, "10.1.2.3"))
				.andReturn().getResponse().getRedirectedUrl();
			errors += "/login?error".equals(target) ? 1 : 0;
			throttled += "/login?throttled".equals(target) ? 1 : 0;
		}

		assertThat(errors).isEqualTo(10);
		assertThat(throttled).isEqualTo(20);
		assertThat(count("LOGIN_FAILED", "actor like '" + prefix + "%'")).isEqualTo(10);
		assertThat(count("LOGIN_THROTTLED", "details->>'who' = 'client 10.1.2.3'")).isEqualTo(1);
		this.mvc.perform(login("commander", "demo-password-for-tests", "10.1.2.4"))
			.andExpect(redirectedUrl("/"));
	}

	@Test
	void guessesAtOneNameFromManyClientsAreThrottledToo() throws Exception {
		String name = "ghost" + System.nanoTime() % 100_000;
		for (int i = 0; i < 10; i++) {
			this.mvc.perform(login(name, "guess-" + i, "10.2.0." + i))
				.andExpect(redirectedUrl("/login?error"));
		}
		for (int i = 10; i < 15; i++) {
			this.mvc.perform(login(name, "guess-" + i, "10.2.0." + i))
				.andExpect(redirectedUrl("/login?throttled"));
		}
		assertThat(count("LOGIN_FAILED", "actor = '" + name + "'")).isEqualTo(10);
	}

	/** A sign-in through the form from the client at {@code address}. */
	private static RequestBuilder login(String user, String password, String address) {
		return (servletContext) -> {
			MockHttpServletRequest request = formLogin().user(user).password(password).buildRequest(servletContext);
			request.setRemoteAddr(address);
			return request;
		};
	}

	private long count(String action, String condition) {
		return this.jdbc.sql("select count(*) from audit_event where action = '" + action + "' and " + condition)
			.query(Long.class)
			.single();
	}

}
