package dev.backout.security;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.servlet.http.Cookie;

import dev.backout.ConsoleStatements;
import dev.backout.IntegrationTest;
import dev.backout.Superuser;
import dev.backout.system.DemoTarget;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static dev.backout.security.LiveSessionIntegrationTests.ADMIN;
import static dev.backout.security.LiveSessionIntegrationTests.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Reading pages writes no session: the stored session changes only when its identity changes or
 * its last access moved by a minute, and it still expires. A page view asks the session store a
 * read, outside a transaction; what is written, is written in one transaction.
 */
@IntegrationTest
class SessionStoreIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	UserAccounts accounts;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DemoTarget demo;

	@Autowired
	SessionStore sessions;

	@Autowired
	DataSource dataSource;

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

	@Test
	void aPageViewOnlyReadsItsSessionAndOutsideATransaction() throws Exception {
		Cookie session = signIn();
		this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());

		ConsoleStatements.Recorded<ResultActions> view = ConsoleStatements.during(() -> perform(get("/").cookie(session)));

		view.result().andExpect(status().isOk());
		assertThat(sessionStatements(view.statements())).as("the session store's statements for a page view").hasSize(1)
			.allSatisfy((sql) -> assertThat(sql.strip()).startsWithIgnoringCase("select"));
		assertThat(sessionStatements(view.inTransactions())).as("the session store's statements within a transaction").isEmpty();
	}

	/**
	 * Spring Session looks the session up again as it commits it at the end of a request (and when a
	 * rendered page commits the response); it already has what that lookup tells it.
	 */
	@Test
	void aRequestReadsItsSessionOnce() throws Exception {
		Cookie session = signIn();
		this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());

		ConsoleStatements.Recorded<ResultActions> page = ConsoleStatements.during(() -> perform(get("/history").cookie(session)));
		ConsoleStatements.Recorded<ResultActions> notFound = ConsoleStatements
			.during(() -> perform(get("/history/incidents/999999999").cookie(session)));
		ConsoleStatements.Recorded<ResultActions> api = ConsoleStatements.during(() -> perform(get("/api/incidents").cookie(session)));

		page.result().andExpect(status().isOk());
		notFound.result().andExpect(status().isNotFound());
		api.result().andExpect(status().isOk());
		assertThat(sessionStatements(page.statements())).as("session reads for a history page").hasSize(1);
		assertThat(sessionStatements(notFound.statements())).as("session reads for a page not found").hasSize(1);
		assertThat(sessionStatements(api.statements())).as("session reads for an API call in a browser's session").hasSize(1);
	}

	/**
	 * A session a sign-in gave a new id, then ended under it, within one request: the request's
	 * next look-up under the old id does not bring back the ended session.
	 */
	@Test
	void aSessionEndedUnderItsNewIdIsNotAnsweredUnderItsOldOne() throws Exception {
		String old = id(signIn());
		List<SessionStore.StoredSession> read = new ArrayList<>();

		new SessionStore.OneReadPerRequest().doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(), (request, response) -> {
			SessionStore.StoredSession signedIn = this.sessions.findById(old);
			read.add(signedIn);
			signedIn.changeSessionId();
			this.sessions.deleteById(signedIn.getId());
			read.add(this.sessions.findById(old));
		});

		// It ended: the request sees none (before sessions were read once, the store's unrenamed row).
		assertThat(read.get(1)).as("the session under its old id, after it ended under its new one").isNull();
	}

	/** What a request read of its session is kept for that request only: the next reads it anew. */
	@Test
	void aSessionEndedBetweenTwoRequestsIsEndedForTheSecond() throws Exception {
		Cookie session = signIn();
		this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());

		// Signed out elsewhere: another instance deleted the row.
		this.jdbc.sql("delete from spring_session where session_id = :id").param("id", id(session)).update();

		this.mvc.perform(get("/").cookie(session)).andExpect(redirectedUrl("/login"));
	}

	@Test
	void whatASignInWritesToItsSessionIsWrittenWithinATransaction() {
		ConsoleUser user = user();

		ConsoleStatements.Recorded<ResultActions> signIn = ConsoleStatements.during(() -> perform(post("/login")
			.param("username", user.username()).param("password", PASSWORD).with(csrf())));

		List<String> writes = sessionStatements(signIn.statements()).stream()
			.filter((sql) -> !sql.strip().toLowerCase().startsWith("select")).toList();
		assertThat(writes).as("the sign-in's writes to the session store").hasSizeGreaterThanOrEqualTo(2);
		assertThat(signIn.inTransactions()).containsAll(writes);
	}

	/**
	 * A request that read the session under its old id, still running when a sign-in gave the
	 * session a new one, must not write the old id back: whoever holds the old id (perhaps one
	 * planted before the sign-in) would hold the signed-in session.
	 */
	@Test
	void aRequestUnderTheOldIdCannotWriteItBackAfterANewIdAtSignIn() throws Exception {
		ConsoleUser user = user();
		Cookie first = signIn(user, null);
		SessionStore.StoredSession stale = this.sessions.findById(id(first));

		Cookie second = signIn(user, first);
		stale.setLastAccessedTime(Instant.now().plus(SessionStore.ACCESS_PRECISION).plusSeconds(1));
		stale.setAttribute("stale-request", "late");
		this.sessions.save(stale);

		assertThat(this.jdbc.sql("select count(*) from spring_session where session_id = :id").param("id", id(first))
			.query(Long.class).single()).as("sessions under the old id").isZero();
		this.mvc.perform(get("/").cookie(first)).andExpect(redirectedUrl("/login"));
		this.mvc.perform(get("/").cookie(second)).andExpect(status().isOk());
	}

	/**
	 * The check and the write are one: while a sign-in's change of id holds the row, a stale
	 * request's write waits for it, then finds the new id and drops its changes.
	 */
	@Test
	void aStaleWriteWaitsForASignInHoldingItsRowAndThenDrops() throws Exception {
		ConsoleUser user = user();
		Cookie first = signIn(user, null);
		SessionStore.StoredSession stale = this.sessions.findById(id(first));
		stale.setLastAccessedTime(Instant.now().plus(SessionStore.ACCESS_PRECISION).plusSeconds(1));
		String newId = UUID.randomUUID().toString();

		try (Connection signingIn = this.dataSource.getConnection()) {
			signingIn.setAutoCommit(false);
			try (PreparedStatement changeId = signingIn.prepareStatement("update spring_session set session_id = ? where session_id = ?")) {
				changeId.setString(1, newId);
				changeId.setString(2, id(first));
				assertThat(changeId.executeUpdate()).isOne();
			}
			CompletableFuture<Void> staleWrite = CompletableFuture.runAsync(() -> this.sessions.save(stale));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.jdbc.sql("""
					select count(*) from pg_stat_activity
					where wait_event_type = 'Lock' and query ilike '%spring_session%' and pid <> pg_backend_pid()""")
				.query(Long.class).single() > 0);
			signingIn.commit();
			staleWrite.get(10, TimeUnit.SECONDS);
		}

		assertThat(this.jdbc.sql("select count(*) from spring_session where session_id = :id").param("id", id(first))
			.query(Long.class).single()).as("sessions under the old id").isZero();
		assertThat(this.jdbc.sql("select count(*) from spring_session where session_id = :id").param("id", newId)
			.query(Long.class).single()).as("sessions under the new id").isOne();
	}

	/** A sign-in whose session cannot be written whole leaves no session: not its row without its attributes. */
	@Test
	void aSessionWrittenHalfWayIsNotKept() {
		ConsoleUser user = user();
		JdbcClient superuser = Superuser.onConsoleDatabase(this.demo, this.jdbc);
		superuser.sql("""
				create function refuse_session_attributes() returns trigger language plpgsql
				as $$ begin raise exception 'session attributes refused'; end $$""").update();
		superuser.sql("""
				create trigger refuse_session_attributes before insert on spring_session_attributes
				for each row execute function refuse_session_attributes()""").update();
		try {
			assertThatException().isThrownBy(() -> this.mvc.perform(post("/login").param("username", user.username())
				.param("password", PASSWORD).with(csrf()))).havingRootCause().withMessageContaining("session attributes refused");
		}
		finally {
			superuser.sql("drop trigger refuse_session_attributes on spring_session_attributes").update();
			superuser.sql("drop function refuse_session_attributes()").update();
		}

		assertThat(this.jdbc.sql("select count(*) from spring_session where principal_name = :name")
			.param("name", user.username()).query(Long.class).single()).isZero();
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
		long minuteAgo = System.currentTimeMillis() - SessionStore.ACCESS_PRECISION.toMillis() - 1_000;
		this.jdbc.sql("update spring_session set last_access_time = :at where session_id = :id")
			.param("at", minuteAgo)
			.param("id", id(session))
			.update();

		this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());

		assertThat(stored(session).lastAccess()).isGreaterThan(minuteAgo + SessionStore.ACCESS_PRECISION.toMillis());
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

	private ResultActions perform(RequestBuilder request) {
		try {
			return this.mvc.perform(request);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> sessionStatements(List<String> statements) {
		return statements.stream().filter((sql) -> sql.toUpperCase().contains("SPRING_SESSION")).toList();
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
