package dev.backout.system;

import java.io.IOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged console as its own process, as an operator runs it: an incident is driven through
 * the API until a step is in flight, the console is killed with SIGKILL (its embedded PostgreSQL
 * survives it, re-parented), and started again. The restart must recognise and stop the server
 * left behind, come up within 30 s, settle the interrupted step from the target's marker, and the
 * incident must reach its end with the step's rows applied exactly once.
 */
class KilledConsoleProcessTests {

	static final String PASSWORD = "process-test-password";

	static final Duration RESTART_LIMIT = Duration.ofSeconds(30);

	static final String RUNBOOK = """
			id: process-test
			title: Killed console test
			migration: { id: "p1", tool: sql }
			risk: LOW
			summary: One slow insert, interrupted by kill -9.
			target: demo
			triggers:
			  rollbackIf: [It is broken]
			  doNotRollbackIf: [It can wait]
			decision:
			  start: broken
			  questions:
			    - id: broken
			      ask: Is it broken?
			      answers:
			        - { answer: "Yes", outcome: ROLLBACK }
			        - { answer: "No", outcome: FIX_FORWARD }
			authorization:
			  approvers: [TEAM_LEAD]
			phases:
			  execute:
			    steps:
			      - id: slow-insert
			        title: Insert a row slowly
			        sql: INSERT INTO process_counter (n) VALUES (1); SELECT pg_sleep(20);
			        timeout: 60s
			  verify:
			    steps:
			      - id: one-row
			        title: Exactly one row
			        check: SELECT count(*) FROM process_counter
			        expect: { equals: 1 }
			""";

	Path work;

	Process console;

	int port;

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@AfterEach
	void stop() throws Exception {
		if (this.console != null && this.console.isAlive()) {
			this.console.destroy();
			this.console.waitFor();
		}
		Optional<ProcessHandle> leftover = (this.work != null)
				? LeftoverServer.postmaster(this.work.resolve("data/postgres")) : Optional.empty();
		leftover.ifPresent(ProcessHandle::destroy);
	}

	@Test
	void aConsoleKilledMidStepRestartsWithinThirtySecondsAndTheIncidentEndsWithTheStepAppliedOnce() throws Exception {
		this.work = Files.createTempDirectory(Path.of("target"), "killed-console-").toAbsolutePath();
		Files.createDirectories(this.work.resolve("runbooks"));
		Files.writeString(this.work.resolve("runbooks/process-test.yaml"), RUNBOOK);
		this.port = freePort();

		Duration firstStart = start("first.log");
		int postgresPort = postgresPort();
		// The demo database belongs to demo_owner, who runs the steps.
		sql(postgresPort, "CREATE TABLE process_counter (n int); ALTER TABLE process_counter OWNER TO " + DemoTarget.OWNER);
		String commander = token("commander");
		String lead = token("lead");
		long demoTarget = demoTargetId();

		long id = number(api("POST", "/api/incidents", commander,
				"{\"runbookId\":\"process-test\",\"targetId\":" + demoTarget + ",\"symptom\":\"Killed mid-step\"}"), "id");
		api("POST", "/api/incidents/" + id + "/answers", commander,
				"{\"version\":" + version(commander, id) + ",\"questionId\":\"broken\",\"answer\":\"Yes\"}");
		api("POST", "/api/incidents/" + id + "/decision", commander, "{\"version\":" + version(commander, id) + "}");
		api("POST", "/api/incidents/" + id + "/approval-request", commander, "{\"version\":" + version(commander, id) + "}");
		String reviewed = api("GET", "/api/incidents/" + id, lead, null);
		api("POST", "/api/approvals/" + id + "/approve", lead, "{\"role\":\"TEAM_LEAD\",\"comment\":\"go\",\"password\":\""
				+ PASSWORD + "\",\"planHash\":\"" + text(reviewed, "planHash") + "\",\"runbookVersion\":\""
				+ text(reviewed, "runbookVersion") + "\"}");

		CompletableFuture<HttpResponse<String>> running = this.http.sendAsync(request("POST",
				"/api/incidents/" + id + "/steps/slow-insert", commander, "{}"), HttpResponse.BodyHandlers.ofString());
		awaitOnTarget(postgresPort, id);
		long consolePid = this.console.pid();
		this.console.destroyForcibly().waitFor();
		running.exceptionally((ex) -> null);
		assertThat(LeftoverServer.postmaster(this.work.resolve("data/postgres")))
			.as("kill -9 of the console leaves its PostgreSQL running").isPresent();

		Duration restart = start("second.log");
		System.out.printf("Killed console (pid %d) mid-step; first start %d ms, restart %d ms%n", consolePid,
				firstStart.toMillis(), restart.toMillis());
		assertThat(restart).isLessThan(RESTART_LIMIT);
		assertThat(Files.readString(this.work.resolve("second.log")))
			.contains("Stopped the embedded PostgreSQL (pid");

		awaitLog("second.log", "Settled 1 interrupted step attempts at start-up");
		postgresPort = postgresPort();
		assertThat(count(postgresPort, "SELECT count(*) FROM process_counter")).as("the killed step did not commit").isZero();
		commander = token("commander");
		String status = api("GET", "/api/incidents/" + id, commander, null);
		assertThat(status).contains("\"state\":\"HALTED\"").contains("\"state\":\"FAILED\"");

		api("POST", "/api/incidents/" + id + "/retry", commander, "{\"version\":" + version(commander, id) + "}");
		api("POST", "/api/incidents/" + id + "/verification", commander, null);
		api("POST", "/api/incidents/" + id + "/close", commander,
				"{\"version\":" + version(commander, id) + ",\"summary\":\"Retried after the console was killed.\"}");

		assertThat(api("GET", "/api/incidents/" + id, commander, null)).contains("\"state\":\"COMPLETED\"");
		assertThat(count(postgresPort, "SELECT count(*) FROM process_counter")).as("applied exactly once").isEqualTo(1);
	}

	/** Starts the packaged jar in the work directory and waits for its health endpoint. */
	private Duration start(String log) throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		ProcessBuilder builder = new ProcessBuilder(java, "-jar", System.getProperty("backout.jar"),
				"--server.port=" + this.port, "--backout.execution.settle-interval=5s")
			.directory(this.work.toFile())
			.redirectErrorStream(true)
			.redirectOutput(this.work.resolve(log).toFile());
		builder.environment().put("BACKOUT_DEMO_PASSWORD", PASSWORD);
		builder.environment().remove("SPRING_DATASOURCE_URL");
		long started = System.nanoTime();
		this.console = builder.start();
		long deadline = started + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.console.isAlive()) {
				throw new AssertionError("The console exited:\n" + Files.readString(this.work.resolve(log)));
			}
			try {
				HttpResponse<String> health = this.http.send(HttpRequest.newBuilder(uri("/actuator/health")).build(),
						HttpResponse.BodyHandlers.ofString());
				if (health.statusCode() == 200 && health.body().contains("UP")) {
					return Duration.ofNanos(System.nanoTime() - started);
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(200);
		}
		throw new AssertionError("The console did not come up:\n" + Files.readString(this.work.resolve(log)));
	}

	private void awaitLog(String log, String line) throws Exception {
		for (int i = 0; i < 150; i++) {
			if (Files.readString(this.work.resolve(log)).contains(line)) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("\"" + line + "\" never appeared in:\n" + Files.readString(this.work.resolve(log)));
	}

	/** Signs in through the login form and creates an API token on the profile page, as a person does. */
	private String token(String user) throws Exception {
		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
		String csrf = csrf(browser.send(HttpRequest.newBuilder(uri("/login")).build(), HttpResponse.BodyHandlers.ofString()).body());
		browser.send(form("/login", "username=" + user + "&password=" + enc(PASSWORD) + "&_csrf=" + enc(csrf)),
				HttpResponse.BodyHandlers.ofString());
		csrf = csrf(browser.send(HttpRequest.newBuilder(uri("/profile")).build(), HttpResponse.BodyHandlers.ofString()).body());
		browser.send(form("/profile/tokens", "name=process-test&_csrf=" + enc(csrf)), HttpResponse.BodyHandlers.ofString());
		String profile = browser.send(HttpRequest.newBuilder(uri("/profile")).build(), HttpResponse.BodyHandlers.ofString()).body();
		Matcher token = Pattern.compile("id=\"new-token\">([^<]+)<").matcher(profile);
		assertThat(token.find()).as("a token for " + user).isTrue();
		return token.group(1);
	}

	private long demoTargetId() throws Exception {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + postgresPort() + "/backout",
				"postgres", null); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT id FROM target WHERE name = 'demo'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private int version(String token, long id) throws Exception {
		return (int) number(api("GET", "/api/incidents/" + id, token, null), "version");
	}

	private String api(String method, String path, String token, String body) throws Exception {
		HttpResponse<String> response = this.http.send(request(method, path, token, body), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
		return response.body();
	}

	private HttpRequest request(String method, String path, String token, String body) {
		return HttpRequest.newBuilder(uri(path))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(90))
			.build();
	}

	private HttpRequest form(String path, String body) {
		return HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	/** The embedded server's port, from the postmaster.pid PostgreSQL writes (line 4). */
	private int postgresPort() throws IOException {
		List<String> lines = Files.readAllLines(this.work.resolve("data/postgres/postmaster.pid"));
		return Integer.parseInt(lines.get(3).strip());
	}

	private void awaitOnTarget(int postgresPort, long incident) throws Exception {
		for (int i = 0; i < 100; i++) {
			if (count(postgresPort, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'backout incident "
					+ incident + "' AND query LIKE '%pg_sleep%'") > 0) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("the step never reached the target");
	}

	private void sql(int postgresPort, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + postgresPort + "/demo",
				"postgres", null); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private long count(int postgresPort, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + postgresPort + "/demo",
				"postgres", null); Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static long number(String json, String field) {
		Matcher matcher = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
		assertThat(matcher.find()).as(field + " in " + json).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static String text(String json, String field) {
		Matcher matcher = Pattern.compile("\"" + field + "\":\"([^\"]+)\"").matcher(json);
		assertThat(matcher.find()).as(field + " in " + json).isTrue();
		return matcher.group(1);
	}

	private static String csrf(String html) {
		Matcher matcher = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(html);
		if (!matcher.find()) {
			matcher = Pattern.compile("value=\"([^\"]+)\"[^>]*name=\"_csrf\"").matcher(html);
			assertThat(matcher.find()).as("a CSRF token in the page").isTrue();
		}
		return matcher.group(1);
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
